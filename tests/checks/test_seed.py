"""The seed article (seeds/, loaded by loadseeds, annotated by the real extraction) against the
seed knowledge base: what DESIGN.md says the checks must report on it, and what they must not."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.articles.models import Article
from apps.checks.models import Finding

SEED_ID = "seed:paris-coalition-meeting.txt"


def _seed() -> Article:
    return Article.objects.get(external_id=SEED_ID)


def _findings(code: str, severity: str = "error") -> list[Finding]:
    return list(Finding.objects.filter(article=_seed(), code=code, severity=severity, state="open"))


def _tenure(finding: Finding, person: str, kind: str = "tenure") -> dict:
    return next(f for f in finding.kb_facts if f["type"] == kind and f["person"] == person)


def assert_starmer_not_pm_on_the_stated_date() -> None:
    [finding] = [f for f in _findings("ROLE_AT_DATE") if "Keir Starmer" in f.message]
    assert "Keir Starmer was not Prime Minister of the United Kingdom on 6 January 2024" in (
        finding.message
    )
    assert "took office on 5 July 2024" in finding.message
    assert "Rishi Sunak held the office then" in finding.message
    assert _tenure(finding, "Keir Starmer")["start"] == "2024-07-05"
    sunak = _tenure(finding, "Rishi Sunak", "holder")
    assert (sunak["start"], sunak["end"]) == ("2022-10-25", "2024-07-05")
    assert finding.spans[0]["exact"] == "UK Prime Minister Keir Starmer"


def assert_trump_not_former_on_publication() -> None:
    [finding] = [f for f in _findings("ROLE_AT_DATE") if "Donald Trump" in f.message]
    assert "Donald Trump was not a former President of the United States on 7 January 2026" in (
        finding.message
    )
    assert "again since 20 January 2025" in finding.message
    current = [t for t in finding.kb_facts if t["type"] == "tenure" and t["end"] is None]
    assert [t["start"] for t in current] == ["2025-01-20"]
    assert finding.spans[0]["exact"] == "former President Donald Trump"


def assert_titles_incoherent_with_both_dates() -> None:
    [finding] = _findings("TEMPORAL_COHERENCE")
    window = next(f for f in finding.kb_facts if f["type"] == "window")
    assert window["intervals"] == [["2024-07-05", "2025-01-20"]]
    assert "6 January 2024" in finding.message and "7 January 2026" in finding.message
    assert {s["exact"] for s in finding.spans} == {
        "UK Prime Minister Keir Starmer",
        "former President Donald Trump",
    }


def assert_stated_date_two_years_before_publication() -> None:
    [finding] = _findings("DATE_VS_PUBLICATION", "warning")
    assert "6 January 2024" in finding.message and "about 2 years" in finding.message
    assert finding.spans[0]["exact"] == "January 6, 2024"


def assert_nothing_against_zelensky_or_macron() -> None:
    errors = Finding.objects.filter(article=_seed(), severity="error")
    assert errors.exists()
    for finding in errors:
        spans = " ".join(s.get("exact", "") for s in finding.spans)
        assert "Zelensky" not in spans and "Macron" not in spans, finding.message
        assert "Zelensky" not in finding.message and "Macron" not in finding.message


@pytest.mark.worker
def test_it_reports_the_seed_articles_problems_through_the_real_worker(worker):
    # loadseeds imports the article; the worker extracts it, and extraction requests the checks,
    # which the same worker runs: the whole path a newsroom article takes.
    call_command("loadseeds", verbosity=0)

    def checked_after_extraction() -> bool:
        article = Article.objects.filter(external_id=SEED_ID).first()
        return bool(
            article
            and article.extracted_at
            and article.check_state == "done"
            and article.check_done_at > article.extracted_at
        )

    worker.wait_for(checked_after_extraction, timeout=120, what="extraction and checks")
    assert "checks.check_article" in worker.log()
    assert_starmer_not_pm_on_the_stated_date()
    assert_trump_not_former_on_publication()
    assert_titles_incoherent_with_both_dates()
    assert_stated_date_two_years_before_publication()
    assert_nothing_against_zelensky_or_macron()


@pytest.fixture
def seed_checked(db, django_capture_on_commit_callbacks):
    """The same path with tasks run inline (conftest makes Celery eager without a worker)."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("loadseeds", verbosity=0)
    article = _seed()
    assert article.extracted_at is not None and article.check_state == "done"
    return article


def test_it_says_starmer_was_not_uk_prime_minister_on_the_stated_date(seed_checked):
    assert_starmer_not_pm_on_the_stated_date()


def test_it_says_trump_was_not_a_former_president_at_publication(seed_checked):
    assert_trump_not_former_on_publication()


def test_it_gives_the_window_in_which_the_titles_fit_and_that_it_excludes_both_dates(seed_checked):
    assert_titles_incoherent_with_both_dates()


def test_it_warns_that_the_stated_date_is_two_years_before_publication(seed_checked):
    assert_stated_date_two_years_before_publication()


def test_it_raises_no_error_about_zelensky_or_macron(seed_checked):
    assert_nothing_against_zelensky_or_macron()
