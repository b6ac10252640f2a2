"""A small knowledge base for the check tests, as plain data (no database) and in the database."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from apps.checks.kbview import KBView, TenureFact

D = dt.date

PEOPLE = {
    1: "Keir Starmer",
    2: "Rishi Sunak",
    3: "Donald Trump",
    4: "Joe Biden",
    5: "Volodymyr Zelensky",
    6: "Emmanuel Macron",
    7: "Barack Obama",
    8: "Boris Johnson",
    9: "Liz Truss",
}
OFFICES = {
    101: ("Prime Minister of the United Kingdom", ["UK Prime Minister", "British Prime Minister"]),
    102: ("President of the United States", ["U.S. President", "US President"]),
    103: ("President of Ukraine", ["Ukrainian President"]),
    104: ("President of France", ["French President"]),
}
# (person, office, start, end)
TENURES = [
    (8, 101, D(2019, 7, 24), D(2022, 9, 6)),
    (9, 101, D(2022, 9, 6), D(2022, 10, 25)),
    (2, 101, D(2022, 10, 25), D(2024, 7, 5)),
    (1, 101, D(2024, 7, 5), None),
    (7, 102, D(2009, 1, 20), D(2017, 1, 20)),
    (3, 102, D(2017, 1, 20), D(2021, 1, 20)),
    (4, 102, D(2021, 1, 20), D(2025, 1, 20)),
    (3, 102, D(2025, 1, 20), None),
    (5, 103, D(2019, 5, 20), None),
    (6, 104, D(2017, 5, 14), None),
]
STARMER, SUNAK, TRUMP, BIDEN, ZELENSKY, MACRON = 1, 2, 3, 4, 5, 6
UK_PM, US_PRESIDENT, UA_PRESIDENT, FR_PRESIDENT = 101, 102, 103, 104


def kb_view(extra_tenures=()) -> KBView:
    counter = itertools.count(1)
    tenures = [
        TenureFact(
            id=next(counter),
            uuid=str(uuid.UUID(int=i + 1)),
            person_id=p,
            office_id=o,
            start=s,
            end=e,
            source_url="https://www.wikidata.org/wiki/Q0",
        )
        for i, (p, o, s, e) in enumerate([*TENURES, *extra_tenures])
    ]
    labels = {**PEOPLE, **{k: v[0] for k, v in OFFICES.items()}}
    kinds = {**dict.fromkeys(PEOPLE, "person"), **dict.fromkeys(OFFICES, "office")}
    return KBView.build(
        labels=labels,
        kinds=kinds,
        tenures=tenures,
        office_aliases={k: v[1] for k, v in OFFICES.items()},
    )
