"""Writes for API keys: create (the secret is returned once and only its hash is stored) and revoke.

What a key may do is decided the same way as for a person. Each key acts as a service user of its
own, created with the key, which can never log in (unusable password):

- a write key's user has the annotator role: it may import articles, create and edit annotations,
  propose verdicts and add evidence, exactly like an annotator;
- a read key's user has no role at all: the API lets any valid key read, and every write is refused
  by the scope check before it reaches a service (and by the services' role checks after it).

Neither kind can review, verify or act on findings: four-eyes review belongs to people. The API
refuses those actions to keys outright (apps.accounts.permissions), even if someone gave a service
user a reviewer role.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.text import slugify

from apps import errors
from apps.accounts import roles
from apps.accounts.models import ScopedAPIKey

SERVICE_USER_PREFIX = "api-key-"


class APIKeyError(errors.DomainError):
    """A key request that cannot be carried out; the message is for the user (invalid input,
    HTTP 400, unless a subclass says otherwise)."""


class APIKeyNotAllowed(APIKeyError, errors.NotAllowed):
    pass


@dataclass(frozen=True)
class NewAPIKey:
    key: ScopedAPIKey
    secret: str  # shown once; only its hash is stored


@transaction.atomic
def api_key_create(*, name: str, scope: str, by: User | None) -> NewAPIKey:
    """Create a key and its service user. `by=None` is the command line (an operator)."""
    if by is not None and not roles.can_edit(by):
        raise APIKeyNotAllowed("Only editors can create API keys.")
    name = " ".join((name or "").split())
    if not name:
        raise APIKeyError("Give the key a name (the system that will use it).", field="name")
    if len(name) > 50:
        raise APIKeyError("The name is longer than 50 characters.", field="name")
    if scope not in ScopedAPIKey.Scope.values:
        raise APIKeyError(
            f"Unknown scope {scope!r}; use 'read' (read-only) or 'write' (read-write).",
            field="scope",
        )
    key = ScopedAPIKey(name=name, scope=scope, created_by=by)
    secret = ScopedAPIKey.objects.assign_key(key)
    user = User(
        username=f"{SERVICE_USER_PREFIX}{slugify(name)[:40]}-{key.prefix}",
        first_name=name[:150],
        last_name="(API key)",
    )
    user.set_unusable_password()
    user.save()
    if scope == ScopedAPIKey.Scope.WRITE:
        user.groups.add(Group.objects.get(name=roles.ANNOTATOR))
    key.user = user
    key.save()
    return NewAPIKey(key=key, secret=secret)


@transaction.atomic
def api_key_revoke(*, key: ScopedAPIKey, by: User | None) -> ScopedAPIKey:
    """Revoke for good (the library has no un-revoke). The service user is deactivated, not deleted:
    what the key wrote stays attributed to it."""
    if by is not None and not roles.can_edit(by):
        raise APIKeyNotAllowed("Only editors can revoke API keys.")
    locked = ScopedAPIKey.objects.select_for_update().get(pk=key.pk)
    if locked.revoked:
        raise APIKeyError(f"The key {locked.name!r} ({locked.prefix}) is already revoked.")
    locked.revoked = True
    locked.save(update_fields=["revoked"])
    if locked.user_id:
        User.objects.filter(pk=locked.user_id).update(is_active=False)
    return locked
