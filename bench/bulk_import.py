"""Benchmark: importing 1,000 articles in one request (POST /api/v1/articles/bulk, issue 15).

    DEBUG=1 .venv/bin/python bench/bulk_import.py                     # SQLite (throwaway file)
    DEBUG=1 .venv/bin/python bench/bulk_import.py \\
        --database-url postgres://postgres@127.0.0.1:5432/factdesk_bulkimport_bench

In a throwaway database (a new SQLite file under var/bench/, or the PostgreSQL database named,
whose name must contain "bench"; migrated, emptied of articles first), with a write API key, it
sends `--runs` requests of `--articles` generated articles (~3,000 characters each, new
external ids every run) through the whole Django stack in this process (middleware, API key
authentication, parser, the service, the answer; DEBUG off, throttling off) and prints the
median and p95 wall time, this process's CPU time and the query count. Then the same again
with the last run's items sent unchanged (re-push: all `unchanged`), the time of the steps
alone (orjson parse, the items' checks), and, separately, the extraction of one batch of
imported articles: the drain the worker runs (apps.extraction.services.extraction_drain), run
here until nothing is pending. Messages go to an in-memory broker (the send is in the request's
time; the worker's run is timed separately). Writes bench/results/bulk_import-<engine>.json."""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

PEOPLE = ["Keir Starmer", "Rishi Sunak", "Emmanuel Macron", "Olaf Scholz", "Giorgia Meloni"]
OFFICES = ["Prime Minister", "President", "Chancellor", "Foreign Minister", "Finance Minister"]
CITIES = ["Paris", "London", "Berlin", "Rome", "Kyiv", "Brussels", "Warsaw", "Madrid"]
THINGS = ["schools", "hospitals", "troops", "jobs", "homes", "wind farms", "rail lines"]


def sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(OFFICES)} {rng.choice(PEOPLE)} said in {rng.choice(CITIES)} on "
        f"{rng.choice(['Monday', 'Tuesday', 'Friday'])} that {rng.randint(2, 90_000):,} new "
        f"{rng.choice(THINGS)} would open by {rng.choice(['March', 'June', 'October'])} "
        f"{rng.randint(2019, 2027)}."
    )


def article_item(rng: random.Random, run: int, index: int, chars: int) -> dict:
    paragraphs, length = [], 0
    while length < chars:
        paragraph = " ".join(sentence(rng) for _ in range(4))
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return {
        "title": f"{rng.choice(PEOPLE)} in {rng.choice(CITIES)} ({run}-{index})",
        "body": "\n\n".join(paragraphs)[:chars].rsplit(" ", 1)[0] + ".",
        "source": "Bench Wire",
        "byline": "A. Reporter",
        "url": f"https://news.example.com/{run}/{index}",
        "published_on": f"2026-01-{1 + index % 28:02d}",
        "external_id": f"bench-{run}-{index}",
    }


