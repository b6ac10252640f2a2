"""A "wire copy" corpus: articles that write quotes and speakers the way wire stories, press
releases and speeches do (issue 11), with the truth the extraction benchmark scores against.

Unlike bench/corpus.py (one attribution template per quote, in the database), these articles mix
the patterns real copy uses: reversed, mismatched and doubled marks; quotes running over several
paragraphs; line breaks inside quotes; block quotes and lists under a colon lead-in; partial
quotes; inverted verbs with a description before the name; "X, telling the Commons"; titles alone
("the Prime Minister said"); pronouns that must be resolved by gender, not to the last name;
"according to" a publication (a source, no speaker); datelines; and traps that must give no quote
(a scare-quoted term, a mark left open). The cast is made up, with a knowledge base of its own
(people with genders, offices with tenures), so the corpus is a pure function of the seed and needs
no database:

    .venv/bin/python bench/wire.py --articles 400 --seed 1     # prints the scores

Speaker truth: the KB person's id, the name as written for people outside the KB, the words as
written for "a government spokesman", "" where the copy names no speaker (then an empty speaker
is right)."""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# --- the knowledge base of the cast -----------------------------------------------------------

UK_PM, FR_PRES, DE_CHANC, US_PRES, UK_FOREIGN = 101, 102, 103, 104, 105
UK, FRANCE, GERMANY, US = 201, 202, 203, 204
OFFICES = [
    (UK_PM, "Prime Minister of the United Kingdom", ["UK Prime Minister", "British Prime Minister"], "Prime Minister"),
    (FR_PRES, "President of France", ["French President"], "President"),
    (DE_CHANC, "Chancellor of Germany", ["German Chancellor"], "Chancellor"),
    (US_PRES, "President of the United States", ["US President", "U.S. President"], "President"),
    (UK_FOREIGN, "Foreign Secretary of the United Kingdom", ["British Foreign Secretary"], "Foreign Secretary"),
]  # fmt: skip
PLACES = [(UK, "United Kingdom", ["UK", "Britain"]), (FRANCE, "France", []), (GERMANY, "Germany", []),
          (US, "United States", ["US", "U.S."])]  # fmt: skip


@dataclass(frozen=True)
class Person:
    pk: int
    name: str
    gender: str  # "male" / "female"
    office: int | None = None  # the office held throughout the corpus years

    @property
    def surname(self) -> str:
        return self.name.split()[-1]

    @property
    def pronoun(self) -> str:
        return "she" if self.gender == "female" else "he"


CAST = [
    Person(1, "Helena Marwick", "female", UK_PM),
    Person(2, "Bastien Lorrain", "male", FR_PRES),
    Person(3, "Ulrike Tannhauser", "female", DE_CHANC),
    Person(4, "Raymond Castellano", "male", US_PRES),
    Person(5, "Edwin Ashdown", "male", UK_FOREIGN),
    Person(6, "Margot Villeneuve", "female"),
    Person(7, "Gregor Halvorsen", "male"),
    Person(8, "Nadia Petrescu", "female"),
]
# People outside the KB: the truth is the name as written.
OUTSIDERS = [
    ("Katrin Solberg", "legal analyst", "female"),
    ("Dev Raman", "defence correspondent", "male"),
    ("Lucia Ferrante", "senior economist", "female"),
    ("Owen Pritchard", "union organiser", "male"),
]
OUTLETS = ["The Washington Post", "Reuters", "The Financial Times", "AFP", "the BBC"]
DATELINES = ["LONDON (Reuters) - ", "PARIS — ", "BERLIN, Germany (AP) — ", "NEW DELHI — "]
VERBS = ["said", "told reporters", "added", "noted", "insisted", "warned", "argued", "conceded",
         "charged", "jibed", "highlighted", "questioned", "wrote on social media", "posted"]  # fmt: skip
INVERTED_VERBS = ["said", "added", "noted", "insisted", "warned", "argued", "conceded"]
START = dt.date(2022, 1, 1)


