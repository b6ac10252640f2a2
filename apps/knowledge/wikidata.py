"""Reading Wikidata entity JSON into plain records, with no database access.

Three shapes are read, plain or compressed (.gz, .bz2), streaming so a large file never has to
fit in memory:

- a ``Special:EntityData/Q….json`` document: ``{"entities": {"Q42": {...}, ...}}``;
- a JSON array of entities: ``[{...}, {...}]`` (any layout);
- the JSON dump layout: ``[`` on the first line, then one entity per line ending in a comma,
  then ``]``. Each line is parsed on its own.

The document and array shapes go through ijson, fed one line at a time so that an error names
the line where the parser noticed it. Anything that is not what Wikidata writes raises
`WikidataFormatError` with the file and the line.
"""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import json
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import ijson

PERSON = "person"
ORGANISATION = "organisation"
PLACE = "place"
OFFICE = "office"
OTHER = "other"

# P31 ("instance of") values that decide an entity's kind. Ids are compared as opaque strings.
KIND_BY_CLASS: dict[str, str] = {
    # people
    "Q5": PERSON,  # human
    # offices
    "Q4164871": OFFICE,  # position
    "Q294414": OFFICE,  # public office
    "Q48352": OFFICE,  # head of state
    "Q2285706": OFFICE,  # head of government
    "Q30461": OFFICE,  # president
    "Q14212": OFFICE,  # prime minister
    "Q83307": OFFICE,  # minister
    # organisations
    "Q43229": ORGANISATION,  # organization
    "Q484652": ORGANISATION,  # international organization
    "Q245065": ORGANISATION,  # intergovernmental organization
    "Q1127126": ORGANISATION,  # military alliance
    "Q327333": ORGANISATION,  # government agency
    "Q2659904": ORGANISATION,  # government organization
    "Q7188": ORGANISATION,  # government
    "Q7278": ORGANISATION,  # political party
    "Q4830453": ORGANISATION,  # business
    "Q783794": ORGANISATION,  # company
    "Q163740": ORGANISATION,  # nonprofit organization
    "Q1140229": ORGANISATION,  # political union
    "Q17127659": ORGANISATION,  # terrorist organization
    "Q1331793": ORGANISATION,  # media company
    "Q11032": ORGANISATION,  # newspaper
    # places
    "Q6256": PLACE,  # country
    "Q3624078": PLACE,  # sovereign state
    "Q7275": PLACE,  # state
    "Q515": PLACE,  # city
    "Q1549591": PLACE,  # big city
    "Q1637706": PLACE,  # city with millions of inhabitants
    "Q200250": PLACE,  # metropolis
    "Q5119": PLACE,  # capital city
    "Q486972": PLACE,  # human settlement
    "Q3957": PLACE,  # town
    "Q532": PLACE,  # village
    "Q15284": PLACE,  # municipality
    "Q484170": PLACE,  # commune of France
    "Q35657": PLACE,  # U.S. state
    "Q107390": PLACE,  # federated state
    "Q10864048": PLACE,  # first-level administrative country subdivision
    "Q835714": PLACE,  # oblast of Russia
    "Q56061": PLACE,  # administrative territorial entity
    "Q82794": PLACE,  # geographic region
    "Q23442": PLACE,  # island
    "Q5107": PLACE,  # continent
    "Q112099": PLACE,  # island country
    "Q3336843": PLACE,  # country of the United Kingdom
    "Q46395": PLACE,  # British overseas territory
    "Q1048835": PLACE,  # political territorial entity
}
# When an entity has several P31 values, the first kind in this order wins.
KIND_ORDER = (PERSON, OFFICE, ORGANISATION, PLACE)

# P279 ("subclass of") values that make an entity an office: Wikidata models many offices as
# subclasses ("Prime Minister of the United Kingdom" is a subclass of "prime minister").
OFFICE_SUPERCLASSES = frozenset(
    {"Q4164871", "Q294414", "Q48352", "Q2285706", "Q30461", "Q14212", "Q83307", "Q7330070"}
)

# P21 ("sex or gender") → Entity.gender. Trans women and men are women and men; any other value
# (intersex, non-binary, …) is "other"; no statement leaves the gender unknown.
GENDER_BY_ITEM: dict[str, str] = {
    "Q6581097": "male",
    "Q6581072": "female",
    "Q1052281": "female",  # trans woman
    "Q2449503": "male",  # trans man
}

