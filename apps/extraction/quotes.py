"""Direct quotes and who said them, as news copy writes them.

Quote marks. A double mark (“ ” " or a doubled apostrophe '') opens or closes by its place, not
by its shape: after a space, a dash, a bracket or a colon and before a word it opens; after a word
or punctuation and before a space or punctuation it closes. So reversed (”…”) and mismatched
(“…") pairs read as writers meant them, an inch mark (12") opens nothing, and an opening mark met
while a quote is still open means the earlier one was never closed: it is dropped, never paired
with a mark further on (a mismatched pair never yields a quote spanning prose). A quote still open
at the end of a paragraph continues when the next paragraph reopens it (“…¶“…¶“…”: one quote in
several spans, one speaker), or across a plain line break when the next line closes it; one closed
by a single mark after punctuation ("…,' he said) is taken too; otherwise it is dropped. Single
marks inside a quote stay part of it (a nested quote), and so do straight double marks inside a
curly quote closed later on the line; ’ in "Ukraine’s" is an apostrophe. A
paragraph with no marks after a line ending in a colon with a speech verb ("Lammy is expected to
say:") is a block quote. The span is the text between the marks, including the comma that ends a
quote before its attribution (“We won,” she said).

Speakers come from the attribution next to the quote, on either side:
`X said, “…”` · `X said the deal was a “…”` · `“…,” X said` · `“…,” said X` · `“…,” said MSNBC legal
analyst X` · `X, telling the Commons: “…”` · `X …, stating, “…”` (a participle's speaker is the
subject of the sentence, not the nearest name) · `according to X` · `“…” — X` · `X: “…”` · a colon
lead-in above a block quote or a list ("In further comments, X said:"). X is a person mention (KB
or a titled name), a name the KB does not know (or its surname alone after it), a pronoun
(resolved in speakers' terms: gender and number from the KB, the previous speaker first, then the
subject of the sentence naming the nearest fitting person), a title alone ("the Prime Minister":
the person last named with that title, else the KB's holder on the reference date) or, failing
those, the words before the verb ("a spokesman"). A publication after "according to" is a source,
not a speaker; a dateline is never a speaker; "X and Y said in a joint statement" is nobody's
alone. A quote with no attribution right after an attributed one in the same paragraph, or alone
in the paragraph after one, continues it. When the attribution cannot be resolved to someone, the
speaker is left empty."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, replace

from apps.extraction import speakers
from apps.extraction.entities import NOT_A_NAME, PERSON, MentionFound
from apps.extraction.speakers import PeopleKB

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
    "cautioned", "cautions", "observed", "recalled", "tweeted", "tweets", "tweeting", "posted",
    "posts", "posting", "pointed out", "admitted", "admits", "conceded", "concedes", "conceding",
    "suggested", "suggests", "urged", "urges", "vowed", "vows", "promised", "predicted",
    "maintained", "asserted", "asserts", "affirmed", "confirmed", "confirms", "denied",
    "countered", "characterized", "characterised", "labelled", "labeled", "dubbed", "termed",
    "hailed", "praised", "condemned", "put it", "charged", "charges", "highlighted",
    "highlights", "highlighting", "questioned", "questions", "jibed", "quipped", "joked",
    "mocked", "retorted", "snapped", "shouted", "exclaimed", "boasted", "complained",
    "lamented", "reiterated", "reiterating", "underlined", "underscored", "pledged", "pleaded",
    "demanded", "announcing", "telling", "writing", "recounted", "recalls", "testified",
    "disclosed", "revealed", "reported", "mused", "wondered", "acknowledging", "objected",
    "protested", "explains", "reflected", "summed up", "went on", "is expected to say",
)  # fmt: skip


def _trie(words: list[str]) -> str:
    """One regex for many words, as a trie ("sa(?:id|ys|y|ying)"): Python's re tries the
    branches of a flat alternation one by one at every position, 10x slower on this list."""
    tree: dict = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def walk(node: dict) -> str:
        branches = [re.escape(char) + walk(child) for char, child in node.items() if char]
        optional = "" in node
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not optional else f"(?:{'|'.join(branches)})"
        if optional:
            body = f"(?:{'|'.join(branches)})?"
        return body

    return walk(tree)


_VERB = re.compile(
    r"(?<![\w-])(?P<verb>" + _trie(sorted({*SPEECH_VERBS, "according to"})) + r")(?![\w-])",
    re.IGNORECASE,
)
# Between a speaker and the verb: nothing, an adverb, an appositive (", the UK leader,").
_SPEAKER_GAP = re.compile(
    r"\s*(?:,[^,“”\"]{1,80},)?\s*(?:,\s*who\s+)?"
    r"(?:(?:\w+ly|also|later|then|again|earlier|once|had|has|have"
    r"|would|will|on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\s+){0,3}"
)
# Before a participle, a comma: "Starmer, telling the Commons: “…”" (the speaker is Starmer).
_PARTICIPLE_GAP = re.compile(r"\s*(?:,[^,“”\"]{1,80})?,\s*(?:\w+ly\s+)?")


def _next_to_verb(body: str, speaker: _Speaker, verb: re.Match) -> bool:
    """Is the speaker the verb's subject? "X said", "X, the UK leader, said", "Zelensky's chief
    of staff, Andriy Yermak, wrote" (an appositive name); never "the Prime Minister's
    spokesman said" (a possessive) nor "… with Sunak, calling him" (a participle belongs to
    the subject of the sentence: see _attribution_before)."""
    end = speaker.end
    if body.startswith(("’s", "'s"), end):
        return False
    if _SPEAKER_GAP.fullmatch(body, end, verb.start()) is not None:
        return True
    if verb.group().endswith("ing"):
        return False
    return (
        speaker.kind in ("person", "name")
        and body[max(0, speaker.start - 2) : speaker.start] == ", "
        and _APPOSITIVE_END.fullmatch(body, end, verb.start()) is not None
    )


_APPOSITIVE_END = re.compile(r",\s*")


# Between an inverted verb and the name: a few words of description, no clause ("said MSNBC
# legal analyst Katie Phang", "said the bank's chief economist, Jane Roe").
_DESCRIPTION = re.compile(
    r"\s+(?:(?!(?:that|on|in|at|to|about|of|after|before|during|when|while|as|for|with|from|by"
    r"|and|but|he|she|they|it|we|I)\s)[\w.’'&-]+\s+){0,7}?,?\s*"
)
# Words before a verb when no person is named: "a spokesman", "the ministry", "John Smith".
_FIRST_WORD = (
    r"(?:[Tt]he|[Aa]n?|[Oo]ne|[Tt]wo|[Tt]hree|[Ss]everal|[Ss]ome|[Mm]any|[Tt]hose|[Tt]hese"
    r"|[Oo]ther|[A-Z][\w’'.-]*)"
)
_NOUN_PHRASE = re.compile(
    rf"(?:^|(?<=[\s,;:(]))({_FIRST_WORD}(?: [\w’'.-]+){{0,4}})"
    # A phrase ending in a conjunction is a clause going on ("the risks and said"), not a speaker.
    r"(?<! and)(?<! but)(?<! who)(?<! then)(?<! that)(?<! also)(?<! or)(?<! to)(?<! as)\s*$"
)
_NOUN_PHRASE_AFTER = re.compile(rf"({_FIRST_WORD}(?: [\w’'.-]+){{0,4}}?)(?=\s*(?:,|$))")
# Between a quote and the name after it: punctuation, and an honorific ("Mr Peskov said").
_PUNCTUATION_GAP = re.compile(r"[\s,—–-]*(?:(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sir|Dame|Lord|Lady)\.?\s+)?")
_DETERMINED_PHRASE = re.compile(r"[\s,—–-]*((?:[Aa]n?|[Tt]he) (?: ?[\w’'.-]+){1,5})\s*")
_GAP_PHRASE = re.compile(rf"[\s,—–-]*({_FIRST_WORD}(?: [\w’'.-]+){{0,4}})\s*")
_ABBREVIATION = r"(?<!\b[A-Z])(?<!Mr)(?<!Mrs)(?<!Ms)(?<!Dr)(?<!Gen)(?<!Sen)(?<!Rep)(?<!Gov)(?<!St)"
_END_OF_CLAUSE = re.compile(rf"[!?](?=\s|$)|{_ABBREVIATION}\.(?=\s|$)|[“\"]|\n")
_NAME = re.compile(r"(?<![\w’'-])[A-Z][\w’'-]+(?: [A-Z][\w’'-]+){1,3}(?![\w’'-])")
_CAPITALISED = re.compile(r"(?<![\w’'-])[A-Z][\w-]+(?![\w-])")
_DETERMINER = re.compile(r"(?<= )(?:[Tt]he|[Aa]n?) ")
# Words of a title or description in front of a name the KB does not know ("Democratic
# Senator Chris Murphy" → "Chris Murphy").
_TITLE_WORDS = {
    "President", "Prime", "Minister", "Secretary", "State", "Chancellor", "Foreign", "Defence",
    "Defense", "Senator", "Representative", "Governor", "Mayor", "King", "Queen", "General",
    "Admiral", "Sir", "Dame", "Lord", "Lady", "Chief", "Democratic", "Republican", "Labour",
    "Conservative", "Opposition", "Deputy", "Vice", "Home", "Finance", "Interior", "Justice",
    "Attorney", "Judge", "Speaker", "Leader", "Commissioner", "Ambassador", "Envoy",
    "Spokesman", "Spokeswoman", "Spokesperson", "Professor", "Analyst", "Colonel", "Captain",
    "Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Mr.", "Mrs.", "Ms.", "Dr.",
}  # fmt: skip
_LIST_ITEM = re.compile(r"[ \t]*(?:[-•*–—]|\d{1,2}[.)])\s+")
MAX_ATTRIBUTION = 300
# How far back a pronoun looks for who it stands for.
_PRONOUN_REACH = 1500


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
    # "according to The Washington Post": the publication the quote is taken from, not a speaker.
    source_text: str = ""


@dataclass(frozen=True, slots=True)
class _Speaker:
    start: int
    end: int
    entity_id: int | None
    confidence: float
    kind: str = "person"  # person, name, pronoun, title, phrase, source
    text: str = ""  # the speaker as named, when not the text at start:end (a pronoun's antecedent)


# --- quote marks ------------------------------------------------------------------------------

_MARKS = re.compile(r"''|[“”\"„\n]")
_OPEN_AFTER = frozenset("([{—–-:/")
_CLOSE_BEFORE = frozenset(",.;:!?)]}—–-…")
_SINGLE_CLOSE = re.compile(r"[,.!?…][’'](?=[\s—–-]|$)")


def _role(body: str, start: int, end: int) -> str:
    """ "open", "close" or "" (neither: an inch mark, a mark between two spaces)."""
    before = body[start - 1] if start > 0 else "\n"
    after = body[end] if end < len(body) else "\n"
    opens = (
        (before.isspace() or before in _OPEN_AFTER)
        and not after.isspace()
        and after not in ",.;:!?)]}"
    )
    closes = (
        not before.isspace()
        and before not in "([{"
        and (after.isspace() or after in _CLOSE_BEFORE or after in "’'")
    )
    if opens != closes:
        return "open" if opens else "close"
    if not opens and not before.isspace() and not after.isspace():
        # Between two words ("said“We", "end”and"): the shape decides.
        mark = body[start]
        if mark in "“„":
            return "open"
        if mark == "”":
            return "close"
    return ""


@dataclass(frozen=True, slots=True)
class _Segment:
    open: int  # position of the opening mark (the line start for a block quote)
    inner_start: int
    inner_end: int  # the closing mark, or the end of the paragraph the quote runs over
    close_end: int | None  # just after the closing mark; None when the paragraph reopens
    block: bool = False


def _next_line(body: str, newline: int) -> tuple[int, int, bool]:
    """(start, end, after a blank line) of the next line that holds text."""
    position, blank = newline + 1, False
    length = len(body)
    while position < length:
        end = body.find("\n", position)
        end = length if end < 0 else end
        if body[position:end].strip():
            return position, end, blank
        blank, position = True, end + 1
    return length, length, blank


def _first_role(body: str, start: int, end: int) -> tuple[str, int]:
    """The first mark that opens or closes in body[start:end], with its position."""
    for mark in _MARKS.finditer(body, start, end):
        if mark.group() == "\n":
            continue
        role = _role(body, mark.start(), mark.end())
        if role:
            return role, mark.start()
    return "", -1


def quote_groups(body: str) -> list[list[_Segment]]:
    """Every quote, as the spans it runs over (one, or one per paragraph it spans)."""
    groups: list[list[_Segment]] = []
    current: list[_Segment] = []
    opened: tuple[int, int] | None = None  # (mark start, mark end)
    reopen_at = -1  # where the next paragraph reopens the quote being read
    nested = False  # inside a straight quote within a curly one

    def drop_or_single(until: int) -> None:
        nonlocal opened
        if opened is not None:
            single = _SINGLE_CLOSE.search(body, opened[1], until)
            if single is not None:  # “…,' he said: a mismatched close after punctuation
                current.append(_Segment(opened[0], opened[1], single.end() - 1, single.end()))
        opened = None
        flush()

    def flush() -> None:
        nonlocal current
        if current:
            groups.append(current)
        current = []

    for mark in _MARKS.finditer(body):
        start, end = mark.span()
        if mark.group() == "\n":
            if opened is None:
                continue
            line_start, line_end, blank = _next_line(body, start)
            role, at = _first_role(body, line_start, line_end)
            if role == "open" and at == line_start + (
                len(body[line_start:line_end]) - len(body[line_start:line_end].lstrip())
            ):
                # The next paragraph reopens the quote: this paragraph is one span of it.
                current.append(_Segment(opened[0], opened[1], start, None))
                opened, reopen_at = None, at
            elif role == "close" and not blank:
                continue  # a line break inside the quote
            else:
                drop_or_single(start)
            continue
        role = _role(body, start, end)
        if opened is not None and mark.group() in ('"', "''") and body[opened[0]] == "“":
            # Straight marks inside a curly quote that closes later on the line are a quote
            # within the quote (“He called it "a disgrace", she said.”).
            if nested and role == "close":
                nested = False
                continue
            line_end = body.find("\n", end)
            if role == "open" and body.find("”", end, len(body) if line_end < 0 else line_end) >= 0:
                nested = True
                continue
        nested = nested and opened is not None
        if role == "open":
            if opened is not None:
                drop_or_single(start)
            if current and start != reopen_at:
                flush()
            opened = (start, end)
        elif role == "close" and opened is not None:
            current.append(_Segment(opened[0], opened[1], start, end))
            opened = None
            flush()
    if opened is not None:
        drop_or_single(len(body))
    flush()
    return groups


def _lead_in(body: str, line_start: int, *, item: bool) -> tuple[int, int] | None:
    """The line above (for a list item, above the items right before it), when it ends with a
    colon: "Lammy is expected to say:", "In further comments, Starmer said:"."""
    position = line_start - 1  # the newline ending the line above
    for _ in range(20 if item else 1):
        blank = False
        while position > 0 and body[position - 1] == "\n":
            position -= 1
            blank = True
        if position <= 0:
            return None
        start = body.rfind("\n", 0, position) + 1
        line = body[start:position]
        if item and not blank and _LIST_ITEM.match(line):
            position = start - 1
            continue
        stripped = line.rstrip()
        return (start, start + len(stripped)) if stripped.endswith(":") else None
    return None


def _block_quotes(body: str, taken: list[tuple[int, int]]) -> list[list[_Segment]]:
    """Paragraphs without quote marks right after a lead-in line with a speech verb ending in a
    colon ("Lammy is expected to say:"); list items are not block quotes (their quotes, if any,
    are marked)."""
    found = []
    position = 0
    length = len(body)
    while True:
        colon = body.find(":\n", position)
        if colon < 0:
            return found
        position = colon + 1
        line_start = body.rfind("\n", 0, colon) + 1
        if not _VERB.search(body, line_start, colon):
            continue
        start, end, _ = _next_line(body, colon + 1)
        if start >= length or _LIST_ITEM.match(body, start):
            continue
        text = body[start:end]
        if _MARKS.search(text) or len(text.split()) < 4:
            continue
        index = bisect.bisect_left(taken, (start, start))
        if index < len(taken) and taken[index][0] < end:
            continue
        found.append([_Segment(start, start, end, end, block=True)])


def _inner(body: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return (start, end) if end > start and any(c.isalnum() for c in body[start:end]) else None


# --- who can be a speaker ---------------------------------------------------------------------


class _People:
    """Who can be a speaker, in text order: person mentions, names the KB does not know ("Anna
    Lindqvist, a defence analyst, said"), pronouns and titles alone. Only person mentions and
    earlier speakers are antecedents of pronouns: a capitalised phrase may as well be an
    organisation."""

    def __init__(
        self,
        body: str,
        mentions: list[MentionFound],
        quote_spans: list[tuple[int, int]],
    ) -> None:
        self.body = body
        self.people = [m for m in mentions if m.kind == PERSON]
        self.person_starts = [m.start for m in self.people]
        self.titled = [m for m in self.people if m.title is not None]
        self.titled_starts = [m.title.start for m in self.titled]
        self.quote_spans = quote_spans
        self.quote_starts = [s for s, _ in quote_spans]
        datelines = [m.span() for m in speakers.DATELINE.finditer(body)]
        candidates: list[_Speaker] = []
        for m in self.people:
            # A titled name speaks with its title: "said Prime Minister Keir Starmer".
            first = m.title.start if m.title is not None else m.start
            # Not in the KB: the speaker is the name as written ("Chris Murphy"), the
            # attribution keeps the title ("Senator Chris Murphy said").
            text = body[m.start : m.end] if m.entity_id is None else ""
            candidates.append(
                _Speaker(first, m.end, m.entity_id, 0.9 if m.entity_id else 0.6, "person", text)
            )
        taken = sorted((m.start, m.end) for m in mentions)
        for match in speakers.TITLE_ALONE.finditer(body):
            if not _overlaps(taken, *match.span()):
                candidates.append(_Speaker(*match.span(), None, 0.0, "title"))
        taken = sorted([*taken, *((c.start, c.end) for c in candidates if c.kind == "title")])
        full_names: dict[str, tuple[str, int]] = {}  # surname → (full name, its end)
        names: list[tuple[int, int]] = []
        for match in _NAME.finditer(body):
            span = self._unknown_name(match)
            if span is None or _overlaps(taken, *span) or _overlaps(datelines, *span):
                continue
            candidates.append(_Speaker(*span, None, 0.6, "name"))
            names.append(span)
            full = body[span[0] : span[1]]
            surname = full.rsplit(" ", 1)[-1]
            if len(surname) > 2 and surname not in NOT_A_NAME and surname not in _TITLE_WORDS:
                full_names.setdefault(surname, (full, span[1]))
        if full_names:
            # "Dmitry Peskov told reporters … Peskov later added": the surname alone, after the
            # full name, is that person (the KB does the same for its people).
            taken_names = sorted([*taken, *names])
            for match in _CAPITALISED.finditer(body):
                known = full_names.get(match.group())
                if known is None or match.start() < known[1]:
                    continue
                full = known[0]
                if _overlaps(taken_names, *match.span()):
                    continue
                candidates.append(_Speaker(*match.span(), None, 0.55, "name", full))
        for match in speakers.PRONOUN.finditer(body):
            if not _overlaps(taken, *match.span()):
                candidates.append(_Speaker(*match.span(), None, 0.0, "pronoun"))
        candidates.sort(key=lambda s: (s.start, -s.end))
        self.candidates = candidates
        # Who a pronoun can stand for: people of the KB, and names the KB does not know that
        # speak ("Kemi Badenoch said the plan …"; a bare capitalised phrase may be a place).
        self.antecedents = [
            c
            for c in candidates
            if c.kind == "person" or (c.kind == "name" and _person_like(body, c))
        ]
        self.antecedent_starts = [c.start for c in self.antecedents]
        self.starts = [c.start for c in candidates]
        self.datelines = datelines

    def _unknown_name(self, match: re.Match) -> tuple[int, int] | None:
        start, end = match.span()
        words = match.group().split(" ")
        if all(w.isupper() for w in words):
            return None  # "NEW DELHI", "LONDON": a dateline or a heading, not a person
        while words and (words[0] in NOT_A_NAME or (len(words) > 2 and words[0] in _TITLE_WORDS)):
            start += len(words[0]) + 1
            words = words[1:]
        if len(words) < 2 or words[0] in _TITLE_WORDS:
            return None
        return start, end

    def in_range(self, start: int, end: int) -> list[_Speaker]:
        """Candidates inside [start, end), in text order."""
        first = bisect.bisect_left(self.starts, start)
        last = bisect.bisect_left(self.starts, end)
        return [c for c in self.candidates[first:last] if c.end <= end]

    def speaking_between(self, start: int, end: int) -> bool:
        """Is someone else named between two quotes (a person, or a name that speaks)?"""
        index = bisect.bisect_left(self.antecedent_starts, start)
        return index < len(self.antecedents) and self.antecedents[index].end <= end

    def in_quote(self, position: int) -> bool:
        index = bisect.bisect_right(self.quote_starts, position) - 1
        return index >= 0 and self.quote_spans[index][1] > position


# ", a former prime minister," / ", who …": a description of a person. (", the …" is not enough:
# "Writing in the Daily Telegraph, the prime minister said".)
_APPOSITION_AFTER = re.compile(r",\s+(?:an?|who)\s")


def _person_like(body: str, name: _Speaker) -> bool:
    """A capitalised name the KB does not know stands for a person a pronoun can refer to when
    it speaks ("Kemi Badenoch said") or is described ("Kallas, a former prime minister,");
    "Downing Street was quiet" is neither (a place may open a sentence as well as a person)."""
    if _VERB.match(body, _SPEAKER_GAP.match(body, name.end).end()):
        return True
    if body[max(0, name.start - 2) : name.start] == ", " and _VERB.match(
        body,
        _APPOSITIVE_END.match(body, name.end).end() if body.startswith(",", name.end) else name.end,
    ):
        return True  # "The Conservative leader, Kemi Badenoch, said"
    return _APPOSITION_AFTER.match(body, name.end) is not None


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    index = bisect.bisect_left(spans, (end, end))
    return any(s < end and start < e for s, e in spans[max(0, index - 4) : index])


# --- attributions -----------------------------------------------------------------------------


def _attribution_before(
    body: str, people: _People, window_start: int, opened: int, sentence_start: int | None = None
) -> tuple[_Speaker | None, tuple[int, int] | None]:
    """`X said, “`, `X described it as a “`, `X …, stating, “`, `according to X, “`."""
    verbs = list(_VERB.finditer(body, window_start, opened))
    if not verbs:
        return None, None
    verb = verbs[-1]
    verb_span = (verb.start(), verb.end())
    candidates = people.in_range(window_start, opened)
    if verb.group("verb").lower() == "according to":
        return _according_to(body, candidates, verb.end(), opened), verb_span
    if verb.group().lower().endswith("ing"):
        # "X, telling the Commons: “", "…, calling him “": the subject of the sentence.
        start = window_start if sentence_start is None else min(sentence_start, window_start)
        subjects = [
            c
            for c in people.in_range(start, verb.start())
            if c.kind in ("person", "name", "pronoun", "title")
            and not body.startswith(("’s", "'s"), c.end)
            and not people.in_quote(c.start)
        ]
        if subjects and _opens_clause(people, start, subjects[0]):
            return subjects[0], verb_span
    before = [c for c in candidates if c.end <= verb.start()]
    for candidate in reversed(before):
        if _next_to_verb(body, candidate, verb):
            if _one_of_several(body, before, candidate):
                return None, verb_span
            return candidate, verb_span
    inverted = _inverted(body, candidates, verb.end(), opened)
    if inverted is not None:  # "Said Zelensky: “…”"
        return inverted, verb_span
    phrase = _NOUN_PHRASE.search(body, window_start, verb.start())
    if phrase is not None and not _overlaps(people.datelines, *phrase.span(1)):
        start = phrase.start(1)
        # "Later a spokesman said": the phrase starts at its last determiner.
        for determiner in _DETERMINER.finditer(body, start + 1, phrase.end(1)):
            start = determiner.start()
        inside = [
            c
            for c in before
            if start <= c.start < phrase.end(1) and not body.startswith(("’s", "'s"), c.end)
        ]
        # "Starmer later told": the person, not the words; "A Downing Street spokeswoman
        # said": the words, not the place.
        named = [c for c in inside if c.kind != "name" or c.start == start]
        if named:
            return replace(named[0], confidence=named[0].confidence - 0.1), verb_span
        return _Speaker(start, phrase.end(1), None, 0.4, "phrase"), verb_span
    subjects = [
        c
        for c in before
        if (c.kind in ("person", "pronoun") or c is before[0])
        and not body.startswith(("’s", "'s"), c.end)
    ]
    # The subject of the sentence ("Zelensky pointed out the risks and said “…”"); not a name
    # inside it ("In Paris, where Macron hosted the talks, officials said “…”").
    if subjects and _opens_clause(people, window_start, subjects[0]):
        return replace(subjects[0], confidence=subjects[0].confidence - 0.1), verb_span
    return None, verb_span


# Before the subject of a sentence: nothing, or a short opening phrase ("On Monday, ").
_CLAUSE_OPENING = re.compile(
    r"[\s”\"’',.;:—–-]*(?:(?:[\w’'-]+\s+){0,5}[\w’'-]+,\s*)?"
    # a description in front of the name ("EU foreign policy chief Kaja Kallas"), no clause
    r"(?:(?!(?:in|on|at|where|when|while|after|before|with|by|for|that|which|who|as|since"
    r"|because|if|and|but|said|told|met|of|to|from)\s)[\w’'.-]+\s+){0,5}"
)


def _opens_clause(people: _People, start: int, subject: _Speaker) -> bool:
    # A quote before the subject is no part of the clause ("“…,” Starmer told the BBC on Sunday,
    # adding: “…”").
    index = bisect.bisect_right(people.quote_starts, subject.start) - 1
    if index >= 0 and start <= people.quote_spans[index][0]:
        start = max(start, people.quote_spans[index][1] + 1)
    # A dateline before the subject is no part of the sentence ("LONDON (Reuters) - X said").
    for dateline_start, dateline_end in people.datelines:
        if dateline_start <= start < dateline_end or start <= dateline_start < subject.start:
            start = max(start, dateline_end)
    return _CLAUSE_OPENING.fullmatch(people.body, start, subject.start) is not None


_SENTENCE_STOP = re.compile(r"[.!?][”\"’')]*\s")
_AND = re.compile(r"\s*,?\s*(?:and|&)\s*")


def _one_of_several(body: str, before: list[_Speaker], candidate: _Speaker) -> bool:
    """ "Starmer and Macron said in a joint statement": not one person's words."""
    index = before.index(candidate)
    return index > 0 and _AND.fullmatch(body, before[index - 1].end, candidate.start) is not None


def _inverted(body: str, candidates: list[_Speaker], verb_end: int, end: int) -> _Speaker | None:
    """The speaker after the verb: "said X", "said MSNBC legal analyst X"."""
    found = None
    position = verb_end
    for candidate in candidates:
        if candidate.start < position:
            continue
        near = candidate.start - position <= 1 and found is None
        if not near and (
            candidate.kind == "pronoun"
            or _DESCRIPTION.fullmatch(body, position, candidate.start) is None
        ):
            break
        if found is not None and found.kind != "name":
            break
        # "said Sky News legal analyst Katrin Solberg": a capitalised name followed by a
        # description and a name is the outlet, the person is the last name.
        found, position = candidate, candidate.end
        if candidate.kind == "pronoun":
            break
    return found


def _according_to(
    body: str, candidates: list[_Speaker], verb_end: int, end: int
) -> _Speaker | None:
    after = [c for c in candidates if c.start >= verb_end and c.start - verb_end <= 2]
    if after and after[0].kind in ("person", "name"):
        return after[0]
    position = verb_end
    while position < end and body[position].isspace():
        position += 1
    source = speakers.SOURCE_ORGANISATION.match(body, position, end)
    if source is not None:
        return _Speaker(source.start(), source.end(), None, 0.0, "source")
    if after:
        return after[0]
    return _noun_phrase_after(body, verb_end, end)


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
    return _Speaker(match.start(1), phrase_end, None, 0.4, "phrase")


def _attribution_after(
    body: str, people: _People, after: int, window_end: int, *, adjacent: bool = True
) -> tuple[_Speaker | None, tuple[int, int] | None]:
    """`“…,” X said`, `“…,” said X`, `“…,” X, the foreign minister, said`, `“…,” according to X`."""
    verb = _VERB.search(body, after, window_end)
    if verb is None or verb.start() - after > 120:
        return None, None
    verb_span = (verb.start(), verb.end())
    candidates = people.in_range(after, window_end)
    if verb.group("verb").lower() == "according to":
        if body[after : verb.start()].strip(" ,—–-"):
            return None, None
        return _according_to(body, candidates, verb.end(), window_end), verb_span
    before = [c for c in candidates if c.end <= verb.start()]
    for candidate in reversed(before):
        if _next_to_verb(body, candidate, verb):
            if _one_of_several(body, before, candidate):
                return None, verb_span
            if (
                adjacent
                and _SPEAKER_GAP.fullmatch(body, after, candidate.start) is None
                and _PUNCTUATION_GAP.fullmatch(body, after, candidate.start) is None
            ):
                return None, None  # "“…” and Smith said": not this quote's attribution
            return candidate, verb_span
    gap = body[after : verb.start()]
    if before:
        # “…,” a Downing Street spokeswoman said: the words, not the place in them.
        phrase = _DETERMINED_PHRASE.fullmatch(gap)
        if phrase is not None:
            return _Speaker(after + phrase.start(1), after + phrase.end(1), None, 0.4, "phrase"), (
                verb_span
            )
        return None, None  # a verb, but not with a speaker next to it: not this quote's
    if not gap.strip(" ,—–-"):  # “…,” said X · “…,” said a spokesman
        inverted = _inverted(body, candidates, verb.end(), window_end)
        if inverted is not None:
            return inverted, verb_span
        return _noun_phrase_after(body, verb.end(), window_end), verb_span
    phrase = _GAP_PHRASE.fullmatch(gap)
    if phrase is not None:
        start = after + phrase.start(1)
        return _Speaker(start, after + phrase.end(1), None, 0.4, "phrase"), verb_span
    return None, None


_DASH = re.compile(r"\s*[—–-]{1,2}\s*")
# After the name that signs a quote: nothing, or a post's handle and date ("(@handle) July 22,
# 2022").
_SIGNATURE_END = re.compile(r"\s*(?:\(@\w+\))?\s*(?:[A-Z][a-z]+\.? \d{1,2}, \d{4})?\s*\.?\s*")
# "Starmer: “…”" (live blogs, transcripts): a name alone before a colon and the quote.
_NAME_COLON = re.compile(r"\s*:\s*")


def _name_colon(
    body: str, people: _People, line_start: int, opened: int
) -> tuple[_Speaker | None, tuple[int, int] | None]:
    candidates = [c for c in people.in_range(line_start, opened) if c.kind in ("person", "name")]
    if not candidates:
        return None, None
    first = candidates[0]
    if body[line_start : first.start].strip() or not _NAME_COLON.fullmatch(body, first.end, opened):
        return None, None
    colon = body.index(":", first.end)
    return first, (colon, colon + 1)


def _signature(
    body: str, people: _People, close: int, line_end: int
) -> tuple[_Speaker | None, tuple[int, int] | None]:
    """`“…” — Keir Starmer.`: a name after a dash ends the paragraph."""
    dash = _DASH.match(body, close, line_end)
    if (
        dash is None
        or "—" not in dash.group()
        and "–" not in dash.group()
        and "-" not in dash.group()
    ):
        return None, None
    for candidate in people.in_range(dash.end(), line_end):
        if candidate.start != dash.end() or candidate.kind not in ("person", "name"):
            return None, None
        if _SIGNATURE_END.fullmatch(body, candidate.end, line_end) is not None:
            return candidate, (
                dash.start() + dash.group().index(dash.group().strip()[0]),
                dash.end(),
            )
        return None, None
    return None, None


# --- resolution -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Said:
    """A resolved speaker, for the quotes that follow (continuations, pronouns)."""

    entity_id: int | None
    text: str
    confidence: float
    attribution_end: int
    close: int


class _Resolver:
    def __init__(
        self,
        body: str,
        people: _People,
        kb: PeopleKB,
        reference: dt.date | None,
    ) -> None:
        self.body = body
        self.people = people
        self.kb = kb
        self.reference = reference

    def resolve(
        self, speaker: _Speaker, last: _Said | None
    ) -> tuple[int | None, str, float] | None:
        """(entity, text, confidence) of who the speaker is; None to leave it empty."""
        body = self.body
        written = body[speaker.start : speaker.end]
        if speaker.kind == "pronoun":
            return self._pronoun(speaker, written, last)
        if speaker.kind == "title":
            return self._title(speaker, written)
        if speaker.kind == "source":
            return None
        if speaker.kind == "phrase" and speakers.PRONOUN.fullmatch(written):
            return self._pronoun(speaker, written, last)
        return speaker.entity_id, speaker.text or written, speaker.confidence

    def _gender(self, entity_id: int | None) -> str:
        return self.kb.genders.get(entity_id, "") if entity_id is not None else ""

    def _pronoun(
        self, speaker: _Speaker, written: str, last: _Said | None
    ) -> tuple[int | None, str, float] | None:
        people, body = self.people, self.body
        # People named before the pronoun, nearest first, leaving out those named inside a
        # quote (the speaker talks about them) and possessives ("Sunak’s plan").
        named: list[_Speaker] = []
        index = bisect.bisect_left(people.antecedent_starts, speaker.start) - 1
        while index >= 0 and len(named) < 12:
            candidate = people.antecedents[index]
            index -= 1
            if speaker.start - candidate.end > _PRONOUN_REACH:
                break
            if candidate.end > speaker.start or people.in_quote(candidate.start):
                continue
            if body[candidate.end : candidate.end + 2] in ("’s", "'s"):
                continue
            named.append(candidate)
        if last is not None and speaker.start - last.close <= _PRONOUN_REACH:
            fit = speakers.gender_fit(written, self._gender(last.entity_id))
            since = [c for c in named if c.start > last.attribution_end]
            rivals = [
                c
                for c in since
                if (c.entity_id != last.entity_id or c.entity_id is None)
                and (c.text or body[c.start : c.end]) != last.text
                and speakers.gender_fit(written, self._gender(c.entity_id))
            ]
            if fit and not rivals and (last.entity_id is not None or last.text):
                return (
                    last.entity_id,
                    written if last.entity_id else last.text,
                    (0.7 if fit == 2 else 0.45),
                )
        fitting = [c for c in named if speakers.gender_fit(written, self._gender(c.entity_id))]
        if fitting:
            # The subject of the sentence that names the nearest fitting person is more likely
            # meant than its object ("Starmer met Macron. “…,” he said": Starmer).
            nearest = fitting[0]
            sentence = body.rfind("\n", 0, nearest.start) + 1
            for stop in _SENTENCE_STOP.finditer(
                body, max(sentence, nearest.start - 400), nearest.start
            ):
                sentence = stop.end()
            fitting = [c for c in reversed(fitting) if c.start >= sentence][:1]
        for candidate in fitting:
            fit = speakers.gender_fit(written, self._gender(candidate.entity_id))
            if candidate.entity_id is None:
                # Someone the KB does not know (a name, a titled name): the name as written.
                return None, candidate.text or body[candidate.start : candidate.end], 0.45
            return candidate.entity_id, written, 0.65 if fit == 2 else 0.45
        return None

    def _title(self, speaker: _Speaker, written: str) -> tuple[int | None, str, float] | None:
        match = speakers.TITLE_ALONE.fullmatch(written)
        if match is None:
            return None
        heads = speakers.title_heads(match.group("head"))
        adjective = match.group("adj")
        # "the French president": only a title that says French.
        country = adjective if adjective and adjective[:1].isupper() else None
        people = self.people
        index = bisect.bisect_left(people.titled_starts, speaker.start) - 1
        for mention in reversed(people.titled[max(0, index - 20) : index + 1]):
            title = mention.title
            if mention.end > speaker.start or people.in_quote(mention.start):
                continue
            written_title = self.body[title.start : title.end]
            if country is not None and country.lower() not in written_title.lower():
                continue
            if speakers.title_matches(written_title, heads):
                if mention.entity_id is None:
                    return None, self.body[mention.start : mention.end], 0.5
                return mention.entity_id, written, 0.7
        if self.reference is None or len(heads) != 1:
            return None
        office = speakers.office_for_title(self.kb, next(iter(heads)), adjective)
        if office is None:
            return None
        holder = self.kb.holder(office, self.reference)
        return (holder, written, 0.5) if holder is not None else None


# --- the quotes -------------------------------------------------------------------------------


def find(
    body: str,
    *,
    sentences: list[tuple[int, int]],
    mentions: list[MentionFound],
    people_kb: PeopleKB | None = None,
    reference: dt.date | None = None,
    groups: list[list[_Segment]] | None = None,
) -> list[QuoteFound]:
    """Quotes in text order. `people_kb`: genders and office holders for pronouns and titles
    alone; `reference`: the date a title alone is resolved at (the publication date); `groups`:
    quote_groups(body), when the caller has them already."""
    groups = list(quote_groups(body) if groups is None else groups)
    spans = sorted((s.inner_start, s.inner_end) for g in groups for s in g)
    groups.extend(_block_quotes(body, spans))
    if not groups:
        return []
    groups.sort(key=lambda g: g[0].inner_start)
    spans = sorted((s.inner_start, s.inner_end) for g in groups for s in g)
    people = _People(body, mentions, spans)
    resolver = _Resolver(body, people, people_kb or speakers.EMPTY, reference)
    sentence_starts = [s for s, _ in sentences]
    quotes: list[QuoteFound] = []
    previous_close = -1
    previous: QuoteFound | None = None
    last_said: _Said | None = None
    for index, group in enumerate(groups):
        inners = [_inner(body, s.inner_start, s.inner_end) for s in group]
        if not any(inners):
            continue
        first, final = group[0], group[-1]
        line_start = body.rfind("\n", 0, first.open) + 1
        close = final.close_end if final.close_end is not None else final.inner_end
        line_end = body.find("\n", close)
        line_end = len(body) if line_end < 0 else line_end
        speaker, verb = None, None
        if not first.block:
            window_start = max(
                _sentence_start(sentence_starts, first.open), line_start, previous_close + 1
            )
            next_open = groups[index + 1][0].open if index + 1 < len(groups) else len(body)
            stop = _END_OF_CLAUSE.search(body, close, min(line_end, next_open))
            window_end = stop.end() if stop else min(line_end, next_open)
            closing = body[final.inner_end - 1] if final.inner_end > 0 else ""
            after_first = final.close_end is not None and (
                closing in ",?!—–-" or body[close : close + 1] == ","
            )
            if after_first:
                speaker, verb = _attribution_after(body, people, close, window_end)
            if verb is None:
                speaker, verb = _attribution_before(
                    body,
                    people,
                    window_start,
                    first.open,
                    max(_sentence_start(sentence_starts, first.open), line_start),
                )
            if (
                verb is None
                and not after_first
                and final.close_end is not None
                and closing not in ".!?…"
                and body[close : close + 1] not in (".", ":", ";")
            ):  # a partial quote inside a sentence attributed at its end
                speaker, verb = _attribution_after(body, people, close, window_end, adjacent=False)
            if verb is None and final.close_end is not None:
                speaker, verb = _signature(body, people, close, line_end)
            if verb is None:
                speaker, verb = _name_colon(body, people, line_start, first.open)
            # A quote over several paragraphs may be attributed inside a later one.
            for segment in group[1:]:
                if verb is not None:
                    break
                seg_line = body.rfind("\n", 0, segment.open) + 1
                speaker, verb = _attribution_before(body, people, seg_line, segment.open)
        lead_in = None
        if verb is None and (
            first.block
            or body[line_start : first.open].strip(" \t-•*–—") == ""
            or _LIST_ITEM.match(body, line_start)
        ):
            lead_in = _lead_in(
                body, line_start, item=_LIST_ITEM.match(body, line_start) is not None
            )
            if lead_in is not None:
                speaker, verb = _attribution_before(body, people, lead_in[0], lead_in[1])
                if verb is not None and (speaker is None or speaker.kind == "phrase"):
                    # "Further comments from the Prime Minister:": whoever the lead-in names.
                    named = [
                        c
                        for c in people.in_range(verb[1], lead_in[1])
                        if c.kind in ("person", "title", "name")
                    ]
                    speaker = named[-1] if named else None
        continued = False
        if (
            verb is None
            and previous is not None
            and previous.speaker_confidence
            and last_said is not None
            and (
                previous_close >= line_start
                or (
                    # A paragraph that is only a quote, after one that ended with a quote.
                    body[line_start : first.open].strip() == ""
                    and body[close:line_end].strip() == ""
                    and _previous_paragraph_ends_with_quote(body, line_start, previous_close)
                )
            )
            and not people.speaking_between(
                max(previous_close, previous.attribution_end or 0), first.open
            )
        ):
            continued = True
        previous_close = close
        if (
            verb is None
            and not continued
            and len(group) == 1
            and not _looks_like_speech(body, *(inners[0] or (0, 0)))
        ):
            continue
        for inner in inners:
            if inner is None:
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
                quote = _quote(body, inner, speaker, verb, resolver, last_said)
                if lead_in is not None and quote.speaker_confidence:
                    quote = _scaled(quote, 0.9)
            quotes.append(quote)
        previous = quotes[-1] if quotes else None
        if (
            previous is not None
            and previous.speaker_confidence
            and (previous.speaker_id is not None or previous.speaker_text)
        ):
            last_said = _Said(
                previous.speaker_id,
                previous.speaker_text,
                previous.speaker_confidence,
                previous.attribution_end or close,
                close,
            )
    return quotes


def _previous_paragraph_ends_with_quote(body: str, line_start: int, previous_close: int) -> bool:
    """The paragraph before this one ends with the previous quote (and its attribution)."""
    before = body.rfind("\n", 0, max(0, line_start - 1))
    while before > 0 and body[before - 1] == "\n":
        before -= 1
    return previous_close > before


def _scaled(quote: QuoteFound, factor: float) -> QuoteFound:
    return QuoteFound(
        quote.start,
        quote.end,
        quote.speaker_id,
        quote.speaker_text,
        round((quote.speaker_confidence or 0) * factor, 2),
        quote.attribution_start,
        quote.attribution_end,
        quote.verb,
        quote.confidence,
        quote.source_text,
    )


def _quote(
    body: str,
    inner: tuple[int, int],
    speaker: _Speaker | None,
    verb: tuple[int, int] | None,
    resolver: _Resolver,
    last: _Said | None,
) -> QuoteFound:
    attribution: tuple[int, int] | None = None
    if verb is not None:
        attribution = verb
        if speaker is not None:
            start, end = min(speaker.start, verb[0]), max(speaker.end, verb[1])
            if end - start <= MAX_ATTRIBUTION:
                attribution = (start, end)
    resolved = resolver.resolve(speaker, last) if speaker is not None else None
    source = body[speaker.start : speaker.end] if speaker and speaker.kind == "source" else ""
    entity_id, text, confidence = resolved if resolved else (None, "", None)
    return QuoteFound(
        inner[0],
        inner[1],
        entity_id,
        text,
        round(confidence, 2) if confidence is not None else None,
        attribution[0] if attribution else None,
        attribution[1] if attribution else None,
        body[verb[0] : verb[1]].strip(" —–-:").lower() if verb else "",
        0.9 if resolved and verb else (0.7 if verb else 0.4),
        source,
    )


def _sentence_start(starts: list[int], position: int) -> int:
    index = bisect.bisect_right(starts, position) - 1
    return starts[index] if index >= 0 else 0


def _looks_like_speech(body: str, start: int, end: int) -> bool:
    """An unattributed quote is kept when it reads like a statement, not a scare-quoted term."""
    text = body[start:end]
    return len(text.split()) >= 5 and text[:1].isupper()
