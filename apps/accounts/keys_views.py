"""Editors create and revoke API keys. A new key's secret is shown once: the creation redirects
(post/redirect/get, so a reload does not create a second key) and the page it lands on pops the
secret from the session and shows it that one time (the key itself is stored only as a hash and
cannot be shown again). Revoking asks first, on a page of its own (no JavaScript needed)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts import roles
from apps.accounts.api_keys import APIKeyError, NewAPIKey, api_key_create, api_key_revoke
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
# Session key holding a just-created key's prefix and secret until the page after the redirect.
NEW_KEY_SESSION = "keys:new"


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
        new_key = _new_key_pop(request)
        response = _page(request, form=KeyForm(), new_key=new_key)
        if new_key is not None:
            response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
        return response
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
    request.session[NEW_KEY_SESSION] = {"prefix": new_key.key.prefix, "secret": new_key.secret}
    return redirect("keys:list")


def _new_key_pop(request: HttpRequest) -> NewAPIKey | None:
    """The key created just before this page, once: the secret leaves the session as it is shown."""
    stored = request.session.pop(NEW_KEY_SESSION, None)
    if not isinstance(stored, dict):
        return None
    key = ScopedAPIKey.objects.filter(prefix=stored.get("prefix", "")).first()
    if key is None:
        return None
    return NewAPIKey(key=key, secret=str(stored.get("secret", "")))


@require_http_methods(["GET", "POST"])
@role_required(roles.can_edit, EDITORS_ONLY)
def key_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    """GET asks for confirmation (what stops working); POST revokes."""
    key = get_object_or_404(ScopedAPIKey.objects.select_related("created_by"), prefix=prefix)
    if request.method == "GET":
        if key.revoked:
            messages.info(request, f"The key “{key.name}” ({key.prefix}) is already revoked.")
            return redirect("keys:list")
        return render(request, "accounts/key_revoke.html", {"key": key})
    try:
        api_key_revoke(key=key, by=request.user)
    except APIKeyError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The key “{key.name}” ({key.prefix}) is revoked.")
    return redirect("keys:list")
