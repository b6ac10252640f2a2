"""Benchmark: re-anchoring 2,000 spans of a 100,000-character article after a body edit.

    DEBUG=1 .venv/bin/python bench/reanchor.py            # pure functions + the service on SQLite
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/factdesk_bench \\
        .venv/bin/python bench/reanchor.py                # ... the service on PostgreSQL

Prints medians. The pure part times apps.annotations.anchoring.Reanchorer alone (diff + locating
every span); the service part times article_update_body (revision, locking, re-anchoring, the
bulk update of moved spans, history rows of changed ones) in a throwaway test database that is
created and dropped by the script."""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

LENGTH = 100_000
SPANS = 2_000
RUNS = 5

WORDS = (
    "the minister said on Tuesday that talks in Paris with officials from London and Berlin "
    "were useful but analysts expect a second round of negotiations in March while the former "
    "president did not attend and the central bank raised its main rate by half a point"
).split()


def make_body(rng: random.Random) -> str:
    parts: list[str] = []
    size = 0
    sentence = 0
    while size < LENGTH:
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 25))]
        text = " ".join(words).capitalize() + f" ({sentence})."
        sentence += 1
        text += "\n\n" if sentence % 6 == 0 else " "
        parts.append(text)
        size += len(text)
    return "".join(parts)[:LENGTH].rstrip()


def make_spans(rng: random.Random, body: str) -> list[tuple[int, int]]:
    spans = []
    for _ in range(SPANS):
        length = rng.choice([5, 12, 30, 80, 200])
        start = rng.randint(0, len(body) - length - 1)
        while body[start].isspace():
            start += 1
        end = start + length
        while body[end - 1].isspace():
            end -= 1
        spans.append((start, end))
    return spans


def edits(body: str) -> dict[str, str]:
    middle = len(body) // 2
    scattered = body
    for i in range(20):
        at = (i + 1) * len(body) // 21
        scattered = scattered[:at] + " (updated)" + scattered[at:]
    return {
        "one insertion in the middle": body[:middle]
        + " A new sentence was added here. "
        + body[middle:],
        "one paragraph deleted": body[: body.rindex("\n\n", 0, middle) + 2]
        + body[body.index("\n\n", middle) + 2 :],
        "20 scattered insertions": scattered,
    }


def median_ms(fn, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bench_pure(body: str, spans: list[tuple[int, int]]) -> None:
    from apps.annotations.anchoring import Reanchorer

    print(f"pure re-anchoring, {len(body):,} characters, {len(spans):,} spans (median of {RUNS}):")
    for name, new in edits(body).items():
        outcome: dict[str, int] = {}

        def run(new=new, outcome=outcome) -> None:
            outcome.clear()
            anchorer = Reanchorer(body, new)
            for start, end in spans:
                found = anchorer.locate(
                    start=start,
                    end=end,
                    exact=body[start:end],
                    prefix=body[max(0, start - 32) : start],
                    suffix=body[end : end + 32],
                )
                key = "orphaned" if found is None else found.method
                outcome[key] = outcome.get(key, 0) + 1

        ms = median_ms(run)
        print(f"  {name:32s} {ms:8.1f} ms   {dict(sorted(outcome.items()))}")


def bench_service(body: str, spans: list[tuple[int, int]]) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        _bench_service(body, spans, connection.vendor)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _bench_service(body: str, spans: list[tuple[int, int]], vendor: str) -> None:
    from django.contrib.auth.models import Group, User
    from django.db import transaction
    from django.db.models import Count

    from apps.annotations.models import Claim
    from apps.annotations.services import span_context
    from apps.articles.models import Article, ArticleRevision
    from apps.articles.services import article_update_body, body_sha256

    user = User.objects.create(username="bench-editor")
    user.groups.add(Group.objects.get(name="editor"))
    print(f"service article_update_body on {vendor} (median of {RUNS}):")
    for name, new in edits(body).items():
        times = []
        for run in range(RUNS):
            # Everything in one transaction that is rolled back: the edit's after-commit task
            # (extraction) is never sent, and every run starts from the same data.
            with transaction.atomic():
                article = Article.objects.create(
                    title=f"Bench {run}", body=body, body_sha256=body_sha256(body)
                )
                ArticleRevision.objects.create(
                    article=article,
                    number=1,
                    title=article.title,
                    body=body,
                    body_sha256=article.body_sha256,
                )
                rows = []
                for start, end in spans:
                    prefix, suffix = span_context(body, start, end)
                    rows.append(
                        Claim(
                            article=article,
                            start=start,
                            end=end,
                            exact=body[start:end],
                            prefix=prefix,
                            suffix=suffix,
                            review_state="approved",
                        )
                    )
                Claim.objects.bulk_create(rows, batch_size=500)
                t0 = time.perf_counter()
                article_update_body(article=article, body=new, user=user, expected_revision=1)
                times.append((time.perf_counter() - t0) * 1000)
                outcome = {}
                for row in (
                    Claim.objects.filter(article=article)
                    .values("anchor_state", "version")
                    .annotate(n=Count("id"))
                ):
                    key = row["anchor_state"] + (" (new version)" if row["version"] > 1 else "")
                    outcome[key] = outcome.get(key, 0) + row["n"]
                transaction.set_rollback(True)
        print(f"  {name:32s} {statistics.median(times):8.1f} ms   {dict(sorted(outcome.items()))}")


def main() -> None:
    rng = random.Random(7)
    body = make_body(rng)
    spans = make_spans(rng, body)
    import django

    django.setup()
    bench_pure(body, spans)
    if "--pure" not in sys.argv:
        bench_service(body, spans)


if __name__ == "__main__":
    main()
