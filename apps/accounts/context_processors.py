from __future__ import annotations

from apps.accounts import roles as r


def roles(request) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "can_annotate": r.can_annotate(user),
        "can_review": r.can_review(user),
        "can_edit": r.can_edit(user),
    }
