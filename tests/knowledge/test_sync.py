"""`manage.py kb_sync` against the hand-made Wikidata fixtures (fixtures/wikidata/), replayed by
`responses`: what a sync builds, incremental re-syncs, retries and failures, the dry run."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from apps.articles.models import Article
from apps.articles.seeds import seeds_load
from apps.knowledge.models import (
    Entity,
    EntityAlias,
    Tenure,
    WikidataRefresh,
    WikidataSyncTarget,
)
from apps.knowledge.tasks import kb_sync_refresh
from tests.checks import test_seed
from tests.factories import ArticleFactory, annotate
from tests.knowledge.fake_wikidata import API_URL, SPARQL_URL, install

STARMER, SUNAK, TRUSS, JOHNSON = "Q910000001", "Q910000002", "Q910000003", "Q910000004"
TRUMP, OBAMA, HOLLANDE, MACRON = "Q22686", "Q910000008", "Q910000007", "Q3052772"
UKPM, POTUS, CHANCELLOR, MP = "Q14211", "Q11696", "Q910000102", "Q910000103"
UK, US, GERMANY = "Q145", "Q30", "Q183"


def sync(*args: str) -> str:
    out = io.StringIO()
    call_command("kb_sync", *args, "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def entity(qid: str) -> Entity:
    return Entity.objects.get(wikidata_id=qid)


def tenures(qid: str) -> list[Tenure]:
    return list(Tenure.objects.filter(person__wikidata_id=qid).order_by("start", "id"))


def history_rows() -> int:
    return Entity.history.count() + EntityAlias.history.count() + Tenure.history.count()


@pytest.mark.django_db
def test_it_builds_offices_countries_people_and_tenures_from_the_heads_preset(wikidata):
    summary = sync("--preset", "heads")

    # Offices, with the country they belong to: P1001, else P17 (the Chancellor has only P17).
    uk_pm = entity(UKPM)
    assert (uk_pm.kind, uk_pm.label) == ("office", "Prime Minister of the United Kingdom")
    assert uk_pm.jurisdiction == entity(UK)
    assert entity(CHANCELLOR).jurisdiction == entity(GERMANY)
    assert "Prime Minister of Great Britain" in {a.alias for a in uk_pm.aliases.all()}
    # An office a holder held that no preset lists is imported in full, not as a placeholder.
    assert (entity(MP).label, entity(MP).jurisdiction) == (
        "Member of the Parliament of the United Kingdom",
        entity(UK),
    )
    # Countries with their English demonyms (a deprecated one and the French one left out).
    assert (entity(UK).kind, entity(UK).demonyms) == ("place", ["British"])
    assert entity(US).demonyms == ["American", "U.S."]
    assert entity(UK).jurisdiction is None
    # People with their gender.
    assert entity(TRUSS).gender == "female" and entity(STARMER).gender == "male"
    assert entity(UKPM).gender == ""
    # Tenures: an open end, month and year precision kept, a deprecated statement skipped, two
    # terms of the same office.
    [starmer_pm] = [t for t in tenures(STARMER) if t.office == uk_pm]
    assert (starmer_pm.start, starmer_pm.end, starmer_pm.is_current) == (
        dt.date(2024, 7, 5),
        None,
        True,
    )
    [truss] = tenures(TRUSS)
    assert (truss.start, truss.start_precision) == (dt.date(2022, 9, 1), "month")
    [obama] = tenures(OBAMA)
    assert (obama.start, obama.start_precision, obama.end) == (
        dt.date(2009, 1, 1),
        "year",
        dt.date(2017, 1, 20),
    )
    [hollande] = tenures(HOLLANDE)
    assert (hollande.end, hollande.end_precision) == (dt.date(2017, 5, 1), "month")
    assert [(t.start, t.end) for t in tenures(JOHNSON)] == [
        (dt.date(2019, 7, 24), dt.date(2022, 9, 6))
    ]
    assert [(t.start, t.end) for t in tenures(TRUMP)] == [
        (dt.date(2017, 1, 20), dt.date(2021, 1, 20)),
        (dt.date(2025, 1, 20), None),
    ]
    assert entity(STARMER).wikidata_revision == 2401001
    assert "offices 6 added, 0 changed, 0 unchanged" in summary
    assert "people 13 added" in summary
    assert "countries and other places 5 added" in summary
    assert "tenures 15 added" in summary
    assert WikidataSyncTarget.objects.filter(kind="preset", key="heads", since=None).exists()


@pytest.mark.django_db
def test_a_second_sync_without_changes_writes_nothing(wikidata, kb_changes):
    sync("--preset", "heads")
    rows, changes = history_rows(), len(kb_changes)
    updated = dict(Entity.objects.values_list("pk", "updated_at"))

    summary = sync("--preset", "heads")

    assert history_rows() == rows
    assert dict(Entity.objects.values_list("pk", "updated_at")) == updated
    assert len(kb_changes) == changes  # no re-check requested
    assert "offices 0 added, 0 changed, 6 unchanged" in summary
    assert "people 0 added, 0 changed, 13 unchanged" in summary
    assert "tenures 0 added, 0 changed, 0 unchanged, 0 removed" in summary


@pytest.mark.django_db
def test_a_changed_revision_updates_in_place_and_rechecks_the_articles_that_mention_the_person(
    wikidata, fake, annotator, kb_changes, django_capture_on_commit_callbacks
):
    sync("--preset", "heads")
    starmer = entity(STARMER)
    [before] = [t for t in tenures(STARMER) if t.office.wikidata_id == UKPM]
    article = ArticleFactory(body="UK Prime Minister Keir Starmer spoke.")
    annotate(article, "mention", "Keir Starmer", annotator, entity=starmer)
    long_ago = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    Article.objects.filter(pk=article.pk).update(
        check_state="done", check_requested_at=long_ago, check_done_at=long_ago
    )
    # On Wikidata someone corrects the start of Starmer's term and adds an alias.
    data = fake.edit(STARMER)
    statement = next(
        s for s in data["claims"]["P39"] if s["mainsnak"]["datavalue"]["value"]["id"] == UKPM
    )
    statement["qualifiers"]["P580"][0]["datavalue"]["value"]["time"] = "+2024-07-04T00:00:00Z"
    data["aliases"]["en"].append({"language": "en", "value": "Starmer"})
    untouched = entity(TRUMP).updated_at

    with django_capture_on_commit_callbacks(execute=True):
        summary = sync("--preset", "heads")

    [after] = [t for t in tenures(STARMER) if t.office.wikidata_id == UKPM]
    assert (after.pk, after.uuid, after.start) == (before.pk, before.uuid, dt.date(2024, 7, 4))
    assert after.history.count() == 2  # the change is in the tenure's history
    assert entity(STARMER).wikidata_revision == 2402001
    assert "Starmer" in {a.alias for a in entity(STARMER).aliases.all()}
    assert entity(TRUMP).updated_at == untouched
    assert "people 0 added, 1 changed, 12 unchanged" in summary
    assert "tenures 0 added, 1 changed" in summary
    assert starmer.pk in kb_changes[-1]
    article.refresh_from_db()  # requested again by the KB change, and checked (eager tasks)
    assert article.check_requested_at > long_ago and article.check_done_at > long_ago


@pytest.mark.django_db
def test_it_retries_a_429_with_retry_after_and_a_503_then_succeeds(wikidata, fake):
    wikidata.reset()
    wikidata.add("POST", SPARQL_URL, status=503, body="Service Unavailable")
    wikidata.add("GET", API_URL, status=429, headers={"Retry-After": "1"}, body="slow down")
    install(wikidata, fake)
    started = time.monotonic()

    summary = sync("--preset", "heads")

    assert time.monotonic() - started >= 1.0  # Retry-After honoured
    assert Tenure.objects.filter(person__wikidata_id=STARMER).exists()
    calls = [(c.request.method, c.response.status_code) for c in wikidata.calls]
    user_agent = wikidata.calls[0].request.headers["User-Agent"]
    assert user_agent.startswith("Factdesk/") and "https://" in user_agent  # with a contact
    assert calls[:2] == [("POST", 503), ("POST", 200)]
    assert ("GET", 429) in calls
    assert f"{len(calls)} requests" in summary


@pytest.mark.django_db
def test_a_lagged_api_answer_is_retried_after_its_retry_after(wikidata, fake):
    # The Action API's answer to maxlag: HTTP 200, an error object and Retry-After.
    wikidata.reset()
    lagged = {
        "error": {"code": "maxlag", "info": "Waiting for a database server: 7 seconds lagged"}
    }
    wikidata.add("GET", API_URL, json=lagged, headers={"Retry-After": "0"})
    install(wikidata, fake)

    sync("--person", MACRON)

    assert [c.response.status_code for c in wikidata.calls][:2] == [200, 200]
    assert "maxlag=5" in wikidata.calls[0].request.url
    assert entity(MACRON).label == "Emmanuel Macron"


@pytest.mark.django_db
def test_a_persistent_failure_leaves_the_knowledge_base_unchanged_and_says_what_failed(
    wikidata, fake
):
    wikidata.reset()
    wikidata.add("GET", API_URL, status=503, body="Service Unavailable")  # every time
    install(wikidata, fake, services=("sparql",))

    with pytest.raises(CommandError) as caught:
        sync("--preset", "heads")

    message = str(caught.value)
    assert "fetching people Q910000001" in message
    assert "HTTP 503 after 3 attempts" in message
    assert "The knowledge base was not changed." in message
    assert not Entity.objects.exists() and not WikidataSyncTarget.objects.exists()


@pytest.mark.django_db
def test_a_malformed_answer_is_an_error_naming_the_request(wikidata, fake):
    sync("--office", UKPM)
    before = history_rows()
    wikidata.reset()
    wikidata.add("GET", API_URL, status=200, body="<html>maintenance</html>")
    install(wikidata, fake, services=("sparql",))
    fake.edit(STARMER)

    with pytest.raises(CommandError, match="fetching people .*: the answer is not JSON"):
        sync("--office", UKPM)
    assert history_rows() == before


@pytest.mark.django_db
def test_no_network_is_an_error_and_nothing_is_written(settings):
    settings.WIKIDATA_SPARQL_URL = "http://127.0.0.1:9/sparql"  # discard port: refused
    settings.KB_SYNC_ATTEMPTS = 2
    settings.KB_SYNC_BACKOFF_MS = 10

    with pytest.raises(CommandError, match="cannot connect .* after 2 attempts"):
        sync("--preset", "heads")
    assert not Entity.objects.exists()


@pytest.mark.django_db
def test_a_dry_run_writes_nothing_and_says_what_would_change(wikidata, fake):
    output = sync("--preset", "heads", "--dry-run")

    assert "would add person Keir Starmer (Q910000001)" in output.splitlines()
    assert "would add place United Kingdom (Q145)" in output.splitlines()
    summary = output.splitlines()[-1]
    assert summary.startswith("dry run, nothing written: would be offices 6 added")
    assert not Entity.objects.exists() and not Tenure.objects.exists()
    assert history_rows() == 0 and not WikidataSyncTarget.objects.exists()

    sync("--preset", "heads")
    fake.edit(TRUSS)["labels"]["en"]["value"] = "Elizabeth Truss"
    output = sync("--preset", "heads", "--dry-run")
    assert "people 0 added, 1 changed, 12 unchanged" in output
    assert output.splitlines()[:-1] == ["would change person Elizabeth Truss (Q910000003)"]
    assert entity(TRUSS).label == "Liz Truss"


@pytest.mark.django_db
def test_people_and_offices_can_be_named_and_bad_ids_are_refused(wikidata):
    summary = sync("--person", MACRON)
    assert "people 1 added" in summary
    assert entity("Q191954").jurisdiction == entity("Q142")
    assert entity("Q142").demonyms == ["French"]

    with pytest.raises(CommandError, match="'Trump' is not a Wikidata item id"):
        sync("--person", "Trump")
    with pytest.raises(CommandError, match="--since 3000"):
        sync("--office", UKPM, "--since", "3000")


@pytest.mark.django_db
def test_the_periodic_refresh_syncs_again_what_was_synced_before(wikidata, fake):
    sync("--office", UKPM, "--since", "2020")
    fake.edit(SUNAK)["labels"]["en"]["value"] = "Rishi Sunak MP"

    message = kb_sync_refresh.delay().get()

    assert message == "refresh of 1 targets started"
    assert entity(SUNAK).label == "Rishi Sunak MP"
    assert entity(SUNAK).history.count() == 2  # changed once
    assert entity(STARMER).history.count() == 1  # unchanged: not rewritten
    target = WikidataSyncTarget.objects.get(kind="office", key=UKPM)
    assert target.since == 2020 and target.last_synced_at is not None
    assert not WikidataRefresh.objects.filter(in_progress=True).exists()


def test_the_refresh_is_off_unless_configured():
    # make run starts celery beat with the worker: the refresh must not be scheduled by default.
    assert "knowledge-kb-sync-refresh" not in django_settings.CELERY_BEAT_SCHEDULE


@pytest.mark.django_db
def test_a_synced_kb_gives_the_seed_article_the_same_findings_as_the_seed_kb(
    wikidata, tmp_path, django_capture_on_commit_callbacks
):
    # The seed article alone (no seeds/kb.json): its people and offices come from the sync. The
    # offices carry none of the wordings the article uses ("UK Prime Minister", "French
    # President", …) as aliases: the titles are read from the office names and the countries.
    seeds = Path(django_settings.BASE_DIR) / "seeds"
    for name in ("articles.json", "paris-coalition-meeting.txt"):
        shutil.copy(seeds / name, tmp_path / name)
    sync("--preset", "heads")

    with django_capture_on_commit_callbacks(execute=True):
        seeds_load(directory=tmp_path)

    article = Article.objects.get(external_id=test_seed.SEED_ID)
    assert article.check_state == "done"
    test_seed.assert_starmer_not_pm_on_the_stated_date()
    test_seed.assert_trump_not_former_on_publication()
    test_seed.assert_titles_incoherent_with_both_dates()
    test_seed.assert_stated_date_two_years_before_publication()
    test_seed.assert_nothing_against_zelensky_or_macron()
