"""Direct quotes and who said them.

Quotes are the text between double quote marks, curly (“…”) or straight ("…"), on one line.
Single marks are never quote marks at the top level: ‘…’ inside a quote stays part of it (a
nested quote), and ’ in "Ukraine’s" is an apostrophe. The span is the text between the marks,
including the comma that ends a quote before its attribution (“We won,” she said).

The speaker comes from the attribution next to the quote, on either side:
`X said, “…”` · `X said the deal was a “…”` · `“…,” X said` · `“…,” said X` · `X …, stating, “…”`
· `according to X`. X is a person mention (KB or a titled name), a pronoun (he/she/they →
the person mentioned last before it, with a lower confidence) or, failing both, the words
right before the verb ("a spokesman"). A quote with no attribution right after an attributed
one in the same paragraph continues it."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from apps.extraction.entities import NOT_A_NAME, PERSON, MentionFound

SPEECH_VERBS = (
    "said", "says", "say", "saying", "stated", "states", "stating", "explained", "explains",
    "explaining", "added", "adds", "adding", "noted", "notes", "noting", "told", "tells",
    "telling", "asked", "asks", "asking", "wrote", "writes", "writing", "declared", "declares",
    "declaring", "insisted", "insists", "insisting", "argued", "argues", "arguing", "warned",
    "warns", "warning", "stressed", "stresses", "stressing", "emphasized", "emphasised",
    "emphasizes", "emphasises", "emphasizing", "emphasising", "acknowledged", "acknowledges",
    "remarked", "remarks", "commented", "comments", "announced", "announces", "claimed",
    "claims", "replied", "replies", "responded", "responds", "described", "describes",
    "describing", "called", "calls", "calling", "continued", "continues", "concluded",
    "cautioned", "cautions", "observed", "recalled", "tweeted", "posted", "pointed out",
    "admitted", "admits", "conceded", "suggested", "suggests", "urged", "urges", "vowed",
    "vows", "promised", "predicted", "maintained", "asserted", "asserts", "affirmed",
    "confirmed", "confirms", "denied", "countered", "characterized", "characterised",
    "labelled", "labeled", "dubbed", "termed", "hailed", "praised", "condemned", "put it",
)  # fmt: skip
_VERB = re.compile(
    r"(?<![\w-])(?P<verb>"
    + "|".join(sorted((re.escape(v) for v in SPEECH_VERBS), key=len, reverse=True))
    + r"|according to)(?![\w-])",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"(?<![\w-])(?:he|she|they|He|She|They)(?![\w-])")
_PRONOUN_CONFIDENCE = {"he": 0.6, "she": 0.6, "they": 0.5}
# Between a speaker and the verb: nothing, an adverb, or an appositive (", the UK leader,").
_SPEAKER_GAP = re.compile(r"\s*(?:,[^,“”\"]{1,80},)?\s*(?:\w+ly\s+)?")
# Words before a verb when no person is named: "a spokesman", "the ministry", "John Smith".
_FIRST_WORD = (
    r"(?:[Tt]he|[Aa]n?|[Oo]ne|[Tt]wo|[Tt]hree|[Ss]everal|[Ss]ome|[Mm]any|[Tt]hose|[Tt]hese"
    r"|[Oo]ther|[A-Z][\w’'.-]*)"
)
_NOUN_PHRASE = re.compile(rf"(?:^|(?<=[\s,;:(]))({_FIRST_WORD}(?: [\w’'.-]+){{0,4}})\s*$")
_NOUN_PHRASE_AFTER = re.compile(rf"({_FIRST_WORD}(?: [\w’'.-]+){{0,4}}?)(?=\s*(?:,|$))")
_END_OF_CLAUSE = re.compile(r"[.!?](?=\s|$)|[“\"]|\n")
_NAME = re.compile(r"(?<![\w’'-])[A-Z][\w’'-]+(?: [A-Z][\w’'-]+){1,3}(?![\w’'-])")
_DETERMINER = re.compile(r"(?<= )(?:[Tt]he|[Aa]n?) ")
MAX_ATTRIBUTION = 300


@dataclass(frozen=True, slots=True)
class QuoteFound:
    start: int
    end: int
    speaker_id: int | None
    speaker_text: str
    speaker_confidence: float | None
    attribution_start: int | None
    attribution_end: int | None
    verb: str
    confidence: float


@dataclass(frozen=True, slots=True)
class _Speaker:
    start: int
    end: int
    entity_id: int | None
    confidence: float


_MARKS = re.compile(r'[“”"\n]')


def raw_quotes(body: str) -> list[tuple[int, int]]:
    """(open mark, close mark) positions of every closed double quote, line by line."""
    pairs: list[tuple[int, int]] = []
    opened: int | None = None
    style = ""
    for mark in _MARKS.finditer(body):
        position, char = mark.start(), mark.group()
        if char == "\n":
            opened = None
        elif opened is None:
            if char == "“":
                opened, style = position, "curly"
            elif char == '"' and _straight_opens(body, position):
                opened, style = position, "straight"
        elif (char == "”" and style == "curly") or (char == '"' and style == "straight"):
            pairs.append((opened, position))
            opened = None
    return pairs


def _straight_opens(body: str, position: int) -> bool:
    before = body[position - 1] if position > 0 else " "
    after = body[position + 1] if position + 1 < len(body) else " "
    return (before.isspace() or before in "([{—–-:") and not after.isspace()


def _inner(body: str, opened: int, closed: int) -> tuple[int, int] | None:
    start, end = opened + 1, closed
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return (start, end) if end > start and any(c.isalnum() for c in body[start:end]) else None


class _People:
    """Who can be a speaker, in text order: person mentions, pronouns, and names the KB does
    not know ("Anna Lindqvist, a defence analyst, said"). Only person mentions are antecedents
    of pronouns: a capitalised phrase may as well be an organisation."""

    def __init__(self, body: str, mentions: list[MentionFound]) -> None:
        self.body = body
        self.people = [m for m in mentions if m.kind == PERSON]
        self.starts = [m.start for m in self.people]
        taken = sorted((m.start, m.end) for m in mentions)
        self.unknown: list[tuple[int, int]] = []
        for match in _NAME.finditer(body):
            start, end = match.span()
            first_end = body.find(" ", start, end)
            if body[start:first_end] in NOT_A_NAME:
                start = first_end + 1
                if " " not in body[start:end]:
                    continue
            index = bisect.bisect_left(taken, (end, end))
            if any(s < end and start < e for s, e in taken[max(0, index - 3) : index]):
                continue
            self.unknown.append((start, end))

    def last_before(self, position: int) -> MentionFound | None:
        index = bisect.bisect_left(self.starts, position) - 1
        return self.people[index] if index >= 0 else None

    def in_range(self, start: int, end: int) -> list[_Speaker]:
        """People and pronouns inside [start, end), in text order."""
        found = []
        for m in self.people:
            # A titled name speaks with its title: "said Prime Minister Keir Starmer".
            first = m.title.start if m.title is not None else m.start
            if start <= first and m.end <= end:
                found.append(_Speaker(first, m.end, m.entity_id, 0.9 if m.entity_id else 0.6))
        found.extend(_Speaker(s, e, None, 0.6) for s, e in self.unknown if start <= s and e <= end)
        for match in _PRONOUN.finditer(self.body, start, end):
            if any(s.start <= match.start() < s.end for s in found):
                continue
            antecedent = self.last_before(match.start())
            confidence = _PRONOUN_CONFIDENCE[match.group(0).lower()]
            found.append(
                _Speaker(
                    match.start(),
                    match.end(),
                    antecedent.entity_id if antecedent else None,
                    confidence if antecedent else 0.3,
                )
            )
        found.sort(key=lambda s: s.start)
        return found


def _attribution_before(
    body: str, people: _People, window_start: int, opened: int
) -> tuple[_Speaker | None, tuple[int, int] | None]:
    """`X said, “`, `X described it as a “`, `X …, stating, “`, `according to X, “`."""
    verbs = list(_VERB.finditer(body, window_start, opened))
    if not verbs:
        return None, None
    verb = verbs[-1]
    verb_span = (verb.start(), verb.end())
    candidates = people.in_range(window_start, opened)
    if verb.group("verb").lower() == "according to":
        after = [c for c in candidates if c.start >= verb.end() and c.start - verb.end() <= 2]
        if after:
            return after[0], verb_span
        return _noun_phrase_after(body, verb.end(), opened), verb_span
    before = [c for c in candidates if c.end <= verb.start()]
    for candidate in reversed(before):
        gap = _SPEAKER_GAP.fullmatch(body, candidate.end, verb.start())
        if gap is not None:
            return candidate, verb_span
    inverted = [c for c in candidates if c.start >= verb.end() and c.start - verb.end() <= 1]
    if inverted:  # "Said Zelensky: “…”"
        return inverted[0], verb_span
    if before:  # the subject of the sentence ("He emphasized …, stating, “…”")
        subject = before[0]
        return _Speaker(subject.start, subject.end, subject.entity_id, subject.confidence - 0.1), (
            verb_span
        )
    phrase = _NOUN_PHRASE.search(body, window_start, verb.start())
    if phrase is not None:
        start = phrase.start(1)
        # "Later a spokesman said": the phrase starts at its last determiner.
        for determiner in _DETERMINER.finditer(body, start + 1, phrase.end(1)):
            start = determiner.start()
        return _Speaker(start, phrase.end(1), None, 0.4), verb_span
    return None, verb_span


def _noun_phrase_after(body: str, start: int, end: int) -> _Speaker | None:
    position = start
    while position < end and body[position].isspace():
        position += 1
    match = _NOUN_PHRASE_AFTER.match(body, position, end)
    if match is None:
        return None
    phrase_end = match.end(1)
    while phrase_end > match.start(1) and body[phrase_end - 1] in ".,;:":
        phrase_end -= 1
    return _Speaker(match.start(1), phrase_end, None, 0.4)


def _attribution_after(
    body: str, people: _People, closed: int, window_end: int
) -> tuple[_Speaker | None, tuple[int, int] | None]:
    """`“…,” X said`, `“…,” said X`, `“…,” X, the foreign minister, said`, `“…,” according to X`."""
    verb = _VERB.search(body, closed + 1, window_end)
    if verb is None or verb.start() - closed > 120:
        return None, None
    verb_span = (verb.start(), verb.end())
    candidates = people.in_range(closed + 1, window_end)
    if verb.group("verb").lower() == "according to":
        after = [c for c in candidates if c.start >= verb.end() and c.start - verb.end() <= 2]
        if after:
            return after[0], verb_span
        return _noun_phrase_after(body, verb.end(), window_end), verb_span
    before = [c for c in candidates if c.end <= verb.start()]
    for candidate in reversed(before):
        if _SPEAKER_GAP.fullmatch(body, candidate.end, verb.start()) is not None:
            return candidate, verb_span
    inverted = [c for c in candidates if c.start >= verb.end() and c.start - verb.end() <= 1]
    if inverted:
        return inverted[0], verb_span
    if before:
        return None, None  # a verb, but not with a speaker next to it: not this quote's
    gap = body[closed + 1 : verb.start()]
    phrase = re.fullmatch(rf"[\s,]*({_FIRST_WORD}(?: [\w’'.-]+){{0,4}})\s*", gap)
    if phrase is not None:
        start = closed + 1 + phrase.start(1)
        return _Speaker(start, closed + 1 + phrase.end(1), None, 0.4), verb_span
    if not gap.strip(" ,"):  # “…,” said a spokesman
        return _noun_phrase_after(body, verb.end(), window_end), verb_span
    return None, None


def find(
    body: str, *, sentences: list[tuple[int, int]], mentions: list[MentionFound]
) -> list[QuoteFound]:
    people = _People(body, mentions)
    sentence_starts = [s for s, _ in sentences]
    quotes: list[QuoteFound] = []
    previous_close = -1
    previous: QuoteFound | None = None
    pairs = raw_quotes(body)
    for index, (opened, closed) in enumerate(pairs):
        inner = _inner(body, opened, closed)
        if inner is None:
            continue
        line_start = body.rfind("\n", 0, opened) + 1
        line_end = body.find("\n", closed)
        line_end = len(body) if line_end < 0 else line_end
        window_start = max(_sentence_start(sentence_starts, opened), line_start, previous_close + 1)
        next_open = pairs[index + 1][0] if index + 1 < len(pairs) else len(body)
        stop = _END_OF_CLAUSE.search(body, closed + 1, min(line_end, next_open))
        window_end = stop.end() if stop else min(line_end, next_open)

        # After the quote only when the sentence goes on: “…,” X said · “…?” asked X · “…”, X said
        speaker, verb = None, None
        if body[closed - 1] in ",?!—–-" or body[closed + 1 : closed + 2] == ",":
            speaker, verb = _attribution_after(body, people, closed, window_end)
        if verb is None:
            speaker, verb = _attribution_before(body, people, window_start, opened)
        continued = False
        if (
            verb is None
            and previous is not None
            and previous.speaker_confidence
            and previous_close >= line_start
            and not people.in_range(max(previous_close, previous.attribution_end or 0) + 1, opened)
        ):
            continued = True
        previous_close = closed
        if verb is None and not continued and not _looks_like_speech(body, *inner):
            continue
        if continued and previous is not None:
            quote = QuoteFound(
                inner[0],
                inner[1],
                previous.speaker_id,
                previous.speaker_text,
                round((previous.speaker_confidence or 0) * 0.8, 2),
                previous.attribution_start,
                previous.attribution_end,
                previous.verb,
                0.7,
            )
        else:
            quote = _quote(body, inner, speaker, verb)
        quotes.append(quote)
        previous = quote
    return quotes


def _quote(
    body: str, inner: tuple[int, int], speaker: _Speaker | None, verb: tuple[int, int] | None
) -> QuoteFound:
    attribution: tuple[int, int] | None = None
    if verb is not None:
        attribution = verb
        if speaker is not None:
            start, end = min(speaker.start, verb[0]), max(speaker.end, verb[1])
            if end - start <= MAX_ATTRIBUTION:
                attribution = (start, end)
    return QuoteFound(
        inner[0],
        inner[1],
        speaker.entity_id if speaker else None,
        body[speaker.start : speaker.end] if speaker else "",
        round(speaker.confidence, 2) if speaker else None,
        attribution[0] if attribution else None,
        attribution[1] if attribution else None,
        body[verb[0] : verb[1]].lower() if verb else "",
        0.9 if speaker and verb else (0.7 if verb else 0.4),
    )


def _sentence_start(starts: list[int], position: int) -> int:
    index = bisect.bisect_right(starts, position) - 1
    return starts[index] if index >= 0 else 0


def _looks_like_speech(body: str, start: int, end: int) -> bool:
    """An unattributed quote is kept when it reads like a statement, not a scare-quoted term."""
    text = body[start:end]
    return len(text.split()) >= 5 and text[:1].isupper()
