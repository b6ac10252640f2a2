"""A small knowledge base for the extraction tests, as plain rows (no database needed)."""

from __future__ import annotations

import datetime as dt

from apps.extraction.entities import KBIndex
from apps.extraction.speakers import PeopleKB, office_signatures

STARMER, ZELENSKY, MACRON, TRUMP, SUNAK, SCHOLZ, MAY = 1, 2, 3, 4, 5, 6, 7
UK_PM, UA_PRESIDENT, FR_PRESIDENT, US_PRESIDENT, DE_CHANCELLOR = 11, 12, 13, 14, 15
UKRAINE, PARIS, UNITED_KINGDOM, FRANCE, GERMANY, UNITED_STATES, RUSSIA = 21, 22, 23, 24, 25, 26, 27
NATO, EU = 31, 32

ENTITIES = [
    (STARMER, "person", "Keir Starmer"),
    (ZELENSKY, "person", "Volodymyr Zelensky"),
    (MACRON, "person", "Emmanuel Macron"),
    (TRUMP, "person", "Donald Trump"),
    (SUNAK, "person", "Rishi Sunak"),
    (SCHOLZ, "person", "Olaf Scholz"),
    (MAY, "person", "Theresa May"),
    (UK_PM, "office", "Prime Minister of the United Kingdom"),
    (UA_PRESIDENT, "office", "President of Ukraine"),
    (FR_PRESIDENT, "office", "President of France"),
    (US_PRESIDENT, "office", "President of the United States"),
    (DE_CHANCELLOR, "office", "Chancellor of Germany"),
    (UKRAINE, "place", "Ukraine"),
    (PARIS, "place", "Paris"),
    (UNITED_KINGDOM, "place", "United Kingdom"),
    (FRANCE, "place", "France"),
    (GERMANY, "place", "Germany"),
    (UNITED_STATES, "place", "United States"),
    (RUSSIA, "place", "Russia"),
    (NATO, "organisation", "NATO"),
    (EU, "organisation", "European Union"),
]
ALIASES = [
    (UK_PM, "UK Prime Minister"),
    (UK_PM, "British Prime Minister"),
    (US_PRESIDENT, "President of the USA"),
    (ZELENSKY, "Zelenskyy"),
    (UNITED_KINGDOM, "UK"),
    (UNITED_STATES, "US"),
    (EU, "EU"),
]
TENURES = [
    (SUNAK, UK_PM, dt.date(2022, 10, 25)),
    (STARMER, UK_PM, dt.date(2024, 7, 5)),
    (ZELENSKY, UA_PRESIDENT, dt.date(2019, 5, 20)),
    (MACRON, FR_PRESIDENT, dt.date(2017, 5, 14)),
    (TRUMP, US_PRESIDENT, dt.date(2017, 1, 20)),
    (TRUMP, US_PRESIDENT, dt.date(2025, 1, 20)),
    (SCHOLZ, DE_CHANCELLOR, dt.date(2021, 12, 8)),
    (MAY, UK_PM, dt.date(2016, 7, 13)),
]


def make_kb(*, entities=(), aliases=(), tenures=(), demonyms=None, jurisdictions=None) -> KBIndex:
    """The standard rows plus any given."""
    return KBIndex.build(
        entities=[*ENTITIES, *entities],
        aliases=[*ALIASES, *aliases],
        tenures=[*TENURES, *tenures],
        demonyms=demonyms,
        jurisdictions=jurisdictions,
    )


KB = make_kb()


# People's genders (Wikidata P21) and tenures with their ends, for pronouns and titles alone.
GENDERS = [
    (STARMER, "male"),
    (ZELENSKY, "male"),
    (MACRON, "male"),
    (TRUMP, "male"),
    (SUNAK, "male"),
    (SCHOLZ, "male"),
    (MAY, "female"),
]
TENURE_ENDS = {
    (SUNAK, UK_PM): dt.date(2024, 7, 5),
    (MAY, UK_PM): dt.date(2019, 7, 24),
    (TRUMP, US_PRESIDENT, dt.date(2017, 1, 20)): dt.date(2021, 1, 20),
    (SCHOLZ, DE_CHANCELLOR): dt.date(2025, 5, 6),
}


def make_people(kb: KBIndex = KB, *, genders=GENDERS) -> PeopleKB:
    tenures = []
    for person, office, start in TENURES:
        end = TENURE_ENDS.get((person, office, start), TENURE_ENDS.get((person, office)))
        if person == TRUMP and start.year == 2025:
            end = None
        tenures.append((person, office, start, end))
    return PeopleKB.build(
        genders=genders,
        tenures=tenures,
        office_signatures=office_signatures(kb.titles),
        country_of=kb.country_of,
    )


PEOPLE = make_people()
