"""A broker outage never turns a saved import into a 500, never makes a retry duplicate it, and
the work runs once the broker is back: the request was recorded with the article, and beat's
processing sweep sends it again. On the seed article and KB, whose findings are known."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from apps.accounts.api_keys import api_key_create
from apps.articles.models import Article
from apps.articles.seeds import SEEDS_DIR
from apps.checks.models import Finding
from apps.knowledge.wikidata_import import kb_import_files
from tests.factories import UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

SEED_TEXT = (SEEDS_DIR / "paris-coalition-meeting.txt").read_text(encoding="utf-8")
SEED_TITLE = "Ukraine's allies agree security guarantees at Paris meeting"


def _assert_seed_findings(article: Article) -> None:
    """What DESIGN.md says the checks must report on the seed article."""
    errors = list(
        Finding.objects.filter(article=article, code="ROLE_AT_DATE", severity="error").values_list(
            "message", flat=True
        )
    )
    assert any("Keir Starmer was not Prime Minister" in m and "6 January 2024" in m for m in errors)
    assert any("Donald Trump was not a former President" in m for m in errors)
    assert Finding.objects.filter(article=article, code="TEMPORAL_COHERENCE").exists()
    assert Finding.objects.filter(
        article=article, code="DATE_VS_PUBLICATION", message__contains="about 2 years"
    ).exists()


def _extracted_and_checked(article: Article) -> bool:
    article.refresh_from_db()
    return (
        article.extraction_state == "done"
        and article.extracted_sha256 == article.body_sha256
        and article.check_state == "done"
        and article.check_done_at >= article.extracted_at
    )


def test_it_saves_imports_while_the_broker_is_down_and_processes_them_when_it_returns(
    own_redis, beat_worker, client
):
    kb_import_files(paths=[SEEDS_DIR / "kb.json"])
    # A transactional test runs on flushed tables: the role groups of the data migration are gone.
    Group.objects.get_or_create(name="annotator")
    api = APIClient()
    api.credentials(HTTP_X_API_KEY=api_key_create(name="CMS", scope="write", by=None).secret)
    client.force_login(UserFactory(username="anna", role="annotator"))
    payload = {"title": SEED_TITLE, "body": SEED_TEXT, "published_on": "2026-01-07"}

    own_redis.stop()
    assert not own_redis.answers()

    # The API, with an external id: created once; the client's retry updates it.
    started = time.monotonic()
    first = api.post("/api/v1/articles", {**payload, "external_id": "cms-1"}, format="json")
    took = time.monotonic() - started
    assert first.status_code == 201, first.content
    assert first.json()["extraction_state"] == "pending"
    assert first.json()["check_state"] == "pending"
    again = api.post("/api/v1/articles", {**payload, "external_id": "cms-1"}, format="json")
    assert again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"]
    assert Article.objects.filter(external_id="cms-1").count() == 1
    # Giving up on the broker is quick: the request is not held for long.
    assert took < 10, f"the import took {took:.1f} s with the broker down"
    print(f"import with the broker down answered in {took:.2f} s")

    # The API without an external id: one answer, 201, one article (nothing to retry).
    plain = api.post("/api/v1/articles", {**payload, "title": "Plain push"}, format="json")
    assert plain.status_code == 201, plain.content
    assert Article.objects.filter(title="Plain push").count() == 1

    # The HTML import: saved, and the browser is sent to the workspace, which says it waits.
    form = {"title": "From the form", "text": SEED_TEXT, "published_on": "2026-01-07"}
    response = client.post("/articles/import/", form)
    assert response.status_code == 302, response.content[:500]
    imported = Article.objects.get(title="From the form")
    assert response["Location"] == f"/articles/{imported.uuid}/"
    page = client.get(response["Location"]).content.decode()
    assert "Finding proposals in the text" in page

    articles = list(Article.objects.order_by("id"))
    assert len(articles) == 3
    for article in articles:
        assert (article.extraction_state, article.check_state) == ("pending", "pending")
        assert not Finding.objects.filter(article=article).exists()

    # The broker returns (empty: what was sent before the outage is gone) with a worker and beat.
    own_redis.start()
    worker = beat_worker(PROCESSING_SWEEP_SECONDS="2")
    worker.start()
    back = time.monotonic()
    for article in articles:
        worker.wait_for(
            lambda article=article: _extracted_and_checked(article),
            timeout=120,
            what=f"extraction and checks of {article.title!r}",
        )
        _assert_seed_findings(article)
    print(
        f"all three extracted and checked {time.monotonic() - back:.1f} s after the broker returned"
    )
    assert "articles.processing_sweep" in worker.log()
    assert "extraction.extract_pending" in worker.log()