def kb_rows() -> dict:
    """The cast's knowledge base as the rows KBIndex.build and PeopleKB.build take."""
    entities = [(p.pk, "person", p.name) for p in CAST]
    aliases = []
    for pk, label, more, _ in OFFICES:
        entities.append((pk, "office", label))
        aliases.extend((pk, a) for a in more)
    for pk, label, more in PLACES:
        entities.append((pk, "place", label))
        aliases.extend((pk, a) for a in more)
    tenures = [(p.pk, p.office, START, None) for p in CAST if p.office]
    return {
        "entities": entities,
        "aliases": aliases,
        "tenures": tenures,
        "genders": [(p.pk, p.gender) for p in CAST],
    }


def build_kb():
    from apps.extraction.entities import KBIndex
    from apps.extraction.speakers import PeopleKB, office_signatures

    rows = kb_rows()
    kb = KBIndex.build(
        entities=rows["entities"],
        aliases=rows["aliases"],
        tenures=[(p, o, s) for p, o, s, _ in rows["tenures"]],
    )
    people = PeopleKB.build(
        genders=rows["genders"],
        tenures=rows["tenures"],
        office_signatures=office_signatures(kb.titles),
        country_of=kb.country_of,
    )
    return kb, people


# --- words the quotes are made of (written for this corpus) -----------------------------------

SUBJECTS = ["We", "This government", "Our allies", "Nobody in this room", "The country",
            "Every family", "Our negotiators", "This agreement", "The plan"]  # fmt: skip
PREDICATES = ["will not accept a deal that leaves our farmers behind",
              "has done more in a year than the last team did in ten",
              "must be paid for honestly, not with borrowed money",
              "is ready to sign as soon as the text is final",
              "cannot wait for another summit to act",
              "will keep the ports open through the winter",
              "owes the public a straight answer on energy bills",
              "should never have been put on the table",
              "knows exactly what is at stake for the steel towns",
              "will be judged on results, not on speeches"]  # fmt: skip
SHORT = ["new chapter", "reckless", "a betrayal", "historic", "deeply flawed", "close to collapse",
         "a fair deal", "unacceptable", "a turning point"]  # fmt: skip
TOPICS = ["the fisheries accord", "the energy pact", "the budget", "the border plan",
          "the ceasefire talks", "the trade framework"]  # fmt: skip


@dataclass
class Article:
    published: dt.date
    parts: list[str] = field(default_factory=list)
    pos: int = 0
    quotes: list[dict] = field(default_factory=list)

    def add(self, text: str) -> tuple[int, int]:
        start = self.pos
        self.parts.append(text)
        self.pos += len(text)
        return start, self.pos

    def quote(self, text: str, speaker, pattern: str, *, marks=("“", "”")) -> None:
        self.add(marks[0])
        start, end = self.add(text)
        self.add(marks[1])
        self.quotes.append({"start": start, "end": end, "speaker": speaker, "pattern": pattern})

    @property
    def body(self) -> str:
        return "".join(self.parts)


