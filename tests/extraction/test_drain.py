"""The extraction drain (`extraction.extract_pending`): the one path of recorded requests —
imports, body edits and the sweep. It extracts BATCH_SIZE articles per transaction, requests
their checks once per batch, sends itself again until nothing is pending, and never drops an
article: a batch that fails on a lost connection stays pending, one a bug trips on is split so
the others are extracted. Celery is eager here (conftest); the real worker is in test_worker.py
and tests/faults/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError, transaction

from apps.annotations.models import DateMention, Quote
from apps.articles import processing
from apps.articles.models import Article
from apps.articles.services import article_import, article_update_body
from apps.extraction import pipeline, services
from apps.extraction.tasks import extract_pending
from tests.factories import EntityFactory

BODY = "Emmanuel Macron said, “We are ready to act together with our partners,” on January 6, 2024."


@pytest.fixture
def kb(db):
    return EntityFactory(label="Emmanuel Macron", aliases=["Macron"])


@pytest.fixture
def small_batches(monkeypatch, spy):
    """Batches of 3, and no time budget: each drain task does one batch and sends itself again."""
    monkeypatch.setattr(services, "BATCH_SIZE", 3)
    spy["budget"] = 0


@pytest.fixture
def spy(monkeypatch):
    """The ids each extraction transaction took, and each check request, in order."""
    calls: dict = {"batches": [], "checks": [], "drains": [], "budget": None}
    extract_locked, checks_request = services._extract_locked, processing.checks_request
    drain = services.extraction_drain

    def extract(ids, **kwargs):
        calls["batches"].append(list(ids))
        return extract_locked(ids, **kwargs)

    def checks(*, article_ids):
        calls["checks"].append(sorted(article_ids))
        return checks_request(article_ids=article_ids)

    def counted_drain(**kwargs):
        if calls["budget"] is not None:
            kwargs.setdefault("budget_seconds", calls["budget"])
        report = drain(**kwargs)
        calls["drains"].append(report.extracted)
        return report

    monkeypatch.setattr(services, "_extract_locked", extract)
    monkeypatch.setattr(processing, "checks_request", checks)
    monkeypatch.setattr(services, "extraction_drain", counted_drain)
    return calls


def _import_many(count: int, **kwargs) -> list[Article]:
    with transaction.atomic():
        return [
            article_import(
                title=f"Talks {n}",
                body=BODY + f" Round {n}.",
                published_on=dt.date(2026, 1, 7),
                external_id=f"cms-{n}",
                **kwargs,
            )
            for n in range(count)
        ]


def _states(articles: list[Article]) -> list[tuple[str, str]]:
    return list(
        Article.objects.filter(pk__in=[a.pk for a in articles])
        .order_by("pk")
        .values_list("extraction_state", "check_state")
    )


def test_an_import_is_extracted_in_batches_by_a_drain_that_sends_itself_until_none_is_left(
    kb, small_batches, spy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        articles = _import_many(7)
    assert _states(articles) == [("done", "done")] * 7
    ids = [a.pk for a in articles]
    # Oldest request first, three per transaction; one drain task per batch here (no budget).
    assert spy["batches"] == [ids[0:3], ids[3:6], ids[6:7]]
    assert spy["drains"] == [3, 3, 1]
    # The checks are requested once per batch, for the batch's articles.
    assert spy["checks"] == [ids[0:3], ids[3:6], ids[6:7]]
    for article in articles:
        quote = Quote.objects.get(article=article)
        assert quote.speaker == kb
        assert DateMention.objects.filter(article=article, value=dt.date(2024, 1, 6)).exists()


def test_a_drain_with_time_left_takes_batch_after_batch_in_one_task(
    kb, monkeypatch, spy, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "BATCH_SIZE", 3)
    with django_capture_on_commit_callbacks(execute=True):
        articles = _import_many(7)
    assert _states(articles) == [("done", "done")] * 7
    assert [len(batch) for batch in spy["batches"]] == [3, 3, 1]
    assert spy["drains"] == [7]


def test_the_sweep_sends_the_drain_for_imports_whose_message_was_lost(
    kb, spy, django_capture_on_commit_callbacks
):
    articles = _import_many(2)  # the test's transaction never commits: no message is sent
    assert _states(articles) == [("pending", "pending")] * 2
    with django_capture_on_commit_callbacks(execute=True):
        report = processing.processing_sweep()
    assert report.sent[0] == processing.EXTRACT_PENDING
    assert _states(articles) == [("done", "done")] * 2
    assert spy["batches"] == [[a.pk for a in articles]]


def test_body_edits_go_through_the_drain_in_one_batch(
    kb, annotator, spy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        articles = _import_many(2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            for article in articles:
                article_update_body(
                    article=article,
                    body=article.body.replace("January 6, 2024", "January 8, 2024"),
                    user=annotator,
                    expected_revision=1,
                )
    assert callbacks[0].processing_key == (processing.EXTRACT_PENDING, ())
    assert spy["batches"][-1] == [a.pk for a in articles]  # both edits in one batch
    assert _states(articles) == [("done", "done")] * 2
    for article in articles:
        assert DateMention.objects.get(article=article).value == dt.date(2024, 1, 8)


def test_a_batch_that_loses_its_connection_stays_pending_and_the_next_drain_extracts_it(
    kb, small_batches, monkeypatch
):
    articles = _import_many(3)  # recorded; the test's transaction never sends
    real = pipeline.extract
    calls = {"n": 0}

    def extract(body, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the database goes away in the middle of the batch
            raise OperationalError("server closed the connection unexpectedly")
        return real(body, **kwargs)

    monkeypatch.setattr(pipeline, "extract", extract)
    with pytest.raises(OperationalError):  # the task retries it (autoretry_for)
        services.extraction_drain()
    # Nothing of the batch is committed, nothing is reported failed: all still owed.
    assert [s for s, _ in _states(articles)] == ["pending"] * 3
    assert not Quote.objects.filter(article__in=articles).exists()
    # The sweep sends the drain again (eager here: it runs now); the connection is back.
    assert processing.processing_sweep().extraction_pending
    assert [s for s, _ in _states(articles)] == ["done"] * 3
    assert Quote.objects.filter(article__in=articles).count() == 3


def test_an_article_a_bug_trips_on_is_failed_alone_and_its_batch_is_extracted(kb, monkeypatch, spy):
    monkeypatch.setattr(services, "BATCH_SIZE", 5)
    articles = _import_many(5)
    bad = articles[2]
    real = pipeline.extract

    def extract(body, **kwargs):
        if body == bad.body:
            raise ValueError("unexpected token")
        return real(body, **kwargs)

    monkeypatch.setattr(pipeline, "extract", extract)
    report = services.extraction_drain()
    assert (report.extracted, report.failed) == (4, 1)
    states = dict(
        Article.objects.filter(pk__in=[a.pk for a in articles]).values_list(
            "pk", "extraction_state"
        )
    )
    assert states == {a.pk: "failed" if a == bad else "done" for a in articles}
    bad.refresh_from_db()
    assert bad.extraction_error == "ValueError: unexpected token"
    # The whole batch first, then each article alone.
    assert spy["batches"] == [[a.pk for a in articles], *[[a.pk] for a in articles]]
    assert Quote.objects.filter(article__in=articles).count() == 4
    # Nothing is left pending: the drain does not keep trying the failed one.
    assert services.extraction_drain().extracted == 0


def test_an_article_a_lost_connection_keeps_hitting_is_given_up_after_the_retries_and_the_rest_is_extracted(
    kb, monkeypatch, spy, django_capture_on_commit_callbacks
):
    """Say one body always runs into the time limit or kills the connection: the retries take
    the articles one by one, then that one is marked failed with the reason, never left to
    block the queue nor dropped without a word."""
    articles = _import_many(3)
    bad = articles[0]  # the oldest request: the drain meets it first every time
    real = pipeline.extract

    def extract(body, **kwargs):
        if body == bad.body:
            raise OperationalError("canceling statement due to statement timeout")
        return real(body, **kwargs)

    monkeypatch.setattr(pipeline, "extract", extract)
    # Eager Celery re-applies a retry (without its countdown) only when errors do not propagate.
    monkeypatch.setitem(extract_pending.app.conf, "task_eager_propagates", False)
    with django_capture_on_commit_callbacks(execute=True):
        processing.task_send(processing.EXTRACT_PENDING)
    states = dict(
        Article.objects.filter(pk__in=[a.pk for a in articles]).values_list(
            "pk", "extraction_state"
        )
    )
    assert states == {bad.pk: "failed", articles[1].pk: "done", articles[2].pk: "done"}
    bad.refresh_from_db()
    assert bad.extraction_error == (
        "gave up after 6 attempts: OperationalError: canceling statement due to statement timeout"
    )
    # The first attempt took the batch; each retry took the bad article alone. On SQLite the
    # pipeline runs before the write transaction, so the failing attempts opened none.
    from django.db import connection

    if connection.vendor == "postgresql":
        assert spy["batches"][0] == [a.pk for a in articles]
        assert spy["batches"][1:6] == [[bad.pk]] * 5
    else:
        assert spy["batches"] == [[a.pk for a in articles[1:]]]
    assert Quote.objects.filter(article__in=articles[1:]).count() == 2


@pytest.mark.django_db(transaction=True)  # the drain's own transactions, as in the worker
def test_on_sqlite_the_pipeline_runs_outside_the_write_transaction(kb, monkeypatch, spy):
    """A SQLite transaction locks the whole database for writes: the drain runs the pipeline
    (the CPU of extraction) before it, so a person's write never waits a batch's extraction.
    On PostgreSQL it stays inside (row locks; several drains share the rows)."""
    from django.db import connection

    inside: list[bool] = []
    extract = pipeline.extract

    def recording(*args, **kwargs):
        inside.append(connection.in_atomic_block)
        return extract(*args, **kwargs)

    monkeypatch.setattr(pipeline, "extract", recording)
    articles = _import_many(3)  # its commit sends the drain (eager Celery here)
    assert [state for state, _ in _states(articles)] == ["done"] * 3
    assert inside == [connection.vendor == "postgresql"] * 3  # once per article either way
    assert Quote.objects.filter(article__in=articles).count() == 3


def test_a_body_edited_while_its_extraction_ran_ahead_is_extracted_on_the_new_body(
    kb, annotator, monkeypatch, spy
):
    """The output computed before the transaction is used only for the body (and metadata, and
    KB) the transaction finds; an edit meanwhile is extracted on its own text."""
    (article,) = _import_many(1, created_by=annotator)
    new_body = "Olaf Scholz spoke on January 8, 2024. " + BODY
    extract, calls = pipeline.extract, []

    def editing_meanwhile(body, **kwargs):
        calls.append(body)
        if len(calls) == 1:  # the first run: the person saves an edit meanwhile
            article_update_body(article=article, body=new_body, user=annotator, expected_revision=1)
        return extract(body, **kwargs)

    monkeypatch.setattr(pipeline, "extract", editing_meanwhile)
    services.extraction_drain()
    article.refresh_from_db()
    assert (article.extraction_state, article.extracted_sha256) == ("done", article.body_sha256)
    assert article.body == new_body
    assert calls[-1] == new_body
    dates = DateMention.objects.filter(article=article).order_by("start")
    assert [d.exact for d in dates] == ["January 8, 2024", "January 6, 2024"]
    assert all(new_body[d.start : d.end] == d.exact for d in dates)
