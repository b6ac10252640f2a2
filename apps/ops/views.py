from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.accounts import roles
from apps.accounts.decorators import login_required_htmx
from apps.ops import selectors


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker both answer, 503 otherwise; JSON either way."""
    report = selectors.health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503)


@require_GET
@login_required_htmx
def dashboard(request: HttpRequest) -> HttpResponse:
    if not roles.can_read(request.user):
        # Signed in but given no role yet: nothing of the newsroom's work is shown.
        return render(request, "ops/no_role.html", status=403)
    return render(request, "ops/dashboard.html", selectors.dashboard_for_user(user=request.user))
