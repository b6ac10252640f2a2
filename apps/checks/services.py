"""Writes for the consistency checks: requesting a run, running it, the findings lifecycle.

A run, for one article or a batch:
1. claims the articles with a conditional UPDATE (state `running`, `check_started_at` = the run's
   token), so the article shows that it is being checked;
2. reads the inputs (snapshots, the KB view, other articles) in bulk and runs the pure checks;
3. in one transaction, locks the articles, keeps only those whose token is still its own (a
   newer run or request supersedes an older one) and replaces their open findings by check,
   keeping human decisions while the inputs behind them are unchanged; then marks them done.
A run killed anywhere leaves no partial writes (step 3 is atomic) and the article in `running`:
the redelivered task (Redis) or the drain sent by the processing sweep (once the run has outlived
CHECKS_RUNNING_LEASE_SECONDS, longer than any task may live) runs it again. A run never claims an
article whose extraction is owed (see apps.articles.processing), so "done" is only ever said of
checks that saw the proposals of the current body."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps import errors
from apps.annotations.rules import CONFLICT, NOT_ALLOWED, Refusal
from apps.articles import processing
from apps.articles.models import Article
from apps.checks import finding_rules
from apps.checks.finding_rules import unknown_title_of
from apps.checks.kb_changes import articles_with_unknown_titles, kb_changed, kb_readers
from apps.checks.kbview import CorpusView, KBView
from apps.checks.loading import corpus_load, kbview_load, quote_index_refresh, snapshots_load
from apps.checks.models import Finding
from apps.checks.registry import (
    CheckContext,
    CheckSettings,
    FindingDraft,
    checks_version,
    run_checks,
)
from apps.checks.rules.cross_article import verified_signatures
from apps.checks.rules.quotes import quote_caches_clear, quote_key, speaker_wordings
from apps.checks.selectors import office_by_name
from apps.checks.snapshot import ArticleSnapshot
from apps.knowledge.models import Entity
from apps.knowledge.services import KnowledgeError, entity_alias_add

logger = logging.getLogger(__name__)

__all__ = [
    "FindingConflict",
    "FindingError",
    "FindingNotAllowed",
    "article_check_request",
    "article_checks_run",
    "articles_check_request",
    "articles_checks_run",
    "checks_run_pending",
    "checks_sweep_stale",
    "finding_set_state",
    "kb_changed",
]

CheckState = Article.CheckState


class FindingError(errors.DomainError):
    """A change to a finding that cannot be made; the message is for the reviewer (HTTP 400/422)."""


class FindingNotAllowed(FindingError, errors.NotAllowed):
    """The user's role forbids this (HTTP 403)."""


class FindingConflict(FindingError, errors.Conflict):
    """Someone else changed the finding first (HTTP 409); `current` is the finding as it is now."""


CHECK_BATCH = "checks.check_batch"


@dataclass
class RunReport:
    checked: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    unchanged: int = 0
    superseded: int = 0
    created: int = 0
    updated: int = 0
    reopened: int = 0
    deleted: int = 0


# --- Requests ---------------------------------------------------------------------------------------


def article_check_request(*, article: Article) -> None:
    """Record that the article's checks are owed (in the caller's transaction); they run in the
    worker after commit, once its extraction is settled (apps.articles.processing)."""
    processing.checks_request(article_ids=[article.pk])


def articles_check_request(*, article_ids: Iterable[int]) -> int:
    """The same for many articles: one UPDATE, and the checks drain after commit."""
    ids = sorted(set(article_ids))
    processing.checks_request(article_ids=ids)
    return len(ids)


def kb_changed_recheck(*, entity_ids: list[int]) -> int:
    """The task of older releases (a message may still be queued): the same request, now."""
    ids = sorted({int(i) for i in entity_ids})
    with transaction.atomic():
        article_ids = set(kb_readers(ids).values_list("pk", flat=True))
        article_ids |= articles_with_unknown_titles(changed_entity_ids=ids)
        return articles_check_request(article_ids=sorted(article_ids))


# --- Runs -------------------------------------------------------------------------------------------


