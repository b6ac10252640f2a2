"""Benchmark: `kb_sync --preset heads` of a generated answer set of 10,000 people.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/factdesk_bench \\
        .venv/bin/python bench/kb_sync.py [--people 10000]

Generates a Wikidata-shaped answer set (200 countries with demonyms, their head-of-state and
head-of-government offices and a parliament seat each, N people holding 1–3 of those offices with
day, month or year precision, some open-ended, some with a deprecated statement), serves it over
HTTP from a local fake Wikidata (tests/knowledge/fake_wikidata.py: the same answers the tests
replay), and runs the real sync into a throwaway test database, three times: a first sync (empty
KB), a second one with nothing changed (nothing is written), a third after 1 % of the people were
edited on "Wikidata". Network time (requests, answers, JSON decoding; the fake server runs in this
process too) is reported apart from the sync's own time. Writes bench/results/kb_sync-<engine>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

COUNTRIES = 200
GREGORIAN = "http://www.wikidata.org/entity/Q1985727"
FIRST = (
    "Anna Boris Carla David Elena Farid Greta Hugo Ines Jonas Keir Lena Marek Nadia Omar".split()
)
LAST = "Abara Berg Costa Dahl Eder Falk Gomez Horvat Ivanov Jensen Kato Lind Moreau Novak".split()


def _item(prop: str, qid: str) -> dict:
    return {
        "snaktype": "value",
        "property": prop,
        "datavalue": {
            "value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid},
            "type": "wikibase-entityid",
        },
        "datatype": "wikibase-item",
    }


def _time(prop: str, year: int, month: int, day: int, precision: int) -> dict:
    if precision == 9:
        month = day = 0
    elif precision == 10:
        day = 0
    return {
        "snaktype": "value",
        "property": prop,
        "datavalue": {
            "value": {
                "time": f"+{year:04d}-{month:02d}-{day:02d}T00:00:00Z",
                "timezone": 0,
                "before": 0,
                "after": 0,
                "precision": precision,
                "calendarmodel": GREGORIAN,
            },
            "type": "time",
        },
        "datatype": "time",
    }


def _statement(sid: str, prop: str, snak: dict, rank: str = "normal", qualifiers=None) -> dict:
    data = {"mainsnak": snak, "type": "statement", "id": sid, "rank": rank}
    if qualifiers:
        data["qualifiers"] = qualifiers
    return data


def _entity(qid: str, label: str, claims: dict, *, aliases=(), revision: int) -> dict:
    return {
        "pageid": int(qid[1:]),
        "ns": 0,
        "title": qid,
        "lastrevid": revision,
        "modified": "2026-11-20T10:00:00Z",
        "type": "item",
        "id": qid,
        "labels": {"en": {"language": "en", "value": label}},
        "descriptions": {"en": {"language": "en", "value": "generated for the kb_sync benchmark"}},
        "aliases": {"en": [{"language": "en", "value": a} for a in aliases]} if aliases else {},
        "claims": claims,
        "sitelinks": {},
    }


def generate(people: int, seed: int = 7):
    """(entities, preset office ids, (person, office) holder pairs). Ids from Q960000000 up."""
    rng = random.Random(seed)
    entities: dict[str, dict] = {}
    offices: list[str] = []
    seats: list[str] = []
    for c in range(COUNTRIES):
        country = f"Q96{c:07d}"
        name = f"Country {c}"
        claims = {
            "P31": [_statement(f"{country}$p31", "P31", _item("P31", "Q3624078"))],
            "P1549": [
                _statement(
                    f"{country}$p1549",
                    "P1549",
                    {
                        "snaktype": "value",
                        "property": "P1549",
                        "datavalue": {
                            "value": {"text": f"Countrian{c}", "language": "en"},
                            "type": "monolingualtext",
                        },
                        "datatype": "monolingualtext",
                    },
                )
            ],
        }
        entities[country] = _entity(country, name, claims, revision=1000 + c)
        for k, title in enumerate(["President", "Prime Minister", "Member of Parliament"]):
            office = f"Q97{c:05d}{k:02d}"
            claims = {
                "P31": [_statement(f"{office}$p31", "P31", _item("P31", "Q4164871"))],
                "P1001": [_statement(f"{office}$p1001", "P1001", _item("P1001", country))],
            }
            entities[office] = _entity(
                office, f"{title} of {name}", claims, aliases=[f"Countrian{c} {title}"],
                revision=2000 + c * 3 + k,
            )  # fmt: skip
            (seats if k == 2 else offices).append(office)
    holders: list[tuple[str, str]] = []
    for p in range(people):
        person = f"Q98{p:07d}"
        c = rng.randrange(COUNTRIES)
        statements = []
        # Everyone held the country's presidency or premiership (the preset lists them); some
        # the other one and a parliament seat too.
        held = [rng.choice(offices[2 * c : 2 * c + 2])]
        held += rng.sample(
            [o for o in (offices[2 * c], offices[2 * c + 1], seats[c]) if o not in held],
            rng.randint(0, 2),
        )
        for n, office in enumerate(held):
            year = rng.randint(1990, 2024)
            precision = rng.choice([11, 11, 11, 10, 9])
            qualifiers = {
                "P580": [_time("P580", year, rng.randint(1, 12), rng.randint(1, 28), precision)]
            }
            if rng.random() < 0.7:
                end = min(2025, year + rng.randint(1, 8))
                qualifiers["P582"] = [
                    _time("P582", end, rng.randint(1, 12), rng.randint(1, 28), 11)
                ]
            rank = "deprecated" if n > 0 and rng.random() < 0.05 else "normal"
            statements.append(
                _statement(f"{person}$p39-{n}", "P39", _item("P39", office), rank, qualifiers)
            )
            if rank != "deprecated" and office not in seats:
                holders.append((person, office))
        claims = {
            "P31": [_statement(f"{person}$p31", "P31", _item("P31", "Q5"))],
            "P21": [_statement(f"{person}$p21", "P21", _item("P21", rng.choice(["Q6581097", "Q6581072"])))],
            "P39": statements,
        }  # fmt: skip
        first, last = rng.choice(FIRST), rng.choice(LAST)
        entities[person] = _entity(
            person, f"{first} {last} {p}", claims, aliases=[f"{last} {p}"], revision=5000 + p
        )
    return entities, offices, holders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    from tests.knowledge.fake_wikidata import FakeWikidata, FakeWikidataServer

    entities, offices, holders = generate(args.people)
    fake = FakeWikidata()
    fake.entities = entities
    fake.preset_offices = {
        "head": {"vars": ["office"]},
        "results": {
            "bindings": [
                {"office": {"type": "uri", "value": f"http://www.wikidata.org/entity/{q}"}}
                for q in offices
            ]
        },
    }
    fake.holders = {
        "head": {"vars": ["person", "office"]},
        "results": {
            "bindings": [
                {
                    "person": {"type": "uri", "value": f"http://www.wikidata.org/entity/{p}"},
                    "office": {"type": "uri", "value": f"http://www.wikidata.org/entity/{o}"},
                }
                for p, o in holders
            ]
        },
    }

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    runs = []
    try:
        from apps.knowledge.models import Entity, Tenure
        from apps.knowledge.sync import kb_sync_run

        with FakeWikidataServer(fake) as server:
            settings.WIKIDATA_API_URL = server.api_url
            settings.WIKIDATA_SPARQL_URL = server.sparql_url
            settings.KB_SYNC_REQUEST_INTERVAL_MS = 0
            rng = random.Random(11)
            for name in ("first sync", "second sync, nothing changed", "1 % of people edited"):
                if name.startswith("1 %"):
                    for qid in rng.sample(
                        [q for q in entities if q.startswith("Q98")], args.people // 100
                    ):
                        entities[qid]["lastrevid"] += 100_000
                        entities[qid]["labels"]["en"]["value"] += " (edited)"
                t0 = time.perf_counter()
                report = kb_sync_run(presets=["heads"], remember=False)
                total = time.perf_counter() - t0
                run = {
                    "run": name,
                    "seconds": round(total, 2),
                    "network_seconds": round(report.network_seconds, 2),
                    "sync_seconds_without_network": round(total - report.network_seconds, 2),
                    "requests": report.requests,
                    "summary": report.summary(),
                }
                runs.append(run)
                print(f"{name}: {run['sync_seconds_without_network']:.1f} s without network "
                      f"(network {run['network_seconds']:.1f} s, {run['requests']} requests)")  # fmt: skip
                print(f"  {report.summary()}")
            counts = {
                "entities": Entity.objects.count(),
                "people": Entity.objects.filter(kind="person").count(),
                "tenures": Tenure.objects.count(),
            }
            print(f"knowledge base: {counts}")
    finally:
        vendor = connection.vendor
        connection.creation.destroy_test_db(old_name, verbosity=0)
    out = ROOT / "bench" / "results" / f"kb_sync-{vendor}.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "kb_sync --preset heads, generated answer set",
                "people": args.people,
                "engine": vendor,
                "runs": runs,
                "kb": counts,
                "machine": platform.platform(),
                "load_average": os.getloadavg(),
                "date": time.strftime("%Y-%m-%d"),
            },
            indent=2,
        )
        + "\n"
    )
    print(f"results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
