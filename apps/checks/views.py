"""The findings panel's actions: a reviewer acknowledges, resolves or dismisses (with a reason)
a finding. One service call (apps.checks.services.finding_set_state); without JavaScript the
form posts and redirects to the workspace, with htmx the findings panel comes back re-rendered.
A refusal keeps the reason typed and shows the finding as it is now (409 when someone else
changed it first, 422 for input to fix, 403 for a role that may not)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from apps.accounts import roles
from apps.accounts.decorators import login_required_htmx
from apps.articles.views import render_workspace, workspace_context, workspace_url
from apps.checks import services
from apps.checks.models import Finding

_TARGET_STATES = [
    (Finding.State.ACKNOWLEDGED, "acknowledged"),
    (Finding.State.RESOLVED, "resolved"),
    (Finding.State.DISMISSED, "dismissed"),
]


class FindingStateForm(forms.Form):
    state = forms.ChoiceField(choices=_TARGET_STATES)
    reason = forms.CharField(max_length=2000, required=False)
    version = forms.IntegerField(min_value=1)


def finding_get_for_user(*, finding_uuid, user) -> Finding:
    if not roles.can_read(user):
        raise PermissionDenied("You need a Factdesk role to see findings.")
    finding = Finding.objects.select_related("article").filter(uuid=finding_uuid).first()
    if finding is None:
        raise Http404("No such finding; a re-run of the checks may have replaced it.")
    return finding


def _refusal_status(exc: Exception) -> int:
    status = getattr(exc, "status", None) or getattr(exc, "http_status", None)
    if isinstance(status, int) and status in (403, 409):
        return status
    if exc.__class__.__name__.endswith(("NotAllowed", "Forbidden")):
        return 403
    if exc.__class__.__name__.endswith("Conflict"):
        return 409
    return 422


@require_POST
@login_required_htmx
def finding_state(request: HttpRequest, finding_uuid) -> HttpResponse:
    finding = finding_get_for_user(finding_uuid=finding_uuid, user=request.user)
    article = finding.article
    form = FindingStateForm(request.POST)
    status, message = 200, ""
    if not form.is_valid():
        status, message = 422, "Choose what to do with the finding."
    else:
        data = form.cleaned_data
        try:
            services.finding_set_state(
                finding=finding,
                user=request.user,
                state=data["state"],
                reason=data["reason"],
                expected_version=data["version"],
            )
        except services.FindingError as exc:
            status, message = _refusal_status(exc), getattr(exc, "message", str(exc))
        else:
            message = f"Finding {data['state']}."
    if status == 200 and not request.htmx:
        messages.success(request, message)
        return redirect(workspace_url(article, anchor="findings"))
    context = workspace_context(
        request,
        article,
        finding_message=(message, "success" if status == 200 else "error"),
    )
    if request.htmx:
        return render_workspace(request, context, partial="findings", status=status)
    return render_workspace(request, context, status=status)
