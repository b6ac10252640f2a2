"""CROSS_ARTICLE: verified claims of different articles that disagree on a date or a number."""

from __future__ import annotations

import datetime as dt
import re

from apps.checks.kbview import OtherClaim, human_date
from apps.checks.registry import ERROR, CheckContext, FindingDraft, register, span_ref
from apps.checks.snapshot import ArticleSnapshot, ClaimSnap

SAME_EVENT_DAYS = 7  # "the same event": same people and place, dates this close
SAME_PREDICATE = 0.5  # Jaccard similarity of the claim's words once names, dates, numbers are gone

_NUMBER = re.compile(
    r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])\d+(?:\.\d+)?(?![\w])"
)
_WORD = re.compile(r"[^\W\d_]+")
STOPWORDS = frozenset(
    """a an the of in on at to for from by with and or but as is are was were be been has have had
    that this these those it its their his her he she they we i you our said says says about into
    than then there over after before during""".split()
)


def _is_verified_fact(claim: ClaimSnap) -> bool:
    return claim.verdict_state == "verified" and claim.verdict == "accurate"


def claim_signature(snapshot: ArticleSnapshot, claim: ClaimSnap) -> OtherClaim:
    """Who, when, how many and what: the parts of a claim compared across articles."""
    mentions = snapshot.mentions_in(claim.start, claim.end)
    dates = snapshot.dates_in(claim.start, claim.end)
    text = snapshot.body[claim.start : claim.end]
    masked = list(text)
    for span in [*mentions, *dates]:
        for i in range(span.start - claim.start, span.end - claim.start):
            if 0 <= i < len(masked):
                masked[i] = " "
    masked_text = "".join(masked)
    numbers = tuple(sorted({n.replace(",", "") for n in _NUMBER.findall(masked_text)}))
    words = frozenset(
        w for w in (m.casefold() for m in _WORD.findall(masked_text)) if w not in STOPWORDS
    )
    return OtherClaim(
        article_id=snapshot.id,
        article_title=snapshot.title,
        claim_uuid=claim.uuid,
        exact=claim.exact,
        kind=claim.kind,
        entity_ids=frozenset(m.entity_id for m in mentions if m.entity_id is not None),
        dates=tuple(sorted({d.value for d in dates if d.value and d.precision == "day"})),
        numbers=numbers,
        words=words,
    )


def verified_signatures(snapshot: ArticleSnapshot) -> list[OtherClaim]:
    return [claim_signature(snapshot, c) for c in snapshot.claims if _is_verified_fact(c)]


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def disagreement(mine: OtherClaim, other: OtherClaim) -> str | None:
    """What two claims about the same thing disagree on, or None."""
    if not mine.entity_ids or mine.entity_ids != other.entity_ids:
        return None
    same_predicate = (
        mine.kind == other.kind and _similarity(mine.words, other.words) >= SAME_PREDICATE
    )
    close_dates = (
        mine.dates
        and other.dates
        and set(mine.dates) != set(other.dates)
        and min(abs((a - b).days) for a in mine.dates for b in other.dates) <= SAME_EVENT_DAYS
    )
    if mine.dates and other.dates and set(mine.dates) != set(other.dates):
        if (len(mine.entity_ids) >= 2 and close_dates) or same_predicate:
            return "date"
    if same_predicate and mine.numbers and other.numbers and mine.numbers != other.numbers:
        return "number"
    return None


def _dates(days: tuple[dt.date, ...]) -> str:
    return ", ".join(human_date(d) for d in days)


@register(
    "CROSS_ARTICLE",
    version="1",
    description="Verified claims that contradict verified claims of other articles.",
)
def cross_article(snapshot: ArticleSnapshot, context: CheckContext) -> list[FindingDraft]:
    findings = []
    others = [c for c in context.corpus.verified_claims if c.article_id != snapshot.id]
    if not others:
        return []
    by_uuid = {c.uuid: c for c in snapshot.claims}
    for mine in verified_signatures(snapshot):
        claim = by_uuid[mine.claim_uuid]
        for other in sorted(others, key=lambda o: (o.article_id, o.claim_uuid)):
            what = disagreement(mine, other)
            if what is None:
                continue
            if what == "date":
                detail = f"{_dates(mine.dates)} here, {_dates(other.dates)} there"
            else:
                detail = f"{', '.join(mine.numbers)} here, {', '.join(other.numbers)} there"
            findings.append(
                FindingDraft(
                    code="CROSS_ARTICLE",
                    severity=ERROR,
                    message=(
                        f"The verified claim “{_short(claim.exact)}” disagrees on the {what} with the "
                        f"verified claim “{_short(other.exact)}” in “{other.article_title}” "
                        f"({detail})."
                    ),
                    key=f"{claim.uuid}:{other.claim_uuid}",
                    spans=(span_ref("claim", claim.uuid, claim.start, claim.end, snapshot.body),),
                    kb_facts=(
                        {
                            "type": "claim",
                            "article_id": other.article_id,
                            "article": other.article_title,
                            "claim": other.claim_uuid,
                            "exact": other.exact,
                        },
                    ),
                    inputs={
                        "mine": [mine.exact, [d.isoformat() for d in mine.dates], mine.numbers],
                        "other": [other.exact, [d.isoformat() for d in other.dates], other.numbers],
                    },
                )
            )
    return findings


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