class Writer:
    def __init__(self, seed: int, index: int) -> None:
        self.rng = random.Random(f"factdesk-wire:{seed}:{index}")
        self.article = Article(START + dt.timedelta(days=self.rng.randrange(1400)))
        self.named: set[int] = set()

    def sentence(self, *, comma: bool = False) -> str:
        text = f"{self.rng.choice(SUBJECTS)} {self.rng.choice(PREDICATES)}"
        return text + ("," if comma else ".")

    def name(self, person: Person) -> str:
        if person.pk in self.named:
            return person.surname
        self.named.add(person.pk)
        return person.name

    def para(self) -> None:
        self.article.add("\n\n")

    def marks(self) -> tuple[str, str]:
        return self.rng.choice(
            [("“", "”")] * 6 + [('"', '"')] * 2 + [("”", "”"), ("“", '"'), ("''", "''")]
        )

    # -- the patterns: each writes one paragraph

    def p_after(self, person: Person) -> None:
        a = self.article
        a.quote(self.sentence(comma=True), person.pk, "after", marks=self.marks())
        a.add(f" {self.name(person)} {self.rng.choice(VERBS)}.")

    def p_inverted(self, person: Person) -> None:
        a = self.article
        a.quote(self.sentence(comma=True), person.pk, "inverted", marks=self.marks())
        a.add(f" {self.rng.choice(INVERTED_VERBS)} {self.name(person)}.")

    def p_outsider(self) -> None:
        name, role, _ = self.rng.choice(OUTSIDERS)
        a = self.article
        outlet = self.rng.choice(["MSNBC", "Sky News", "a think tank's", "the union's"])
        a.quote(self.sentence(comma=True), name, "appositive", marks=self.marks())
        a.add(f" said {outlet} {role} {name}.")

    def p_colon(self, person: Person) -> None:
        a = self.article
        a.add(f"{self.name(person)} {self.rng.choice(['said', 'told reporters', 'wrote'])}: ")
        a.quote(self.sentence(), person.pk, "colon")

    def p_telling(self, person: Person, other: Person) -> None:
        a = self.article
        whom = self.rng.choice(["the Commons", "the assembly", self.name(other)])
        a.add(f"{self.name(person)}, telling {whom}: ")
        a.quote(self.sentence(), person.pk, "telling")

    def p_title_alone(self, person: Person) -> None:
        office = next(o for o in OFFICES if o[0] == person.office)
        a = self.article
        a.add(f"{office[2][0]} {person.name} arrived in the capital on the eve of the talks.")
        self.named.add(person.pk)
        self.para()
        a.quote(self.sentence(comma=True), person.pk, "title alone", marks=self.marks())
        a.add(f" the {office[3].lower() if self.rng.random() < 0.5 else office[3]} said.")

    def p_pronoun(self, first: Person, second: Person) -> None:
        """Two people of different genders; the pronoun is the first's, the last name the
        second's."""
        a = self.article
        a.add(
            f"{self.name(first)} spoke after {self.name(second)} had left the room, "
            f"and the mood was tense."
        )
        self.para()
        a.quote(self.sentence(comma=True), first.pk, "pronoun", marks=self.marks())
        a.add(f" {first.pronoun} {self.rng.choice(['said', 'added', 'insisted'])}.")

    def p_multi(self, person: Person) -> None:
        a = self.article
        a.quote(self.sentence(comma=True), person.pk, "multi first")
        a.add(f" {self.name(person)} said. “")
        start, end = a.add(self.sentence())
        a.quotes.append({"start": start, "end": end, "speaker": person.pk, "pattern": "multi"})
        for _ in range(self.rng.randrange(1, 3)):
            a.add("\n\n“")
            start, end = a.add(self.sentence())
            a.quotes.append({"start": start, "end": end, "speaker": person.pk, "pattern": "multi"})
        a.add("\n\n“")
        a.quote(self.sentence(), person.pk, "multi last", marks=("", "”"))

    def p_line_break(self, person: Person) -> None:
        a = self.article
        a.add("“")
        start, _ = a.add(f"{self.rng.choice(SUBJECTS)} {self.rng.choice(PREDICATES)}\n")
        _, end = a.add(f"and {self.rng.choice(PREDICATES)},")
        a.add(f"” {self.name(person)} said.")
        a.quotes.append({"start": start, "end": end, "speaker": person.pk, "pattern": "line break"})

    def p_partial(self, person: Person) -> None:
        a = self.article
        topic = self.rng.choice(TOPICS)
        a.add(f"{self.name(person)} described {topic} as ")
        a.quote(self.rng.choice(SHORT), person.pk, "partial")
        a.add(" for the region.")

    def p_according(self) -> None:
        a = self.article
        outlet = self.rng.choice(OUTLETS)
        a.add(f"The talks on {self.rng.choice(TOPICS)} were ")
        a.quote(self.rng.choice(SHORT), "", "according to outlet")
        a.add(f", according to {outlet}.")

    def p_dateline(self) -> None:
        a = self.article
        a.add(self.rng.choice(DATELINES))
        a.quote(self.sentence(comma=True), "a government spokesman", "dateline")
        a.add(" said a government spokesman.")

    def p_block(self, person: Person) -> None:
        a = self.article
        a.add(f"{self.name(person)} is expected to say:\n\n")
        start, end = a.add(self.sentence()[:-1] + f", and {self.rng.choice(PREDICATES)}.")
        a.quotes.append({"start": start, "end": end, "speaker": person.pk, "pattern": "block"})

    def p_list(self, person: Person) -> None:
        a = self.article
        a.add(f"In further comments, {self.name(person)} said:")
        for _ in range(self.rng.randrange(2, 4)):
            a.add("\n- ")
            a.quote(self.sentence(), person.pk, "list item")

    def p_traps(self, person: Person) -> None:
        a = self.article
        trap = self.rng.randrange(3)
        if trap == 0:
            a.add(f"The so-called “{self.rng.choice(SHORT)}” clause was dropped from the draft.")
        elif trap == 1:
            a.add(f"{self.name(person)} said “the {self.rng.choice(TOPICS)[4:]} would survive, ")
            a.add("and the delegations then left for the airport without a statement.")
            # A paragraph opening with a quote would continue the open one (the convention of
            # quotes over several paragraphs): the trap is followed by narrative.
            self.para()
            a.add("The next round of talks has not been scheduled.")
        else:
            a.add(f'Officials said the {self.rng.choice(TOPICS)[4:]} cost 12" of newsprint.')

    def p_appositive_before(self, person: Person) -> None:
        a = self.article
        office = next((o for o in OFFICES if o[0] == person.office), None)
        what = f"the {office[3].lower()}" if office else "a veteran of the talks"
        a.add(f"{self.name(person)}, {what}, {self.rng.choice(['said', 'told reporters'])}: ")
        a.quote(self.sentence(), person.pk, "appositive before", marks=self.marks())

    def p_split(self, person: Person) -> None:
        """“…,” X said, “…” — one quote split by its attribution."""
        a = self.article
        a.quote(self.sentence(comma=True), person.pk, "split first", marks=("“", "”"))
        a.add(f" {self.name(person)} said, ")
        text = self.sentence()
        a.quote(text[0].lower() + text[1:], person.pk, "split second", marks=("“", "”"))

    def p_possessive(self, speaker: Person, other: Person) -> None:
        """The pronoun's antecedent is the speaker, not the last name (a possessive)."""
        a = self.article
        a.quote(self.sentence(comma=True), speaker.pk, "before possessive", marks=self.marks())
        a.add(f" {self.name(speaker)} said, rejecting {self.name(other)}’s proposal.")
        self.para()
        a.quote(self.sentence(comma=True), speaker.pk, "pronoun after possessive")
        a.add(f" {speaker.pronoun} added.")

    def p_group(self) -> None:
        a = self.article
        a.add(f"Union leaders met the negotiators on {self.rng.choice(TOPICS)[4:]}.")
        self.para()
        a.quote(self.sentence(comma=True), "", "they (a group)")
        a.add(" they said.")

    def p_according_person(self, person: Person) -> None:
        a = self.article
        a.add(f"The deal is {self.rng.choice(['now', 'still', 'no longer'])} ")
        a.quote(self.rng.choice(SHORT), person.pk, "according to person")
        a.add(f", according to {self.name(person)}.")

    def p_told_outlet(self, person: Person) -> None:
        a = self.article
        a.quote(self.sentence(comma=True), person.pk, "told outlet", marks=self.marks())
        a.add(
            f" {self.name(person)} told {self.rng.choice(OUTLETS)} on {self.rng.choice(['Monday', 'Tuesday', 'Friday'])}."
        )

    def p_outsider_before(self) -> None:
        name, role, _ = self.rng.choice(OUTSIDERS)
        a = self.article
        a.add(f"{name}, a {role} in the capital, said: ")
        a.quote(self.sentence(), name, "outsider before", marks=self.marks())

    def p_head_of_state(self, person: Person) -> None:
        a = self.article
        office = next(o for o in OFFICES if o[0] == person.office)
        a.add(f"{office[2][0]} {person.name} opened the summit with a short speech.")
        self.para()
        a.quote(self.sentence(comma=True), person.pk, "head of state")
        role = "head of state" if office[3] == "President" else "head of government"
        a.add(f" the {role} told delegates.")

    def p_no_verb(self, person: Person) -> None:
        a = self.article
        a.quote(self.sentence(comma=True), "", "no speech verb")
        a.add(f" read a banner outside the hall where {self.name(person)} spoke.")

    def p_reuters_order(self, person: Person) -> None:
        """ "X on Tuesday said", "X later told": words between the name and the verb."""
        a = self.article
        between = self.rng.choice(["on Tuesday", "later", "also", "on Friday"])
        a.add(f"{self.name(person)} {between} {self.rng.choice(['said', 'told reporters'])}: ")
        a.quote(self.sentence(), person.pk, "words before verb", marks=self.marks())

    def p_spokesperson(self) -> None:
        a = self.article
        who = self.rng.choice(["a Downing Street spokeswoman", "an Elysee official",
                               "a White House spokesman"])  # fmt: skip
        a.quote(self.sentence(comma=True), who, "spokesperson")
        a.add(f" {who} said.")

    def p_outsider_pronoun(self) -> None:
        """A pronoun for someone the KB does not know, who spoke in reported speech first."""
        name, role, gender = self.rng.choice(OUTSIDERS)
        a = self.article
        a.add(f"{name} said the plan lacked detail.")
        self.para()
        a.quote(self.sentence(comma=True), name, "pronoun, outside the KB")
        a.add(f" {'she' if gender == 'female' else 'he'} added.")

    def p_exclaim(self, person: Person) -> None:
        """A second short quote after an attribution naming a place or a platform."""
        a = self.article
        a.quote(self.sentence(comma=True), person.pk, "before platform", marks=("“", "”"))
        a.add(f" {self.name(person)} wrote on Truth Social. ")
        a.quote(self.rng.choice(["Never again!", "We won!", "Big day!"]), person.pk, "continued")

    def p_participle(self, speaker: Person, other: Person) -> None:
        """The participle's subject speaks, not the name right before it."""
        a = self.article
        a.add(
            f"{self.name(speaker)} said {speaker.pronoun} would never work with {self.name(other)}, calling "
        )
        a.add("him " if other.gender == "male" else "her ")
        a.quote(self.rng.choice(SHORT), speaker.pk, "participle")
        a.add(".")

    def p_apposition(self, boss: Person) -> None:
        name, role, _ = self.rng.choice(OUTSIDERS)
        a = self.article
        a.add(f"{self.name(boss)}’s chief of staff, {name}, wrote that the talks were ")
        a.quote(self.rng.choice(SHORT), name, "appositive name")
        a.add(".")

    def p_possessive_title(self, person: Person) -> None:
        office = next(o for o in OFFICES if o[0] == person.office)
        a = self.article
        a.add(f"{office[2][0]} {person.name} did not attend.")
        self.para()
        who = f"The {office[3]}’s spokesman"
        a.add(f"{who} said: ")
        a.quote(self.sentence(), who, "possessive title")

    def p_signature(self, person: Person) -> None:
        a = self.article
        a.quote(self.sentence(), person.pk, "dash signature")
        a.add(f" — {person.name}")

    def p_subject(self, subject: Person, other: Person) -> None:
        """Two people of the same gender: the pronoun is the subject's, not the object's."""
        a = self.article
        a.add(
            f"{self.name(subject)} met {self.name(other)} in the capital on the eve of the talks."
        )
        self.para()
        a.quote(self.sentence(comma=True), subject.pk, "pronoun, subject and object")
        a.add(f" {subject.pronoun} said.")

    def p_outsider_surname(self) -> None:
        """Someone outside the KB named in full, then by surname alone."""
        name, role, _ = self.rng.choice(OUTSIDERS)
        a = self.article
        a.add(f"The {role} {name} told reporters the plan was ")
        a.quote(self.rng.choice(SHORT), name, "outsider full name")
        a.add(".")
        self.para()
        a.add(f"{name.split()[-1]} later added that the talks were ")
        a.quote(self.rng.choice(SHORT), name, "outsider surname")
        a.add(".")

    def p_joint(self, first: Person, second: Person) -> None:
        a = self.article
        a.add(f"{self.name(first)} and {self.name(second)} said in a joint statement: ")
        a.quote(self.sentence(), "", "joint statement (no one speaker)")

    def p_who_replied(self, asker: Person, other: Person) -> None:
        a = self.article
        a.quote(self.rng.choice(["Where is the money?", "Who pays for it?", "Why now?"]),
                asker.pk, "asked")  # fmt: skip
        a.add(f" {self.name(asker)} asked {self.name(other)}, who replied: ")
        a.quote(self.sentence(), other.pk, "who replied")

    def p_transcript(self, person: Person) -> None:
        a = self.article
        a.add(f"{person.name}: ")
        self.named.add(person.pk)
        a.quote(self.sentence(), person.pk, "name and colon")

    def p_post(self, person: Person) -> None:
        a = self.article
        a.quote(self.sentence(), person.pk, "post signature")
        handle = person.name.replace(" ", "")
        a.add(
            f" — {person.name} (@{handle}) {self.article.published:%B} 3, {self.article.published.year}"
        )

    def p_honorific(self, person: Person) -> None:
        """BBC style: named in full, then "Mr"/"Ms" and the surname."""
        a = self.article
        a.add(f"{person.name} arrived late to the meeting.")
        self.named.add(person.pk)
        self.para()
        a.quote(self.sentence(comma=True), person.pk, "honorific and surname")
        a.add(f" {'Ms' if person.gender == 'female' else 'Mr'} {person.surname} said.")

    def p_titled_outsider(self) -> None:
        a = self.article
        name = self.rng.choice(["Peter Varga", "Ilona Sarkadi", "Tomas Brandt"])
        a.add(f"Hungary's Foreign Minister {name} rejected the plan. ")
        a.quote(self.sentence(comma=True), name, "titled outsider, pronoun")
        a.add(f" {'she' if name == 'Ilona Sarkadi' else 'he'} wrote.")

    def p_writing_in(self, person: Person) -> None:
        """An outlet, then a title alone never named before in the paragraph: the KB's holder."""
        office = next(o for o in OFFICES if o[0] == person.office)
        a = self.article
        a.add(f"Writing in {self.rng.choice(OUTLETS)}, the {office[3].lower()} said: ")
        a.quote(self.sentence(), person.pk, "writing in, title alone")

    def p_leader_apposition(self) -> None:
        name, role, gender = self.rng.choice(OUTSIDERS)
        a = self.article
        a.add(f"The {role}, {name}, said {'she' if gender == 'female' else 'he'} backed the move. ")
        a.quote(self.sentence(comma=True), name, "apposition, pronoun")
        a.add(f" {'she' if gender == 'female' else 'he'} said.")

    def write(self) -> Article:
        rng = self.rng
        cast = CAST[:]
        rng.shuffle(cast)
        holders = [p for p in cast if p.office]
        women = [p for p in cast if p.gender == "female"]
        men = [p for p in cast if p.gender == "male"]
        steps = [
            lambda: self.p_after(rng.choice(cast)),
            lambda: self.p_inverted(rng.choice(cast)),
            self.p_outsider,
            lambda: self.p_colon(rng.choice(cast)),
            lambda: self.p_telling(*rng.sample(cast, 2)),
            lambda: self.p_title_alone(rng.choice(holders)),
            lambda: self.p_pronoun(rng.choice(women), rng.choice(men)),
            lambda: self.p_pronoun(rng.choice(men), rng.choice(women)),
            lambda: self.p_multi(rng.choice(cast)),
            lambda: self.p_line_break(rng.choice(cast)),
            lambda: self.p_partial(rng.choice(cast)),
            self.p_according,
            lambda: self.p_block(rng.choice(cast)),
            lambda: self.p_list(rng.choice(cast)),
            lambda: self.p_traps(rng.choice(cast)),
            lambda: self.p_appositive_before(rng.choice(cast)),
            lambda: self.p_split(rng.choice(cast)),
            lambda: self.p_possessive(*rng.sample(cast, 2)),
            self.p_group,
            lambda: self.p_according_person(rng.choice(cast)),
            lambda: self.p_told_outlet(rng.choice(cast)),
            self.p_outsider_before,
            lambda: self.p_head_of_state(
                rng.choice([p for p in holders if p.office != UK_FOREIGN])
            ),  # noqa: E501
            lambda: self.p_no_verb(rng.choice(cast)),
            lambda: self.p_reuters_order(rng.choice(cast)),
            self.p_spokesperson,
            self.p_outsider_pronoun,
            lambda: self.p_exclaim(rng.choice(cast)),
            lambda: self.p_participle(*rng.sample(cast, 2)),
            lambda: self.p_apposition(rng.choice(cast)),
            lambda: self.p_possessive_title(rng.choice(holders)),
            lambda: self.p_signature(rng.choice(cast)),
            lambda: self.p_subject(*rng.sample(rng.choice([women, men]), 2)),
            self.p_outsider_surname,
            lambda: self.p_joint(*rng.sample(cast, 2)),
            lambda: self.p_who_replied(*rng.sample(cast, 2)),
            lambda: self.p_transcript(rng.choice(cast)),
            lambda: self.p_post(rng.choice(cast)),
            lambda: self.p_honorific(rng.choice(cast)),
            self.p_titled_outsider,
            # Not the presidents: two offices of the cast share the title, so "the president"
            # names nobody the KB can settle (the extraction leaves the speaker empty).
            lambda: self.p_writing_in(
                rng.choice([p for p in holders if p.office not in (FR_PRES, US_PRES)])
            ),
            self.p_leader_apposition,
        ]
        self.p_dateline()
        for step in rng.sample(steps, rng.randrange(8, 14)):
            self.para()
            self.named.clear()  # every paragraph names its people in full once
            step()
        return self.article


