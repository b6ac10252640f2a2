"""QUOTE_INTEGRITY: quotes that left the text, or that other articles attribute or word
differently."""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
import unicodedata

from apps.checks.registry import ERROR, WARNING, CheckContext, FindingDraft, register, span_ref
from apps.checks.snapshot import ArticleSnapshot, QuoteSnap

MIN_WORDS = 4  # shorter quotes ("thank you") are said by many people
SIMILAR = 0.7  # two wordings of one quote (word-level similarity)
MAX_SAME_WORDS = 50  # earliest quotes with the same words read per quote

_QUOTE_MARKS = re.compile(r"[\"'“”„‟‘’‚‛«»‹›]")
_ELLIPSIS = re.compile(r"\s*(?:…|\.\s*\.\s*\.)\s*")
_EDGE_PUNCT = re.compile(r"^[\s,.;:!?—–-]+|[\s,.;:!?—–-]+$")


@functools.lru_cache(maxsize=65536)
def quote_text_normalize(text: str) -> str:
    """Same words whatever the case, whitespace, quote marks or ellipsis style."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _QUOTE_MARKS.sub("", text)
    text = _ELLIPSIS.sub(" … ", text)
    text = " ".join(text.split())
    return _EDGE_PUNCT.sub("", text)


@functools.lru_cache(maxsize=65536)
def quote_key(text: str) -> str:
    return hashlib.sha256(quote_text_normalize(text).encode()).hexdigest()


EDGE_WORDS = 4  # words that start or end a quote, for finding its other wordings


@functools.lru_cache(maxsize=65536)
def quote_edges(text: str) -> tuple[str, str]:
    """(head key, tail key): hashes of the first and last EDGE_WORDS normalised words."""
    words = quote_text_normalize(text).split()
    if len(words) < MIN_WORDS:
        return "", ""
    head = " ".join(words[:EDGE_WORDS])
    tail = " ".join(words[-EDGE_WORDS:])
    return (
        hashlib.sha256(head.encode()).hexdigest()[:16],
        hashlib.sha256(tail.encode()).hexdigest()[:16],
    )


def quote_caches_clear() -> None:
    """Forget the memoised keys. They pay off within one run of the checks (the quote index,
    the corpus read and the rules ask for the same texts), not across runs: every import brings
    new texts, and kept for the life of a worker they grew by ~14,000 entries (~10 MiB) per 1,000
    articles checked, up to their limit (bench/README.md, "Peer operations: memory")."""
    quote_text_normalize.cache_clear()
    quote_key.cache_clear()
    quote_edges.cache_clear()


def speaker_key(speaker_id: int | None, speaker_text: str) -> str:
    if speaker_id is not None:
        return f"e:{speaker_id}"
    name = " ".join((speaker_text or "").casefold().split())
    return f"t:{name}" if name and name not in {"he", "she", "they", "it", "we", "i"} else ""


def _words(text: str) -> int:
    return len(quote_text_normalize(text).split())


@register(
    "QUOTE_INTEGRITY",
    version="2",
    description="Quotes missing from the text, or attributed or worded differently elsewhere.",
)
def quote_integrity(snapshot: ArticleSnapshot, context: CheckContext) -> list[FindingDraft]:
    body = snapshot.body
    findings: list[FindingDraft] = []
    normalized_body = None
    for orphan in snapshot.orphans:
        if orphan.kind != "quote":
            continue
        if normalized_body is None:
            normalized_body = quote_text_normalize(body)
        if quote_text_normalize(orphan.exact) in normalized_body:
            continue  # the words are still there; ANCHORS reports the lost position
        findings.append(
            FindingDraft(
                code="QUOTE_INTEGRITY",
                severity=ERROR,
                message=(
                    f"The quote “{_short(orphan.exact)}” no longer appears in the article: an edit "
                    "changed or removed it. Restore the words or fix the quote."
                ),
                key=f"{orphan.uuid}:missing",
                spans=({"type": "quote", "uuid": orphan.uuid, "exact": orphan.exact},),
                inputs={"exact": orphan.exact},
            )
        )
    for quote in snapshot.quotes:
        if body[quote.start : quote.end] != quote.exact:
            findings.append(
                FindingDraft(
                    code="QUOTE_INTEGRITY",
                    severity=ERROR,
                    message=f"The quote “{_short(quote.exact)}” no longer matches the text at its place.",
                    key=f"{quote.uuid}:missing",
                    spans=(span_ref("quote", quote.uuid, quote.start, quote.end, body),),
                    inputs={"exact": quote.exact},
                )
            )
            continue
        if _words(quote.exact) < MIN_WORDS:
            continue
        findings.extend(_across_articles(snapshot, context, quote))
    return findings


def _speaker_name(context: CheckContext, speaker_id: int | None, speaker_text: str) -> str:
    if speaker_id is not None:
        return (
            context.kb.label(speaker_id) if speaker_id in context.kb.labels else speaker_text or "?"
        )
    return speaker_text or "an unknown speaker"


def _key_groups(corpus, key: str) -> list:
    """(speaker key, quote) of the other quotes with these words; computed once per batch."""
    memo_key = ("same-words", key)
    if memo_key not in corpus.memo:
        corpus.memo[memo_key] = [
            (speaker_key(o.speaker_id, o.speaker_text), o)
            for o in corpus.quotes_by_key.get(key, [])
        ]
    return corpus.memo[memo_key]


def speaker_wordings(corpus, speaker_id: int, text: str) -> dict[str, list]:
    """The speaker's other quotes that begin or end like this one, by normalised words."""
    head, tail = quote_edges(text)
    memo_key = ("wordings", speaker_id, head, tail)
    if memo_key not in corpus.memo:
        texts: dict[str, list] = {}
        for other in corpus.quotes_by_speaker.get(speaker_id, []):
            other_head, other_tail = quote_edges(other.exact)
            if (head and other_head == head) or (tail and other_tail == tail):
                texts.setdefault(quote_text_normalize(other.exact), []).append(other)
        corpus.memo[memo_key] = texts
    return corpus.memo[memo_key]