def article_checks_run(*, article_id: int) -> RunReport:
    """Run every check on one requested article (no-op when nothing was requested since the last
    finished run: a duplicate delivery changes nothing)."""
    return _run([article_id], requested_only=True)


@dataclass
class DrainReport:
    runs: int = 0
    checked: int = 0
    failed: int = 0
    more: bool = False


def checks_run_pending(*, budget_seconds: float | None = None) -> DrainReport:
    """Run the owed checks (apps.articles.processing.checks_owed: requested, or left `running` by
    a dead worker) of articles whose extraction is settled, oldest request first, in batches of
    CHECKS_BATCH_SIZE, for up to `budget_seconds` (PROCESSING_DRAIN_SECONDS); `more` when some
    are left, for the caller to send the drain again. Several drains at once share the work:
    each claims its batch with a conditional UPDATE, so none takes another's live run."""
    budget = settings.PROCESSING_DRAIN_SECONDS if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    report = DrainReport()
    while True:
        owed = processing.checks_owed()
        candidates = list(
            Article.objects.filter(processing.EXTRACTION_SETTLED)
            .filter(owed)
            .order_by("check_requested_at", "id")
            .values_list("id", flat=True)[: settings.CHECKS_BATCH_SIZE]
        )
        if not candidates:
            return report
        if time.monotonic() > deadline:
            report.more = True
            return report
        run = _run(candidates, requested_only=True, condition=owed)
        report.runs += 1
        report.checked += len(run.checked)
        report.failed += len(run.failed)


def articles_checks_run(*, article_ids: list[int]) -> RunReport:
    """Run the checks on those of these articles that are stale: never checked, pending, failed,
    dead while running, or whose inputs changed since their last run."""
    return _run(article_ids, requested_only=False)


def _check_settings() -> CheckSettings:
    return CheckSettings(stale_event_days=settings.CHECKS_STALE_EVENT_DAYS)


def _claim(ids: list[int], token: dt.datetime, condition: Q) -> list[int]:
    """Mark the articles that meet `condition` running with this run's token. Never one whose
    extraction is owed: checks judge the proposals of the current body, so they wait for it
    (its completion requests them again)."""
    if not ids:
        return []
    Article.objects.filter(condition, processing.EXTRACTION_SETTLED, pk__in=ids).update(
        check_state=CheckState.RUNNING, check_started_at=token, check_error=""
    )
    # check_started_at is the run's token: microseconds, unique enough per article.
    return sorted(
        Article.objects.filter(
            pk__in=ids, check_state=CheckState.RUNNING, check_started_at=token
        ).values_list("id", flat=True)
    )


def _run(
    article_ids: Iterable[int], *, requested_only: bool, condition: Q | None = None
) -> RunReport:
    report = RunReport()
    ids = sorted(set(article_ids))
    token = timezone.now()
    check_settings = _check_settings()
    claimed: list[int] = []
    try:
        if requested_only:
            claimed = _claim(
                ids, token, ~Q(check_state=CheckState.DONE) if condition is None else condition
            )
            if not claimed:
                return report
            quote_index_refresh(article_ids=claimed)
            snapshots = snapshots_load(claimed)
        else:
            read_at = timezone.now()
            quote_index_refresh(article_ids=ids)
            snapshots = snapshots_load(ids)
        kb = kbview_load()
        corpus = corpus_load(snapshots)
        inputs = {
            pk: inputs_sha256(snapshot, kb, corpus, check_settings)
            for pk, snapshot in snapshots.items()
        }
        if not requested_only:
            lease = timezone.now() - dt.timedelta(seconds=settings.CHECKS_RUNNING_LEASE_SECONDS)
            states = Article.objects.filter(pk__in=list(snapshots)).values_list(
                "id", "check_state", "check_inputs_sha256", "check_started_at"
            )
            stale = []
            for pk, state, stored, started in states:
                if state == CheckState.RUNNING and started and started > lease:
                    continue  # a live run has it
                if state != CheckState.DONE or stored != inputs[pk]:
                    stale.append(pk)
            report.unchanged = len(snapshots) - len(stale)
            # A request newer than what we read has its own task coming; leave it to that.
            claimed = _claim(
                stale,
                token,
                Q(check_requested_at__isnull=True) | Q(check_requested_at__lt=read_at),
            )
        context = CheckContext(kb=kb, corpus=corpus, settings=check_settings)
        results = {}
        for pk in claimed:
            snapshot = snapshots.get(pk)
            if snapshot is None:
                continue
            try:
                results[pk] = run_checks(snapshot, context)
            except SoftTimeLimitExceeded:
                raise  # the whole run is out of time: nothing is written, the task fails
            except Exception as exc:  # a bug in one check fails that article, not the batch
                logger.exception("checks failed on article %s", pk)
                report.failed[pk] = f"{type(exc).__name__}: {exc}"[:2000]
        _store(token, claimed, results, inputs, report)
    except BaseException as exc:
        if claimed:
            _mark_failed(claimed, token, exc)
        raise
    finally:
        quote_caches_clear()
    return report


