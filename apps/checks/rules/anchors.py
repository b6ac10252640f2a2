"""ANCHORS: annotations whose text could not be found again after a body edit."""

from __future__ import annotations

from apps.checks.registry import ERROR, WARNING, CheckContext, FindingDraft, register
from apps.checks.snapshot import ArticleSnapshot

KIND_NAMES = {"claim": "claim", "quote": "quote", "mention": "mention", "date": "date"}


@register(
    "ANCHORS",
    version="1",
    description="Annotations that could not be re-anchored after an edit.",
)
def anchors(snapshot: ArticleSnapshot, context: CheckContext) -> list[FindingDraft]:
    findings = []
    for orphan in snapshot.orphans:
        verified = orphan.kind == "claim" and orphan.verdict_state == "verified"
        text = " ".join(orphan.exact.split())
        if len(text) > 80:
            text = text[:79] + "…"
        message = (
            f"The {KIND_NAMES.get(orphan.kind, orphan.kind)} “{text}” lost its place in the text "
            "after an edit and could not be found again: select its new text or delete it."
        )
        if verified:
            message += " It is a verified claim: its verdict no longer points at the article."
        findings.append(
            FindingDraft(
                code="ANCHORS",
                severity=ERROR if verified else WARNING,
                message=message,
                key=f"{orphan.kind}:{orphan.uuid}",
                spans=({"type": orphan.kind, "uuid": orphan.uuid, "exact": orphan.exact},),
                inputs={"exact": orphan.exact, "verified": verified},
            )
        )
    return findings
