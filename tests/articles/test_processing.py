"""Processing requests (apps/articles/processing.py): the need for extraction and checks is
recorded with the change that causes it, "done" is said only of a run on the current body, and
the sweep re-sends what is still owed. Tasks run inline here (conftest makes Celery eager); the
worker, broker and crash paths are in tests/faults/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from apps.annotations.models import DateMention, EntityMention
from apps.articles import processing
from apps.articles.models import Article
from apps.articles.services import article_import, article_update_body
from apps.checks.models import Finding
from apps.checks.services import article_checks_run, articles_checks_run
from apps.extraction import pipeline
from apps.extraction.services import extraction_drain
from tests.articles.views_helpers import text_of
from tests.factories import EntityFactory, TenureFactory

BODY = (
    "UK Prime Minister Keir Starmer met Emmanuel Macron in Paris on January 6, 2024.\n"
    "Macron said, “We are ready to act together with all of our partners.”"
)


@pytest.fixture
def kb(db):
    pm = EntityFactory(
        label="Prime Minister of the United Kingdom",
        kind="office",
        aliases=["UK Prime Minister"],
    )
    starmer = EntityFactory(label="Keir Starmer", aliases=["Starmer"])
    EntityFactory(label="Emmanuel Macron", aliases=["Macron"])
    TenureFactory(person=starmer, office=pm, start=dt.date(2024, 7, 5), end=None)
    return pm


def _state(article: Article) -> tuple[str, str]:
    article.refresh_from_db()
    return article.extraction_state, article.check_state


def _import(**kwargs) -> Article:
    return article_import(title="Talks", body=BODY, published_on=dt.date(2026, 1, 7), **kwargs)


def test_it_records_the_need_for_extraction_and_checks_with_the_import(db):
    with transaction.atomic():
        article = _import()
        # Recorded in the import's own transaction, before anything is sent.
        assert _state(article) == ("pending", "pending")
        assert article.extraction_requested_at is not None
        assert article.check_requested_at == article.extraction_requested_at
    assert not EntityMention.objects.filter(article=article).exists()  # nothing ran yet


def test_it_records_nothing_when_the_import_rolls_back(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        _import(external_id="cms-1")
        raise RuntimeError("the caller's transaction fails")
    assert not Article.objects.exists()


def test_it_sends_one_message_per_transaction_however_many_articles_need_work(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            for n in range(5):
                _import(external_id=f"cms-{n}")
    assert [c.processing_key for c in callbacks] == [(processing.EXTRACT_PENDING, ())]


def test_it_extracts_then_checks_an_import_once_committed(kb, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = _import()
    article.refresh_from_db()
    assert (article.extraction_state, article.check_state) == ("done", "done")
    assert article.extracted_sha256 == article.body_sha256
    assert article.check_done_at >= article.extracted_at
    assert Finding.objects.filter(article=article, code="ROLE_AT_DATE").exists()


def test_it_does_not_check_an_article_whose_extraction_is_owed(kb):
    """The bug of the sweep: checks 'done' on an article no extraction had run on."""
    article = _import()  # the `db` transaction never commits: nothing is sent
    assert article_checks_run(article_id=article.pk).checked == []
    assert articles_checks_run(article_ids=[article.pk]).checked == []
    assert _state(article) == ("pending", "pending")
    assert not Finding.objects.filter(article=article).exists()

    extraction_drain(budget_seconds=60)  # extraction requests the checks again
    assert _state(article)[0] == "done"
    assert article_checks_run(article_id=article.pk).checked == [article.pk]
    assert _state(article) == ("done", "done")
    assert Finding.objects.filter(article=article, code="ROLE_AT_DATE").exists()


def test_it_makes_a_body_edit_owe_extraction_and_checks_again(
    kb, annotator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = _import()
    assert _state(article) == ("done", "done")
    article_update_body(
        article=article,
        body=BODY.replace("January 6, 2024", "January 6, 2025"),
        user=annotator,
        expected_revision=1,
    )
    assert _state(article) == ("pending", "pending")
    assert article.extracted_sha256 != article.body_sha256
    extraction_drain(budget_seconds=60)
    assert _state(article)[0] == "done"
    assert DateMention.objects.filter(article=article, value=dt.date(2025, 1, 6)).exists()


def test_it_marks_failed_with_the_reason_the_article_extraction_breaks_on_and_checks_it(
    kb, monkeypatch
):
    good, bad = _import(external_id="good"), _import(external_id="bad")
    bad_body = "Nothing to see here but a bug.\nIt is in the extractor."
    Article.objects.filter(pk=bad.pk).update(body=bad_body)
    real = pipeline.extract

    def extract(body, **kwargs):
        if body == bad_body:  # a bug the extractor trips on for this one text
            raise ValueError("unexpected token")
        return real(body, **kwargs)

    monkeypatch.setattr(pipeline, "extract", extract)
    report = extraction_drain(budget_seconds=60)
    assert (report.extracted, report.failed) == (1, 1)
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.extraction_state == "done"
    assert bad.extraction_state == "failed"
    assert bad.extraction_error == "ValueError: unexpected token"
    assert bad.extraction_failed_at is not None
    # Failed is settled: the checks judge what people annotated instead of waiting forever.
    assert article_checks_run(article_id=bad.pk).checked == [bad.pk]


def test_it_never_marks_a_newer_body_extracted_by_a_run_on_an_older_one(kb, annotator):
    from apps.extraction.services import ExtractionResult, _extraction_done

    article = _import()
    old_sha = article.body_sha256
    article_update_body(article=article, body=BODY + " More.", user=annotator, expected_revision=1)
    # What a run that read the old body would record when it commits.
    Article.objects.filter(pk=article.pk).update(extracted_sha256=old_sha)
    _extraction_done([ExtractionResult(article_id=article.pk, body_sha256=old_sha)])
    assert _state(article)[0] == "pending"


def test_the_sweep_sends_the_drains_for_owed_work_and_nothing_when_all_is_done(
    kb, django_capture_on_commit_callbacks
):
    article = _import()  # its own message was lost (never sent: the transaction is the test's)
    with django_capture_on_commit_callbacks(execute=True):
        report = processing.processing_sweep()  # eager: the drain runs inline ...
    # ... and the checks it requests when it commits (they were not owed before: they wait).
    assert report.sent == [processing.EXTRACT_PENDING]
    assert _state(article) == ("done", "done")
    assert processing.processing_sweep().sent == []

    Article.objects.filter(pk=article.pk).update(check_state="pending")  # a lost check message
    assert processing.processing_sweep().sent == [processing.CHECK_PENDING]
    assert _state(article) == ("done", "done")


def test_the_sweep_takes_over_a_check_run_whose_worker_died(kb):
    article = _import()
    extraction_drain(budget_seconds=60)
    lease = dt.timedelta(seconds=processing.settings.CHECKS_RUNNING_LEASE_SECONDS + 1)
    # Claimed by a run that died with its worker, longer ago than the lease.
    Article.objects.filter(pk=article.pk).update(
        check_state="running", check_started_at=timezone.now() - lease
    )
    assert processing.processing_sweep().sent == [processing.CHECK_PENDING]
    assert _state(article) == ("done", "done")


def test_the_sweep_leaves_a_live_check_run_alone(kb):
    article = _import()
    extraction_drain(budget_seconds=60)
    Article.objects.filter(pk=article.pk).update(
        check_state="running", check_started_at=timezone.now()
    )
    assert processing.processing_sweep().sent == []
    assert _state(article) == ("done", "running")


def test_the_workspace_says_what_is_owed_and_why_it_failed(client, annotator, kb):
    article = _import()
    client.force_login(annotator)
    html = text_of(client.get(f"/articles/{article.uuid}/"))
    assert "Finding proposals in the text" in html and 'hx-trigger="every 2s"' in html
    Article.objects.filter(pk=article.pk).update(
        extraction_state="failed",
        extraction_failed_at=timezone.now(),
        extraction_error="ValueError: unexpected token",
        check_state="done",
        check_done_at=timezone.now(),
    )
    html = text_of(client.get(f"/articles/{article.uuid}/"))
    assert "Finding proposals failed" in html and "ValueError: unexpected token" in html
    assert "Checks done" in html


def test_the_api_shows_the_processing_state(client, annotator, kb):
    article = _import()
    client.force_login(annotator)
    data = client.get(f"/api/v1/articles/{article.uuid}").json()
    assert data["extraction_state"] == "pending"
    assert data["check_state"] == "pending"
    assert data["extraction_requested_at"] is not None
    assert data["extracted_at"] is None and data["extraction_error"] == ""


@pytest.fixture
def sent(monkeypatch):
    """The messages sent to the broker (none really is)."""
    from config.celery import app as celery_app

    messages = []
    monkeypatch.setattr(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr(processing, "task_send", lambda name, **kw: messages.append((name, kw)))
    return messages


def test_a_request_sends_its_messages_once_its_answer_is_written(
    db, sent, django_capture_on_commit_callbacks
):
    """The server writes the answer, then closes it: the messages of the request's commits wait
    for the close (the client does not wait for the broker), once each; the need for checks is
    already committed on the article (a message lost in between: the sweep sends it again)."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from config.middleware import SendAfterResponseMiddleware

    article = _import()
    Article.objects.filter(pk=article.pk).update(check_state="done")

    def view(request):
        for _ in range(2):  # two transactions of one request
            with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                processing.checks_request(article_ids=[article.pk])
        return HttpResponse("answer")

    response = SendAfterResponseMiddleware(view)(RequestFactory().post("/"))

    assert sent == []
    assert _state(article)[1] == "pending"
    response.close()
    assert sent == [(processing.CHECK_ARTICLE, {"article_id": article.pk})]


def test_outside_a_request_messages_go_out_at_the_commit(
    db, sent, django_capture_on_commit_callbacks
):
    article = _import()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        processing.checks_request(article_ids=[article.pk])
    assert sent == [(processing.CHECK_ARTICLE, {"article_id": article.pk})]