PRECISION_BY_CODE = {9: "year", 10: "month", 11: "day"}
GREGORIAN = "http://www.wikidata.org/entity/Q1985727"
JULIAN = "http://www.wikidata.org/entity/Q1985786"

ENGLISH = ("en", "en-gb", "en-us", "en-ca", "en-au", "mul")


class WikidataFormatError(ValueError):
    """The input is not Wikidata entity JSON. `line` is 1-based (None when unknown)."""

    def __init__(self, problem: str, *, path: str = "", line: int | None = None) -> None:
        self.problem = problem
        self.path = path
        self.line = line
        where = path or "input"
        if line is not None:
            where += f", line {line}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class WikidataDate:
    """A Wikidata time value: the first day of the period and its precision."""

    value: dt.date
    precision: str  # "year" | "month" | "day"


@dataclass
class TenureRecord:
    """One P39 "position held" statement."""

    statement_id: str
    office_id: str
    start: WikidataDate | None = None
    end: WikidataDate | None = None
    end_unknown: bool = False
    source_url: str = ""
    # P1365 "replaces" / P1366 "replaced by" qualifiers: the predecessor and successor (item ids).
    replaces: str | None = None
    replaced_by: str | None = None


@dataclass
class EntityRecord:
    wikidata_id: str
    label: str
    kind: str = OTHER
    # "item" for Q-ids; the importer skips properties and lexemes of a full dump.
    entity_type: str = "item"
    description: str = ""
    language: str = "en"
    # (alias, language), label first, without case-insensitive duplicates.
    aliases: list[tuple[str, str]] = field(default_factory=list)
    tenures: list[TenureRecord] = field(default_factory=list)
    # Wikidata's revision of the entity (`lastrevid`), when the document carries it.
    revision: int | None = None
    # People: "male", "female", "other" (P21), "" when Wikidata does not say.
    gender: str = ""
    # English demonyms (P1549), preferred first: countries ("German").
    demonyms: list[str] = field(default_factory=list)
    # The item an office applies to: P1001 "applies to jurisdiction", else P17 "country".
    jurisdiction_id: str | None = None
    # Non-fatal problems (a statement that was skipped); the importer reports them.
    warnings: list[str] = field(default_factory=list)
    line: int | None = None


# --- Files ------------------------------------------------------------------------------------


