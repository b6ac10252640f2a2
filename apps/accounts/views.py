"""Roles management for editors: list the newsroom's users and give or take their roles (one
call to apps.accounts.services.user_set_roles per change). API keys' service users are not
listed: what a key may do follows its scope (see apps.accounts.api_keys)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.accounts import roles
from apps.accounts.decorators import role_required
from apps.accounts.services import AccountError, user_set_roles

PAGE_SIZE = 50
TEMPLATE = "accounts/users.html"


def _people() -> QuerySet:
    from django.contrib.auth.models import Group

    return (
        get_user_model()
        .objects.filter(api_key__isnull=True)
        .prefetch_related(
            Prefetch("groups", queryset=Group.objects.filter(name__in=roles.ROLES).order_by("name"))
        )
    )


def _row(user, *, message: str = "", level: str = "") -> dict:
    names = {group.name for group in user.groups.all()}
    return {
        "user": user,
        "roles": [(role, role in names) for role in roles.ROLES],
        "message": message,
        "level": level,
    }


@require_GET
@role_required(roles.can_edit, "Only editors can manage roles.")
def user_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:150]
    people = _people()
    if query:
        people = people.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    page = Paginator(people.order_by("username", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_row(user) for user in page.object_list]
    return render(
        request, TEMPLATE, {"page": page, "rows": rows, "q": query, "all_roles": roles.ROLES}
    )


@require_POST
@role_required(roles.can_edit, "Only editors can manage roles.")
def user_roles(request: HttpRequest, username: str) -> HttpResponse:
    try:
        person = _people().get(username=username)
    except get_user_model().DoesNotExist:
        raise Http404("No such user.") from None
    wanted = request.POST.getlist("roles")
    try:
        user_set_roles(user=person, role_names=wanted, by=request.user)
    except AccountError as exc:
        row = _row(_people().get(pk=person.pk), message=exc.message, level="error")
        if request.htmx:
            return render(request, f"{TEMPLATE}#row", {"row": row}, status=422)
        return render(
            request,
            TEMPLATE,
            {"page": None, "rows": [row], "q": "", "all_roles": roles.ROLES, "failed": True},
            status=422,
        )
    person = _people().get(pk=person.pk)
    names = ", ".join(sorted(g.name for g in person.groups.all())) or "no role"
    if request.htmx:
        row = _row(person, message=f"Saved: {names}.", level="success")
        return render(request, f"{TEMPLATE}#row", {"row": row})
    messages.success(request, f"{person.get_username()} now has: {names}.")
    return redirect("accounts:users")
