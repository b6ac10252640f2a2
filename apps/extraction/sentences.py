"""Sentence boundaries with pysbd (the maintained port of the Pragmatic Segmenter).

Two things are done around pysbd, neither of which changes its answer:
- it is run line by line (a line break always ends a sentence, so headings without a full stop
  stay on their own) and its sentences are located in the body by a forward search, which gives
  exact code-point offsets (pysbd's own char_span search is quadratic and can mis-locate);
- its abbreviation pass is given a pre-filter: pysbd tests each of its ~190 abbreviations with a
  regex whenever the abbreviation occurs anywhere in the line ("no" in "not"), but every
  replacement it can make needs the abbreviation followed by a full stop, so an abbreviation
  that never occurs so is skipped. This halves the time and is checked against stock pysbd by
  a test."""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from pysbd.lang.english import English
from pysbd.processor import Processor


def _prefilters(abbreviations: list[str]) -> list[tuple[str, str, re.Pattern | None]]:
    """(abbreviation, its stripped form, a regex for those pysbd reads as a pattern). pysbd skips
    an abbreviation absent from the line as plain text, then puts it into its regexes unescaped
    ("u.s" also matches "uks" once "u.s" is in the line); every replacement needs it followed by
    a full stop. So the pre-filter is "abbr." as text, or, for those with a regex character, the
    plain text and that regex followed by a full stop: a line failing it is one where pysbd would
    change nothing."""
    filters = []
    for abbr in abbreviations:
        stripped = abbr.strip()
        pattern = None
        if re.escape(stripped) != stripped:
            pattern = re.compile(rf"(?:^|\s){stripped}\.", re.IGNORECASE)
        filters.append((abbr, stripped, pattern))
    return filters


class _AbbreviationReplacer(English.AbbreviationReplacer):
    _filters = _prefilters(English.Abbreviation.ABBREVIATIONS)

    def search_for_abbreviations_in_string(self, text: str) -> str:
        lowered = text.lower()
        if "." not in lowered:
            return text
        for _abbr, stripped, pattern in self._filters:
            if pattern is None:
                if stripped + "." not in lowered:
                    continue
            elif stripped not in lowered or pattern.search(text) is None:
                continue
            # From here on exactly pysbd's own loop body.
            abbrev_match = re.findall(rf"(?:^|\s|\r|\n){stripped}", text, flags=re.IGNORECASE)
            if not abbrev_match:
                continue
            next_word_start = r"(?<={" + str(re.escape(stripped)) + "} ).{1}"
            char_array = re.findall(next_word_start, text)
            for ind, match in enumerate(abbrev_match):
                text = self.scan_for_replacements(text, match, ind, char_array)
        return text


class _English(English):
    AbbreviationReplacer = _AbbreviationReplacer


_TERMINATORS = re.compile(r"[.!?…]")


def _segment_line(line: str) -> list[str]:
    # A line with at most one terminator, at its very end, is one sentence for pysbd too.
    marks = [m.start() for m in _TERMINATORS.finditer(line)]
    if not marks or (len(marks) == 1 and not line[marks[0] + 1 :].strip("”’\"') ]")):
        return [line]
    return Processor(line, _English).process() or [line]


@lru_cache(maxsize=1)
def _stock_segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_stock(text: str) -> list[str]:
    """Stock pysbd, for the test that shows the pre-filter changes nothing."""
    return [s.strip() for s in _stock_segmenter().segment(text) if s.strip()]


def split(body: str, *, near: list[int] | None = None) -> list[tuple[int, int]]:
    """(start, end) of every sentence, whitespace trimmed, in text order. With `near` (sorted
    positions), only the lines holding one of those positions are split: extraction needs the
    sentences around what it found, and pysbd is its costliest step."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    length = len(body)
    while line_start <= length:
        line_end = body.find("\n", line_start)
        if line_end < 0:
            line_end = length
        line = body[line_start:line_end]
        wanted = near is None or bisect.bisect_left(near, line_start) < bisect.bisect_left(
            near, line_end
        )
        if wanted and line.strip():
            cursor = line_start
            for sentence in _segment_line(line):
                text = sentence.strip()
                if not text:
                    continue
                found = body.find(text, cursor, line_end)
                if found < 0:
                    # pysbd changed the text (it does not with clean=False, but never lose
                    # the rest of the line if it ever does).
                    found = cursor
                    while found < line_end and body[found].isspace():
                        found += 1
                    end = line_end
                    while end > found and body[end - 1].isspace():
                        end -= 1
                    if end > found:
                        spans.append((found, end))
                    cursor = line_end
                    break
                spans.append((found, found + len(text)))
                cursor = found + len(text)
        line_start = line_end + 1
    return spans
