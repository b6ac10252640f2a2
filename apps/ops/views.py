from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.accounts import roles
from apps.accounts.decorators import login_required_htmx
from apps.ops import selectors

logger = logging.getLogger("apps.ops")


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker both answer, 503 otherwise; JSON either way.

    Anyone may ask (the container's health check has no login), so the answer says only what is
    up; why it is down (a driver's error names the database host and port) goes to the log, and
    to a signed-in superuser."""
    report = selectors.health_report()
    status = 200 if report["ok"] else 503
    if not report["ok"]:
        logger.warning("healthz: %s", report)
    if not (request.user.is_authenticated and request.user.is_superuser):
        report = {
            "ok": report["ok"],
            "database": {"ok": report["database"]["ok"]},
            "broker": {"ok": report["broker"]["ok"]},
        }
    return JsonResponse(report, status=status)


@require_GET
@login_required_htmx
def dashboard(request: HttpRequest) -> HttpResponse:
    if not roles.can_read(request.user):
        # Signed in but given no role yet: nothing of the newsroom's work is shown.
        return render(request, "ops/no_role.html", status=403)
    return render(request, "ops/dashboard.html", selectors.dashboard_for_user(user=request.user))
