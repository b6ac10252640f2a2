"""Editors create and revoke API keys. A new key's secret is shown once, on the page that answers
the creation (it is stored only as a hash and cannot be shown again)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts import roles
from apps.accounts.api_keys import APIKeyError, api_key_create, api_key_revoke
from apps.accounts.decorators import role_required
from apps.accounts.models import ScopedAPIKey


class KeyForm(forms.Form):
    name = forms.CharField(
        max_length=50, help_text="The system that will use the key, e.g. “CMS fact-check box”."
    )
    scope = forms.ChoiceField(
        choices=ScopedAPIKey.Scope.choices,
        initial=ScopedAPIKey.Scope.READ,
        widget=forms.RadioSelect,
        help_text="Read-only keys can only read. Read-write keys may also import articles, "
        "annotate and propose verdicts like an annotator; no key can review or verify.",
    )


EDITORS_ONLY = "Only editors can manage API keys."


def _page(request: HttpRequest, *, form: KeyForm, new_key=None, status: int = 200) -> HttpResponse:
    keys = ScopedAPIKey.objects.select_related("created_by", "user").order_by("revoked", "-created")
    return render(
        request,
        "accounts/keys.html",
        {"form": form, "keys": keys, "new_key": new_key},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@role_required(roles.can_edit, EDITORS_ONLY)
def key_list(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, form=KeyForm())
    form = KeyForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=422)
    try:
        new_key = api_key_create(
            name=form.cleaned_data["name"], scope=form.cleaned_data["scope"], by=request.user
        )
    except APIKeyError as exc:
        form.add_error(exc.field, exc.message)
        return _page(request, form=form, status=422)
    response = _page(request, form=KeyForm(), new_key=new_key)
    response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response


@require_POST
@role_required(roles.can_edit, EDITORS_ONLY)
def key_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    key = get_object_or_404(ScopedAPIKey, prefix=prefix)
    try:
        api_key_revoke(key=key, by=request.user)
    except APIKeyError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The key “{key.name}” ({key.prefix}) is revoked.")
    return redirect("keys:list")
