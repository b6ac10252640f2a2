"""The whole extraction of one text, as a pure function of the text, its publication date and
the KB index: no database, so it is tested and benchmarked on its own.

Every step is one pass over the text (regexes, one Aho–Corasick scan, the sentencex splitter)
plus work per match, so the time grows linearly with the length of the article."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.extraction import claims, dates, entities, quotes, sentences
from apps.extraction.entities import KBIndex
from apps.extraction.speakers import PeopleKB

# Stored on every proposal; bump it when the output for the same input changes.
EXTRACTOR_VERSION = "extraction/2"


@dataclass(frozen=True)
class Extraction:
    sentences: list[tuple[int, int]]  # those of the paragraphs that hold something to check
    dates: list[dates.DateFound]
    mentions: list[entities.MentionFound]
    quotes: list[quotes.QuoteFound]
    claims: list[claims.ClaimFound]


def extract(
    body: str,
    *,
    published_on: dt.date | None,
    kb: KBIndex,
    people: PeopleKB | None = None,
    language: str = "",
    source: str = "",
) -> Extraction:
    """`people`: genders and office holders (pronouns, "the Prime Minister said"); `language`
    and `source` tell how the publication writes numeric dates ("07/22/2022" in en-US)."""
    found_dates = dates.find(body, published_on=published_on, language=language, source=source)
    found_mentions = entities.find(body, kb, skip=[(d.start, d.end) for d in found_dates])
    groups = quotes.quote_groups(body)
    # Sentences are needed only where a claim or a quote can be: around a date, a person, a
    # quote mark or a number. Other paragraphs are not split at all.
    near = sorted(
        [
            *(d.start for d in found_dates),
            *(m.start for m in found_mentions if m.kind == entities.PERSON),
            *(segment.open for group in groups for segment in group),
            *(match.start() for match in claims.NUMBER.finditer(body)),
        ]
    )
    found_sentences = sentences.split(body, near=near)
    found_quotes = quotes.find(
        body,
        sentences=found_sentences,
        mentions=found_mentions,
        people_kb=people,
        reference=published_on,
        groups=groups,
    )
    found_claims = claims.find(
        body,
        sentences=found_sentences,
        dates=found_dates,
        mentions=found_mentions,
        quotes=found_quotes,
    )
    return Extraction(found_sentences, found_dates, found_mentions, found_quotes, found_claims)
