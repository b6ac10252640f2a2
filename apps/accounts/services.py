"""Writes for accounts: demo users, role changes."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import Group, User
from django.db import transaction

from apps import errors
from apps.accounts import roles


class AccountError(errors.Invalid):
    """A role change that cannot be made; the message is for the editor."""


@transaction.atomic
def user_set_roles(*, user: User, role_names: list[str], by: User) -> User:
    """Editors give and take roles; nobody can take the editor role from themselves."""
    if not roles.can_edit(by):
        raise AccountError("Only editors can change roles.")
    unknown = set(role_names) - set(roles.ROLES)
    if unknown:
        raise AccountError(f"Unknown role(s): {', '.join(sorted(unknown))}.")
    if user.pk == by.pk and roles.EDITOR not in role_names and not by.is_superuser:
        raise AccountError("You cannot remove your own editor role; ask another editor.")
    groups = Group.objects.filter(name__in=roles.ROLES)
    user.groups.remove(*[g for g in groups if g.name not in role_names])
    user.groups.add(*[g for g in groups if g.name in role_names])
    user.__dict__.pop("_factdesk_roles", None)
    return user


@transaction.atomic
def demo_users_ensure(*, known_passwords: dict[str, str]) -> dict[str, str]:
    """One user per role, named after it. Passwords are generated once and then kept, so that a
    second `make run` prints the same logins. Returns {username: password}."""
    logins: dict[str, str] = {}
    for role in roles.ROLES:
        username = role
        password = known_passwords.get(username) or f"{role}-{secrets.token_urlsafe(9)}"
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{role}@factdesk.local"}
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
        if role == roles.EDITOR and not user.is_staff:
            user.is_staff = True  # editors manage the KB and metadata in the admin too
            user.save(update_fields=["is_staff"])
        logins[username] = password
    return logins
