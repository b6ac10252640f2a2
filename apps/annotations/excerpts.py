"""Short excerpts of an annotation's text for messages ("Claim created: “…”")."""

from __future__ import annotations

ELLIPSIS = "…"


def excerpt(text: str, *, limit: int = 60) -> str:
    """`text` on one line, cut at the last word boundary within `limit` characters, with an
    ellipsis when anything was cut. A single word longer than `limit` is cut inside the word
    (there is no boundary to cut at)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1]  # one more: a space right after the limit means the cut is clean
    cut = head.rfind(" ")
    if cut <= 0:
        return text[:limit].rstrip() + ELLIPSIS
    return head[:cut].rstrip(" ,;:.–—-") + ELLIPSIS
