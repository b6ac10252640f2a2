"""A worker SIGKILLed in the middle of extraction, and again in the middle of the checks: every
article still ends extracted and checked within a bounded time, with no duplicate proposal or
finding, and no article is ever reported done before its run finished.

Slow enough to kill midway, honestly: many articles (the seed article's text, imported as a
newsroom would push them), extracted 50 per transaction and checked 10 per batch. Recovery
comes from the broker (the unacknowledged drain is delivered again after the visibility
timeout, 5 s here) and from beat's processing sweep (every 2 s here), which also takes over a
check run whose lease (3 s here, in production longer than the hard time limit) has run out."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Count

from apps.annotations.models import SPAN_MODELS
from apps.articles.models import Article
from apps.articles.seeds import SEEDS_DIR
from apps.articles.services import article_import, body_sha256
from apps.checks.models import Finding
from apps.checks.services import article_checks_run
from apps.extraction.services import article_extract
from apps.knowledge.wikidata_import import kb_import_files

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

SEED_TEXT = (SEEDS_DIR / "paris-coalition-meeting.txt").read_text(encoding="utf-8")
ARTICLES = 120


def _reference() -> tuple[dict[str, int], Counter]:
    """The seed text extracted and checked in this process, on an article of its own: what
    every imported copy must hold once done (proposals per type; findings by code and text)."""
    body = SEED_TEXT.strip()
    reference = Article.objects.create(
        title="Reference",
        body=body,
        body_sha256=body_sha256(body),
        published_on=dt.date(2026, 1, 7),
    )
    article_extract(article_id=reference.pk)
    article_checks_run(article_id=reference.pk)
    spans = {
        kind: model.objects.filter(article=reference).count() for kind, model in SPAN_MODELS.items()
    }
    findings = Counter(
        Finding.objects.filter(article=reference).values_list("code", "severity", "message")
    )
    assert spans["mention"] and spans["claim"] and findings, "the reference found nothing"
    return spans, findings


class Watch:
    """Polls the articles' reported state against what exists, and fails the test the moment
    an article is reported done that its run did not finish."""

    def __init__(self, ids: list[int], spans: dict[str, int], findings: Counter) -> None:
        self.ids = ids
        self.spans = spans
        self.findings = findings
        self.polls = 0

    def poll(self) -> dict[str, int]:
        self.polls += 1
        # The state first, then what exists: a run commits both at once, so whatever was
        # reported done before is there by the time it is read.
        rows = list(
            Article.objects.filter(pk__in=self.ids).values_list(
                "id",
                "extraction_state",
                "extracted_sha256",
                "body_sha256",
                "extracted_at",
                "check_state",
                "check_done_at",
            )
        )
        counts = {
            kind: dict(
                model.objects.filter(article_id__in=self.ids)
                .values_list("article_id")
                .annotate(n=Count("id"))
            )
            for kind, model in SPAN_MODELS.items()
        }
        found: dict[int, Counter] = {}
        for article_id, *row in Finding.objects.filter(article_id__in=self.ids).values_list(
            "article_id", "code", "severity", "message"
        ):
            found.setdefault(article_id, Counter())[tuple(row)] += 1
        tally = Counter()
        for pk, extraction, extracted, sha, extracted_at, checks, checked_at in rows:
            tally[f"extraction {extraction}"] += 1
            tally[f"checks {checks}"] += 1
            if extraction == "done":
                assert extracted == sha, f"article {pk}: extracted on another body"
                held = {kind: counts[kind].get(pk, 0) for kind in SPAN_MODELS}
                assert held == self.spans, f"article {pk} reported extracted, holds {held}"
            if checks == "done":
                assert extraction == "done", f"article {pk} checked before its extraction"
                assert checked_at >= extracted_at, f"article {pk}: checks older than extraction"
                assert found.get(pk, Counter()) == self.findings, (
                    f"article {pk} reported checked, has {found.get(pk)}"
                )
        return dict(tally)

    def until(self, worker, condition, *, timeout: float, what: str) -> dict[str, int]:
        deadline = time.monotonic() + timeout
        tally = self.poll()
        while not condition(tally):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out: {what}; {tally}\n{worker.log()[-3000:]}")
            if worker.process and worker.process.poll() is not None:
                raise AssertionError(f"{what}: the worker exited\n{worker.log()[-3000:]}")
            time.sleep(0.1)
            tally = self.poll()
        return tally


def test_it_finishes_every_article_after_workers_die_mid_extraction_and_mid_checks(
    own_redis, beat_worker
):
    kb_import_files(paths=[SEEDS_DIR / "kb.json"])
    spans, findings = _reference()
    env = {
        "PROCESSING_SWEEP_SECONDS": "2",
        "CHECKS_RUNNING_LEASE_SECONDS": "3",
        "CHECKS_BATCH_SIZE": "10",
    }
    worker = beat_worker(**env)
    with transaction.atomic():  # one push of many articles: one message, sent at commit
        ids = [
            article_import(
                title=f"Copy {n}",
                body=SEED_TEXT,
                published_on=dt.date(2026, 1, 7),
                external_id=f"wire-{n}",
            ).pk
            for n in range(ARTICLES)
        ]
    watch = Watch(ids, spans, findings)
    assert watch.poll() == {"extraction pending": ARTICLES, "checks pending": ARTICLES}

    # 1. Killed while extracting: a batch has committed, the next is under way.
    worker.start()
    watch.until(
        worker,
        lambda t: t.get("extraction done", 0) > 0,
        timeout=120,
        what="the first extracted batch",
    )
    worker.kill()
    killed_at_extraction = watch.poll()
    assert killed_at_extraction.get("extraction pending", 0) > 0, killed_at_extraction

    # 2. Killed while checking: a batch of checks is claimed ("running") and not stored. A batch
    # can finish between the poll that saw it running and the kill (a loaded machine): then the
    # kill landed between batches, so start again and kill during the next one.
    for _attempt in range(3):
        worker.start()
        watch.until(
            worker,
            lambda t: t.get("checks running", 0) > 0 and t.get("checks done", 0) > 0,
            timeout=120,
            what="a check batch under way after another finished",
        )
        worker.kill()
        killed_at_checks = watch.poll()
        if killed_at_checks.get("checks running", 0) > 0:
            break
    assert killed_at_checks.get("checks running", 0) > 0, killed_at_checks

    # 3. A new worker: everything ends done, and was never reported done too early.
    started = time.monotonic()
    worker.start()
    watch.until(
        worker,
        lambda t: t == {"extraction done": ARTICLES, "checks done": ARTICLES},
        timeout=180,
        what="every article extracted and checked",
    )
    recovered_in = time.monotonic() - started
    assert watch.polls > 20
    assert recovered_in < 180
    print(
        f"killed at {killed_at_extraction} and at {killed_at_checks}; all done "
        f"{recovered_in:.1f} s after the last restart, {watch.polls} polls"
    )