def open_binary(path: str | os.PathLike[str]) -> IO[bytes]:
    """Open a plain, gzip or bzip2 file for reading bytes, by its magic number (not its name)."""
    handle = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    magic = handle.read(3)
    handle.seek(0)
    if magic[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[return-value]
    if magic == b"BZh":
        return bz2.BZ2File(handle, mode="rb")  # type: ignore[return-value]
    return handle


# Errors a corrupt or truncated compressed file raises while it is being read.
_STREAM_ERRORS = (OSError, EOFError, zlib.error, gzip.BadGzipFile)


def read_entities(path: str | os.PathLike[str]) -> Iterator[EntityRecord]:
    """Every entity of the file, in file order. Raises WikidataFormatError on malformed input
    (possibly after yielding earlier entities: callers import in one transaction)."""
    name = str(path)
    try:
        handle = open_binary(path)
    except OSError as exc:
        raise WikidataFormatError(f"cannot open the file ({exc.strerror or exc})", path=name)
    with handle:
        lines = _numbered_lines(handle, name)
        first = _first_content_line(lines)
        if first is None:
            raise WikidataFormatError(
                "the file is empty; expected Wikidata entity JSON", path=name, line=1
            )
        number, text = first
        stripped = text.strip()
        if stripped.startswith(b"{"):
            yield from _read_document(lines, first, name)
        elif stripped == b"[":
            second = _first_content_line(lines)
            if second is not None and _looks_like_dump_line(second[1]):
                yield from _read_dump(lines, second, name)
            else:
                yield from _read_array(lines, [first, second] if second else [first], name)
        elif stripped.startswith(b"["):
            yield from _read_array(lines, [first], name)
        else:
            raise WikidataFormatError(
                'expected Wikidata entity JSON: a {"entities": {…}} document, a JSON array '
                f"or a dump, but the file starts with {stripped[:20].decode('utf-8', 'replace')!r}",
                path=name,
                line=number,
            )


def _numbered_lines(handle: IO[bytes], name: str) -> Iterator[tuple[int, bytes]]:
    number = 0
    try:
        for number, line in enumerate(handle, start=1):  # noqa: B007 - used after the loop
            yield number, line
    except _STREAM_ERRORS as exc:
        raise WikidataFormatError(
            f"the compressed file is damaged or cut short ({exc})", path=name, line=number + 1
        )


def _first_content_line(lines: Iterator[tuple[int, bytes]]) -> tuple[int, bytes] | None:
    for number, line in lines:
        if line.strip():
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            return number, line
    return None


def _looks_like_dump_line(line: bytes) -> bool:
    stripped = line.strip()
    return stripped.startswith(b"{") and (stripped.endswith(b"}") or stripped.endswith(b"},"))


def _json_problem(exc: Exception) -> str:
    text = exc.args[0] if exc.args else str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return "invalid JSON (" + str(text).strip().splitlines()[0] + ")"


def _read_dump(
    lines: Iterator[tuple[int, bytes]], first: tuple[int, bytes], name: str
) -> Iterator[EntityRecord]:
    closed_at: int | None = None
    number = first[0]
    for number, line in _chain([first], lines):
        stripped = line.strip()
        if not stripped:
            continue
        if closed_at is not None:
            raise WikidataFormatError("text after the closing ]", path=name, line=number)
        if stripped == b"]":
            closed_at = number
            continue
        if stripped.endswith(b","):
            stripped = stripped[:-1]
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise WikidataFormatError(
                f"invalid JSON ({exc.msg} at column {exc.colno})", path=name, line=number
            )
        except ValueError as exc:  # UnicodeDecodeError: not UTF-8
            raise WikidataFormatError(f"invalid JSON ({exc})", path=name, line=number)
        yield parse_entity(data, path=name, line=number)
    if closed_at is None:
        raise WikidataFormatError(
            "the dump ends without its closing ] (is the file cut short?)", path=name, line=number
        )


def _chain(
    first: list[tuple[int, bytes]], rest: Iterator[tuple[int, bytes]]
) -> Iterator[tuple[int, bytes]]:
    yield from first
    yield from rest


def _read_array(
    lines: Iterator[tuple[int, bytes]], first: list[tuple[int, bytes]], name: str
) -> Iterator[EntityRecord]:
    found = ijson.sendable_list()
    coroutine = ijson.items_coro(found, "item")
    yield from _feed(coroutine, found, lines, first, name, keyed=False)


def _read_document(
    lines: Iterator[tuple[int, bytes]], first: tuple[int, bytes], name: str
) -> Iterator[EntityRecord]:
    found = ijson.sendable_list()
    keys = ijson.sendable_list()
    coroutine = _TeeCoroutine(
        ijson.kvitems_coro(found, "entities"), ijson.parse_coro(_TopKeys(keys))
    )
    seen = 0
    for record in _feed(coroutine, found, lines, [first], name, keyed=True):
        seen += 1
        yield record
    if seen == 0 and "entities" not in keys:
        raise WikidataFormatError(
            'expected a Special:EntityData document {"entities": {…}}, found no "entities" key',
            path=name,
            line=first[0],
        )


class _TopKeys:
    """Collects the top-level keys of a document from ijson parse events (cheap: it only looks at
    the event prefix)."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys

    def send(self, event: tuple[str, str, Any]) -> None:
        prefix, kind, value = event
        if prefix == "" and kind == "map_key":
            self.keys.append(value)


class _TeeCoroutine:
    def __init__(self, *targets: Any) -> None:
        self.targets = targets

    def send(self, data: bytes) -> None:
        for target in self.targets:
            target.send(data)

    def close(self) -> None:
        for target in self.targets:
            target.close()


def _feed(
    coroutine: Any,
    found: list,
    lines: Iterator[tuple[int, bytes]],
    first: list[tuple[int, bytes]],
    name: str,
    *,
    keyed: bool,
) -> Iterator[EntityRecord]:
    number = first[0][0]
    try:
        for number, line in _chain(first, lines):
            coroutine.send(line)
            if found:
                for item in found:
                    yield _parse_item(item, keyed=keyed, name=name, line=number)
                del found[:]
        coroutine.close()
    except ijson.JSONError as exc:
        raise WikidataFormatError(_json_problem(exc), path=name, line=number)
    for item in found:
        yield _parse_item(item, keyed=keyed, name=name, line=number)
    del found[:]


def _parse_item(item: Any, *, keyed: bool, name: str, line: int) -> EntityRecord:
    if keyed:
        key, data = item
        if isinstance(data, dict) and "id" not in data:
            data = {**data, "id": key}
    else:
        data = item
    return parse_entity(data, path=name, line=line)


# --- Entities ---------------------------------------------------------------------------------


def parse_entity(data: Any, *, path: str = "", line: int | None = None) -> EntityRecord:
    """One entity object (as Wikidata writes it) → EntityRecord. Pure."""

    def fail(problem: str) -> WikidataFormatError:
        return WikidataFormatError(problem, path=path, line=line)

    if not isinstance(data, dict):
        raise fail(f"expected an entity object, found {type(data).__name__}")
    qid = data.get("id")
    if not isinstance(qid, str) or not qid.strip():
        raise fail('an entity has no "id"')
    qid = qid.strip()
    if len(qid) > 32:
        raise fail(f"the entity id {qid[:40]!r}… is longer than 32 characters")
    entity_type = data.get("type", "item")
    if entity_type != "item":
        return EntityRecord(wikidata_id=qid, label=qid, entity_type=str(entity_type), line=line)
    labels = _language_map(data.get("labels"), "labels", qid, fail)
    descriptions = _language_map(data.get("descriptions"), "descriptions", qid, fail)
    aliases_by_language = data.get("aliases") or {}
    if not isinstance(aliases_by_language, dict):
        raise fail(f'{qid}: "aliases" must be an object of language → list')

    language = _pick_language(labels) or _pick_language(aliases_by_language) or "en"
    label_entry = labels.get(language)
    label = _text(label_entry).strip() if label_entry is not None else ""
    if not label:
        label = qid
    description_language = _pick_language(descriptions)
    description = _text(descriptions[description_language]).strip() if description_language else ""

    record = EntityRecord(
        wikidata_id=qid, label=label, description=description, language=language, line=line
    )
    seen: set[str] = set()

    def add_alias(text: str, lang: str) -> None:
        text = " ".join(text.split())
        key = text.casefold()
        if text and key not in seen:
            seen.add(key)
            record.aliases.append((text, lang))

    add_alias(label, language)
    english = [lang for lang in ENGLISH if lang in labels or lang in aliases_by_language]
    alias_languages = english or [language]
    for lang in alias_languages:
        if lang in labels:
            add_alias(_text(labels[lang]), lang)
    for lang in alias_languages:
        values = aliases_by_language.get(lang) or []
        if isinstance(values, dict):  # some tools write a single value per language
            values = [values]
        if not isinstance(values, list):
            raise fail(f"{qid}: aliases for {lang!r} must be a list")
        for value in values:
            add_alias(_text(value), lang)

    claims = data.get("claims") or data.get("statements") or {}
    if not isinstance(claims, dict):
        raise fail(f'{qid}: "claims" must be an object of property → list of statements')
    record.kind = _kind(claims, qid, fail)
    revision = data.get("lastrevid")
    if isinstance(revision, int) and not isinstance(revision, bool) and revision > 0:
        record.revision = revision
    record.gender = _gender(claims, qid, fail)
    record.demonyms = _demonyms(claims, qid, fail)
    record.jurisdiction_id = _first_item(claims, "P1001", qid, fail) or _first_item(
        claims, "P17", qid, fail
    )
    if record.jurisdiction_id == qid:  # a country is its own P17
        record.jurisdiction_id = None
    for statement in _statements(claims, "P39", qid, fail):
        tenure = _tenure(statement, qid, fail, record.warnings)
        if tenure is not None:
            record.tenures.append(tenure)
    return record


def _language_map(value: Any, what: str, qid: str, fail) -> dict[str, Any]:
    if value is None or value == []:  # PHP serialises an empty object as []
        return {}
    if not isinstance(value, dict):
        raise fail(f'{qid}: "{what}" must be an object of language → value')
    return value


def _text(entry: Any) -> str:
    if isinstance(entry, dict):
        value = entry.get("value", "")
        return value if isinstance(value, str) else ""
    if isinstance(entry, str):
        return entry
    return ""


def _pick_language(by_language: dict[str, Any]) -> str | None:
    for lang in ENGLISH:
        if lang in by_language and by_language[lang]:
            return lang
    for lang in by_language:
        if lang.startswith("en-") and by_language[lang]:
            return lang
    for lang in sorted(by_language):
        if by_language[lang]:
            return lang
    return None


def _statements(claims: dict[str, Any], prop: str, qid: str, fail) -> list[dict[str, Any]]:
    values = claims.get(prop) or []
    if not isinstance(values, list):
        raise fail(f"{qid}: the {prop} statements must be a list")
    kept = []
    for statement in values:
        if not isinstance(statement, dict):
            raise fail(f"{qid}: a {prop} statement is not an object")
        if statement.get("rank") == "deprecated":
            continue
        kept.append(statement)
    # Preferred statements first; file order otherwise.
    kept.sort(key=lambda s: 0 if s.get("rank") == "preferred" else 1)
    return kept


def _snak_item_id(snak: Any, qid: str, fail, what: str) -> str | None:
    """The item id a snak points at, or None for `somevalue`/`novalue`."""
    if not isinstance(snak, dict):
        raise fail(f"{qid}: {what} has no mainsnak")
    if snak.get("snaktype", "value") != "value":
        return None
    value = (snak.get("datavalue") or {}).get("value")
    if isinstance(value, dict):
        if isinstance(value.get("id"), str):
            return value["id"]
        if "numeric-id" in value:
            return f"Q{value['numeric-id']}"
    if isinstance(value, str) and value:
        return value
    raise fail(f"{qid}: {what} has no item value")


def _kind(claims: dict[str, Any], qid: str, fail) -> str:
    kinds = set()
    for statement in _statements(claims, "P31", qid, fail):
        target = _snak_item_id(statement.get("mainsnak"), qid, fail, "a P31 statement")
        if target is not None and target in KIND_BY_CLASS:
            kinds.add(KIND_BY_CLASS[target])
    for statement in _statements(claims, "P279", qid, fail):
        target = _snak_item_id(statement.get("mainsnak"), qid, fail, "a P279 statement")
        if target in OFFICE_SUPERCLASSES:
            kinds.add(OFFICE)
    for kind in KIND_ORDER:
        if kind in kinds:
            return kind
    return OTHER


def _first_item(claims: dict[str, Any], prop: str, qid: str, fail) -> str | None:
    """The item of the best-ranked statement of `prop` (preferred, else the first normal one)."""
    for statement in _statements(claims, prop, qid, fail):
        target = _snak_item_id(statement.get("mainsnak"), qid, fail, f"a {prop} statement")
        if target is not None:
            return target
    return None


def _gender(claims: dict[str, Any], qid: str, fail) -> str:
    target = _first_item(claims, "P21", qid, fail)
    if target is None:
        return ""
    return GENDER_BY_ITEM.get(target, "other")


def _demonyms(claims: dict[str, Any], qid: str, fail) -> list[str]:
    found: list[str] = []
    for statement in _statements(claims, "P1549", qid, fail):
        snak = statement.get("mainsnak")
        if not isinstance(snak, dict) or snak.get("snaktype", "value") != "value":
            continue
        value = (snak.get("datavalue") or {}).get("value")
        if not isinstance(value, dict) or value.get("language") not in ENGLISH:
            continue
        text = " ".join(str(value.get("text") or "").split())
        if text and text not in found:
            found.append(text[:100])
    return found


def _qualifier_item(qualifiers: dict[str, Any], prop: str, qid: str, fail) -> str | None:
    snaks = qualifiers.get(prop) or []
    if not isinstance(snaks, list):
        raise fail(f"{qid}: the {prop} qualifiers must be a list")
    for snak in snaks:
        target = _snak_item_id(snak, qid, fail, f"a {prop} qualifier")
        if target is not None:
            return target
    return None


def _tenure(statement: dict[str, Any], qid: str, fail, warnings: list[str]) -> TenureRecord | None:
    office = _snak_item_id(statement.get("mainsnak"), qid, fail, "a P39 statement")
    if office is None:
        return None
    if office == qid:
        warnings.append(f"{qid}: skipped a P39 statement that names the entity itself")
        return None
    qualifiers = statement.get("qualifiers") or {}
    if not isinstance(qualifiers, dict):
        raise fail(f"{qid}: the qualifiers of a P39 statement must be an object")
    start, start_unknown = _qualifier_date(qualifiers, "P580", qid, fail)
    end, end_unknown = _qualifier_date(qualifiers, "P582", qid, fail)
    statement_id = statement.get("id")
    if not isinstance(statement_id, str) or not statement_id:
        # Hand-written files may omit statement ids; derive a stable one so re-imports match.
        statement_id = f"{qid}$P39:{office}:{start.value.isoformat() if start else ''}"
    tenure = TenureRecord(
        statement_id=statement_id,
        office_id=office,
        start=start,
        end=end,
        end_unknown=end_unknown and end is None,
        source_url=_reference_url(statement),
        replaces=_qualifier_item(qualifiers, "P1365", qid, fail),
        replaced_by=_qualifier_item(qualifiers, "P1366", qid, fail),
    )
    if start is not None and end is not None and end.value < start.value:
        # A year- or month-precision end in the same period as the start ("2019" ending a
        # tenure that began 2019-05-20) is consistent; store it as starting no earlier.
        if _latest(end) >= start.value:
            tenure.end = WikidataDate(start.value, end.precision)
        else:
            warnings.append(
                f"{qid}: skipped P39 statement {statement_id}: it ends ({end.value}) before it "
                f"starts ({start.value})"
            )
            return None
    return tenure


def _latest(date: WikidataDate) -> dt.date:
    if date.precision == "year":
        return dt.date(date.value.year, 12, 31)
    if date.precision == "month":
        following = dt.date(date.value.year + date.value.month // 12, date.value.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return date.value


def _qualifier_date(
    qualifiers: dict[str, Any], prop: str, qid: str, fail
) -> tuple[WikidataDate | None, bool]:
    """(date, unknown): `unknown` is True for a `somevalue` qualifier or a date too imprecise to
    use (decade, century); a `novalue` qualifier counts as absent."""
    snaks = qualifiers.get(prop) or []
    if not isinstance(snaks, list):
        raise fail(f"{qid}: the {prop} qualifiers must be a list")
    unknown = False
    for snak in snaks:
        if not isinstance(snak, dict):
            raise fail(f"{qid}: a {prop} qualifier is not an object")
        snaktype = snak.get("snaktype", "value")
        if snaktype == "somevalue":
            unknown = True
            continue
        if snaktype != "value":
            continue
        value = (snak.get("datavalue") or {}).get("value")
        date = parse_time(value, qid=qid, fail=fail)
        if date is None:
            unknown = True
            continue
        return date, False
    return None, unknown


def parse_time(value: Any, *, qid: str = "", fail=None) -> WikidataDate | None:
    """A Wikidata time value → the first day of its period and the precision; None when the
    precision is coarser than a year or the year is outside 1–9999."""
    if fail is None:

        def fail(problem: str) -> WikidataFormatError:
            return WikidataFormatError(problem)

    if not isinstance(value, dict) or not isinstance(value.get("time"), str):
        raise fail(f"{qid}: a date qualifier has no time value")
    text = value["time"]
    try:
        precision_code = int(value.get("precision", 11))
    except (TypeError, ValueError):
        raise fail(f"{qid}: the precision of {text!r} is not a number")
    negative = text.startswith("-")
    body = text.lstrip("+-")
    try:
        date_part = body.split("T", 1)[0]
        year_text, month_text, day_text = date_part.split("-")
        year, month, day = int(year_text), int(month_text), int(day_text)
    except ValueError:
        raise fail(f"{qid}: {text!r} is not a Wikidata time (+YYYY-MM-DDT00:00:00Z)")
    if precision_code < 9 or negative or not 1 <= year <= 9999:
        return None
    precision = PRECISION_BY_CODE.get(min(precision_code, 11))
    if precision == "year":
        month, day = 1, 1
    elif precision == "month":
        day = 1
    try:
        if precision == "day" and value.get("calendarmodel") == JULIAN:
            result = julian_to_gregorian(year, month, day)
        else:
            result = dt.date(year, max(month, 1), max(day, 1))
    except ValueError:
        raise fail(f"{qid}: {text!r} is not a valid date")
    return WikidataDate(result, precision or "day")


def julian_to_gregorian(year: int, month: int, day: int) -> dt.date:
    """A Julian calendar date as a (proleptic Gregorian) datetime.date, through the day number."""
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise ValueError("day out of range")
    a = (14 - month) // 12
    y = year + 4800 - a
    m = month + 12 * a - 3
    julian_day = day + (153 * m + 2) // 5 + 365 * y + y // 4 - 32083
    # 1721425 is the Julian day number of 0001-01-01 (Gregorian) minus 1.
    return dt.date.fromordinal(julian_day - 1721425)


def _reference_url(statement: dict[str, Any]) -> str:
    """The first "reference URL" (P854) of the statement's references, if any."""
    for reference in statement.get("references") or []:
        if not isinstance(reference, dict):
            continue
        for snak in (reference.get("snaks") or {}).get("P854") or []:
            value = (snak.get("datavalue") or {}).get("value") if isinstance(snak, dict) else None
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                return value[:500]
    return ""