def ensure_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    if "bench" not in name:
        sys.exit(
            f"Refusing to use database {name!r}: a benchmark database's name contains 'bench'."
        )
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def quantiles(values: list[float]) -> dict:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": statistics.median(ordered), "p95": p95, "runs": ordered}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL (name contains bench)")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--chars", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--no-extraction", action="store_true")
    args = parser.parse_args()

    if args.database_url:
        ensure_postgres(args.database_url)
        os.environ["DATABASE_URL"] = args.database_url
    else:
        path = ROOT / "var" / "bench" / "bulk_import.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["CELERY_BROKER_URL"] = "memory://"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from apps.accounts.api_keys import api_key_create
    from apps.articles import bulk
    from apps.articles.models import Article

    call_command("migrate", verbosity=0)
    engine = connection.vendor
    with transaction.atomic():
        Article.objects.all().delete()
    settings.DEBUG = False
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {k: "1000000/minute" for k in rates}
    client = Client(HTTP_X_API_KEY=api_key_create(name="bench", scope="write", by=None).secret)

    rng = random.Random(args.seed)
    bodies = []
    for run in range(args.runs + 1):  # one warm-up run
        items = [article_item(rng, run, i, args.chars) for i in range(args.articles)]
        bodies.append(json.dumps(items).encode())
    size_mb = len(bodies[0]) / 1e6
    avg_chars = statistics.mean(len(i["body"]) for i in json.loads(bodies[0]))

    def post(data: bytes):
        cpu, wall = time.process_time(), time.perf_counter()
        response = client.post("/api/v1/articles/bulk", data=data, content_type="application/json")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert response.status_code in (200, 201), response.content[:500]
        return response, wall * 1000, cpu * 1000

    post(bodies[0])  # warm-up: first request, imports, caches
    walls, cpus = [], []
    for data in bodies[1:]:
        response, wall, cpu = post(data)
        assert response.json()["created"] == args.articles
        walls.append(wall)
        cpus.append(cpu)
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        post(bodies[-1])
    queries_unchanged = len(queries)
    queries.clear()
    with connection.execute_wrapper(count):
        post(bodies[0].replace(b'"bench-0-', b'"bench-again-'))
    repush_walls = []
    for _ in range(max(3, args.runs // 3)):
        response, wall, _ = post(bodies[-1])
        assert response.json()["unchanged"] == args.articles
        repush_walls.append(wall)

    # The steps alone, on the last body (no database).
    import orjson

    parse, check = [], []
    for _ in range(5):
        start = time.perf_counter()
        items = orjson.loads(bodies[-1])
        parse.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        bulk._checked_items(items)
        check.append((time.perf_counter() - start) * 1000)

    extraction = None
    if not args.no_extraction:
        from apps.extraction.services import extraction_drain

        # Only one batch's articles: the earlier runs' need no extraction for this figure.
        Article.objects.filter(extraction_state="pending").update(extraction_state="never")
        data = json.dumps(
            [article_item(rng, 999, i, args.chars) for i in range(args.articles)]
        ).encode()
        post(data)
        start = time.perf_counter()
        extracted = 0
        while True:
            report = extraction_drain(budget_seconds=3600)
            extracted += report.extracted
            if not report.more:
                break
        seconds = time.perf_counter() - start
        extraction = {
            "articles": extracted,
            "seconds": seconds,
            "articles_per_second": extracted / seconds,
        }

    result = {
        "benchmark": "bulk_import",
        "engine": engine,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": " ".join(sys.argv),
        "articles": args.articles,
        "avg_body_chars": round(avg_chars),
        "request_mb": round(size_mb, 2),
        "request_ms": quantiles(walls),
        "request_cpu_ms": quantiles(cpus),
        "queries": len(queries),
        "queries_repush": queries_unchanged,
        "repush_unchanged_ms": quantiles(repush_walls),
        "steps_ms": {"orjson_parse": statistics.median(parse), "checks": statistics.median(check)},
        "extraction": extraction,
        "target_ms": 50,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
    }
    print(
        f"{engine}: {args.articles} articles ({avg_chars:.0f} chars each, {size_mb:.1f} MB) in "
        f"one request, {args.runs} runs"
    )
    print(
        f"  import     p50 {result['request_ms']['median']:.1f} ms  p95 "
        f"{result['request_ms']['p95']:.1f} ms  (this process's CPU p50 "
        f"{result['request_cpu_ms']['median']:.1f} ms; {len(queries)} queries; target <= 50 ms)"
    )
    print(
        f"  re-push    p50 {result['repush_unchanged_ms']['median']:.1f} ms  "
        "(the same items again: all unchanged, nothing written)"
    )
    print(
        f"  steps      orjson parse {result['steps_ms']['orjson_parse']:.1f} ms, checks of "
        f"the items {result['steps_ms']['checks']:.1f} ms"
    )
    if extraction:
        print(
            f"  extraction {extraction['articles']} articles in {extraction['seconds']:.1f} s "
            f"({extraction['articles_per_second']:.0f}/s, in the background, not in the request)"
        )
    print(f"  load average {os.getloadavg()[0]:.2f}")
    out = (
        ROOT
        / "bench"
        / "results"
        / f"bulk_import-{'postgresql' if engine == 'postgresql' else engine}.json"
    )
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"  written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
