"""The whole extraction of one text, as a pure function of the text, its publication date and
the KB index: no database, so it is tested and benchmarked on its own.

Every step is one pass over the text (regexes, one Aho–Corasick scan, pysbd) plus work per
match, so the time grows linearly with the length of the article."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.extraction import claims, dates, entities, quotes, sentences
from apps.extraction.entities import KBIndex

# Stored on every proposal; bump it when the output for the same input changes.
EXTRACTOR_VERSION = "extraction/1"


@dataclass(frozen=True)
class Extraction:
    sentences: list[tuple[int, int]]
    dates: list[dates.DateFound]
    mentions: list[entities.MentionFound]
    quotes: list[quotes.QuoteFound]
    claims: list[claims.ClaimFound]


def extract(body: str, *, published_on: dt.date | None, kb: KBIndex) -> Extraction:
    found_sentences = sentences.split(body)
    found_dates = dates.find(body, published_on=published_on)
    found_mentions = entities.find(body, kb, skip=[(d.start, d.end) for d in found_dates])
    found_quotes = quotes.find(body, sentences=found_sentences, mentions=found_mentions)
    found_claims = claims.find(
        body,
        sentences=found_sentences,
        dates=found_dates,
        mentions=found_mentions,
        quotes=found_quotes,
    )
    return Extraction(found_sentences, found_dates, found_mentions, found_quotes, found_claims)
