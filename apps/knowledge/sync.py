"""Filling the knowledge base from Wikidata over HTTP: `manage.py kb_sync`, the periodic refresh
and the editors' "add from Wikidata" all call `kb_sync_run`.

A sync lists offices (a preset's SPARQL query, or the ids given) and their holders since a year
(SPARQL), then fetches the entities with `wbgetentities`, 50 at a time: the people, every office
they held, and the country or body each office applies to (its demonyms give the title wordings).
Only when everything has been fetched and parsed does it write, through the same import as
`import_kb` (`_import_records`), in batches of one transaction each: countries first, then
offices, then people, so that every row points at rows already there. A failed request therefore
leaves the knowledge base as it was. Entities whose Wikidata revision is the one imported last time
are not rewritten, and every write tells the checks which entities changed (`kb_changed`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps import errors
from apps.knowledge import wikidata
from apps.knowledge.models import Entity, EntityKind, WikidataRefresh, WikidataSyncTarget
from apps.knowledge.services import KnowledgeError, _notify_checks, _require_editor
from apps.knowledge.wikidata_http import WikidataClient, WikidataUnavailable, chunks
from apps.knowledge.wikidata_import import KbImportResult, _import_records

logger = logging.getLogger(__name__)

QID = re.compile(r"^Q[1-9][0-9]{0,11}$")
WRITE_BATCH = 500
# Offices per holders query: a VALUES list this long stays well inside WDQS's limits.
OFFICES_PER_QUERY = 200

Progress = Callable[[str, int, int], None]


class KbSyncError(KnowledgeError, errors.Unavailable):
    """Wikidata could not be read (no network, a persistent 5xx, a malformed answer). Nothing of
    the failed step was written; the message names what failed."""


# --- Presets ----------------------------------------------------------------------------------

# G20 members (the European Union's offices are a preset part of their own below).
G20 = (
    "Q414 Q408 Q155 Q16 Q148 Q142 Q183 Q668 Q252 Q38 Q17 Q96 Q159 Q851 Q258 Q884 Q43 Q145 Q30"
).split()


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    since: int
    # A SPARQL SELECT binding ?office.
    query: str


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in [
        Preset(
            name="heads",
            description=(
                "heads of state and of government of every current sovereign state, and their "
                "holders since 1990"
            ),
            since=1990,
            # P1906 "office held by head of state", P1313 "office held by head of government" of
            # every sovereign state (Q3624078) not dissolved (P576).
            query="""SELECT DISTINCT ?office WHERE {
  ?country wdt:P31 wd:Q3624078 .
  FILTER NOT EXISTS { ?country wdt:P576 [] }
  { ?country wdt:P1906 ?office } UNION { ?country wdt:P1313 ?office }
}""",
        ),
        Preset(
            name="cabinets-g20",
            description=(
                "foreign, finance, defence and interior ministers of the G20 countries and the "
                "European Union's top offices, and their holders since 2000"
            ),
            since=2000,
            # Offices that apply to (P1001) a G20 country and are foreign ministers (Q7330070),
            # defence ministers (Q2518691) or ministers (Q83307) named for finance or the
            # interior (Wikidata has no single class for those across countries); and the
            # presidents of the EU's Commission, Council and Parliament and its High Representative.
            query="""SELECT DISTINCT ?office WHERE {
  {
    VALUES ?country { G20_VALUES }
    ?office wdt:P1001 ?country .
    {
      ?office wdt:P279* wd:Q7330070 .
    } UNION {
      ?office wdt:P279* wd:Q2518691 .
    } UNION {
      ?office wdt:P279* wd:Q83307 ; rdfs:label ?label .
      FILTER(LANG(?label) = "en")
      FILTER(REGEX(?label, "financ|treasury|exchequer|interior|home affairs|home secretary|internal affairs|homeland security|defen[cs]e|foreign|external affairs", "i"))
    }
  } UNION {
    ?office wdt:P1001 wd:Q458 ; rdfs:label ?label .
    FILTER(LANG(?label) = "en")
    FILTER(REGEX(?label, "^(President of the European (Commission|Council|Parliament)|High Representative of the Union)", "i"))
  }
}""".replace("G20_VALUES", " ".join(f"wd:{q}" for q in G20)),
        ),
    ]
}


def holders_query(office_ids: list[str], since: int) -> str:
    """People (Q5) who held one of these offices (a P39 statement that is not deprecated) at some
    time since January 1 of `since`, and did not die before it."""
    values = " ".join(f"wd:{q}" for q in office_ids)
    return f"""SELECT DISTINCT ?person WHERE {{
  VALUES ?office {{ {values} }}
  ?person p:P39 ?statement .
  ?statement ps:P39 ?office ; wikibase:rank ?rank .
  FILTER(?rank != wikibase:DeprecatedRank)
  ?person wdt:P31 wd:Q5 .
  OPTIONAL {{ ?statement pq:P582 ?end }}
  FILTER(!BOUND(?end) || YEAR(?end) >= {since})
  FILTER NOT EXISTS {{ ?person wdt:P570 ?died . FILTER(YEAR(?died) < {since}) }}
}}"""


# --- The sync ---------------------------------------------------------------------------------


@dataclass
class SyncReport:
    result: KbImportResult = field(default_factory=KbImportResult)
    dry_run: bool = False
    offices_listed: int = 0
    people_listed: int = 0
    requests: int = 0
    seconds: float = 0.0
    network_seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    # Wikidata id → Entity primary key of the people the sync was asked for (the UI links them).
    people: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        r = self.result

        def part(name: str, kinds: Iterable[str]) -> str:
            total = {"added": 0, "changed": 0, "unchanged": 0}
            for kind in kinds:
                for key, value in r.kind_counts(kind).items():
                    total[key] += value
            return (
                f"{name} {total['added']} added, {total['changed']} changed, "
                f"{total['unchanged']} unchanged"
            )

        others = [k for k in EntityKind.values if k not in (EntityKind.OFFICE, EntityKind.PERSON)]
        prefix = "dry run, nothing written: would be " if self.dry_run else ""
        return (
            f"{prefix}{part('offices', [EntityKind.OFFICE])}; "
            f"{part('people', [EntityKind.PERSON])}; "
            f"{part('countries and other places', others)}; "
            f"tenures {r.tenures_created} added, {r.tenures_updated} changed, "
            f"{r.tenures_unchanged} unchanged, {r.tenures_removed} removed; "
            f"{self.requests} requests; {self.seconds:.1f} s "
            f"(network {self.network_seconds:.1f} s, own work {self.seconds - self.network_seconds:.1f} s)"
        )


def _clean_ids(values: Iterable[str], *, what: str) -> list[str]:
    found: list[str] = []
    for value in values:
        text = str(value).strip().upper()
        if not QID.match(text):
            raise KnowledgeError(
                f"{str(value)[:40]!r} is not a Wikidata item id (like Q14211) for {what}.",
                field=what,
            )
        if text not in found:
            found.append(text)
    return found


def _clean_since(since: int | None) -> int | None:
    if since is None:
        return None
    if not 1000 <= since <= timezone.now().year:
        raise KnowledgeError(
            f"--since {since}: give a year between 1000 and {timezone.now().year}.", field="since"
        )
    return since


def kb_sync_run(
    *,
    presets: Iterable[str] = (),
    offices: Iterable[str] = (),
    people: Iterable[str] = (),
    since: int | None = None,
    dry_run: bool = False,
    remember: bool = True,
    client: WikidataClient | None = None,
    progress: Progress | None = None,
    user=None,
) -> SyncReport:
    """Sync presets, offices (with their holders since `since`) and people from Wikidata.

    Raises KnowledgeError for bad input and KbSyncError when Wikidata cannot be read; in both
    cases nothing was written. With `dry_run` everything is computed and rolled back. `user`
    is who the history rows name (None: the command, the refresh)."""
    names = [str(p).strip() for p in presets]
    unknown = [n for n in names if n not in PRESETS]
    if unknown:
        raise KnowledgeError(
            f"Unknown preset {unknown[0]!r}; the presets are {', '.join(sorted(PRESETS))}.",
            field="preset",
        )
    office_ids = _clean_ids(offices, what="office")
    person_ids = _clean_ids(people, what="person")
    since = _clean_since(since)
    if not names and not office_ids and not person_ids:
        raise KnowledgeError("Name a preset, offices or people to sync.")
    started = time.monotonic()
    own_client = client is None
    client = client or WikidataClient()
    requests_before, network_before = client.requests, client.network_seconds
    report = SyncReport(dry_run=dry_run)
    try:
        records = _fetch(
            client,
            presets=names,
            offices=office_ids,
            people=person_ids,
            since=since,
            report=report,
            progress=progress or (lambda phase, done, total: None),
        )
    except WikidataUnavailable as exc:
        raise KbSyncError(f"{exc.message}. The knowledge base was not changed.") from exc
    finally:
        report.requests = client.requests - requests_before
        report.network_seconds = client.network_seconds - network_before
        if own_client:
            client.close()
    _write(records, report=report, dry_run=dry_run, progress=progress, user=user)
    report.people = dict(
        Entity.objects.filter(wikidata_id__in=person_ids).values_list("wikidata_id", "pk")
    )
    if remember and not dry_run:
        _remember(presets=names, offices=office_ids, people=person_ids, since=since)
    report.seconds = time.monotonic() - started
    return report


def _fetch(
    client: WikidataClient,
    *,
    presets: list[str],
    offices: list[str],
    people: list[str],
    since: int | None,
    report: SyncReport,
    progress: Progress,
) -> list[list[wikidata.EntityRecord]]:
    """[jurisdictions, offices, people] as parsed records, everything fetched."""
    office_since, wanted_people = _list(
        client, presets=presets, offices=offices, people=people, since=since, progress=progress
    )
    report.offices_listed = len(office_since)
    report.people_listed = len(wanted_people)
    return _fetch_records(
        client,
        offices=list(office_since),
        people=wanted_people,
        fetched=set(),
        report=report,
        progress=progress,
    )


def _list(
    client: WikidataClient,
    *,
    presets: list[str],
    offices: list[str],
    people: list[str],
    since: int | None,
    progress: Progress,
) -> tuple[dict[str, int], list[str]]:
    """Which offices (with the year their holders are wanted since) and which people (SPARQL)."""
    office_since: dict[str, int] = {}
    for name in presets:
        preset = PRESETS[name]
        rows = client.sparql(preset.query, what=f"listing the offices of the preset {name!r}")
        for row in rows:
            qid = _entity_id(row.get("office", ""))
            if qid:
                office_since.setdefault(qid, since or preset.since)
    for qid in offices:
        office_since.setdefault(qid, since or settings.KB_SYNC_DEFAULT_SINCE)
    wanted_people: dict[str, None] = dict.fromkeys(people)  # ordered, without duplicates
    by_since: dict[int, list[str]] = {}
    for qid, year in office_since.items():
        by_since.setdefault(year, []).append(qid)
    groups = [
        (year, chunk) for year, ids in by_since.items() for chunk in chunks(ids, OFFICES_PER_QUERY)
    ]
    for number, (year, chunk) in enumerate(groups, start=1):
        progress("listing holders", number - 1, len(groups))
        rows = client.sparql(
            holders_query(chunk, year),
            what=f"listing the holders since {year} of {len(chunk)} offices ({chunk[0]}…)",
        )
        for row in rows:
            qid = _entity_id(row.get("person", ""))
            if qid:
                wanted_people.setdefault(qid)
    progress("listing holders", len(groups), len(groups))
    return office_since, list(wanted_people)


def _fetch_records(
    client: WikidataClient,
    *,
    offices: list[str],
    people: list[str],
    fetched: set[str],
    report: SyncReport,
    progress: Progress,
) -> list[list[wikidata.EntityRecord]]:
    """The entities (wbgetentities) as [jurisdictions, offices, people]: the people first (their
    P39 statements name more offices), then those offices, then the offices' countries. Ids in
    `fetched` are skipped; every id fetched is added to it."""
    person_records = _fetch_entities(client, people, "people", fetched, report, progress)
    held = [t.office_id for r in person_records for t in r.tenures]
    office_list = list(dict.fromkeys([*offices, *held]))
    office_records = _fetch_entities(client, office_list, "offices", fetched, report, progress)
    for record in office_records:
        if record.kind != EntityKind.PERSON:
            record.kind = EntityKind.OFFICE  # held by someone, whatever its P31 says
    places = [r.jurisdiction_id for r in office_records if r.jurisdiction_id]
    place_records = _fetch_entities(
        client, list(dict.fromkeys(places)), "countries", fetched, report, progress
    )
    return [place_records, office_records, person_records]


def _fetch_entities(
    client: WikidataClient,
    ids: list[str],
    what: str,
    fetched: set[str],
    report: SyncReport,
    progress: Progress,
) -> list[wikidata.EntityRecord]:
    todo = [qid for qid in ids if qid not in fetched]
    fetched.update(todo)
    batches = list(chunks(todo))
    records: list[wikidata.EntityRecord] = []
    for number, batch in enumerate(batches, start=1):
        progress(f"fetching {what}", number - 1, len(batches))
        request = (
            f"fetching {what} {batch[0]}…{batch[-1]} ({len(batch)} entities)"
            if len(batch) > 1
            else f"fetching {what} {batch[0]}"
        )
        found = client.entities(batch, what=request)
        for key, data in found.items():
            if not isinstance(data, dict) or "missing" in data:
                report.warnings.append(f"{key}: not on Wikidata (deleted or never existed)")
                continue
            try:
                records.append(wikidata.parse_entity(data, path=request))
            except wikidata.WikidataFormatError as exc:
                raise WikidataUnavailable(f"{exc} (a malformed answer)", what=request)
    progress(f"fetching {what}", len(batches), len(batches))
    return records


def _entity_id(uri: str) -> str | None:
    qid = uri.rsplit("/", 1)[-1]
    return qid if QID.match(qid) else None


def _write(
    groups: list[list[wikidata.EntityRecord]],
    *,
    report: SyncReport,
    dry_run: bool,
    progress: Progress | None,
    user=None,
) -> None:
    batches = [batch for group in groups for batch in chunks(group, WRITE_BATCH)]
    result = report.result

    def write_all() -> None:
        for number, batch in enumerate(batches, start=1):
            if progress:
                progress("writing", number - 1, len(batches))
            # One transaction per batch; the checks hear of it after that batch commits.
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # A sync can always be run again: do not wait for the WAL flush at commit
                    # (a crash may lose the last batches, never leave one half-written).
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit TO OFF")
                before = set(result.changed_entity_ids)
                _import_records(batch, result=result, batch_size=WRITE_BATCH, user=user)
                if not dry_run:
                    _notify_checks(result.changed_entity_ids - before)
        if progress:
            progress("writing", len(batches), len(batches))

    if dry_run:
        with transaction.atomic():
            write_all()
            transaction.set_rollback(True)
    else:
        write_all()
    report.warnings.extend(result.warnings)


def _remember(*, presets: list[str], offices: list[str], people: list[str], since: int | None):
    now = timezone.now()
    rows = [(WikidataSyncTarget.Kind.PRESET, name, since) for name in presets]
    rows += [(WikidataSyncTarget.Kind.OFFICE, qid, since) for qid in offices]
    rows += [(WikidataSyncTarget.Kind.PERSON, qid, None) for qid in people]
    for kind, key, year in rows:
        WikidataSyncTarget.objects.update_or_create(
            kind=kind, key=key, defaults={"since": year, "last_synced_at": now}
        )


# --- The periodic refresh ---------------------------------------------------------------------

# People per page of a refresh: with the offices they held and those offices' countries, a page is
# a few dozen requests, well inside one task's time limit.
REFRESH_PAGE = 50


@dataclass
class RefreshTurn:
    """What a refresh task did: `refresh_id`/`turn` name the message to send next when `more`."""

    refresh_id: int | None
    turn: int
    more: bool
    message: str


def _refresh_lease() -> dt.datetime:
    # Longer than the hard time limit, so that a live task never loses its refresh to another.
    return timezone.now() + dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)


def kb_sync_refresh_start() -> RefreshTurn:
    """Beat: start a refresh of every WikidataSyncTarget, or resume the one in progress if its
    task died or its message was lost (its lease ran out). A refresh whose task is working is
    left alone: the answer has `more` False and nothing is to be sent."""
    with transaction.atomic():
        current = WikidataRefresh.objects.select_for_update().filter(in_progress=True).first()
        if current is not None:
            if current.lease_until > timezone.now():
                return RefreshTurn(current.pk, current.turn, False, "a refresh is in progress")
            return RefreshTurn(current.pk, current.turn, True, "resuming an interrupted refresh")
        steps = [
            {"list": pk}
            for pk in WikidataSyncTarget.objects.order_by("id").values_list("pk", flat=True)
        ]
        if not steps:
            return RefreshTurn(None, 0, False, "nothing was synced before: nothing to refresh")
        try:
            with transaction.atomic():  # the constraint: another process may just have started one
                refresh = WikidataRefresh.objects.create(steps=steps, lease_until=timezone.now())
        except IntegrityError:
            return RefreshTurn(None, 0, False, "a refresh is in progress")
    return RefreshTurn(refresh.pk, refresh.turn, True, f"refresh of {len(steps)} targets started")


def kb_sync_refresh_continue(
    *, refresh_id: int, turn: int, client: WikidataClient | None = None
) -> RefreshTurn:
    """Work on a refresh for at most PROCESSING_DRAIN_SECONDS (at least one step), then hand the
    rest to the next message. Each step is idempotent: a page written again finds the same
    revisions and writes nothing, so a step cut short by a dead worker is simply redone."""
    # Take the refresh: this message's turn, or anyone's once the lease has run out. The update
    # is the claim; a second message (a redelivery, a beat's resume) finds it taken and stops.
    now = timezone.now()
    taken = (
        WikidataRefresh.objects.filter(pk=refresh_id, in_progress=True)
        .filter(Q(turn=turn) | Q(lease_until__lte=now))
        .update(turn=F("turn") + 1, lease_until=_refresh_lease())
    )
    if not taken:
        return RefreshTurn(refresh_id, turn, False, "taken by another task or finished")
    refresh = WikidataRefresh.objects.get(pk=refresh_id)
    started = time.monotonic()
    own_client = client is None
    client = client or WikidataClient()
    done = 0
    try:
        while refresh.steps:
            if done and time.monotonic() - started >= settings.PROCESSING_DRAIN_SECONDS:
                break
            step = refresh.steps[0]
            try:
                new_steps = _refresh_step(step, refresh=refresh, client=client)
            except WikidataUnavailable as exc:
                # Left in place: the next beat resumes here (the client retried already).
                _refresh_release(refresh)
                raise KbSyncError(f"{exc.message}; the refresh resumes at the next beat.") from exc
            except SoftTimeLimitExceeded:
                # Cut short (slow answers): its writes so far are kept, and redone as unchanged.
                # After other steps, the rest goes to a new message; a step that alone outlasts
                # the limit waits for the next beat rather than looping through messages.
                if done:
                    return RefreshTurn(
                        refresh.pk, refresh.turn, True, f"{done} steps done, out of time"
                    )
                logger.error("kb refresh: a step outlasted the time limit: %s", str(step)[:200])
                _refresh_release(refresh)
                return RefreshTurn(refresh.pk, refresh.turn, False, "step out of time")
            refresh.steps = [*new_steps, *refresh.steps[1:]]
            done += 1
            # The progress is recorded after the step's writes: a step is done at most once more.
            WikidataRefresh.objects.filter(pk=refresh.pk).update(
                steps=refresh.steps, synced_ids=refresh.synced_ids, pages_done=refresh.pages_done
            )
    finally:
        if own_client:
            client.close()
    if refresh.steps:
        return RefreshTurn(
            refresh.pk, refresh.turn, True, f"{done} steps done, {len(refresh.steps)} left"
        )
    WikidataRefresh.objects.filter(pk=refresh.pk).update(
        in_progress=False, finished_at=timezone.now(), lease_until=timezone.now()
    )
    return RefreshTurn(
        refresh.pk, refresh.turn, False, f"refresh finished: {refresh.pages_done} pages"
    )


def _refresh_release(refresh: WikidataRefresh) -> None:
    """Give the refresh up to the next beat (which resumes it at once)."""
    WikidataRefresh.objects.filter(pk=refresh.pk, turn=refresh.turn).update(
        lease_until=timezone.now()
    )


def _refresh_step(step: dict, *, refresh: WikidataRefresh, client: WikidataClient) -> list[dict]:
    """Do one step; returns the steps it is replaced by (a target's listing: its pages)."""
    if "list" in step:
        target = WikidataSyncTarget.objects.filter(pk=step["list"]).first()
        if target is None or (target.kind == "preset" and target.key not in PRESETS):
            return []  # forgotten since, or a preset that no longer exists
        presets = [target.key] if target.kind == "preset" else []
        offices = [target.key] if target.kind == "office" else []
        people = [target.key] if target.kind == "person" else []
        office_since, wanted = _list(
            client,
            presets=presets,
            offices=offices,
            people=people,
            since=target.since,
            progress=lambda phase, done, total: None,
        )
        pages = [
            {"offices": chunk, "people": []} for chunk in chunks(list(office_since), REFRESH_PAGE)
        ]
        pages += [{"offices": [], "people": chunk} for chunk in chunks(wanted, REFRESH_PAGE)]
        return [*pages, {"done": target.pk}]
    if "done" in step:
        WikidataSyncTarget.objects.filter(pk=step["done"]).update(last_synced_at=timezone.now())
        return []
    # A page: fetched, then written like kb_sync_run (countries, offices, people).
    fetched = set(refresh.synced_ids)
    report = SyncReport()
    records = _fetch_records(
        client,
        offices=step["offices"],
        people=step["people"],
        fetched=fetched,
        report=report,
        progress=lambda phase, done, total: None,
    )
    _write(records, report=report, dry_run=False, progress=None)
    for warning in report.warnings:
        logger.warning("kb refresh: %s", warning)
    refresh.synced_ids = sorted(fetched)
    refresh.pages_done += 1
    return []


# --- Editors: search and preview (reads; the import is kb_sync_run) ---------------------------


@dataclass
class SearchHit:
    wikidata_id: str
    label: str
    description: str
    entity: Entity | None  # already in the knowledge base


def wikidata_search(*, text: str, client: WikidataClient | None = None) -> list[SearchHit]:
    text = " ".join((text or "").split())[:200]
    if not text:
        return []
    client = client or WikidataClient()
    try:
        found = client.search(text, limit=10)
    except WikidataUnavailable as exc:
        raise KbSyncError(exc.message) from exc
    ids = [hit["id"] for hit in found if QID.match(hit["id"])]
    known = {e.wikidata_id: e for e in Entity.objects.filter(wikidata_id__in=ids)}
    return [
        SearchHit(
            wikidata_id=hit["id"],
            label=str(hit.get("label") or hit["id"]),
            description=str(hit.get("description") or ""),
            entity=known.get(hit["id"]),
        )
        for hit in found
        if QID.match(hit["id"])
    ]


@dataclass
class PreviewPosition:
    office_id: str
    office_label: str
    start: wikidata.WikidataDate | None
    end: wikidata.WikidataDate | None
    end_unknown: bool


@dataclass
class PersonPreview:
    record: wikidata.EntityRecord
    positions: list[PreviewPosition]
    entity: Entity | None

    @property
    def is_person(self) -> bool:
        return self.record.kind == EntityKind.PERSON


def wikidata_person_preview(
    *, wikidata_id: str, client: WikidataClient | None = None
) -> PersonPreview:
    """The person as Wikidata has them, with the positions (P39) they held, newest first."""
    [qid] = _clean_ids([wikidata_id], what="person")
    client = client or WikidataClient()
    what = f"fetching {qid}"
    try:
        found = client.entities([qid], what=what)
        data = found.get(qid)
        if not isinstance(data, dict) or "missing" in data:
            raise KnowledgeError(f"{qid} is not on Wikidata.", field="person")
        record = wikidata.parse_entity(data, path=what)
        office_ids = list(dict.fromkeys(t.office_id for t in record.tenures))
        labels: dict[str, str] = {}
        for batch in chunks(office_ids):
            offices = client.entities(batch, what=f"fetching the offices of {qid}", props="labels")
            for key, value in offices.items():
                labels[key] = _label(value) or key
    except WikidataUnavailable as exc:
        raise KbSyncError(exc.message) from exc
    except wikidata.WikidataFormatError as exc:
        raise KbSyncError(f"{exc} (a malformed answer)") from exc
    positions = [
        PreviewPosition(
            office_id=t.office_id,
            office_label=labels.get(t.office_id, t.office_id),
            start=t.start,
            end=t.end,
            end_unknown=t.end_unknown,
        )
        for t in record.tenures
    ]
    positions.sort(key=lambda p: p.start.value.toordinal() if p.start else 0, reverse=True)
    return PersonPreview(
        record=record,
        positions=positions,
        entity=Entity.objects.filter(wikidata_id=qid).first(),
    )


def _label(data: Any) -> str:
    if not isinstance(data, dict):
        return ""
    labels = data.get("labels") or {}
    if not isinstance(labels, dict):
        return ""
    for lang in wikidata.ENGLISH:
        entry = labels.get(lang)
        if isinstance(entry, dict) and entry.get("value"):
            return str(entry["value"])
    return ""


def wikidata_person_import(*, user, wikidata_id: str) -> SyncReport:
    """An editor's "add from Wikidata": the person with every office they held and the countries
    of those offices, through the same sync as `manage.py kb_sync --person`; remembered for the
    periodic refresh."""
    _require_editor(user)
    return kb_sync_run(people=[wikidata_id], user=user)
