"""Benchmark: the article list (progress columns, sorting, search over the body) with many articles.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/factdesk_pages_bench \\
        .venv/bin/python bench/article_list.py [--articles 20000]      # PostgreSQL
    DEBUG=1 .venv/bin/python bench/article_list.py --articles 5000     # SQLite

N articles of ~3,000 characters, each with 8 annotations (some proposed), a verified claim and two
findings (one open, one acknowledged). Prints, for each request, the median wall time of the whole
Django request through the test client (20 runs after 2 warm-ups) and its query count: the default
order, sorted by proposals open and by findings open, and a search for a word in 1 body of 1,000
(full-text search on PostgreSQL). Yardstick: the same search by substring over the bodies (the
SQLite path, forced on PostgreSQL), with the ratio.

The data go to a throwaway test database that the script creates and drops (test_<name> of the
configured database; the configured one is never touched). Raw runs and the machine's load go
to bench/results/article_list-<engine>.json."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

RUNS = 20
WORDS = (
    "the minister said on Tuesday that talks in Paris with officials from London and Berlin "
    "were useful but analysts expect a second round of negotiations in March while the former "
    "president did not attend and the central bank raised its main rate by half a point"
).split()
RARE = "referendum"


def make_data(n: int):
    from django.contrib.auth.models import Group, User

    from apps.annotations.models import Claim, DateMention, EntityMention, Quote
    from apps.articles.models import Article
    from apps.checks.models import Finding

    user = User.objects.create(username="bench-annotator")
    user.groups.add(Group.objects.get_or_create(name="annotator")[0])
    base = " ".join(WORDS[i % len(WORDS)] for i in range(520))  # ~3,000 characters
    for first in range(0, n, 1000):
        articles = Article.objects.bulk_create(
            Article(
                title=f"Story {i}",
                body=f"{base} {RARE} {i}." if i % 1000 == 7 else f"{base} item {i}.",
                body_sha256="0" * 64,
                source=f"Wire {i % 5}",
                published_on=None,
            )
            for i in range(first, min(n, first + 1000))
        )
        spans: dict[type, list] = {Claim: [], Quote: [], EntityMention: [], DateMention: []}
        findings = []
        for k, article in enumerate(articles):
            for j, model in enumerate(spans):
                for m in range(2):
                    start = 10 * (j * 2 + m)
                    spans[model].append(
                        model(
                            article=article,
                            start=start,
                            end=start + 8,
                            exact=article.body[start : start + 8],
                            review_state="proposed" if (k + j + m) % 3 else "approved",
                        )
                    )
            spans[Claim][-1].verdict, spans[Claim][-1].verdict_state = "accurate", "verified"
            for f, state in enumerate(("open", "acknowledged")):
                findings.append(
                    Finding(
                        article=article,
                        code="DATE_VS_PUBLICATION",
                        check_version="1",
                        severity="warning",
                        message="m",
                        fingerprint=str(f),
                        state=state,
                    )
                )
        for model, rows in spans.items():
            model.objects.bulk_create(rows, batch_size=2000)
        Finding.objects.bulk_create(findings, batch_size=2000)
    return user


def measure(client, query: dict) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        client.get("/articles/", query)
    times = []
    for _ in range(RUNS):
        begin = time.perf_counter()
        response = client.get("/articles/", query)
        times.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get("/articles/", query)
    return times, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20_000)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        user = make_data(args.articles)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        print(
            f"article list, {args.articles:,} articles on {connection.vendor} "
            f"(data made in {time.perf_counter() - started:.0f} s), median of {RUNS}:"
        )
        client = Client()
        client.force_login(user)
        cases = {
            "default order": {},
            "sorted by proposals open": {"sort": "-proposals"},
            "sorted by findings open": {"sort": "-findings"},
            f"search '{RARE}' (in the body)": {"q": RARE},
        }
        record: dict = {"benchmark": "article_list", "engine": connection.vendor}
        record["articles"] = args.articles
        medians = {}
        for name, query in cases.items():
            runs, count = measure(client, query)
            medians[name] = statistics.median(runs)
            record[name] = {"runs_ms": [round(t, 1) for t in runs], "queries": count}
            print(f"  {name:<36} {medians[name]:8.1f} ms  ({count} queries)")
        if settings.IS_POSTGRES:
            settings.IS_POSTGRES = False  # the substring path, as on SQLite
            try:
                runs, count = measure(client, {"q": RARE})
            finally:
                settings.IS_POSTGRES = True
            yardstick = statistics.median(runs)
            search = medians[f"search '{RARE}' (in the body)"]
            record["yardstick: substring search"] = {"runs_ms": [round(t, 1) for t in runs]}
            print(
                f"  {'yardstick: substring search':<36} {yardstick:8.1f} ms  "
                f"(full-text search / substring = {search / yardstick:.2f})"
            )
        record["machine"] = (
            f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
        )
        record["when"] = time.strftime("%Y-%m-%d %H:%M")
        print(f"  ({record['machine']})")
        results = ROOT / "bench" / "results"
        results.mkdir(parents=True, exist_ok=True)
        (results / f"article_list-{connection.vendor}.json").write_text(
            json.dumps(record, indent=2) + "\n"
        )
    finally:
        from django.db import connections

        for conn in connections.all():
            conn.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
