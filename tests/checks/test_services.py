"""The check run through its service on the real database: findings stored once, human decisions
kept while their inputs are unchanged, the article's check state, the sweep and KB changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.annotations.models import Claim, EntityMention, ReviewState
from apps.annotations.services import AnnotationError, claim_verify
from apps.articles.models import Article
from apps.checks import services
from apps.checks.models import Finding
from apps.checks.rules import quotes
from apps.checks.selectors import article_check_status, findings_for_article
from apps.errors import Conflict, NotAllowed
from apps.knowledge.models import Tenure
from tests.checks import kb as K
from tests.checks.conftest import (
    add_claim,
    add_date,
    add_quote,
    article_create,
    seed_like_article,
)

pytestmark = pytest.mark.django_db


def _request_and_run(article: Article):
    Article.objects.filter(pk=article.pk).update(check_state=Article.CheckState.PENDING)
    return services.article_checks_run(article_id=article.pk)


def _codes(article: Article, state: str = "open") -> list[tuple[str, str]]:
    return sorted(
        Finding.objects.filter(article=article, state=state).values_list("code", "severity")
    )


def test_it_stores_the_findings_of_a_run_and_marks_the_article_done(kb):
    article = seed_like_article(kb)
    report = _request_and_run(article)
    assert report.checked == [article.pk]
    assert _codes(article) == [
        ("DATE_VS_PUBLICATION", "warning"),
        ("ROLE_AT_DATE", "error"),
        ("ROLE_AT_DATE", "error"),
        ("TEMPORAL_COHERENCE", "error"),
    ]
    status = article_check_status(article=article)
    assert status.state == "done" and status.done_at is not None and status.error == ""
    assert status.open_errors == 3 and status.open_warnings == 1
    panel = list(findings_for_article(article=article))
    assert [f.severity for f in panel] == ["error", "error", "error", "warning"]


def test_it_never_duplicates_findings_when_run_again(kb):
    article = seed_like_article(kb)
    _request_and_run(article)
    first = {f.uuid: f.version for f in Finding.objects.filter(article=article)}
    report = _request_and_run(article)
    assert report.created == 0 and report.updated == 0 and report.deleted == 0
    assert {f.uuid: f.version for f in Finding.objects.filter(article=article)} == first


def test_it_does_nothing_on_a_duplicate_delivery_after_the_run_finished(kb):
    article = seed_like_article(kb)
    _request_and_run(article)
    done_at = Article.objects.get(pk=article.pk).check_done_at
    report = services.article_checks_run(article_id=article.pk)  # no new request
    assert report.checked == []
    assert Article.objects.get(pk=article.pk).check_done_at == done_at


def test_it_keeps_a_dismissed_finding_dismissed_while_its_inputs_are_unchanged(kb, reviewer):
    article = seed_like_article(kb)
    _request_and_run(article)
    stale = Finding.objects.get(article=article, code="DATE_VS_PUBLICATION")
    services.finding_set_state(
        finding=stale, user=reviewer, state="dismissed", reason="retrospective piece"
    )
    # Another annotation changes the article's inputs but not this finding's.
    add_quote(article, "“significant step”", kb[K.MACRON])
    _request_and_run(article)
    stale.refresh_from_db()
    assert stale.state == "dismissed" and stale.state_reason == "retrospective piece"
    assert Finding.objects.filter(article=article, code="DATE_VS_PUBLICATION").count() == 1


def test_it_reopens_a_dismissed_finding_when_its_inputs_change(kb, reviewer):
    article = seed_like_article(kb)
    _request_and_run(article)
    starmer = Finding.objects.get(article=article, code="ROLE_AT_DATE", message__contains="Starmer")
    services.finding_set_state(finding=starmer, user=reviewer, state="dismissed", reason="typo")
    # The KB learns a different start of Starmer's tenure: the facts behind the finding change.
    tenure = Tenure.objects.get(person=kb[K.STARMER])
    tenure.start = dt.date(2024, 7, 4)
    tenure.save()
    _request_and_run(article)
    starmer.refresh_from_db()
    assert starmer.state == "open"
    assert "4 July 2024" in starmer.message
    assert starmer.history.first().history_change_reason.startswith("reopened")


def test_it_removes_open_findings_whose_problem_is_gone(kb):
    article = seed_like_article(kb)
    _request_and_run(article)
    EntityMention.objects.filter(article=article, title_modifier="former").update(
        review_state=ReviewState.REJECTED
    )
    _request_and_run(article)
    messages = list(Finding.objects.filter(article=article).values_list("message", flat=True))
    assert not any("former President" in m for m in messages)
    assert any("Starmer" in m for m in messages)


def test_it_blocks_verifying_a_claim_while_an_error_finding_is_open(kb, annotator, reviewer):
    article = seed_like_article(kb)
    claim = add_claim(article, "UK Prime Minister Keir Starmer called the talks productive.")
    Claim.objects.filter(pk=claim.pk).update(
        verdict=Claim.Verdict.ACCURATE,
        verdict_state=Claim.VerdictState.PROPOSED,
        verdict_by=annotator,
        created_by=annotator,
    )
    _request_and_run(article)
    claim.refresh_from_db()
    with pytest.raises(AnnotationError, match="Keir Starmer was not Prime Minister"):
        claim_verify(claim=claim, user=reviewer, expected_version=None)
    for finding in Finding.objects.blocking().filter(article=article):
        services.finding_set_state(finding=finding, user=reviewer, state="resolved")
    verified = claim_verify(claim=claim, user=reviewer, expected_version=None)
    assert verified.verdict_state == Claim.VerdictState.VERIFIED


def test_it_refuses_bad_finding_state_changes_and_changes_nothing(
    kb, annotator, reviewer, reviewer2
):
    article = seed_like_article(kb)
    _request_and_run(article)
    finding = Finding.objects.filter(article=article).first()
    with pytest.raises(NotAllowed):
        services.finding_set_state(finding=finding, user=annotator, state="resolved")
    with pytest.raises(services.FindingError, match="why"):
        services.finding_set_state(finding=finding, user=reviewer, state="dismissed", reason=" ")
    with pytest.raises(services.FindingError, match="Unknown state"):
        services.finding_set_state(finding=finding, user=reviewer, state="closed")
    if finding.severity == "error":
        with pytest.raises(services.FindingError, match="Add a note"):
            services.finding_set_state(finding=finding, user=reviewer, state="acknowledged")
    services.finding_set_state(
        finding=finding,
        user=reviewer,
        state="acknowledged",
        reason="Asked the reporter.",
        expected_version=finding.version,
    )
    with pytest.raises(Conflict) as conflict:
        services.finding_set_state(
            finding=finding, user=reviewer2, state="resolved", expected_version=finding.version
        )
    assert conflict.value.status == 409 and conflict.value.current.state == "acknowledged"
    finding.refresh_from_db()
    assert finding.state == "acknowledged" and finding.state_by == reviewer


def test_it_records_a_failed_run_with_its_reason(kb, monkeypatch):
    from apps.checks import registry

    article = seed_like_article(kb)

    def broken(snapshot, context):
        raise ValueError("the KB view has no labels")

    monkeypatch.setitem(
        registry.CHECKS, "ZZ_BROKEN", registry.Check("ZZ_BROKEN", "1", broken, "broken")
    )
    _request_and_run(article)
    status = article_check_status(article=article)
    assert status.state == "failed"
    assert "ValueError: the KB view has no labels" in status.error
    assert not Finding.objects.filter(article=article).exists()


def test_it_sweeps_articles_whose_inputs_changed_and_leaves_the_others(
    kb, django_capture_on_commit_callbacks
):
    changed = seed_like_article(kb, title="changed")
    untouched = seed_like_article(kb, title="untouched")
    services.articles_checks_run(article_ids=[changed.pk, untouched.pk])
    assert set(Article.objects.values_list("check_state", flat=True)) == {"done"}
    done_at = Article.objects.get(pk=untouched.pk).check_done_at
    # A bulk write that bypasses the services (no check requested): only the sweep can see it.
    EntityMention.objects.filter(article=changed, title_modifier="former").update(
        review_state=ReviewState.REJECTED
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = services.checks_sweep_stale()
    assert report.articles == 2 and report.batches == 1
    assert Article.objects.get(pk=untouched.pk).check_done_at == done_at
    assert not Finding.objects.filter(article=changed, message__contains="former").exists()
    assert Finding.objects.filter(article=untouched, message__contains="former").exists()


def test_it_rechecks_the_articles_of_a_changed_entity(kb, django_capture_on_commit_callbacks):
    article = seed_like_article(kb)
    other = article_create("Officials met in Paris on Tuesday.", title="unrelated")
    services.articles_checks_run(article_ids=[article.pk, other.pk])
    other_done = Article.objects.get(pk=other.pk).check_done_at
    tenure = Tenure.objects.get(person=kb[K.STARMER])
    tenure.start = dt.date(2023, 1, 1)
    tenure.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.kb_changed(entity_ids=[kb[K.STARMER].pk])
    assert not Finding.objects.filter(article=article, message__contains="Starmer").exists()
    assert Article.objects.get(pk=other.pk).check_done_at == other_done


def test_it_reads_a_batch_in_a_fixed_number_of_queries(kb):
    def make(n):
        ids = []
        for i in range(n):
            article = seed_like_article(kb, title=f"a{i}")
            add_date(article, "January 6, 2024", dt.date(2024, 1, 6))
            ids.append(article.pk)
        return ids

    small, large = make(2), make(12)
    services.articles_checks_run(article_ids=small)  # warm the KB view cache
    Article.objects.update(check_state="pending")
    with CaptureQueriesContext(connection) as few:
        services.articles_checks_run(article_ids=small)
    with CaptureQueriesContext(connection) as many:
        services.articles_checks_run(article_ids=large)
    # Writes are batched too: the count does not grow with the articles or their mentions.
    assert len(many) <= len(few) + 4, [q["sql"][:120] for q in many.captured_queries]


def test_it_flags_the_same_words_given_to_another_speaker_in_another_article(kb):
    quote = "“We determined what forces are needed and how they will operate.”"
    first = seed_like_article(kb, title="first")
    second = article_create(f"Emmanuel Macron said: {quote}", title="second")
    add_quote(second, quote, kb[K.MACRON])
    services.articles_checks_run(article_ids=[first.pk, second.pk])
    finding = Finding.objects.get(article=second, code="QUOTE_INTEGRITY")
    assert "Volodymyr Zelensky" in finding.message and "“first”" in finding.message
    # The first article was checked before the second's quote was indexed; the sweep catches up.
    services.articles_checks_run(article_ids=[first.pk])
    assert Finding.objects.filter(article=first, code="QUOTE_INTEGRITY").exists()


def test_it_flags_verified_claims_that_disagree_across_articles(kb):
    a = article_create("Keir Starmer met Emmanuel Macron in Paris on January 6, 2026.", title="A")
    b = article_create("Keir Starmer met Emmanuel Macron in Paris on January 8, 2026.", title="B")
    for article, day in ((a, 6), (b, 8)):
        claim = add_claim(article, article.body, Claim.Kind.EVENT_DATE, verified=True)
        from tests.checks.conftest import add_mention

        add_mention(article, "Keir Starmer", kb[K.STARMER])
        add_mention(article, "Emmanuel Macron", kb[K.MACRON])
        add_date(article, f"January {day}, 2026", dt.date(2026, 1, day))
        assert claim.pk
    services.articles_checks_run(article_ids=[a.pk, b.pk])
    finding = Finding.objects.get(article=a, code="CROSS_ARTICLE")
    assert "8 January 2026" in finding.message and "“B”" in finding.message
    assert Finding.objects.filter(article=b, code="CROSS_ARTICLE").count() == 1


def test_it_records_who_found_and_removed_each_finding_in_its_history(kb):
    article = seed_like_article(kb)
    _request_and_run(article)
    trump = Finding.objects.get(article=article, message__contains="not a former President")
    assert [h.history_type for h in trump.history.all()] == ["+"]
    EntityMention.objects.filter(article=article, title_modifier="former").update(
        review_state=ReviewState.REJECTED
    )
    _request_and_run(article)
    gone = Finding.history.filter(id=trump.pk).order_by("history_id")
    assert [h.history_type for h in gone] == ["+", "-"]
    assert gone.last().history_change_reason == "no longer found by a check run"


def test_it_retries_only_database_and_broker_errors():
    from django.db import InterfaceError, OperationalError
    from kombu.exceptions import OperationalError as BrokerError

    from apps.checks import tasks

    for task in (tasks.check_article, tasks.check_batch, tasks.sweep_stale):
        assert set(task.autoretry_for) == {OperationalError, InterfaceError, BrokerError}
        assert task.acks_late and task.reject_on_worker_lost
        assert task.soft_time_limit < task.time_limit


def test_it_gives_up_a_run_that_runs_out_of_time_without_writing_anything(kb, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from apps.checks import registry

    article = seed_like_article(kb)

    def slow(snapshot, context):
        raise SoftTimeLimitExceeded()

    monkeypatch.setitem(registry.CHECKS, "ZZ_SLOW", registry.Check("ZZ_SLOW", "1", slow, "slow"))
    with pytest.raises(SoftTimeLimitExceeded):
        _request_and_run(article)
    status = article_check_status(article=article)
    assert status.state == "failed" and "SoftTimeLimitExceeded" in status.error
    assert not Finding.objects.filter(article=article).exists()


def test_it_fingerprints_an_articles_inputs_the_same_whatever_batch_it_is_in(kb):
    from tests.checks.conftest import add_mention

    quote = "“We determined what forces are needed and how they will operate.”"
    first = seed_like_article(kb, title="first")
    second = article_create(f"Emmanuel Macron said: {quote} He met Keir Starmer.", title="2nd")
    add_quote(second, quote, kb[K.MACRON])
    for article in (first, second):
        add_claim(article, "Keir Starmer", Claim.Kind.OTHER, verified=True)
        add_mention(article, "Keir Starmer", kb[K.STARMER])
    services.articles_checks_run(article_ids=[first.pk, second.pk])
    services.articles_checks_run(article_ids=[first.pk, second.pk])  # the index has caught up
    for article in (first, second):
        report = services.articles_checks_run(article_ids=[article.pk])
        assert report.unchanged == 1 and report.checked == []


def test_it_rechecks_the_articles_holding_a_title_of_a_changed_office(
    kb, django_capture_on_commit_callbacks
):
    article = seed_like_article(kb)
    services.articles_checks_run(article_ids=[article.pk])
    with django_capture_on_commit_callbacks(execute=True):
        services.kb_changed(entity_ids=[kb[K.UK_PM].pk])
    article.refresh_from_db()
    assert article.check_state == "done" and article.check_requested_at is not None
    assert article.check_done_at > article.check_requested_at


def test_it_sweeps_failed_and_dead_runs_but_not_a_live_one(
    kb, settings, django_capture_on_commit_callbacks
):
    failed = seed_like_article(kb, title="failed")
    dead = seed_like_article(kb, title="dead")
    live = seed_like_article(kb, title="live")
    now = timezone.now()
    Article.objects.filter(pk=failed.pk).update(
        check_state="failed", check_error="OperationalError"
    )
    Article.objects.filter(pk=dead.pk).update(
        check_state="running", check_started_at=now - dt.timedelta(minutes=10)
    )
    Article.objects.filter(pk=live.pk).update(check_state="running", check_started_at=now)
    settings.CHECKS_RUNNING_LEASE_SECONDS = 300
    with django_capture_on_commit_callbacks(execute=True):
        services.checks_sweep_stale()
    states = dict(Article.objects.values_list("title", "check_state"))
    assert states == {"failed": "done", "dead": "done", "live": "running"}
    assert Finding.objects.filter(article=dead, code="ROLE_AT_DATE").count() == 2


def test_it_finds_a_speakers_quote_worded_differently_in_another_article(kb):
    quote = "“We determined what forces are needed and how they will operate.”"
    reworded = "“We determined which forces are needed and how they will operate.”"
    unrelated = "“Our soldiers deserve every piece of equipment we can send them now.”"
    first = seed_like_article(kb, title="first")
    second = article_create(f"Zelensky said: {reworded} Later: {unrelated}", title="second")
    add_quote(second, reworded, kb[K.ZELENSKY])
    add_quote(second, unrelated, kb[K.ZELENSKY])
    services.articles_checks_run(article_ids=[first.pk, second.pk])
    services.articles_checks_run(article_ids=[first.pk])  # now that both are indexed
    [finding] = Finding.objects.filter(article=first, code="QUOTE_INTEGRITY")
    assert "worded differently" in finding.message and "which forces" in finding.message
    assert "soldiers" not in finding.message
    assert quote in Article.objects.get(pk=first.pk).body


def test_a_run_keeps_no_quote_texts_for_the_next_one(kb):
    """A worker checks article after article for weeks: the quotes' texts and keys one run
    memoises must not pile up in it (they grew by ~10 MiB per 1,000 imported articles)."""
    article = seed_like_article(kb)
    services.articles_checks_run(article_ids=[article.pk])
    assert Article.objects.get(pk=article.pk).check_state == Article.CheckState.DONE
    assert article.quotes.exists()
    for memo in (quotes.quote_key, quotes.quote_edges, quotes.quote_text_normalize):
        assert memo.cache_info().currsize == 0, memo.__name__


def _proposed_claim(article, text: str, annotator) -> Claim:
    claim = add_claim(article, text)
    Claim.objects.filter(pk=claim.pk).update(
        verdict=Claim.Verdict.ACCURATE,
        verdict_state=Claim.VerdictState.PROPOSED,
        verdict_by=annotator,
        created_by=annotator,
    )
    claim.refresh_from_db()
    return claim


def test_only_the_error_findings_that_concern_a_claim_block_it(kb, annotator, reviewer):
    article = seed_like_article(kb)
    _request_and_run(article)
    # The Starmer and Trump errors lie in other sentences than Macron's.
    macron = _proposed_claim(
        article, "French President Emmanuel Macron described it as a “significant step”", annotator
    )
    assert claim_verify(claim=macron, user=reviewer, expected_version=None).verdict_state == (
        Claim.VerdictState.VERIFIED
    )
    # A claim on part of Starmer's sentence is blocked by his finding, not by Trump's.
    starmer = _proposed_claim(article, "called the talks productive", annotator)
    with pytest.raises(AnnotationError) as refused:
        claim_verify(claim=starmer, user=reviewer, expected_version=None)
    message = refused.value.message
    starmer_finding = Finding.objects.get(
        article=article, code="ROLE_AT_DATE", message__contains="Keir Starmer"
    )
    trump_finding = Finding.objects.get(
        article=article, code="ROLE_AT_DATE", message__contains="Donald Trump"
    )
    assert f"/articles/{article.uuid}/#finding-{starmer_finding.uuid}" in message
    assert str(trump_finding.uuid) not in message
    assert message.startswith("This claim cannot be verified while the article has open error")


def test_an_acknowledged_error_still_blocks_and_a_dismissed_one_does_not(kb, annotator, reviewer):
    article = seed_like_article(kb)
    _request_and_run(article)
    claim = _proposed_claim(article, "called the talks productive", annotator)
    blocking = [
        f
        for f in Finding.objects.filter(article=article, severity="error")
        if any(s["exact"].startswith("UK Prime Minister") for s in f.spans)
    ]
    assert {f.code for f in blocking} == {"ROLE_AT_DATE", "TEMPORAL_COHERENCE"}
    for finding in blocking:
        services.finding_set_state(
            finding=finding, user=reviewer, state="acknowledged", reason="Asked the reporter."
        )
    with pytest.raises(AnnotationError, match=r"\(acknowledged\)"):
        claim_verify(claim=claim, user=reviewer, expected_version=None)
    for finding in blocking:
        services.finding_set_state(
            finding=finding, user=reviewer, state="dismissed", reason="The date is a typo."
        )
    verified = claim_verify(claim=claim, user=reviewer, expected_version=None)
    assert verified.verdict_state == Claim.VerdictState.VERIFIED
