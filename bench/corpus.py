"""A reproducible corpus of news articles about the people in the knowledge base, with the ground
truth the extraction and checks benchmarks are scored against.

    DEBUG=1 .venv/bin/python manage.py generate_corpus --articles 10000 --seed 1 [--kb-entities 10000]

Article i of seed S is a pure function of (S, i) and the knowledge base: it mentions KB people
with titles of office that are right or deliberately wrong (an office the person never held,
"former" for a sitting holder, a title at a date outside the tenure), direct quotes in several
attribution patterns, dates and numbers. Each article is stored with external_id
"corpus:<S>:<i>", revision 1, its ArticleRevision and body_sha256, by bulk inserts (no service,
so no extraction or check task is queued). The truth goes to var/corpus/<S>/truth.jsonl; its rules
are in bench/README.md ("Corpus generator").

Correctness of a title is computed from the KB tenures, never from the intent of the template:
a bare (or "then-") title is correct iff a tenure of that office held by that person contains the
reference date; a "former"/"ex-" title iff one ended on or before the publication date and none
contains it. Reference date: the publication date for "former"/"ex-"; otherwise the date written
in the same sentence, else the article's event date (the one date of the lead paragraph), else the
publication date. To keep the truth exact, only (person, office) pairs whose tenures all have
day-precision known dates are used, and no reference date falls on a tenure's first or last day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MONTHS = (
    "January February March April May June July August September October November December"
).split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
NUMBER_WORDS = "two three four five six seven eight nine ten eleven twelve".split()

PUBLISHED_FROM = dt.date(2012, 1, 1)
PUBLISHED_TO = dt.date(2026, 6, 30)

SOURCES = ("Demo Wire", "Continental Times", "Northern Gazette", "Global Dispatch", "Daily Ledger")

# People who are quoted but are not in the knowledge base (speaker_wikidata_id null).
OUTSIDE_SPEAKERS = (
    ("Anna Lindqvist", "a defence analyst at the Baltic Policy Forum", "she"),
    ("Tomasz Wierzba", "a senior fellow at the Central European Institute", "he"),
    ("Claire Dufresne", "an economist at the Lyon Research Group", "she"),
    ("Mark Ellery", "a spokesman for the Atlantic Security Council", "he"),
    ("Ines Carvalho", "a trade negotiator", "she"),
    ("Jonas Richter", "a researcher at the Hamburg Centre for Strategy", "he"),
    ("Priya Natarajan", "an energy analyst at Meridian Advisory", "she"),
    ("Oleh Savchuk", "a member of the Kyiv city council", "he"),
    ("Helen Marsh", "a former diplomat", "she"),
    ("Samuel Okafor", "a professor of international law", "he"),
)

FEMALE_NAMES = {
    "liz", "giorgia", "mette", "angela", "theresa", "ursula", "kamala", "hillary", "kaja",
    "jacinda", "sanna", "marine", "elisabeth", "nancy", "annalena", "roberta", "yulia",
}  # fmt: skip
MALE_NAMES = {
    "keir", "rishi", "boris", "volodymyr", "petro", "emmanuel", "françois", "donald", "joe",
    "barack", "olaf", "friedrich", "pedro", "vladimir", "justin", "mark", "david", "gordon",
    "tony", "nicolas", "jacques", "dmytro", "andrzej", "mario", "matteo", "sergei",
}  # fmt: skip

TOPICS = (
    "security guarantees",
    "air defence",
    "energy prices",
    "reconstruction funding",
    "sanctions enforcement",
    "border security",
    "defence spending",
    "grain exports",
    "the ceasefire monitoring plan",
    "long-term military aid",
    "cyber defence",
    "the migration pact",
    "critical minerals",
    "the budget framework",
)

ACTIONS = (
    "met counterparts from {n} countries to discuss {topic}",
    "announced a new package on {topic} worth {money}",
    "called for faster progress on {topic}",
    "spoke to reporters after talks in {place}",
    "welcomed the agreement on {topic}",
    "warned that work on {topic} would take years",
    "visited {place} to review {topic}",
    "signed a memorandum on {topic} with {org}",
    "pledged {count} additional {unit} to {place}",
    "defended the government's record on {topic}",
    "chaired a meeting on {topic} with officials from {org}",
    "urged allies in {place} to agree on {topic}",
)

FILLER = (
    "Officials estimate that about {count} {unit} will be needed to meet the plan's goals.",
    "Negotiators worked late into the night on the final text.",
    "A joint statement listed {n} priorities, from air defence to reconstruction.",
    "Markets in {place} reacted calmly, with the main index up {pct} percent.",
    "{Org} said its experts would assess the proposals before any decision.",
    "Trade between {place} and {place2} fell by {pct} percent over the period.",
    "The package includes {money} for equipment and training.",
    "Several delegations asked for more detail on how the costs would be shared.",
    "Diplomats described the atmosphere as businesslike but tense.",
    "According to figures released by {org}, spending rose by {pct} percent.",
    "The plan would station about {count} personnel at {n} sites.",
    "Critics argue that the timetable leaves little room for parliamentary scrutiny.",
    "Public support for the measures stands at {pct} percent, a survey found.",
    "The talks also touched on energy supplies ahead of the winter.",
    "Questions remain over who would command the mission in practice.",
    "Some {count} people were evacuated from the area as a precaution.",
    "{Org} has repeatedly called for an independent investigation.",
    "Officials in {place} declined to comment on the figures.",
)

DATED_FILLER = (
    ("{Org} first proposed the scheme in {date}.", "month"),
    ("The last comparable agreement was signed in {date}.", "year"),
    ("Talks on {topic} stalled in {date} after a dispute over funding.", "month"),
    ("Since {date}, the programme has cost an estimated {money}.", "year"),
    ("A review published in {date} found that {pct} percent of the funds had been spent.", "month"),
    ("The previous round of talks, held on {date}, ended without a deal.", "day"),
    ("Parliament in {place} approved a first tranche on {date}.", "day"),
)

HEADINGS = (
    "Commitments and challenges ahead",
    "What comes next",
    "Reaction at home",
    "Questions over financing",
    "A divided response",
    "The view from the front line",
    "Pressure on the budget",
    "Diplomatic fallout",
)

HEADLINES = (
    "Allies agree new {topic} package after talks in {place}",
    "Leaders meet in {place} as pressure grows over {topic}",
    "{Place} pledges support amid dispute over {topic}",
    "Talks on {topic} end without a breakthrough",
    "New deal on {topic} faces scrutiny in {place}",
    "Officials in {place} signal shift on {topic}",
)

QUOTES = (
    "We determined what forces are needed and how these forces will be operated",
    "This is a significant step, but the hard work starts now",
    "If they are not ready at all, then it is not really a ‘coalition of the willing’",
    "We will not accept any deal that is decided without us",
    "Nobody should be under any illusion about the scale of the task",
    "Our support will last as long as it takes",
    "The money is there, what we need now is speed",
    "We have made real progress, and I want to thank our partners",
    "These are not promises on paper, these are commitments",
    "Security in Europe is indivisible",
    "We are ready to do more, but others must do their share",
    "What matters is what happens on the ground",
    "I told them very clearly that ‘later’ is not an answer",
    "There is no alternative to unity",
    "We cannot allow this to become a frozen conflict",
    "The next weeks will show whether everyone is serious",
    "Every delay costs lives",
    "This agreement sends a strong message to our citizens",
    "We need clarity on who pays for what",
    "Our people expect results, not statements",
    "It was a frank and useful conversation",
    "We will keep working until the job is done",
    "The door remains open for dialogue",
    "No one wants escalation, but we must be prepared",
)

DESCRIBED = (
    "significant step",
    "turning point",
    "serious mistake",
    "good start",
    "historic moment",
    "dangerous gamble",
)

UNITS = ("troops", "instructors", "air defence systems", "vehicles", "experts")
VERBS_BEFORE = ("said", "added", "told reporters", "explained", "insisted")
VERBS_AFTER = ("said", "added", "told reporters", "said in a statement")

SYNTHETIC_PREFIX = "Q97"
UNIT_SIZE = 12  # 2 offices and 10 people per synthetic unit
SYLLABLES_A = "Nor Val Ost Bel Kar Dal Mir Tar Sel Vor Lun Ber Cas Dor Fen Gal Hal Lor Mar Pel Rav Sor Tel Zan".split()  # fmt: skip
SYLLABLES_B = "va ri do la me sa ta ro ne mi ga li ba de ko lu po fi ra ze vi ca to nu".split()
SYLLABLES_C = "nia land ria stan via mark sia dor lia gard".split()
SYN_FIRST_MALE = "Adrian Bruno Casimir Dorian Elias Felix Gustav Henrik Ivo Julian Konrad Leon Marius Nikolai Oskar Pavel Rafael Stefan Tobias Viktor Anton Bastian Cyril Emil Florian".split()  # fmt: skip
SYN_FIRST_FEMALE = "Adela Beatrix Celina Daria Elena Flora Greta Helena Ilona Jana Karina Lena Marta Nadia Olivia Petra Rosa Sabina Tamara Vera Alina Bianca Clara Edita Frida".split()  # fmt: skip
SYN_LAST = (
    "Aldren Brask Corvin Delmar Esken Falkor Gorsky Hallen Ivarsen Jorvik Kastel Lundqvist "
    "Morvan Nesbit Orlov Pradel Quist Rasmund Sorel Tavik Ulven Varga Wexler Yordan Zelnik "
    "Abrell Bodin Carsten Drobny Elling Fassbend Grieg Holm Ilves Janek Korda Lenz Mattern "
    "Novak Olmer Petrak Ronja Strand Teller Udal Vesna Wolter Zoric Amsel Berger Crane Dahl "
    "Eklund Frey Gantz Hoyer Ingram Jessen Kuhl Lindahl Mohr Nyberg Ostrom Palm Reiter Stahl "
    "Tamm Uhl Voss Wendt Yarrow Zeller"
).split()
SYN_OFFICES = (
    ("President of {c}", ["{c} President", "President"]),
    ("Prime Minister of {c}", ["{c} Prime Minister", "Prime Minister"]),
    ("Chancellor of {c}", ["{c} Chancellor", "Chancellor"]),
)
SYN_MINISTRIES = ("Foreign", "Finance", "Defence", "Interior", "Energy", "Trade")


# --- Knowledge base snapshot ------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    start: dt.date
    end: dt.date | None  # None: still in office

    def contains(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass
class Office:
    pk: int
    label: str
    wikidata_id: str | None
    qualified: list[str]  # titles that name only this office ("UK Prime Minister")
    bare: list[str]  # titles several offices share ("Prime Minister")


@dataclass
class Person:
    pk: int
    label: str
    wikidata_id: str | None
    short: str | None  # a one-word alias ending the label ("Starmer"), for later mentions
    pronoun: str | None  # "he" / "she" when the first name tells, else None
    spans: dict[int, list[Span]] = field(default_factory=dict)  # office pk → tenures

    bounds: dict[int, frozenset[dt.date]] = field(default_factory=dict)

    def boundaries(self, office_pk: int) -> frozenset[dt.date]:
        """First and last days of the person's tenures of the office (cached)."""
        days = self.bounds.get(office_pk)
        if days is None:
            found = set()
            for span in self.spans.get(office_pk, ()):
                found.add(span.start)
                if span.end is not None:
                    found.add(span.end)
            days = self.bounds[office_pk] = frozenset(found)
        return days


