"""A person's touch is structural (issue 10): every write of a person or an API key marks the
annotation touched, and extraction never replaces or deletes what a person touched."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.accounts.api_keys import api_key_create
from apps.annotations.models import Claim
from apps.articles.models import Article
from tests.api.conftest import key_client

SEED = "seed:paris-coalition-meeting.txt"


@pytest.fixture
def seed(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("loadseeds", verbosity=0)
    return Article.objects.get(external_id=SEED)


@pytest.fixture
def write_key(db):
    return api_key_create(name="CMS", scope="write", by=None)


def test_a_verdict_and_evidence_given_through_the_api_survive_a_reimport(
    seed, write_key, django_capture_on_commit_callbacks
):
    client = key_client(write_key.secret)
    claim = Claim.objects.get(article=seed, exact__startswith="Starmer stated that allied nations")
    assert claim.origin == "automatic"
    url = f"/api/v1/claims/{claim.uuid}"
    proposed = client.post(
        f"{url}/verdict",
        {"verdict": "inaccurate", "summary": "No such agreement.", "version": claim.version},
        format="json",
    )
    assert proposed.status_code == 200, proposed.content
    added = client.post(f"{url}/evidence", {"url": "https://example.org/communique"}, format="json")
    assert added.status_code == 201, added.content

    body = seed.body.replace("Starmer stated that allied", "Keir Starmer stated that allied")
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            "/api/v1/articles",
            {"title": seed.title, "body": body, "external_id": SEED},
            format="json",
        )
    assert again.status_code == 200, again.content
    seed.refresh_from_db()
    assert seed.revision == 2 and seed.extracted_sha256 == seed.body_sha256

    answer = client.get(url)
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["verdict"] == "inaccurate"
    assert data["verdict_state"] == "proposed"
    assert [e["url"] for e in data["evidence"]] == ["https://example.org/communique"]
    # Its words are all still there (the edit added the first name before them): re-anchored.
    assert data["exact"].startswith("Starmer stated that allied nations")
    assert seed.body[data["start"] : data["end"]] == data["exact"]
