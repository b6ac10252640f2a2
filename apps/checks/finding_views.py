"""The findings page: the consistency checks' findings across articles, with kind, severity and
state filters. Read-only for every newsroom member; acting on a finding happens in its article's
workspace (apps.checks.views). The filters are a GET form that works without JavaScript."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.accounts.decorators import login_required_htmx
from apps.checks.finding_selectors import FindingFilters, finding_kinds, finding_page
from apps.checks.models import Finding

LIST = "checks/findings.html"


@require_GET
@login_required_htmx
def finding_list(request: HttpRequest) -> HttpResponse:
    filters = FindingFilters.from_query(request.GET)
    page = finding_page(user=request.user, filters=filters, page_number=request.GET.get("page"))
    query = QueryDict(mutable=True)
    query.update(filters.as_query())
    context = {
        "page": page,
        "filters": filters,
        "filter_query": query.urlencode(),
        "kinds": finding_kinds(),
        "severities": Finding.Severity.choices,
        "states": Finding.State.choices,
    }
    if request.htmx:
        return render(request, f"{LIST}#results", context)
    return render(request, LIST, context)