def wire_corpus(*, articles: int, seed: int) -> list[Article]:
    return [Writer(seed, i).write() for i in range(articles)]


# --- scoring ----------------------------------------------------------------------------------


def score(corpus: list[Article], *, kb, people) -> dict:
    """Quote spans and speakers against the truth, straight from the pipeline."""
    from apps.extraction import pipeline

    c = {k: 0 for k in ("expected", "proposed", "spans right", "with speaker", "speaker right",
                        "expected with speaker", "speaker found right")}  # fmt: skip
    misses: dict[str, int] = {}
    started = time.perf_counter()
    for article in corpus:
        body = article.body
        found = pipeline.extract(body, published_on=article.published, kb=kb, people=people).quotes
        truth = {(q["start"], q["end"]): q for q in article.quotes}
        c["expected"] += len(truth)
        c["expected with speaker"] += sum(1 for q in truth.values() if q["speaker"] != "")
        c["proposed"] += len(found)
        seen = set()
        for q in found:
            expected = truth.get((q.start, q.end))
            speaker = q.speaker_id if q.speaker_id is not None else q.speaker_text
            has_speaker = speaker != ""
            c["with speaker"] += has_speaker
            if expected is None:
                misses["extra quote"] = misses.get("extra quote", 0) + 1
                continue
            seen.add((q.start, q.end))
            c["spans right"] += 1
            right = speaker == expected["speaker"]
            if has_speaker:
                c["speaker right"] += right
            if expected["speaker"] != "":
                c["speaker found right"] += right
            if not right:
                key = f"speaker wrong: {expected['pattern']}"
                misses[key] = misses.get(key, 0) + 1
        for key, q in truth.items():
            if key not in seen:
                misses[f"missed: {q['pattern']}"] = misses.get(f"missed: {q['pattern']}", 0) + 1
    c["seconds"] = round(time.perf_counter() - started, 3)
    c["misses"] = dict(sorted(misses.items()))
    return c


