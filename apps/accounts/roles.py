"""Roles are Django groups. One place says what each role may do; views and the API ask here."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.db import connections

from apps.compiled_queries import CompiledValues, compiled

ANNOTATOR = "annotator"
REVIEWER = "reviewer"
EDITOR = "editor"
ROLES = (ANNOTATOR, REVIEWER, EDITOR)


def user_roles(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return frozenset(ROLES)
    cached = getattr(user, "_factdesk_roles", None)
    if cached is None:
        # The user's groups (a handful) in a query compiled once per connection
        # (apps.compiled_queries: compiling it took longer than running it), the roles among them.
        connection = connections[Group.objects.db]
        rows = compiled(connection, "user-groups", _groups_query).rows(connection, user.pk)
        cached = frozenset(name for (name,) in rows if name in ROLES)
        user._factdesk_roles = cached
    return cached


def _groups_query(connection) -> CompiledValues:
    return CompiledValues(Group.objects.filter(user=0).values("name"), connection)


def can_annotate(user) -> bool:
    """Import articles, create and edit annotations, propose verdicts."""
    return bool(user_roles(user) & {ANNOTATOR, EDITOR})


def can_review(user) -> bool:
    """Approve or reject annotations, verify verdicts, act on findings."""
    return bool(user_roles(user) & {REVIEWER, EDITOR})


def can_edit(user) -> bool:
    """Manage roles, the knowledge base, article metadata and API keys."""
    return EDITOR in user_roles(user)


def can_read(user) -> bool:
    return bool(user_roles(user))
