"""Incremental sync: a client stores the `cursor` of its last page and polls; it receives every
claim verified between polls, each exactly once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from apps.annotations.models import Claim
from apps.annotations.services import (
    annotation_create,
    annotation_update,
    claim_verdict_propose,
    claim_verify,
)

pytestmark = pytest.mark.django_db


class SyncClient:
    """What a newsroom system does: pull pages until `next` is null, keep the cursor."""

    def __init__(self, client, **filters) -> None:
        self.client = client
        self.filters = filters
        self.cursor: str | None = None
        self.received: list[str] = []

    def poll(self, page_size: int = 2) -> list[str]:
        new: list[str] = []
        while True:
            params = {**self.filters, "page_size": page_size}
            if self.cursor:
                params["cursor"] = self.cursor
            response = self.client.get("/api/v1/claims", params)
            assert response.status_code == 200, response.content
            page = response.json()
            new += [row["id"] for row in page["results"]]
            self.cursor = page["cursor"]
            if page["next"] is None:
                break
        self.received += new
        return new


def _new_claims(article, annotator, n: int) -> list[Claim]:
    claims = []
    for i in range(n):
        text = article.body.split()[i]
        start = article.body.index(text)
        claim = annotation_create(
            article=article,
            kind="claim",
            start=start,
            end=start + len(text),
            exact=text,
            user=annotator,
        )
        claims.append(
            claim_verdict_propose(
                claim=claim, user=annotator, verdict="accurate", expected_version=1
            )
        )
    return claims


def _verify(claims, reviewer) -> list[str]:
    for claim in claims:
        claim_verify(claim=claim, user=reviewer, expected_version=claim.version)
    return [str(c.uuid) for c in claims]


def test_it_gives_a_polling_client_every_verified_claim_exactly_once(
    world, clients, annotator, reviewer
):
    sync = SyncClient(clients["read_key"], state="verified")
    assert sync.poll() == [str(world.claim_verified.uuid)]

    pending = _new_claims(world.article, annotator, 7)
    first = _verify(pending[:3], reviewer)
    # Other changes between polls: an unverified claim edited, a verified one untouched.
    annotation_update(
        span=world.claim,
        user=annotator,
        expected_version=world.claim.version,
        fields={"kind": "role"},
    )
    assert sync.poll() == first

    second = _verify(pending[3:6], reviewer)
    assert sync.poll(page_size=1) == second
    assert sync.poll() == []

    last = _verify(pending[6:], reviewer)
    assert sync.poll() == last
    assert len(sync.received) == len(set(sync.received)) == 8


def test_it_holds_back_fresh_changes_so_that_a_late_commit_is_not_skipped(
    world, clients, annotator, reviewer, settings
):
    """A transaction stamps `updated_at` when it saves, but readers see the row only when it
    commits. A commit that lands after a later-stamped one must still reach the client."""
    settings.API_SYNC_SETTLE_SECONDS = 2
    start = timezone.now() + dt.timedelta(minutes=1)
    early, late = _new_claims(world.article, annotator, 2)
    sync = SyncClient(clients["read_key"], state="verified")

    with time_machine.travel(start, tick=False) as clock:
        assert sync.poll() == [str(world.claim_verified.uuid)]
        _verify([late], reviewer)  # stamped and committed at start
        clock.shift(1)
        assert sync.poll() == []  # within the settle window: held back
        # `early` was stamped before `late` but its transaction commits only now.
        _verify([early], reviewer)
        Claim.objects.filter(pk=early.pk).update(updated_at=start - dt.timedelta(milliseconds=500))
        clock.shift(2.5)
        assert sync.poll() == [str(early.uuid), str(late.uuid)]
        clock.shift(10)
        assert sync.poll() == []
    assert len(sync.received) == len(set(sync.received)) == 3


def test_it_filters_by_updated_since_inclusively(world, clients, annotator, reviewer):
    (claim,) = _new_claims(world.article, annotator, 1)
    _verify([claim], reviewer)
    claim.refresh_from_db()
    since = claim.updated_at.isoformat()

    rows = clients["read_key"].get("/api/v1/claims", {"updated_since": since}).json()["results"]

    assert [r["id"] for r in rows] == [str(claim.uuid)]
    later = (claim.updated_at + dt.timedelta(microseconds=1)).isoformat()
    assert (
        clients["read_key"].get("/api/v1/claims", {"updated_since": later}).json()["results"] == []
    )


def test_it_refuses_a_cursor_it_did_not_make(world, clients):
    response = clients["read_key"].get("/api/v1/claims", {"cursor": "not-a-cursor"})

    assert response.status_code == 400
    assert response.json()["field"] == "cursor"
    assert "cursor" in response.json()["message"]


@pytest.mark.parametrize(
    "since,status",
    [
        ("2026-01-01T00:00:00-23:49", 200),  # valid ISO 8601, beyond PostgreSQL's ±15:59
        ("0001-01-01T00:00:00+05:00", 400),  # before year 1 in UTC
        ("2026-01-01T00:00:00", 200),  # no offset: UTC
        ("2026-02-30T00:00:00Z", 400),
    ],
)
def test_it_reads_updated_since_in_any_offset_or_says_why_not(world, clients, since, status):
    response = clients["read_key"].get("/api/v1/claims", {"updated_since": since})

    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["field"] == "updated_since"
