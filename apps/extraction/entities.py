"""Mentions of knowledge-base entities, with the titles of office written in front of people.

One Aho–Corasick automaton holds every label and alias of the KB, the surnames of people, and
the titles of office (office names and aliases, title heads such as "President"). It is built
once per KB state (see selectors.kb_index_current) and run once over the text; matches are kept
on word boundaries, leftmost-longest first ("Keir Starmer" is one mention, not "Keir" and
"Starmer"), names in the case they are written in the KB, titles in any case. A surname alone
("Starmer", "Trump’s") links to the person last named in full in the article, or to the only
person of the KB with that surname."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

import ahocorasick

from apps.extraction import titles
from apps.extraction.titles import lower

PERSON = "person"
OFFICE = "office"

_PARTICLES = {"van", "von", "der", "den", "de", "da", "di", "del", "du", "la", "le", "bin", "al"}
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
NOT_A_NAME = {
    "The", "A", "An", "In", "On", "At", "Of", "He", "She", "They", "It", "His", "Her", "Their",
    "This", "That", "These", "Those", "And", "But", "Or", "As", "If", "When", "While", "After",
    "Before", "Since", "For", "From", "To", "With", "By", "Monday", "Tuesday", "Wednesday",
    "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May",
    "June", "July", "August", "September", "October", "November", "December",
}  # fmt: skip
_UNLINKED_NAME = re.compile(
    r"[A-Z][\w’'-]*(?: (?:[A-Z][\w’'-]*|van|von|der|den|de|da|di|del|du|bin|al))*"
)
_KIND_ORDER = {PERSON: 0, "place": 1, "organisation": 2, OFFICE: 3, "other": 4}


@dataclass(frozen=True, slots=True)
class TitleFound:
    start: int
    end: int
    modifier: str
    office_id: int | None
    confidence: float


@dataclass(frozen=True, slots=True)
class MentionFound:
    start: int
    end: int
    entity_id: int | None
    kind: str
    confidence: float
    title: TitleFound | None = None


@dataclass
class KBIndex:
    """Everything extraction needs from the KB, in memory. Built by `build` from plain rows."""

    automaton: ahocorasick.Automaton | None
    kinds: dict[int, str]
    labels: dict[int, str]
    country_of: dict[str, str]
    # person → [(office, tenure start)] in start order
    person_offices: dict[int, list[tuple[int, dt.date | None]]]
    # The wordings of the offices' titles (shared with the checks, see titles.TitleIndex).
    titles: titles.TitleIndex = field(default_factory=titles.TitleIndex)
    fingerprint: tuple = field(default=())

    @classmethod
    def build(
        cls,
        *,
        entities: list[tuple[int, str, str]],
        aliases: list[tuple[int, str]],
        tenures: list[tuple[int, int, dt.date | None]],
        fingerprint: tuple = (),
        demonyms: dict[int, list[str]] | None = None,
        jurisdictions: dict[int, int] | None = None,
    ) -> KBIndex:
        """entities: (id, kind, label); aliases: (entity id, alias); tenures: (person, office,
        start); demonyms: place id → its demonyms ("German"); jurisdictions: office id → place id."""
        kinds = {pk: kind for pk, kind, _ in entities}
        labels = {pk: label for pk, _, label in entities}
        names: dict[int, set[str]] = defaultdict(set)
        for pk, _, label in entities:
            names[pk].add(" ".join(label.split()))
        for pk, alias in aliases:
            if pk in kinds:
                names[pk].add(" ".join(alias.split()))

        jurisdictions = {o: p for o, p in (jurisdictions or {}).items() if p in kinds}
        place_ids = {pk for pk, kind in kinds.items() if kind == "place"} | set(
            jurisdictions.values()
        )
        index = titles.TitleIndex.build(
            offices={
                pk: [labels[pk], *sorted(names[pk] - {labels[pk]})]
                for pk, kind in kinds.items()
                if kind == OFFICE
            },
            places={
                pk: [labels[pk], *sorted(names[pk] - {labels[pk]}), *(demonyms or {}).get(pk, [])]
                for pk in place_ids
            },
            jurisdictions=jurisdictions,
        )

        person_offices: dict[int, list[tuple[int, dt.date | None]]] = defaultdict(list)
        for person, office, start in sorted(tenures, key=lambda t: (t[2] or dt.date.min, t[1])):
            person_offices[person].append((office, start))

        keys: dict[str, dict[str, list]] = defaultdict(lambda: {"e": [], "s": [], "t": []})
        for pk, kind in kinds.items():
            for name in names[pk]:
                if len(name) < 2 or name.isdigit():
                    continue
                keys[lower(name)]["e"].append((pk, _forms(name)))
                if kind == OFFICE:
                    keys[lower(name)]["t"].append(pk)
        heads = index.heads() | {titles.title_key(h) for h in titles.GENERIC_HEADS}
        for head in heads:
            for variant in _surface_forms(head):
                keys[variant]["t"].append(None)
        for written in titles.ABBREVIATED_TITLES:
            keys[lower(written)]["t"].append(None)
        surnames: dict[str, list[tuple[int, frozenset[str]]]] = defaultdict(list)
        for pk, kind in kinds.items():
            if kind != PERSON:
                continue
            for name in names[pk]:
                surname = _surname(name)
                if surname:
                    surnames[lower(surname)].append((pk, _forms(surname)))
        for key, people in surnames.items():
            entry = keys[key]
            if entry["e"]:
                continue  # an explicit alias wins over a guessed surname
            entry["s"].extend(people)

        automaton = ahocorasick.Automaton()
        for key, entry in keys.items():
            if not (entry["e"] or entry["s"] or entry["t"]):
                continue
            automaton.add_word(
                key,
                (
                    len(key),
                    _grouped(entry["e"], kinds),
                    _grouped(entry["s"], kinds),
                    tuple(sorted({pk for pk in entry["t"] if pk is not None})) or bool(entry["t"]),
                ),
            )
        automaton.make_automaton()
        return cls(
            automaton=automaton if len(automaton) else None,
            kinds=kinds,
            labels=labels,
            country_of=index.country_of,
            person_offices=dict(person_offices),
            titles=index,
            fingerprint=fingerprint,
        )

    def name_ids(self, name: str) -> tuple[int, ...]:
        """The entities whose label or alias is exactly this name (as written)."""
        if self.automaton is None:
            return ()
        entry = self.automaton.get(lower(name), None)
        if entry is None or not entry[1]:
            return ()
        return _accepted(entry[1], name)


def _surface_forms(head: str) -> set[str]:
    """How a title head (a title_key) can be written: "secretary general" is also
    "secretary-general", "defence minister" also "defense minister"."""
    forms = {head, head.replace(" ", "-")}
    if "defence" in head:
        forms |= {f.replace("defence", "defense") for f in forms}
    if "labour" in head:
        forms |= {f.replace("labour", "labor") for f in forms}
    return {f for f in forms if len(f) > 2}


def _forms(name: str) -> frozenset[str]:
    """The spellings accepted for a name: as written in the KB, and with a capital first
    letter (a lower-case alias at the start of a sentence)."""
    return frozenset({name, name[:1].upper() + name[1:]})


def _surname(name: str) -> str | None:
    words = name.split(" ")
    while len(words) > 2 and words[-1].lower() in _SUFFIXES:
        words = words[:-1]
    if len(words) < 2:
        return None
    for i, word in enumerate(words[1:], start=1):
        if word.lower() in _PARTICLES and i < len(words) - 1:
            surname = " ".join(words[i:])
            break
    else:
        surname = words[-1]
    if len(surname) < 3 or not surname[:1].isupper() or surname.endswith("."):
        return None
    return surname


def _grouped(entries: list[tuple[int, frozenset[str]]], kinds: dict[int, str]) -> tuple:
    """((accepted spellings, ids in preference order), ...): entities sharing a key usually
    share its spellings too, so a title alias of thousands of offices is one group."""
    by_forms: dict[frozenset[str], set[int]] = defaultdict(set)
    for pk, forms in entries:
        by_forms[forms].add(pk)
    return tuple(
        (forms, tuple(sorted(ids, key=lambda pk: (_KIND_ORDER.get(kinds[pk], 9), pk))))
        for forms, ids in sorted(by_forms.items(), key=lambda item: sorted(item[0]))
    )


def _accepted(groups: tuple, text: str) -> tuple[int, ...]:
    if len(groups) == 1:
        forms, ids = groups[0]
        return ids if text in forms else ()
    ids: list[int] = []
    for forms, group_ids in groups:
        if text in forms:
            ids.extend(pk for pk in group_ids if pk not in ids)
    return tuple(ids)


@dataclass(slots=True)
class _Match:
    start: int
    end: int
    names: tuple[int, ...]  # entities whose spelling matches, in preference order
    surnames: tuple[int, ...]  # people whose surname matches
    titles: tuple | bool  # offices whose own name this is, else whether it is a title head


def _matches(body: str, kb: KBIndex) -> list[_Match]:
    if kb.automaton is None:
        return []
    low = lower(body)
    length = len(body)
    found: list[_Match] = []
    for end_index, (size, names, surnames, title_entries) in kb.automaton.iter(low):
        start, end = end_index - size + 1, end_index + 1
        if (start > 0 and body[start - 1].isalnum()) or (end < length and body[end].isalnum()):
            continue
        text = body[start:end]
        ok_names = _accepted(names, text) if names else ()
        ok_surnames = _accepted(surnames, text) if surnames else ()
        if ok_names or ok_surnames or title_entries:
            found.append(_Match(start, end, ok_names, ok_surnames, title_entries))
    found.sort(key=lambda m: (m.start, m.start - m.end))
    return found


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _line_start(body: str, position: int) -> int:
    return body.rfind("\n", 0, position) + 1


def find(body: str, kb: KBIndex, *, skip: list[tuple[int, int]] = ()) -> list[MentionFound]:
    """Entity mentions in text order. `skip`: spans already taken (dates: "May 5" is no Theresa May)."""
    selected: list[_Match] = []
    taken_until = -1
    for match in _matches(body, kb):
        if match.start < taken_until or _overlaps(match.start, match.end, list(skip)):
            continue
        selected.append(match)
        taken_until = match.end

    mentions: list[MentionFound] = []
    seen_people: list[int] = []
    by_start = {m.start: m for m in selected}
    blocked_until = -1
    for match in selected:
        if match.start < blocked_until:
            continue  # the name of a titled person, already taken
        if match.titles:
            titled = _titled(body, kb, match, by_start, seen_people, skip)
            if titled is not None:
                title = titled.title
                # Drop a country mention the title absorbed ("UK" in "UK Prime Minister").
                while mentions and title is not None and mentions[-1].end > title.start:
                    mentions.pop()
                mentions.append(titled)
                blocked_until = titled.end
                continue
        mention = _plain(match, kb, seen_people)
        if mention is not None:
            mentions.append(mention)
    return mentions


def _plain(match: _Match, kb: KBIndex, seen_people: list[int]) -> MentionFound | None:
    if match.names:
        entity_id, confidence = _choose(match.names, kb, seen_people)
        if entity_id is None:
            if kb.kinds.get(match.names[0]) == PERSON:  # people come first
                return MentionFound(match.start, match.end, None, PERSON, confidence)
            return None
        kind = kb.kinds.get(entity_id, "other")
        if kind == PERSON:
            seen_people.append(entity_id)
        return MentionFound(match.start, match.end, entity_id, kind, confidence)
    if match.surnames:
        person, confidence = _surname_person(match, seen_people)
        if person is not None:
            seen_people.append(person)
        return MentionFound(match.start, match.end, person, PERSON, confidence)
    return None


def _people_first(ids: tuple[int, ...], kb: KBIndex) -> list[int]:
    """The people among ids (they come first: ids are in preference order)."""
    people = []
    for pk in ids:
        if kb.kinds.get(pk) != PERSON:
            break
        people.append(pk)
    return people


def _choose(ids: tuple[int, ...], kb: KBIndex, seen_people: list[int]) -> tuple[int | None, float]:
    """The entity a name shared by several stands for: the person named last before it, else
    the only person among them; a bare office title alone ("the President") is no mention."""
    if len(ids) == 1:
        return ids[0], 0.95
    people = _people_first(ids, kb)
    for pk in reversed(seen_people):
        if pk in people:
            return pk, 0.8
    if len(people) == 1:
        return people[0], 0.6
    return None, 0.4


def _surname_person(match: _Match, seen_people: list[int]) -> tuple[int | None, float]:
    people = match.surnames
    for pk in reversed(seen_people):
        if pk in people:
            return pk, 0.9
    if len(people) == 1:
        return people[0], 0.7
    return None, 0.4


# Ranks and honorifics written between a title and the name ("Chief of the Defence Staff Admiral
# Sir Tony Radakin"): part of neither.
_HONORIFICS = re.compile(
    r"(?:(?:(?:Vice |Rear )?Admiral|Adm\.|(?:Lieutenant |Major |Brigadier )?General|Gen\.|"
    r"Lt\.? Gen\.|Maj\.? Gen\.|Brig\.? Gen\.|Brigadier|(?:Air Chief |Air |Field )?Marshal|"
    r"Colonel|Col\.|Captain|Capt\.|Commander|Cmdr\.|Sir|Dame|Lord|Lady|Baroness|Baron|"
    r"Dr\.?|Prof\.?|Professor|Rev\.?|Reverend|Mr\.?|Mrs\.?|Ms\.?|Sheikh|Cardinal|"
    r"Archbishop|Judge|Justice|Rabbi|Ambassador|(?:the )?Rt\.? Hon\.?|Hon\.) )+"
)
# A nickname in quote marks inside a name: Boris “BoJo” Johnson.
_NICKNAME = re.compile(
    r"([A-Z][\w’'-]+(?: [A-Z][\w’'-]+)?) [“\"‘'][^“”\"‘’'\n]{1,40}[”\"’'] ([A-Z][\w’'-]+)"
)
_CONFIDENCE = {"named": 0.95, "held": 0.9}


def _name_at(
    body: str, kb: KBIndex, position: int, by_start: dict[int, _Match], seen_people: list[int]
) -> tuple[int | None, float, int] | None:
    """The KB person whose name starts at `position`: (id, confidence, end), or None."""
    name_match = by_start.get(position)
    if name_match is not None and (name_match.surnames or name_match.names):
        people = _people_first(name_match.names, kb)
        if people:
            person, confidence = _choose(tuple(people), kb, seen_people)
        elif name_match.surnames:
            person, confidence = _surname_person(name_match, seen_people)
        else:
            return None
        return person, confidence, name_match.end
    nickname = _NICKNAME.match(body, position)
    if nickname is not None:
        people = _people_first(kb.name_ids(f"{nickname.group(1)} {nickname.group(2)}"), kb)
        if people:
            person, confidence = _choose(tuple(people), kb, seen_people)
            return person, confidence, nickname.end()
    return None


def _titled(
    body: str,
    kb: KBIndex,
    title: _Match,
    by_start: dict[int, _Match],
    seen_people: list[int],
    skip,
) -> MentionFound | None:
    """A title followed by a name: the person's mention carrying the title."""
    if body[title.end : title.end + 1] != " ":
        return None
    name_start = title.end + 1
    honorifics = _HONORIFICS.match(body, name_start)
    starts = [name_start] + ([honorifics.end()] if honorifics else [])
    person: int | None = None
    confidence = 0.5
    linked = None
    for start in starts:
        name_match = by_start.get(start)
        if name_match is not None and name_match.names and not _people_first(name_match.names, kb):
            if not name_match.surnames:
                return None  # "President Ukraine": not a person
        linked = _name_at(body, kb, start, by_start, seen_people)
        if linked is not None:
            name_start = start
            person, confidence, name_end = linked
            break
    if linked is None:
        name_start = starts[-1]
        unlinked = _UNLINKED_NAME.match(body, name_start)
        if unlinked is None:
            return None
        words = unlinked.group(0).split(" ")
        while words and (words[-1][:1].islower() or words[-1] in NOT_A_NAME):
            words.pop()
        if not words or words[0] in NOT_A_NAME:
            return None
        text = " ".join(words)
        for suffix in ("’s", "'s"):
            text = text.removesuffix(suffix)
        name_end = name_start + len(text)
        if _overlaps(name_start, name_end, list(skip)):
            return None
    line_start = _line_start(body, title.start)
    country, title_start = titles.country_before(body, title.start, kb.country_of, line_start)
    modifier, modifier_start = titles.modifier_before(body, title_start)
    text = body[title.start : title.end]
    # A title in lower case ("current president Joe Biden", "finance minister") counts in front
    # of a name the KB knows; a short one ("pm") only when written as the abbreviation.
    lower_ok = person is not None and len(text) > 4
    if not (text[:1].isupper() or modifier or country or lower_ok):
        return None
    after = None if country else titles.country_after_name(body, name_end, kb.country_of)
    held = [office for office, _ in kb.person_offices.get(person, [])] if person else []
    resolution = kb.titles.resolve(body[title_start : title.end], held=held, country=after)
    if person is not None:
        seen_people.append(person)
    return MentionFound(
        name_start,
        name_end,
        person,
        PERSON,
        confidence,
        TitleFound(
            title_start,
            title.end,
            modifier,
            resolution.office,
            _CONFIDENCE.get(resolution.how, 0.5),
        ),
    )