@dataclass
class Snapshot:
    people: list[Person]
    offices: dict[int, Office]
    places: list[str]
    organisations: list[str]

    def __post_init__(self) -> None:
        self.real_people = [
            p for p in self.people if not (p.wikidata_id or "").startswith(SYNTHETIC_PREFIX)
        ]
        self.office_pks = sorted(
            self.offices,
            key=lambda pk: (self.offices[pk].wikidata_id or "", self.offices[pk].label),
        )

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for person in self.people:
            digest.update(f"{person.wikidata_id}|{person.label}|".encode())
            for office_pk, spans in sorted(person.spans.items()):
                office = self.offices[office_pk]
                digest.update(f"{office.label}|{office.qualified}|{office.bare}|{spans}".encode())
        digest.update("|".join(self.places + self.organisations).encode())
        return digest.hexdigest()


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def load_snapshot() -> Snapshot:
    """The KB as the generator needs it, in an order that does not depend on database ids."""
    from apps.knowledge.models import Entity, EntityAlias, Precision, Tenure

    kinds = dict(Entity.objects.values_list("pk", "kind"))
    labels = {pk: _nfc(label) for pk, label in Entity.objects.values_list("pk", "label")}
    wikidata_ids = dict(Entity.objects.values_list("pk", "wikidata_id"))
    aliases: dict[int, list[str]] = {}
    alias_users: dict[str, set[int]] = {}
    for entity_id, alias, normalized, is_label in EntityAlias.objects.values_list(
        "entity_id", "alias", "normalized", "is_label"
    ).order_by("entity_id", "normalized", "id"):
        if kinds.get(entity_id) == Entity.Kind.OFFICE:
            alias_users.setdefault(normalized, set()).add(entity_id)
        if not is_label:
            aliases.setdefault(entity_id, []).append(_nfc(alias))

    offices: dict[int, Office] = {}
    for pk, kind in kinds.items():
        if kind != Entity.Kind.OFFICE:
            continue
        qualified, bare = [], []
        for alias in aliases.get(pk, []):
            shared = len(alias_users.get(" ".join(alias.casefold().split()), ())) > 1
            if shared or " " not in alias:
                bare.append(alias)
            elif " of " not in alias and "." not in alias.replace("U.S.", ""):
                qualified.append(alias)
        if qualified:
            offices[pk] = Office(pk, labels[pk], wikidata_ids[pk], sorted(qualified), sorted(bare))

    tenures: dict[tuple[int, int], list] = {}
    for row in Tenure.objects.values_list(
        "person_id", "office_id", "start", "start_precision", "end", "end_precision", "end_unknown"
    ):
        tenures.setdefault((row[0], row[1]), []).append(row)
    people: dict[int, Person] = {}
    for (person_pk, office_pk), rows in tenures.items():
        if kinds.get(person_pk) != Entity.Kind.PERSON or office_pk not in offices:
            continue
        exact = all(
            start is not None
            and start_precision == Precision.DAY
            and not end_unknown
            and (end is None or end_precision == Precision.DAY)
            for _, _, start, start_precision, end, end_precision, end_unknown in rows
        )
        if not exact:
            continue  # a title judged against a fuzzy tenure would not have an exact truth
        person = people.get(person_pk)
        if person is None:
            label = labels[person_pk]
            last = label.split()[-1]
            short = last if last in aliases.get(person_pk, []) else None
            first = label.split()[0].casefold()
            pronoun = "she" if first in FEMALE_NAMES else "he" if first in MALE_NAMES else None
            person = people[person_pk] = Person(
                person_pk, label, wikidata_ids[person_pk], short, pronoun
            )
        person.spans[office_pk] = sorted(
            (Span(row[2], row[4]) for row in rows), key=lambda s: s.start
        )
    ordered = sorted(people.values(), key=lambda p: (p.wikidata_id or "", p.label))
    places = sorted(labels[pk] for pk, kind in kinds.items() if kind == Entity.Kind.PLACE) or [
        "the capital"
    ]
    organisations = sorted(
        labels[pk] for pk, kind in kinds.items() if kind == Entity.Kind.ORGANISATION
    ) or ["government"]
    return Snapshot(ordered, offices, places, organisations)