def _mark_failed(ids: list[int], token: dt.datetime, exc: BaseException) -> None:
    """A run that raised: failed, with the reason, on the articles it still owns. A lost database
    connection or a lock timeout is no verdict on the article: it is owed again (pending), for
    the retry or the sweep."""
    reason = f"{type(exc).__name__}: {exc}"[:2000]
    transient = isinstance(exc, (OperationalError, InterfaceError))
    try:
        Article.objects.filter(
            pk__in=ids, check_state=CheckState.RUNNING, check_started_at=token
        ).update(
            check_state=CheckState.PENDING if transient else CheckState.FAILED,
            check_failed_at=timezone.now(),
            check_error=reason,
        )
    except Exception:  # the database itself may be what failed; the sweep retries
        logger.exception("could not record the failed check run")


@transaction.atomic
def _store(
    token: dt.datetime,
    claimed: list[int],
    results: dict[int, dict[str, list[FindingDraft]]],
    inputs: dict[int, str],
    report: RunReport,
) -> None:
    if not claimed:
        return
    # Lock the claimed articles; a concurrent run or request on one waits for this commit. A
    # request since the claim (a body edit, an annotation, a KB change) took the token away:
    # this run saw older inputs and must not mark the article done.
    owned = set(
        Article.objects.select_for_update()
        .filter(pk__in=claimed, check_state=CheckState.RUNNING, check_started_at=token)
        .filter(processing.EXTRACTION_SETTLED)
        .values_list("id", flat=True)
    )
    report.superseded = len(set(claimed) - owned)
    done = sorted(owned & set(results))
    now = timezone.now()
    _replace_findings({pk: results[pk] for pk in done}, now, report)
    _mark_done(done, inputs, now)
    for pk, reason in report.failed.items():
        if pk in owned:
            Article.objects.filter(pk=pk).update(
                check_state=CheckState.FAILED, check_failed_at=now, check_error=reason
            )
    report.checked = done


def _mark_done(ids: list[int], inputs: dict[int, str], now: dt.datetime) -> None:
    """One UPDATE ... FROM (VALUES ...) per 500 articles: each gets its own inputs fingerprint
    (Django's bulk_update builds a CASE per row, several times slower here)."""
    table = connection.ops.quote_name(Article._meta.db_table)
    with connection.cursor() as cursor:
        for chunk in _chunks(ids, 500):
            rows = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"WITH v(pk, sha) AS (VALUES {rows}) "
                f"UPDATE {table} SET check_state = %s, check_done_at = %s, check_error = %s, "
                f"check_inputs_sha256 = v.sha FROM v WHERE {table}.id = v.pk",
                [
                    *[x for pk in chunk for x in (pk, inputs[pk])],
                    CheckState.DONE.value,
                    connection.ops.adapt_datetimefield_value(now),
                    "",
                ],
            )


_CONTENT_FIELDS = ("severity", "message", "spans", "kb_facts", "check_version", "inputs_sha256")


