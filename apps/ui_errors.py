"""How the HTML pages answer a refused service call: the one mapping of apps.errors to a status
for the UI (the API has its own, apps.api.errors).

Input to fix answers 422, the status the base template's htmx configuration swaps into the page
(like 403 and 409), so the form comes back with the message; every other refusal keeps the status
of its kind (403 not allowed, 404 not found, 409 conflict, 413 too large, 502 unavailable)."""

from __future__ import annotations

from apps.errors import DomainError


def ui_status(exc: DomainError) -> int:
    return 422 if exc.status == 400 else exc.status
