"""The domain's refusals: one hierarchy that every app's service errors subclass.

A service raises one of these when it will not do what was asked; the message is for the person
who asked. The interfaces map them to HTTP once each: apps.api.errors for the API (the status
below), apps.ui_errors for the HTML pages (input to fix answers 422 there, which htmx swaps).

Each app keeps its own names (AnnotationError, ArticleConflict, KnowledgeError, ...) so that a
caller can catch one app's refusals; those classes subclass the kinds below, and the kind decides
the status. This module imports nothing of the project: it is the bottom layer."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the domain refuses. `message` is for the person; `field` names the input at fault
    when there is one. Raised as such (or as an app's base class) it means invalid input.
    `status` is the HTTP status of its kind, `code` the API's name for it."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(DomainError):
    """Input the person must fix (HTTP 400; 422 in the UI, which re-renders the form)."""

    status = 400


class InvalidItems(Invalid):
    """Some items of a batch are invalid, so nothing was written. `errors` lists every problem as
    {"index", "field", "message"} (index into the request, from 0)."""

    def __init__(self, message: str, *, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.errors = errors


class NotAllowed(DomainError):
    """The user's role or relation to the item forbids this (HTTP 403)."""

    status = 403
    code = "not_allowed"


class NotFound(DomainError):
    """The item does not exist, or no longer does (HTTP 404)."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """Someone else changed the item first (HTTP 409); `current` is the item as it is now, when
    there is one to show."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, *, current: Any = None, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.current = current


class TooLarge(DomainError):
    """The request is larger than the service accepts (HTTP 413)."""

    status = 413
    code = "too_large"


class Unavailable(DomainError):
    """A service outside Factdesk (Wikidata) could not be read (HTTP 502); nothing was written."""

    status = 502
    code = "unavailable"
