"""Who is speaking, when the attribution does not name the speaker: a pronoun ("she said"), a
title alone ("the Prime Minister said", "the head of state"), and what is never a speaker (a
dateline "NEW DELHI —", a source organisation "according to The Washington Post").

What it needs from the knowledge base (people's gender, who held which office when) is in
`PeopleKB`, built once per KB state beside the mention index (selectors.kb_people_current). Every
resolution here is a guess the text does not spell out, so each comes with a confidence below that
of a named speaker, and a case the rules cannot settle gives no speaker rather than a wrong one."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from apps.extraction.titles import TitleIndex, lower

MALE, FEMALE, OTHER = "male", "female", "other"


@dataclass
class PeopleKB:
    """Genders of people (Wikidata P21; "" when unknown) and the holders of offices over time."""

    genders: dict[int, str] = field(default_factory=dict)
    # office → [(start, end, person)]; end None while in office
    holders: dict[int, list[tuple[dt.date | None, dt.date | None, int]]] = field(
        default_factory=dict
    )
    # title head ("prime minister") → [(country key or None, office)]
    offices_by_head: dict[str, list[tuple[str | None, int]]] = field(default_factory=dict)
    country_of: dict[str, str] = field(default_factory=dict)
    fingerprint: tuple = ()

    @classmethod
    def build(
        cls,
        *,
        genders: Iterable[tuple[int, str]],
        tenures: Iterable[tuple[int, int, dt.date | None, dt.date | None]],
        office_signatures: dict[int, set[tuple[str, str | None]]] | None = None,
        country_of: dict[str, str] | None = None,
        fingerprint: tuple = (),
    ) -> PeopleKB:
        """genders: (person, gender); tenures: (person, office, start, end); office_signatures
        and country_of: those of the mention index (KBIndex), so both read titles alike."""
        holders: dict[int, list] = defaultdict(list)
        for person, office, start, end in tenures:
            holders[office].append((start, end, person))
        by_head: dict[str, list[tuple[str | None, int]]] = defaultdict(list)
        for office, signatures in (office_signatures or {}).items():
            for head, country in signatures:
                by_head[head].append((country, office))
        return cls(
            genders={pk: g for pk, g in genders if g},
            holders=dict(holders),
            offices_by_head=dict(by_head),
            country_of=dict(country_of or {}),
            fingerprint=fingerprint,
        )

    def holder(self, office: int, day: dt.date) -> int | None:
        """The one person in the office on that day, None when nobody or several."""
        found = {
            person
            for start, end, person in self.holders.get(office, ())
            if (start is None or start <= day) and (end is None or day <= end)
        }
        return found.pop() if len(found) == 1 else None


def office_signatures(titles: TitleIndex) -> dict[int, set[tuple[str, str | None]]]:
    """office → {(title head, country key or None)}, read off the title index the mentions and
    the checks use, so that a title alone names the office a written title would."""
    signatures: dict[int, set[tuple[str, str | None]]] = {}
    for (head, country), offices in titles.by_signature.items():
        for office in offices:
            signatures.setdefault(office, set()).add((head, country))
    for head, offices in titles.by_head.items():
        for office in offices:
            if not titles.countries_of.get(office):
                signatures.setdefault(office, set()).add((head, None))
    return signatures


EMPTY = PeopleKB()

# --- pronouns ---------------------------------------------------------------------------------

PRONOUN = re.compile(r"(?<![\w-])(?:[Hh]e|[Ss]he|[Tt]hey)(?![\w’'-])")


def gender_fit(pronoun: str, gender: str) -> int:
    """2: the gender says this pronoun; 1: it may (gender unknown); 0: it does not. "they" is
    taken for one person only when the KB says so (else it is a group: no speaker)."""
    pronoun = pronoun.lower()
    if pronoun == "they":
        return 2 if gender == OTHER else 0
    wanted = MALE if pronoun == "he" else FEMALE
    if gender == wanted:
        return 2
    if gender in ("", OTHER):
        return 1
    return 0


# --- titles alone -----------------------------------------------------------------------------

_HEADS = (
    "prime minister", "deputy prime minister", "president", "vice president", "vice-president",
    "chancellor", "premier", "foreign minister", "foreign secretary", "defence minister",
    "defense minister", "defence secretary", "defense secretary", "finance minister",
    "interior minister", "home secretary", "secretary of state", "secretary-general",
    "secretary general", "king", "queen", "pope", "head of state", "head of government",
)  # fmt: skip
# "the head of state" is whoever was last named with a title of one of these.
_ROLE_HEADS = {
    "head of state": {"president", "king", "queen", "monarch", "emperor", "emir", "sultan"},
    "head of government": {"prime minister", "premier", "chancellor", "taoiseach"},
}
TITLE_ALONE = re.compile(
    r"(?<![\w-])(?:[Tt]he|[Oo]ur|[Hh]is|[Hh]er)\s+"
    r"(?:(?P<adj>U\.S\.|U\.K\.|[A-Z][a-z’'-]+|former|new|outgoing|incoming|acting|interim)\s+)?"
    r"(?P<head>(?i:" + "|".join(sorted(map(re.escape, _HEADS), key=len, reverse=True)) + r"))"
    r"(?![\w-])(?!\s+(?:of\s+(?!state\b|government\b)|[A-Z]))"
)


def head_key(text: str) -> str:
    return " ".join(lower(text).replace("-", " ").replace("defense", "defence").split())


def title_heads(head: str) -> set[str]:
    key = head_key(head)
    return _ROLE_HEADS.get(key, {key})


def title_matches(title_text: str, heads: set[str]) -> bool:
    """Does a written title ("British Prime Minister", "former President") end with one of the
    heads?"""
    key = head_key(title_text)
    return any(key == h or key.endswith(" " + h) for h in heads)


def office_for_title(kb: PeopleKB, head: str, adjective: str | None) -> int | None:
    """The one office a title alone can name in the KB, with its country when written ("the
    British prime minister"); None when several offices share the title."""
    offices = kb.offices_by_head.get(head_key(head), [])
    if adjective:
        country = kb.country_of.get(lower(adjective))
        if country is not None:
            offices = [o for o in offices if o[0] == country]
    found = {office for _, office in offices}
    return found.pop() if len(found) == 1 else None


# --- never speakers ---------------------------------------------------------------------------

# "NEW DELHI —", "LONDON (Reuters) -", "KYIV, Ukraine (AP) —" at the start of a paragraph.
DATELINE = re.compile(
    r"(?m)^[A-Z]{2}[A-Z.'’-]*(?:[ -][A-Z]{2}[A-Z.'’-]*)*"
    r"(?:,\s*[A-Z][\w.]*(?: [A-Z][\w.]*){0,2})?\s*(?:\([^)\n]{1,40}\)\s*)?[—–-]{1,2}\s+"
)

_MEDIA_WORDS = (
    r"Post|Times|News|Journal|Herald|Tribune|Guardian|Telegraph|Independent|Gazette|Agency|"
    r"Press|Reuters|Bloomberg|Politico|Axios|Associated|Ministry|Department|Office|Institute|"
    r"Council|Commission|Committee|Bureau|Service|Agency|Bank|Fund|Group|Foundation|Centre|"
    r"Center|Network|Broadcasting|Television|Radio|Daily|Weekly|Magazine|Economist|Statistics"
)
# After "according to": a publication or a body, not a person ("The Washington Post", "AFP",
# "the Defence Ministry", "Reuters").
SOURCE_ORGANISATION = re.compile(
    r"(?:[Tt]he\s+)?(?:[A-Z][\w.&’'-]*\s+){0,4}(?:" + _MEDIA_WORDS + r")(?![\w-])"
    r"|(?:[Tt]he\s+)?[A-Z]{2,6}(?![\w-])"
    r"|[Tt]he\s+(?:[A-Z][\w.&’'-]*\s+){0,3}[A-Z][\w.&’'-]*"
)
