"""The findings panel's actions: a reviewer acknowledges (with a note, for an error), resolves or
dismisses (with a reason) a finding; an editor adds the wording of a title the checks could not
match as an alias of the office it names. One service call (apps.checks.services.finding_set_state); without JavaScript the
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
from apps.articles.workspace_page import render_workspace, workspace_context, workspace_url
from apps.checks import selectors, services
from apps.checks.models import Finding
from apps.errors import NotAllowed
from apps.ui_errors import ui_status

_TARGET_STATES = [
    (Finding.State.OPEN, "open"),
    (Finding.State.ACKNOWLEDGED, "acknowledged"),
    (Finding.State.RESOLVED, "resolved"),
    (Finding.State.DISMISSED, "dismissed"),
]


class FindingStateForm(forms.Form):
    state = forms.ChoiceField(choices=_TARGET_STATES)
    reason = forms.CharField(max_length=2000, required=False)
    version = forms.IntegerField(min_value=1)


def finding_get_for_user(*, finding_uuid, user) -> Finding:
    try:
        return selectors.finding_get_for_user(uuid=finding_uuid, user=user)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except Finding.DoesNotExist:
        raise Http404("No such finding; a re-run of the checks may have replaced it.") from None


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
            status, message = ui_status(exc), exc.message
            if status == 409 and data["reason"].strip():
                message += f" Your reason, not saved: “{data['reason'].strip()}”."
        else:
            message = (
                "Finding reopened." if data["state"] == "open" else f"Finding {data['state']}."
            )
    if status == 200 and not request.htmx:
        messages.success(request, message)
        return redirect(workspace_url(article, anchor="findings"))
    context = workspace_context(
        request,
        article,
        finding_message=(message, "success" if status == 200 else "error"),
    )
    if request.htmx:
        response = render_workspace(request, context, partial="findings", status=status)
        if status == 403:
            response["X-Inline-Message"] = "1"  # static/js/workspace.js swaps it in place
        return response
    return render_workspace(request, context, status=status)


class TitleAliasForm(forms.Form):
    alias = forms.CharField(max_length=300)
    # One of the offices the finding offers (its position), or another office by name.
    office = forms.CharField(max_length=8, required=False)
    office_name = forms.CharField(max_length=300, required=False)


@require_POST
@login_required_htmx
def finding_title_alias(request: HttpRequest, finding_uuid) -> HttpResponse:
    """An editor settles a "cannot check" title: the wording becomes an alias of the office it
    names (apps.knowledge.services.entity_alias_add, which re-checks the articles concerned)."""
    finding = finding_get_for_user(finding_uuid=finding_uuid, user=request.user)
    article = finding.article
    if not roles.can_edit(request.user):
        raise PermissionDenied("Only editors can change the knowledge base.")
    form = TitleAliasForm(request.POST)
    status, message = 200, ""
    if not form.is_valid():
        status, message = 422, "Give the wording and choose the office it names."
    else:
        data = form.cleaned_data
        try:
            office = services.finding_title_alias_add(
                finding=finding,
                user=request.user,
                alias=data["alias"],
                office_position=data["office"],
                office_name=data["office_name"],
            )
        except services.FindingError as exc:
            status, message = ui_status(exc), exc.message
        else:
            message = (
                f"“{data['alias'].strip()}” is now an alias of {office.label}; the articles "
                "that use it are being checked again."
            )
    if status == 200 and not request.htmx:
        messages.success(request, message)
        return redirect(workspace_url(article, anchor="findings"))
    context = workspace_context(
        request, article, finding_message=(message, "success" if status == 200 else "error")
    )
    if request.htmx:
        return render_workspace(request, context, partial="findings", status=status)
    return render_workspace(request, context, status=status)
