"""Twenty reviewers acting on the same annotations at once, each in its own thread with its own
database connection, on PostgreSQL (row locks are what is being tested; SQLite serialises whole
transactions and proves nothing here)."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

import pytest
from django.db import connections

from apps.annotations.models import Claim
from apps.annotations.services import Conflict, annotation_review
from tests.factories import ArticleFactory, UserFactory
from tests.services import require_postgres

pytestmark = pytest.mark.postgres

THREADS = 20
BODY = "Officials met in Paris on Tuesday. The talks went on late. Nobody left early."
TEXTS = ("Officials met in Paris", "The talks went on late", "Nobody left early")


@dataclass
class Outcome:
    reviewer_id: int
    claim_id: int
    approve: bool
    won: bool
    message: str = ""
    current_state: str = ""


@pytest.fixture
def claims(transactional_db):
    require_postgres()
    annotator = UserFactory(role="annotator")
    article = ArticleFactory(body=BODY)
    return [
        Claim.objects.create(
            article=article,
            start=BODY.index(text),
            end=BODY.index(text) + len(text),
            exact=text,
            created_by=annotator,
        )
        for text in TEXTS
    ]


def _run_reviewers(claims, act) -> list[Outcome]:
    """Start THREADS reviewers together; each calls act(reviewer, claim, approve) per claim."""
    reviewers = [UserFactory(username=f"reviewer-{i}", role="reviewer") for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    outcomes: list[Outcome] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def reviewer_thread(index: int) -> None:
        rng = random.Random(index)
        reviewer = reviewers[index]
        order = list(claims)
        rng.shuffle(order)
        try:
            barrier.wait(timeout=30)
            for claim in order:
                approve = rng.random() < 0.5
                outcome = act(reviewer, claim, approve)
                with lock:
                    outcomes.append(outcome)
        except BaseException as exc:  # reported in the main thread
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=reviewer_thread, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a reviewer thread hung"
    assert errors == []
    return outcomes


def _review(reviewer, claim, approve: bool, expected_version: int | None) -> Outcome:
    try:
        annotation_review(
            span=claim,
            user=reviewer,
            approve=approve,
            expected_version=expected_version,
            note="" if approve else f"rejected by {reviewer.username}",
        )
    except Conflict as conflict:
        return Outcome(
            reviewer.pk,
            claim.pk,
            approve,
            won=False,
            message=conflict.message,
            current_state=conflict.current.review_state,
        )
    return Outcome(reviewer.pk, claim.pk, approve, won=True)


def test_it_lets_one_of_twenty_reviewers_of_the_same_version_win_and_tells_the_others(claims):
    """Everyone saw version 1 and acts on it: exactly one write per annotation goes through."""
    outcomes = _run_reviewers(
        claims, lambda reviewer, claim, approve: _review(reviewer, claim, approve, 1)
    )
    assert len(outcomes) == THREADS * len(claims)
    for claim in claims:
        mine = [o for o in outcomes if o.claim_id == claim.pk]
        winners = [o for o in mine if o.won]
        assert len(winners) == 1
        winner = winners[0]
        expected_state = "approved" if winner.approve else "rejected"
        claim = Claim.objects.get(pk=claim.pk)
        assert (claim.review_state, claim.reviewed_by_id, claim.version) == (
            expected_state,
            winner.reviewer_id,
            2,
        )
        for loser in (o for o in mine if not o.won):
            assert "changed by someone else" in loser.message
            assert "Nothing was saved" in loser.message
            assert loser.current_state == expected_state  # the loser is shown the current state
        history = list(claim.history.order_by("history_id"))
        assert [(h.history_type, h.review_state) for h in history] == [
            ("+", "proposed"),
            ("~", expected_state),
        ]
        assert history[-1].history_user_id == winner.reviewer_id


def test_it_serialises_reviewers_who_each_act_on_the_version_they_just_read(claims):
    """Each reviewer reads the annotation and acts on the version read, as the UI does. Several
    may win one after the other; every win is one effective change with one history entry, no
    two writes are based on the same version, and the final state is the last write's."""

    def act(reviewer, claim, approve: bool) -> Outcome:
        seen = Claim.objects.get(pk=claim.pk).version
        return _review(reviewer, claim, approve, seen)

    outcomes = _run_reviewers(claims, act)
    for claim in claims:
        wins = [o for o in outcomes if o.claim_id == claim.pk and o.won]
        losses = [o for o in outcomes if o.claim_id == claim.pk and not o.won]
        assert len(wins) + len(losses) == THREADS
        assert wins, "nobody won"
        for loss in losses:
            assert "changed by someone else" in loss.message or "already" in loss.message
        claim = Claim.objects.get(pk=claim.pk)
        history = list(claim.history.order_by("history_id"))
        changes = history[1:]
        # One history entry and one version per effective change, nothing lost or doubled.
        assert len(changes) == len(wins) == claim.version - 1
        assert [h.version for h in history] == list(range(1, claim.version + 1))
        states = [h.review_state for h in history]
        assert all(a != b for a, b in zip(states, states[1:], strict=False))  # each one a change
        assert sorted(h.history_user_id for h in changes) == sorted(o.reviewer_id for o in wins)
        assert (claim.review_state, claim.reviewed_by_id) == (
            history[-1].review_state,
            history[-1].history_user_id,
        )