def _across_articles(
    snapshot: ArticleSnapshot, context: CheckContext, quote: QuoteSnap
) -> list[FindingDraft]:
    body = snapshot.body
    own = speaker_key(quote.speaker_id, quote.speaker_text)
    if not own:
        return []
    corpus = context.corpus
    findings = []
    others = [
        o
        for sk, o in _key_groups(corpus, quote_key(quote.exact))
        if sk and sk != own and o.article_id != snapshot.id
    ]
    speakers = {speaker_key(o.speaker_id, o.speaker_text) for o in others}
    # The same words from three or more people is a stock phrase ("the door remains open"),
    # not a quote given to the wrong person.
    if others and len(speakers) == 1:
        others.sort(key=lambda o: (o.article_id, o.quote_uuid))
        elsewhere = "; ".join(
            f"to {_speaker_name(context, o.speaker_id, o.speaker_text)} in “{o.article_title}”"
            for o in others[:3]
        )
        findings.append(
            FindingDraft(
                code="QUOTE_INTEGRITY",
                severity=WARNING,
                message=(
                    f"“{_short(quote.exact)}” is attributed here to "
                    f"{_speaker_name(context, quote.speaker_id, quote.speaker_text)}, but the same "
                    f"words are attributed {elsewhere}."
                ),
                key=f"{quote.uuid}:speaker",
                spans=(span_ref("quote", quote.uuid, quote.start, quote.end, body),),
                kb_facts=tuple(
                    {
                        "type": "quote",
                        "article_id": o.article_id,
                        "article": o.article_title,
                        "quote": o.quote_uuid,
                        "speaker": _speaker_name(context, o.speaker_id, o.speaker_text),
                    }
                    for o in others[:5]
                ),
                inputs={"speaker": own},
            )
        )
    if quote.speaker_id is None:
        return findings
    mine = quote_text_normalize(quote.exact)
    differing = []
    for text, quotes in speaker_wordings(corpus, quote.speaker_id, quote.exact).items():
        if _similar(corpus.memo, mine, text):
            differing.extend(o for o in quotes if o.article_id != snapshot.id)
    if differing:
        differing.sort(key=lambda o: (o.article_id, o.quote_uuid))
        first = differing[0]
        findings.append(
            FindingDraft(
                code="QUOTE_INTEGRITY",
                severity=WARNING,
                message=(
                    f"{_speaker_name(context, quote.speaker_id, quote.speaker_text)}’s quote "
                    f"“{_short(quote.exact)}” is worded differently in “{first.article_title}”: "
                    f"“{_short(first.exact)}”"
                    + (f" (and {len(differing) - 1} more)" if len(differing) > 1 else "")
                    + ". Check which wording is right."
                ),
                key=f"{quote.uuid}:wording",
                spans=(span_ref("quote", quote.uuid, quote.start, quote.end, body),),
                kb_facts=tuple(
                    {
                        "type": "quote",
                        "article_id": o.article_id,
                        "article": o.article_title,
                        "quote": o.quote_uuid,
                        "exact": o.exact,
                    }
                    for o in differing[:5]
                ),
                inputs={"exact": mine},
            )
        )
    return findings


def _similar(memo: dict, mine: str, theirs: str) -> bool:
    """Two wordings of one quote: alike, but not the same words. Memoised per pair of texts, as
    a speaker's famous lines come back in many articles."""
    if theirs == mine:
        return False
    key = (mine, theirs)
    if key not in memo:
        result = False
        if len(theirs.split()) >= MIN_WORDS:
            # Compared word by word: one changed or dropped word matters, a shared opening
            # followed by another statement does not.
            matcher = difflib.SequenceMatcher(
                None, _bare_words(mine), _bare_words(theirs), autojunk=False
            )
            result = matcher.quick_ratio() >= SIMILAR and matcher.ratio() >= SIMILAR
        memo[key] = result
    return memo[key]


def _bare_words(text: str) -> list[str]:
    return [w for w in (word.strip(",.;:!?—–-…") for word in text.split()) if w]


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