def _replace_findings(
    results: dict[int, dict[str, list[FindingDraft]]], now: dt.datetime, report: RunReport
) -> None:
    """Per article and check: new problems are created, known ones updated in place (same
    fingerprint), open ones that are gone deleted; acknowledged, resolved and dismissed ones keep
    their state while their inputs are unchanged and open again when they change."""
    if not results:
        return
    existing: dict[tuple[int, str, str], Finding] = {}
    for chunk in _chunks(sorted(results), 500):
        for finding in (
            Finding.objects.select_for_update().filter(article_id__in=chunk).order_by("id")
        ):
            existing[(finding.article_id, finding.code, finding.fingerprint)] = finding
    creates: list[Finding] = []
    updates: list[Finding] = []
    reopens: list[Finding] = []
    produced: set[tuple[int, str, str]] = set()
    for article_id, by_code in results.items():
        for code, drafts in by_code.items():
            for draft in drafts:
                key = (article_id, code, draft.fingerprint)
                produced.add(key)
                values = {
                    "severity": draft.severity,
                    "message": draft.message,
                    "spans": list(draft.spans),
                    "kb_facts": list(draft.kb_facts),
                    "check_version": draft.version,
                    "inputs_sha256": draft.inputs_sha256,
                }
                finding = existing.get(key)
                if finding is None:
                    creates.append(
                        Finding(
                            article_id=article_id,
                            code=code,
                            fingerprint=draft.fingerprint,
                            created_at=now,
                            updated_at=now,
                            **values,
                        )
                    )
                    continue
                reopen = (
                    finding.state != Finding.State.OPEN
                    and finding.inputs_sha256 != values["inputs_sha256"]
                )
                if not reopen and all(
                    getattr(finding, name) == values[name] for name in _CONTENT_FIELDS
                ):
                    continue
                for name, value in values.items():
                    setattr(finding, name, value)
                finding.version += 1
                finding.updated_at = now
                if reopen:
                    finding.state = Finding.State.OPEN
                    finding.state_reason = ""
                    finding.state_by = None
                    finding.state_at = now
                    reopens.append(finding)
                else:
                    updates.append(finding)
    deletes = [
        f.pk
        for key, f in existing.items()
        if key not in produced and key[1] in results[key[0]] and f.state == Finding.State.OPEN
    ]
    if deletes:
        _history_copy(deletes, "-", "no longer found by a check run", now)
        for chunk in _chunks(deletes, 500):
            # Nothing refers to a finding (history rows have no constraint): no cascade needed.
            Finding.objects.filter(pk__in=chunk)._raw_delete(Finding.objects.db)
    if creates:
        created = Finding.objects.bulk_create(creates, batch_size=500)
        _history_copy([f.pk for f in created], "+", "found by a check run", now)
    fields = [*_CONTENT_FIELDS, "version", "updated_at"]
    if updates:
        Finding.objects.bulk_update(updates, fields, batch_size=500)
        _history_copy([f.pk for f in updates], "~", "updated by a check run", now)
    if reopens:
        Finding.objects.bulk_update(
            reopens, [*fields, "state", "state_reason", "state_by", "state_at"], batch_size=500
        )
        _history_copy([f.pk for f in reopens], "~", "reopened: the facts behind it changed", now)
    report.created += len(creates)
    report.updated += len(updates)
    report.reopened += len(reopens)
    report.deleted += len(deletes)


def _history_copy(ids: list[int], history_type: str, reason: str, now: dt.datetime) -> None:
    """History rows of findings written in bulk, copied by the database from the rows themselves
    (INSERT ... SELECT): the rows simple-history would write one by one or build in Python."""
    history = Finding.history.model
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in history.tracked_fields)
    with connection.cursor() as cursor:
        for chunk in _chunks(ids, 500):
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({columns}, "
                f"{quote('history_date')}, {quote('history_change_reason')}, "
                f"{quote('history_type')}, {quote('history_user_id')}) "
                f"SELECT {columns}, %s, %s, %s, NULL FROM {quote(Finding._meta.db_table)} "
                f"WHERE {quote(Finding._meta.pk.column)} IN ({', '.join(['%s'] * len(chunk))})",
                [connection.ops.adapt_datetimefield_value(now), reason, history_type, *chunk],
            )


def _corpus_digest(corpus: CorpusView, kind: str, value) -> str:
    """Digest of the other articles' quotes with some words; once per batch."""
    memo_key = ("digest", kind, value)
    if memo_key not in corpus.memo:
        rows = sorted(
            (o.article_id, o.quote_uuid, o.exact, o.speaker_id, o.speaker_text, o.article_title)
            for o in corpus.quotes_by_key.get(value, [])
        )
        corpus.memo[memo_key] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return corpus.memo[memo_key]