# --- Synthetic knowledge base -----------------------------------------------------------------


def _country(unit: int) -> str:
    a = SYLLABLES_A[unit % len(SYLLABLES_A)]
    b = SYLLABLES_B[(unit // len(SYLLABLES_A)) % len(SYLLABLES_B)]
    c = SYLLABLES_C[(unit // (len(SYLLABLES_A) * len(SYLLABLES_B))) % len(SYLLABLES_C)]
    cycle = unit // (len(SYLLABLES_A) * len(SYLLABLES_B) * len(SYLLABLES_C))
    return a + b + c + (f" {cycle + 1}" if cycle else "")


def _synthetic_person(index: int) -> tuple[str, str]:
    female = index % 2 == 1
    firsts = SYN_FIRST_FEMALE if female else SYN_FIRST_MALE
    first = firsts[(index // 2) % len(firsts)]
    rest = index // (2 * len(firsts))
    last = SYN_LAST[rest % len(SYN_LAST)]
    if rest >= len(SYN_LAST):
        last += "-" + SYN_LAST[(rest // len(SYN_LAST)) % len(SYN_LAST)]
    return f"{first} {last}", ("she" if female else "he")


def synthetic_unit(unit: int) -> dict:
    """Two offices of an invented country and ten people who held them, as plain data. Unit u
    is the same whatever else is in the KB, so growing --kb-entities only adds units."""
    rng = random.Random(f"factdesk-synthetic-unit:{unit}")
    country = _country(unit)
    head_label, head_aliases = SYN_OFFICES[unit % len(SYN_OFFICES)]
    ministry = SYN_MINISTRIES[unit % len(SYN_MINISTRIES)]
    offices = [
        {
            "qid": f"{SYNTHETIC_PREFIX}{unit:06d}00",
            "label": head_label.format(c=country),
            "aliases": [a.format(c=country) for a in head_aliases],
        },
        {
            "qid": f"{SYNTHETIC_PREFIX}{unit:06d}01",
            "label": f"{ministry} Minister of {country}",
            "aliases": [f"{country} {ministry} Minister", f"{ministry} Minister"],
        },
    ]
    people = []
    for slot in range(10):
        label, pronoun = _synthetic_person(unit * 10 + slot)
        people.append({"qid": f"{SYNTHETIC_PREFIX}{unit:06d}{slot + 2:02d}", "label": label})
    tenures = []
    for office_index, order in ((0, list(range(10))), (1, rng.sample(range(10), 10))):
        day = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(0, 2000))
        for position, slot in enumerate(order):
            length = dt.timedelta(days=rng.randrange(400, 2900))
            end: dt.date | None = day + length
            if end >= dt.date(2026, 3, 1) or position == len(order) - 1:
                end = None if rng.random() < 0.85 else min(day + length, dt.date(2026, 3, 1))
            tenures.append(
                {
                    "person": people[slot]["qid"],
                    "office": offices[office_index]["qid"],
                    "start": day,
                    "end": end,
                    "statement_id": f"{people[slot]['qid']}$synthetic-{office_index}",
                }
            )
            if end is None or end >= dt.date(2026, 3, 1):
                break
            day = end
    return {"offices": offices, "people": people, "tenures": tenures}


def synthetic_kb_ensure(*, total_entities: int) -> int:
    """Add synthetic units until the KB has at least `total_entities` entities. Bulk inserts;
    returns the number of entities created. Idempotent."""
    from django.db import transaction

    from apps.knowledge.models import AliasOrigin, Entity, EntityAlias, Tenure, normalize_alias

    others = Entity.objects.exclude(wikidata_id__startswith=SYNTHETIC_PREFIX).count()
    units = max(0, -(-(total_entities - others) // UNIT_SIZE))
    created = 0
    for first in range(0, units, 200):
        batch = [synthetic_unit(u) for u in range(first, min(units, first + 200))]
        qids = [e["qid"] for unit in batch for e in unit["offices"] + unit["people"]]
        present = set(
            Entity.objects.filter(wikidata_id__in=qids).values_list("wikidata_id", flat=True)
        )
        batch = [u for u in batch if u["offices"][0]["qid"] not in present]
        if not batch:
            continue
        with transaction.atomic():
            rows = []
            for unit in batch:
                for office in unit["offices"]:
                    rows.append(
                        Entity(wikidata_id=office["qid"], label=office["label"], kind="office")
                    )
                for person in unit["people"]:
                    rows.append(
                        Entity(wikidata_id=person["qid"], label=person["label"], kind="person")
                    )
            Entity.objects.bulk_create(rows, batch_size=1000)
            pks = dict(
                Entity.objects.filter(wikidata_id__in=[r.wikidata_id for r in rows]).values_list(
                    "wikidata_id", "pk"
                )
            )
            aliases = []
            for unit in batch:
                for entity in unit["offices"] + unit["people"]:
                    names = [entity["label"], *entity.get("aliases", [])]
                    for position, name in enumerate(names):
                        aliases.append(
                            EntityAlias(
                                entity_id=pks[entity["qid"]],
                                alias=name,
                                normalized=normalize_alias(name),
                                is_label=position == 0,
                                origin=AliasOrigin.IMPORT,
                            )
                        )
            EntityAlias.objects.bulk_create(aliases, batch_size=1000)
            Tenure.objects.bulk_create(
                [
                    Tenure(
                        person_id=pks[t["person"]],
                        office_id=pks[t["office"]],
                        start=t["start"],
                        end=t["end"],
                        statement_id=t["statement_id"],
                    )
                    for unit in batch
                    for t in unit["tenures"]
                ],
                batch_size=1000,
            )
        created += len(rows)
    return created


# --- Article text -----------------------------------------------------------------------------


def date_text(day: dt.date, rng: random.Random, *, precision: str = "day") -> str:
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    if rng.random() < 0.5:
        return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


class Body:
    """The article text as it is built, with the offsets (code points) of what it records."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.titles: list[dict] = []
        self.quotes: list[dict] = []
        self.dates: list[dict] = []

    def add(self, text: str) -> tuple[int, int]:
        start = self.pos
        self.parts.append(text)
        self.pos += len(text)
        return start, self.pos

    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class Title:
    person: Person
    office: Office
    title: str
    modifier: str  # "", "former", "ex", "then"
    reference: dt.date
    correct: bool
    error: str | None


def judge(person: Person, office_pk: int, modifier: str, reference: dt.date, published: dt.date):
    """(correct, error) by the KB tenures; None when the answer hangs on a tenure's first or last
    day (the generator then picks something else)."""
    spans = person.spans.get(office_pk, [])
    bounds = person.boundaries(office_pk)
    if modifier in ("former", "ex"):
        if published in bounds:
            return None
        if not spans:
            return False, "wrong_office"
        if any(s.contains(published) for s in spans):
            return False, "former_while_in_office"
        if any(s.end is not None and s.end <= published for s in spans):
            return True, None
        return False, "not_in_office_at_date"
    if reference in bounds:
        return None
    if any(s.contains(reference) for s in spans):
        return True, None
    if not spans:
        return False, "wrong_office"
    return False, "not_in_office_at_date"


class ArticleWriter:
    def __init__(self, kb: Snapshot, seed: int, index: int) -> None:
        self.kb = kb
        self.rng = random.Random(f"factdesk-corpus:{seed}:{index}")
        rng = self.rng
        span_days = (PUBLISHED_TO - PUBLISHED_FROM).days
        self.published = PUBLISHED_FROM + dt.timedelta(days=rng.randrange(span_days + 1))
        roll = rng.random()
        self.lead_error: str | None = None
        if roll < 0.07:
            self.lead_date = None
        elif roll < 0.15:
            self.lead_date = self.published - dt.timedelta(days=rng.randrange(365, 1100))
            self.lead_error = "far_before_publication"
        else:
            self.lead_date = self.published - dt.timedelta(days=rng.choice((0, 1, 1, 1, 2, 3)))
        self.event = self.lead_date or self.published
        self.body = Body()
        self.introduced: set[int] = set()
        self.introduced_order: list[Person] = []
        self.decks: dict[int, list] = {}
        self.target = int(rng.triangular(2500, 6500, 3800))
        self.place = rng.choice(kb.places)
        # Half the people come from the hand-made KB when a synthetic one was added beside it.
        self.people = kb.people if not kb.real_people or rng.random() < 0.5 else kb.real_people

    # -- small pieces

    def draw(self, bank: tuple):
        """The next item of a shuffled deck of `bank`, so an article repeats itself only after
        it has used every item."""
        deck = self.decks.get(id(bank))
        if not deck:
            deck = self.decks[id(bank)] = list(bank)
            self.rng.shuffle(deck)
        return deck.pop()

    def slots(self) -> Slots:
        return Slots(self)

    def slot(self, key: str, slots: Slots) -> str:
        """One slot of a template, drawn when the template asks for it."""
        rng = self.rng
        if key == "place":
            if rng.random() < 0.3:
                return _with_article(self.place)
            return _with_article(rng.choice(self.kb.places))
        if key == "place2":
            place = slots["place"]
            other = _with_article(rng.choice(self.kb.places))
            return other if other != place or len(self.kb.places) == 1 else slots["place2_again"]
        if key == "place2_again":
            return _with_article(rng.choice(self.kb.places))
        if key == "Place":
            return _capital(slots["place"])
        if key == "org":
            return _with_article(rng.choice(self.kb.organisations))
        if key == "Org":
            return _capital(slots["org"])
        if key == "topic":
            return rng.choice(TOPICS)
        if key == "n":
            return rng.choice(NUMBER_WORDS)
        if key == "count":
            return f"{rng.randrange(2, 60) * rng.choice((10, 100, 1000)):,}"
        if key == "unit":
            return rng.choice(UNITS)
        if key == "pct":
            return f"{rng.uniform(0.5, 45):.1f}"
        if key == "money":
            kind = rng.randrange(3)
            if kind == 0:
                return f"${rng.uniform(0.2, 60):.1f} billion"
            if kind == 1:
                return f"€{rng.randrange(20, 900)} million"
            return f"£{rng.uniform(0.1, 9):.1f} billion"
        raise KeyError(key)

    def add_date(self, day: dt.date, precision: str, *, weekday: bool = False, error=None) -> None:
        # A month or a year is recorded as its first day, as tenures are.
        if precision == "year":
            day = dt.date(day.year, 1, 1)
        elif precision == "month":
            day = dt.date(day.year, day.month, 1)
        text = date_text(day, self.rng, precision=precision)
        if weekday:
            shown = day.weekday()
            if error is None and self.rng.random() < 0.04:
                shown = (shown + self.rng.randrange(1, 7)) % 7
                error = "weekday_mismatch"
            text = f"{WEEKDAYS[shown]}, {text}"
        start, end = self.body.add(text)
        self.dates.append(
            {
                "start": start,
                "end": end,
                "value": day.isoformat(),
                "precision": precision,
                "error": error,
            }
        )

    @property
    def dates(self) -> list[dict]:
        return self.body.dates

    def add_name(self, person: Person, *, full: bool = False) -> None:
        if not full and person.pk in self.introduced and person.short:
            self.body.add(person.short)
        else:
            self.body.add(person.label)
        self.introduce(person)

    def introduce(self, person: Person) -> None:
        if person.pk not in self.introduced:
            self.introduced.add(person.pk)
            self.introduced_order.append(person)

    def add_title(self, title: Title, *, capital: bool) -> None:
        if title.modifier in ("former", "ex", "then"):
            word = {"former": "former ", "ex": "ex-", "then": "then-"}[title.modifier]
            self.body.add(word[0].upper() + word[1:] if capital else word)
        start, end = self.body.add(title.title)
        name_start, name_end = self.body.add(" " + title.person.label)
        self.introduce(title.person)
        self.body.titles.append(
            {
                "start": start,
                "end": end,
                "title_text": title.title,
                "modifier": title.modifier,
                "person": title.person.label,
                "person_wikidata_id": title.person.wikidata_id,
                "office": title.office.label,
                "office_wikidata_id": title.office.wikidata_id,
                "name_start": name_start + 1,
                "name_end": name_end,
                "reference_date": title.reference.isoformat(),
                "correct": title.correct,
                "error": title.error,
            }
        )

    def add_quote(
        self, text: str, *, closing: str, speaker_label: str, speaker_id, pattern: str, verb: str
    ):
        straight = self.rng.random() < 0.2
        opening, close = ('"', '"') if straight else ("“", "”")
        if straight:
            text = text.replace("‘", "'").replace("’", "'")
        self.body.add(opening)
        start, end = self.body.add(text + closing)
        self.body.add(close)
        self.body.quotes.append(
            {
                "start": start,
                "end": end,
                "text": text + closing,
                "speaker": speaker_label,
                "speaker_wikidata_id": speaker_id,
                "pattern": pattern,
                "verb": verb,
            }
        )

    # -- choosing titles

    def pick_title(self, *, sentence_date: dt.date | None, want: str | None = None) -> Title | None:
        """A person with a title for a sentence whose reference date is `sentence_date` (or the
        event date). Tries the wanted kind of mistake, falls back to anything exact."""
        rng = self.rng
        people = self.people
        if not people:
            return None
        kind = (
            want
            or rng.choices(
                (
                    "correct",
                    "correct",
                    "wrong_office",
                    "former_while_in_office",
                    "not_in_office",
                    "former",
                ),
                weights=(40, 25, 7, 7, 10, 12),
            )[0]
        )
        reference = sentence_date or self.event
        office_pks = self.kb.office_pks
        for attempt in range(40):
            person = rng.choice(people)
            held = list(person.spans)
            if kind == "wrong_office":
                other = rng.choice(office_pks)
                if other in person.spans:
                    continue
                office = self.kb.offices[other]
                modifier = rng.choice(("", "", "former"))
            else:
                office = self.kb.offices[rng.choice(held)]
                if kind in ("former", "former_while_in_office"):
                    modifier = "former" if rng.random() < 0.85 else "ex"
                elif sentence_date is not None and rng.random() < 0.25:
                    modifier = "then"
                else:
                    modifier = ""
            verdict = judge(person, office.pk, modifier, reference, self.published)
            if verdict is None:
                continue
            correct, error = verdict
            wanted_error = {
                "correct": None,
                "former": None,
                "wrong_office": "wrong_office",
                "former_while_in_office": "former_while_in_office",
                "not_in_office": "not_in_office_at_date",
            }[kind]
            if error != wanted_error and attempt < 12:
                continue
            titles = list(office.qualified)
            # A bare title ("President") only where it can name just this office of the person.
            if error != "wrong_office":
                for bare in office.bare:
                    clash = any(bare in self.kb.offices[pk].bare for pk in held if pk != office.pk)
                    if not clash:
                        titles.append(bare)
            if modifier == "ex":
                titles = [t for t in titles if t in office.bare] or titles
            title = rng.choice(titles)
            ref = self.published if modifier in ("former", "ex") else reference
            return Title(person, office, title, modifier, ref, correct, error)
        return None

    def date_inside_a_tenure(self) -> dt.date | None:
        """A past day strictly inside some KB tenure (for a sentence that dates its title)."""
        rng = self.rng
        for _ in range(20):
            person = rng.choice(self.people)
            spans = [s for spans in person.spans.values() for s in spans]
            span = rng.choice(spans)
            last = min(span.end or self.published, self.published)
            if (last - span.start).days < 3:
                continue
            return span.start + dt.timedelta(days=rng.randrange(1, (last - span.start).days))
        return None

    # -- sentences

    def action(self) -> str:
        return rng_format(self.draw(ACTIONS), self.slots())

    def title_sentence(self, *, dated: bool, want: str | None = None) -> Title | None:
        """One of: "{T} {N} {action} on {D}." / "On {D}, {T} {N} {action}." / "{T} {N} {action}."""
        rng = self.rng
        day = None
        if dated:
            if rng.random() < 0.5:
                day = self.date_inside_a_tenure()
            else:
                day = self.published - dt.timedelta(days=rng.randrange(2, 3000))
            if day is not None and day < dt.date(1990, 1, 1):
                day = None
        title = self.pick_title(sentence_date=day, want=want)
        if title is None:
            return None
        if day is not None and rng.random() < 0.4:
            self.body.add("On ")
            self.add_date(day, "day")
            self.body.add(", ")
            self.add_title(title, capital=False)
            self.body.add(f" {self.action()}.")
        else:
            self.add_title(title, capital=True)
            if day is not None:
                self.body.add(f" {self.action()} on ")
                self.add_date(day, "day")
                self.body.add(".")
            else:
                self.body.add(f" {self.action()}.")
        return title

    def quote_sentence(self, person: Person | None = None, *, after_mention: bool = False) -> None:
        """A direct quote in one of the attribution patterns."""
        rng = self.rng
        quote = self.draw(QUOTES)
        if person is None and rng.random() < 0.25:
            name, role, pronoun = rng.choice(OUTSIDE_SPEAKERS)
            speaker, speaker_id = name, None
            if rng.random() < 0.5:
                self.add_quote(
                    quote,
                    closing=",",
                    speaker_label=name,
                    speaker_id=None,
                    pattern="said_after_inverted",
                    verb="said",
                )
                self.body.add(f" said {name}, {role}.")
            else:
                self.body.add(f"{name}, {role}, said, ")
                self.add_quote(
                    quote,
                    closing=".",
                    speaker_label=name,
                    speaker_id=None,
                    pattern="said_before",
                    verb="said",
                )
            return
        if person is None:
            person = rng.choice(self.people)
        speaker, speaker_id = person.label, person.wikidata_id
        if after_mention and person.pronoun:
            verb = rng.choice(("said", "added", "told reporters"))
            self.body.add(f"{person.pronoun.capitalize()} {verb}, ")
            self.add_quote(
                quote,
                closing=".",
                speaker_label=speaker,
                speaker_id=speaker_id,
                pattern="pronoun",
                verb=verb,
            )
            return
        pattern = rng.choice(
            ("said_before", "said_after", "stating", "according_to", "colon", "described_as")
        )
        if pattern == "said_before":
            verb = rng.choice(VERBS_BEFORE)
            self.add_name(person)
            self.body.add(f" {verb}, ")
            self.add_quote(
                quote,
                closing=".",
                speaker_label=speaker,
                speaker_id=speaker_id,
                pattern=pattern,
                verb=verb,
            )
        elif pattern == "said_after":
            verb = rng.choice(VERBS_AFTER)
            self.add_quote(
                quote,
                closing=",",
                speaker_label=speaker,
                speaker_id=speaker_id,
                pattern=pattern,
                verb=verb,
            )
            self.body.add(" ")
            self.add_name(person)
            self.body.add(f" {verb}.")
        elif pattern == "stating":
            self.add_name(person)
            self.body.add(
                f" {rng.choice(('closed the meeting', 'responded to critics', 'ended the press conference'))}, stating, "
            )
            self.add_quote(
                quote,
                closing=".",
                speaker_label=speaker,
                speaker_id=speaker_id,
                pattern=pattern,
                verb="stating",
            )
        elif pattern == "according_to":
            self.add_quote(
                quote,
                closing=",",
                speaker_label=speaker,
                speaker_id=speaker_id,
                pattern=pattern,
                verb="according to",
            )
            self.body.add(" according to ")
            self.add_name(person)
            self.body.add(".")
        elif pattern == "colon":
            verb = rng.choice(("said", "wrote on social media", "told parliament"))
            self.add_name(person)
            self.body.add(f" {verb}: ")
            self.add_quote(
                quote,
                closing=".",
                speaker_label=speaker,
                speaker_id=speaker_id,
                pattern=pattern,
                verb=verb,
            )
        else:
            self.add_name(person)
            self.body.add(
                f" described the {rng.choice(('agreement', 'decision', 'plan', 'vote'))} as a "
            )
            self.add_quote(
                rng.choice(DESCRIBED),
                closing="",
                speaker_label=speaker,
                speaker_id=speaker_id,
                pattern=pattern,
                verb="described",
            )
            self.body.add(f" for {rng.choice(self.kb.places)}.")

    def filler(self, *, dated: bool = True) -> None:
        rng = self.rng
        if dated and rng.random() < 0.3:
            template, precision = self.draw(DATED_FILLER)
            day = self.published - dt.timedelta(days=rng.randrange(40, 4000))
            before, after = template.split("{date}")
            self.body.add(rng_format(before, self.slots()))
            self.add_date(day, precision)
            self.body.add(rng_format(after, self.slots()))
        else:
            self.body.add(rng_format(self.draw(FILLER), self.slots()))

    # -- the article

    def lead(self) -> None:
        rng = self.rng
        slots = self.slots()
        if self.lead_date is not None:
            self.body.add(f"Leaders meeting in {_with_article(self.place)} announced on ")
            self.add_date(self.lead_date, "day", weekday=rng.random() < 0.3, error=self.lead_error)
            self.body.add(
                f" that they had agreed on {slots['topic']}, after talks that lasted {slots['n']} hours."
            )
        else:
            self.body.add(
                f"Leaders meeting in {_with_article(self.place)} said they had agreed on {slots['topic']}, after talks that lasted {slots['n']} hours."
            )
        self.body.add(" ")
        # A title in the lead is judged at the event date, as in the seed article.
        title = self.title_sentence(dated=False)
        if title is None:
            self.filler(dated=False)
        self.body.add(" ")
        self.filler(dated=False)

    def paragraph(self) -> None:
        rng = self.rng
        sentences = rng.randrange(2, 5)
        last_person: Person | None = None
        for position in range(sentences):
            if position:
                self.body.add(" ")
            roll = rng.random()
            if roll < 0.16:
                title = self.title_sentence(dated=rng.random() < 0.5)
                last_person = title.person if title else None
                if title is None:
                    self.filler()
            elif roll < 0.42:
                if last_person is not None and last_person.pronoun and rng.random() < 0.6:
                    self.quote_sentence(last_person, after_mention=True)
                else:
                    introduced = self.introduced_order
                    person = rng.choice(introduced) if introduced and rng.random() < 0.6 else None
                    self.quote_sentence(person)
                last_person = None
            else:
                self.filler()
                last_person = None

    def write(self) -> dict:
        rng = self.rng
        slots = self.slots()
        slots["place"] = _with_article(self.place)
        slots["Place"] = _capital(slots["place"])
        headline = rng_format(rng.choice(HEADLINES), slots)
        headline = headline[0].upper() + headline[1:]
        self.lead()
        while self.body.pos < self.target:
            self.body.add("\n\n")
            if rng.random() < 0.12:
                self.body.add(self.draw(HEADINGS) + "\n\n")
            self.paragraph()
        text = self.body.text()
        return {
            "title": headline,
            "body": text,
            "source": rng.choice(SOURCES),
            "byline": rng.choice(OUTSIDE_SPEAKERS)[0],
            "published_on": self.published,
            "event_on": self.event,
        }


def _with_article(name: str) -> str:
    """'the United Kingdom', 'the European Union', but 'NATO', 'Paris'."""
    if name.isupper() or name.startswith("the "):
        return name
    first = name.split()[0]
    if first in {"United", "European", "Security", "Republic", "Kingdom", "Federal"}:
        return "the " + name
    return name


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class Slots(dict):
    """Template slots drawn lazily, so a template pays only for the slots it names."""

    def __init__(self, writer: ArticleWriter) -> None:
        super().__init__()
        self.writer = writer

    def __missing__(self, key: str) -> str:
        value = self[key] = self.writer.slot(key, self)
        return value


def rng_format(template: str, slots: dict[str, str]) -> str:
    return template.format_map(slots)


def write_article(kb: Snapshot, seed: int, index: int) -> tuple[dict, dict]:
    """(article fields, truth record) of article `index` of corpus `seed`."""
    writer = ArticleWriter(kb, seed, index)
    article = writer.write()
    truth = {
        "external_id": external_id(seed, index),
        "title": article["title"],
        "published_on": article["published_on"].isoformat(),
        "event_on": article["event_on"].isoformat(),
        "length": len(article["body"]),
        "titles": writer.body.titles,
        "quotes": writer.body.quotes,
        "dates": writer.body.dates,
    }
    return article, truth


def external_id(seed: int, index: int) -> str:
    return f"corpus:{seed}:{index}"


# --- Writing ----------------------------------------------------------------------------------


@dataclass
class CorpusResult:
    articles: int = 0
    created: int = 0
    kept: int = 0
    replaced: int = 0
    removed: int = 0
    kb_entities_created: int = 0
    truth_path: Path | None = None
    seconds: float = 0.0
    titles: int = 0
    wrong_titles: int = 0
    quotes: int = 0
    dates: int = 0
    characters: int = 0

    def summary(self) -> str:
        return (
            f"{self.articles} articles ({self.created} created, {self.replaced} replaced, "
            f"{self.kept} unchanged, {self.removed} beyond --articles removed) in "
            f"{self.seconds:.1f} s; {self.characters / max(1, self.articles):,.0f} characters "
            f"per article; {self.titles} titles ({self.wrong_titles} wrong), {self.quotes} "
            f"quotes, {self.dates} dates; {self.kb_entities_created} synthetic KB entities "
            f"created; truth: {self.truth_path}"
        )


def generate_corpus(
    *,
    articles: int,
    seed: int,
    out_dir: Path,
    kb_entities: int | None = None,
    batch_size: int = 500,
    progress: Callable[[str], None] | None = None,
) -> CorpusResult:
    """Generate (or regenerate) corpus `seed` with `articles` articles. Articles already stored
    with the same text are kept; changed ones are replaced; those numbered past `articles` are
    removed. Bulk inserts only: nothing is queued for extraction or checks."""
    from django.db import reset_queries, transaction

    from apps.articles.models import Article, ArticleRevision
    from apps.articles.services import body_normalize, body_sha256

    started = time.perf_counter()
    result = CorpusResult(articles=articles)
    if kb_entities:
        result.kb_entities_created = synthetic_kb_ensure(total_entities=kb_entities)
    kb = load_snapshot()
    if not kb.people:
        raise ValueError(
            "The knowledge base has no person with an office to write about: run "
            "`manage.py loadseeds` (or pass --kb-entities N) first."
        )
    prefix = f"corpus:{seed}:"
    stored = dict(
        Article.objects.filter(external_id__startswith=prefix).values_list(
            "external_id", "body_sha256"
        )
    )
    stale = [
        eid
        for eid in stored
        if not eid[len(prefix) :].isdigit() or int(eid[len(prefix) :]) >= articles
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    truth_path = out_dir / "truth.jsonl"
    partial = out_dir / "truth.jsonl.partial"
    with open(partial, "w", encoding="utf-8") as truth_file:
        if stale:
            with transaction.atomic():
                result.removed = _delete_articles(stale)
        for first in range(0, articles, batch_size):
            new_articles: list[Article] = []
            replace: list[str] = []
            lines = []
            for index in range(first, min(articles, first + batch_size)):
                fields, truth = write_article(kb, seed, index)
                body = fields["body"]
                if body_normalize(body) != body:
                    raise AssertionError(f"article {index}: body is not in normal form")
                sha = body_sha256(body)
                eid = truth["external_id"]
                lines.append(json.dumps(truth, ensure_ascii=False))
                result.titles += len(truth["titles"])
                result.wrong_titles += sum(1 for t in truth["titles"] if not t["correct"])
                result.quotes += len(truth["quotes"])
                result.dates += len(truth["dates"])
                result.characters += len(body)
                if stored.get(eid) == sha:
                    result.kept += 1
                    continue
                if eid in stored:
                    replace.append(eid)
                new_articles.append(
                    Article(
                        external_id=eid,
                        title=fields["title"],
                        body=body,
                        body_sha256=sha,
                        source=fields["source"],
                        byline=fields["byline"],
                        published_on=fields["published_on"],
                        language="en",
                        revision=1,
                    )
                )
            with transaction.atomic():
                if replace:
                    _delete_articles(replace)
                    result.replaced += len(replace)
                created = Article.objects.bulk_create(new_articles, batch_size=batch_size)
                ArticleRevision.objects.bulk_create(
                    [
                        ArticleRevision(
                            article_id=a.pk,
                            number=1,
                            title=a.title,
                            body=a.body,
                            body_sha256=a.body_sha256,
                            note="generated corpus",
                        )
                        for a in created
                    ],
                    batch_size=batch_size,
                )
            result.created += len(new_articles) - len(replace)
            reset_queries()  # with DEBUG on, Django keeps every (large) INSERT in memory
            truth_file.write("\n".join(lines) + "\n" if lines else "")
            if progress is not None:
                progress(f"{min(articles, first + batch_size)}/{articles}")
    partial.replace(truth_path)
    (out_dir / "meta.json").write_text(
        json.dumps(
            {
                "seed": seed,
                "articles": articles,
                "kb_fingerprint": kb.fingerprint,
                "people": len(kb.people),
            },
            indent=2,
        )
    )
    result.truth_path = truth_path
    result.seconds = time.perf_counter() - started
    return result


def _delete_articles(external_ids: list[str]) -> int:
    from apps.articles.models import Article

    count, _ = Article.objects.filter(external_id__in=external_ids).delete()
    return len(external_ids) if count else 0
