"""Small Wikidata entity JSON fixtures, written the way Wikidata writes them."""

from __future__ import annotations

import bz2
import gzip
import json
from pathlib import Path

GREGORIAN = "http://www.wikidata.org/entity/Q1985727"
PRECISION = {"year": 9, "month": 10, "day": 11}


def time_snak(prop: str, iso: str | None, precision: str = "day", snaktype: str = "value"):
    if snaktype != "value":
        return {"snaktype": snaktype, "property": prop, "datatype": "time"}
    year, month, day = iso.split("-")
    if precision == "year":
        month = day = "00"
    elif precision == "month":
        day = "00"
    return {
        "snaktype": "value",
        "property": prop,
        "datavalue": {
            "value": {
                "time": f"+{year}-{month}-{day}T00:00:00Z",
                "timezone": 0,
                "before": 0,
                "after": 0,
                "precision": PRECISION[precision],
                "calendarmodel": GREGORIAN,
            },
            "type": "time",
        },
        "datatype": "time",
    }


def item_snak(prop: str, qid: str):
    return {
        "snaktype": "value",
        "property": prop,
        "datavalue": {
            "value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid},
            "type": "wikibase-entityid",
        },
        "datatype": "wikibase-item",
    }


def held(
    statement_id: str,
    office: str,
    start: str | None = None,
    end: str | None = None,
    *,
    start_precision: str = "day",
    end_precision: str = "day",
    end_snaktype: str = "value",
    rank: str = "normal",
):
    qualifiers = {}
    if start:
        qualifiers["P580"] = [time_snak("P580", start, start_precision)]
    if end or end_snaktype != "value":
        qualifiers["P582"] = [time_snak("P582", end, end_precision, end_snaktype)]
    return {
        "mainsnak": item_snak("P39", office),
        "type": "statement",
        "qualifiers": qualifiers,
        "id": statement_id,
        "rank": rank,
    }


def entity(qid: str, label: str, *, instance_of=(), aliases=(), held_offices=(), lang="en"):
    data = {
        "type": "item",
        "id": qid,
        "labels": {lang: {"language": lang, "value": label}} if label else {},
        "descriptions": {},
        "aliases": {lang: [{"language": lang, "value": a} for a in aliases]} if aliases else {},
        "claims": {},
    }
    if instance_of:
        data["claims"]["P31"] = [
            {
                "mainsnak": item_snak("P31", c),
                "type": "statement",
                "id": f"{qid}$p31-{c}",
                "rank": "normal",
            }
            for c in instance_of
        ]
    if held_offices:
        data["claims"]["P39"] = list(held_offices)
    return data


def person(qid, label, *, aliases=(), held_offices=()):
    return entity(qid, label, instance_of=["Q5"], aliases=aliases, held_offices=held_offices)


def office(qid, label, *, aliases=()):
    return entity(qid, label, instance_of=["Q4164871"], aliases=aliases)


def document_text(entities) -> str:
    return json.dumps({"entities": {e["id"]: e for e in entities}}, indent=2, ensure_ascii=False)


def array_text(entities) -> str:
    return json.dumps(list(entities), indent=2, ensure_ascii=False)


def dump_text(entities) -> str:
    lines = [json.dumps(e, ensure_ascii=False) for e in entities]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def write(path: Path, text: str) -> Path:
    data = text.encode("utf-8")
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(data))
    elif path.suffix == ".bz2":
        path.write_bytes(bz2.compress(data))
    else:
        path.write_bytes(data)
    return path
