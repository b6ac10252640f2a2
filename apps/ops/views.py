from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.ops import selectors


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker both answer, 503 otherwise; JSON either way."""
    report = selectors.health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "ops/dashboard.html", selectors.dashboard_for_user(user=request.user))
