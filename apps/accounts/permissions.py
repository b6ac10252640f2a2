"""Request-level gates of the REST API. They only keep requests away from doors that are not
theirs; the services check the role again (apps.accounts.roles) for every write.

| who                  | read | import articles, annotate, propose verdicts | review, verify, findings |
| -------------------- | ---- | ------------------------------------------- | ------------------------ |
| read key             | yes  | no (403)                                    | no (403)                 |
| write key            | yes  | yes (its service user is an annotator)      | no (403): people only    |
| annotator (session)  | yes  | yes                                         | no (403, by the service) |
| reviewer (session)   | yes  | no (403, by the service)                    | yes, never own work      |
| editor (session)     | yes  | yes                                         | yes, never own work      |
| signed in, no role   | 403  | 403                                         | 403                      |
| nobody               | 401  | 401                                         | 401                      |
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from apps.accounts import roles
from apps.accounts.authentication import api_key_of
from apps.accounts.models import ScopedAPIKey


class APIAccess(BasePermission):
    """Any valid key or any person with a Factdesk role may read; writes need a write key or a
    person (whose role the service checks)."""

    message = "You need a Factdesk role (annotator, reviewer or editor) to use the API."

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False  # DRF turns this into 401 with the WWW-Authenticate challenge
        key = api_key_of(request)
        if key is None:
            return roles.can_read(request.user)
        if request.method in SAFE_METHODS:
            return True
        if key.scope != ScopedAPIKey.Scope.WRITE:
            self.message = (
                f"The API key {key.name!r} is read-only; this request changes data. "
                "Ask an editor for a read-write key."
            )
            return False
        return True


class PeopleOnly(BasePermission):
    """Review, verification and findings are four-eyes work done by people: never by a key,
    whatever role its service user may have been given."""

    message = (
        "API keys cannot review, verify or act on findings: that is four-eyes work for a "
        "reviewer signed in to Factdesk."
    )

    def has_permission(self, request, view) -> bool:
        return api_key_of(request) is None


class CanImportArticles(BasePermission):
    message = "Only annotators, editors and read-write API keys can import articles."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or roles.can_annotate(request.user)


class CanRequestChecks(BasePermission):
    message = "Only annotators, reviewers, editors and read-write API keys can re-run the checks."

    def has_permission(self, request, view) -> bool:
        return roles.can_annotate(request.user) or roles.can_review(request.user)