def report(c: dict) -> dict:
    def ratio(a: int, b: int) -> float:
        return round(a / b, 4) if b else 0.0

    figures = {
        "quote_precision": ratio(c["spans right"], c["proposed"]),
        "quote_recall": ratio(c["spans right"], c["expected"]),
        "speaker_precision": ratio(c["speaker right"], c["with speaker"]),
        "speaker_recall": ratio(c["speaker found right"], c["expected with speaker"]),
    }
    print("  wire copy (bench/wire.py: real-copy patterns of issue 11, pipeline alone):")
    print(
        f"    quote spans: precision {figures['quote_precision']:.4f}  recall "
        f"{figures['quote_recall']:.4f}  ({c['spans right']:,} right of {c['proposed']:,} "
        f"proposed, {c['expected']:,} expected)"
    )
    print(
        f"    speakers:    precision {figures['speaker_precision']:.4f}  recall "
        f"{figures['speaker_recall']:.4f}  ({c['speaker right']:,} right of {c['with speaker']:,} "
        f"named, {c['expected with speaker']:,} expected)"
    )
    if c["misses"]:
        print("    misses by pattern: " + ", ".join(f"{k} {v}" for k, v in c["misses"].items()))
    return {**figures, **c}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    kb, people = build_kb()
    corpus = wire_corpus(articles=options.articles, seed=options.seed)
    chars = sum(len(a.body) for a in corpus)
    print(f"{len(corpus)} wire-copy articles, {chars / len(corpus):,.0f} characters on average")
    report(score(corpus, kb=kb, people=people))


if __name__ == "__main__":
    main()