def _wordings_digest(corpus: CorpusView, speaker_id: int, text: str) -> str:
    """Digest of the speaker's other wordings of this quote (what QUOTE_INTEGRITY compares)."""
    rows = sorted(
        (o.article_id, o.quote_uuid, o.exact, o.article_title)
        for quotes in speaker_wordings(corpus, speaker_id, text).values()
        for o in quotes
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def inputs_sha256(
    snapshot: ArticleSnapshot, kb: KBView, corpus: CorpusView, check_settings: CheckSettings
) -> str:
    """Everything the checks of this article read: the article, the KB facts about its people
    and offices, the matching quotes and claims of other articles, the checks' versions."""
    people: set[int] = set()
    offices: set[int] = set()
    for mention in snapshot.mentions:
        if mention.has_title and mention.entity_id is not None:
            people.add(mention.entity_id)
            if mention.office_id is not None:
                offices.add(mention.office_id)
            else:
                resolved, _ = kb.resolve_title(mention.title_text, mention.entity_id)
                offices.add(resolved or 0)
    for person in people:
        offices.update(kb.offices_of(person))
    tenures = sorted(
        {t for p in people for t in kb.tenures_by_person.get(p, [])}
        | {t for o in offices for t in kb.tenures_by_office.get(o, [])},
        key=lambda t: t.id,
    )
    named = people | offices | {t.person_id for t in tenures}
    named |= {q.speaker_id for q in snapshot.quotes if q.speaker_id}
    own_keys = sorted({quote_key(q.exact) for q in snapshot.quotes})
    other_quotes = [("k", k, _corpus_digest(corpus, "k", k)) for k in own_keys] + [
        ("s", q.speaker_id, q.exact, _wordings_digest(corpus, q.speaker_id, q.exact))
        for q in snapshot.quotes
        if q.speaker_id
    ]
    # Only the other articles' verified claims about the same people and places, so that the
    # fingerprint does not depend on which articles share the batch.
    mine = set().union(*(c.entity_ids for c in verified_signatures(snapshot)))
    other_claims = sorted(
        (c.article_id, c.claim_uuid, c.exact, c.article_title)
        for c in corpus.verified_claims
        if c.article_id != snapshot.id and c.entity_ids & mine
    )
    basis = {
        "article": [
            snapshot.title,
            hashlib.sha256(snapshot.body.encode()).hexdigest(),
            snapshot.published_on,
            snapshot.event_on,
        ],
        "mentions": snapshot.mentions,
        "dates": snapshot.dates,
        "quotes": snapshot.quotes,
        "claims": snapshot.claims,
        "orphans": snapshot.orphans,
        "tenures": tenures,
        "labels": sorted((pk, kb.labels.get(pk, "")) for pk in named),
        "titles": sorted((o, sorted(kb.titles_of_office.get(o, ()))) for o in offices),
        "other_quotes": other_quotes,
        "other_claims": other_claims,
        "checks": checks_version(),
        "settings": check_settings,
    }
    # repr() of plain values and frozen dataclasses is deterministic and much faster than JSON.
    return hashlib.sha256(repr(sorted(basis.items())).encode()).hexdigest()


# --- The sweep --------------------------------------------------------------------------------------


@dataclass
class SweepReport:
    articles: int
    batches: int
    quotes_indexed: int


def checks_sweep_stale() -> SweepReport:
    """Refresh the quote index, then send every article, in id order, to batch tasks that
    re-check those that are stale (see articles_checks_run). Cheap for unchanged articles: their
    inputs are read in bulk and hashed, nothing is written."""
    indexed = quote_index_refresh()
    ids = list(Article.objects.order_by("id").values_list("id", flat=True))
    batches = list(_chunks(ids, settings.CHECKS_BATCH_SIZE))
    for chunk in batches:
        transaction.on_commit(
            lambda chunk=chunk: processing.task_send(CHECK_BATCH, article_ids=chunk)
        )
    return SweepReport(articles=len(ids), batches=len(batches), quotes_indexed=indexed)


# --- Findings lifecycle -----------------------------------------------------------------------------

_TARGETS = {
    Finding.State.OPEN,
    Finding.State.ACKNOWLEDGED,
    Finding.State.RESOLVED,
    Finding.State.DISMISSED,
}


@transaction.atomic
def finding_set_state(
    *, finding: Finding, user, state: str, reason: str = "", expected_version: int | None = None
) -> Finding:
    """open → acknowledged / resolved / dismissed (reason required), by a reviewer; any of them
    back to open. Acknowledging an error needs a note too: it keeps blocking the claims it
    concerns, and the note says what is being done about it. `expected_version` refuses the
    change if someone else acted first."""
    _refuse(finding_rules.finding_state_role_refusal(user=user))
    if state not in _TARGETS:
        raise FindingError(
            f"Unknown state {state!r}; use one of open, acknowledged, resolved, dismissed.",
            field="state",
        )
    reason = (reason or "").strip()
    if state == Finding.State.DISMISSED and not reason:
        raise FindingError("Say why the finding is dismissed.", field="reason")
    current = Finding.objects.select_for_update().get(pk=finding.pk)
    if (
        state == Finding.State.ACKNOWLEDGED
        and current.severity == Finding.Severity.ERROR
        and not reason
    ):
        raise FindingError(
            "Add a note to acknowledge an error (what is being done about it); it still blocks "
            "verifying the claims it concerns until it is resolved or dismissed.",
            field="reason",
        )
    if expected_version is not None and current.version != expected_version:
        raise FindingConflict(
            f"This finding was changed by someone else while you were looking at it (it is now "
            f"{current.state}, version {current.version}). Nothing was saved.",
            current=current,
        )
    _refuse(
        finding_rules.finding_state_refusal(user=user, finding=current, state=state),
        current=current,
    )
    current.state = state
    current.state_reason = reason
    current.state_by = user
    current.state_at = timezone.now()
    current.version += 1
    current._change_reason = f"{state}" + (f": {reason}" if reason else "")
    current.save()
    return current


def _refuse(refusal: Refusal | None, *, current: Finding | None = None) -> None:
    """Raise the error a rule's refusal stands for (apps.checks.finding_rules): 403, 409, 400."""
    if refusal is None:
        return
    if refusal.status == NOT_ALLOWED:
        raise FindingNotAllowed(refusal.message)
    if refusal.status == CONFLICT:
        raise FindingConflict(refusal.message, current=current)
    raise FindingError(refusal.message)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def finding_title_alias_add(
    *, finding: Finding, user, alias: str, office_position: str = "", office_name: str = ""
) -> Entity:
    """An editor settles a "cannot check" title finding: the wording becomes an alias of the
    office it names — one of the offices the finding offers (by position) or another one by its
    name — through the KB's own service, whose change re-checks the articles concerned."""
    _refuse(finding_rules.finding_title_alias_refusal(user=user, finding=finding), current=finding)
    _, candidates = unknown_title_of(finding)
    office_name = office_name.strip()
    if office_position:
        position = int(office_position) if office_position.isdigit() else -1
        office = None
        if 0 <= position < len(candidates):
            office = Entity.objects.filter(pk=candidates[position][0]).first()
        if office is None:
            raise FindingError("Choose one of the offices offered, or name another.")
    elif office_name:
        offices = office_by_name(name=office_name)
        if not offices:
            raise FindingError(f"No office in the knowledge base goes by “{office_name}”.")
        if len(offices) > 1:
            named = ", ".join(f"{o.label} ({o.wikidata_id or 'no Wikidata id'})" for o in offices)
            raise FindingError(
                f"Several offices go by “{office_name}”: {named}. Give its Wikidata id."
            )
        office = offices[0]
    else:
        raise FindingError("Choose the office the title names.")
    try:
        entity_alias_add(user=user, entity=office, alias=alias)
    except errors.NotAllowed as exc:
        raise FindingNotAllowed(exc.message) from exc
    except KnowledgeError as exc:  # said about the finding's form: input to fix
        raise FindingError(exc.message) from exc
    return office
