"""Benchmark: the whole-corpus export (GET /api/v1/articles/export, issue 15).

    DEBUG=1 .venv/bin/python bench/export.py                       # SQLite, var/bench/export.sqlite3
    DEBUG=1 .venv/bin/python bench/export.py \\
        --database-url postgres://postgres@127.0.0.1:5432/factdesk_export_bench

Fills a throwaway database once (bulk inserts, about 20 s) with N articles of about 3,000
characters, 10 % of them with 20 annotations (8 claims, half with a verdict and a third of those
with evidence, 4 quotes, 4 entity mentions, 4 dates) and 2 findings; later runs reuse it while the
article count matches (`--regenerate` starts again). Then it downloads the export in both formats
through the whole Django stack in this process (middleware, API key authentication, filters;
DEBUG off, throttling off), reading the streamed body as a client would, and prints per format:
the median of `--runs` downloads, the time to the first byte, the size, the number of queries,
and memory: the peak of what Python allocates during one download (tracemalloc, a separate run)
and the growth of the process's resident memory. A yardstick evens out the machine's speed: the
time `json.dumps` (the standard library) takes to write the same JSON Lines from already-loaded
dicts, i.e. without reading anything from the database.

Target (issue 15): <= 1.3 s at N = 10,000 on SQLite and on PostgreSQL.
Writes bench/results/export-<engine>.json."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

SQLITE = ROOT / "var" / "bench" / "export.sqlite3"
TARGET_SECONDS = 1.3
PATH = "/api/v1/articles/export"

WORDS = (
    "government minister said on talks council budget Paris London Berlin agreement would "
    "officials expected new rail schools hospitals troops jobs plan week year announced "
    "president prime the of and to in a that for with by"
).split()


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def ensure_database(url: str) -> None:
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


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def generate(n: int, seed: int = 15) -> None:
    from django.db import connection, transaction

    from apps.annotations.models import Claim, DateMention, EntityMention, Evidence, Quote
    from apps.articles.models import Article
    from apps.checks.models import Finding
    from apps.knowledge.models import Entity

    rng = random.Random(seed)
    t0 = time.perf_counter()
    with transaction.atomic():
        for model in (Evidence, Claim, Quote, EntityMention, DateMention, Finding, Article):
            model.objects.all().delete()
        Entity.objects.filter(wikidata_id__startswith="QB").delete()
        people = Entity.objects.bulk_create(
            Entity(label=f"Bench Person {i}", kind="person", wikidata_id=f"QB{i}")
            for i in range(50)
        )
        base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        articles = []
        for i in range(n):
            sentences: list[str] = []
            while sum(len(x) + 1 for x in sentences) < 3000:
                sentences.append(_sentence(rng))
            body = " ".join(sentences)
            stamp = base + dt.timedelta(seconds=rng.random() * 3e7)
            articles.append(
                Article(
                    external_id=f"bench-export:{i}",
                    title=f"Bench article {i}",
                    body=body,
                    source=rng.choice(["Example Post", "Daily Wire", "Evening Standard"]),
                    byline="Jane Reporter",
                    url=f"https://news.example.com/{i}",
                    published_on=stamp.date(),
                    status="checked",
                    body_sha256=hashlib.sha256(body.encode()).hexdigest(),
                    extraction_state="done",
                    check_state="done",
                )
            )
        Article.objects.bulk_create(articles, batch_size=1000)
        annotated = list(Article.objects.order_by("id").values_list("id", "body"))[::10]
        spans: dict[type, list] = {Claim: [], Quote: [], EntityMention: [], DateMention: []}
        findings = []
        for article_id, body in annotated:
            stops = sorted(rng.sample(range(0, len(body) - 40, 7), 20))
            for j, start in enumerate(stops):
                end = start + rng.randint(5, 30)
                common = {
                    "article_id": article_id,
                    "start": start,
                    "end": end,
                    "exact": body[start:end],
                    "prefix": body[max(0, start - 32) : start],
                    "suffix": body[end : end + 32],
                    "origin": "automatic" if j % 2 else "manual",
                    "confidence": 0.75 if j % 2 else None,
                }
                if j < 8:
                    extra = {"kind": "quantity"}
                    if j % 2 == 0:
                        extra |= {
                            "verdict": rng.choice(["accurate", "inaccurate", "misleading"]),
                            "verdict_state": "verified",
                            "rating": 3,
                            "summary": "Checked against the official figures.",
                            "verified_at": base,
                            "verdict_at": base,
                        }
                    spans[Claim].append(Claim(**common, **extra))
                elif j < 12:
                    spans[Quote].append(Quote(**common, speaker=rng.choice(people)))
                elif j < 16:
                    spans[EntityMention].append(
                        EntityMention(**common, entity=rng.choice(people), title_text="minister")
                    )
                else:
                    spans[DateMention].append(DateMention(**common, value=stamp.date()))
            for code in ("ROLE_AT_DATE", "DATE_VS_PUBLICATION"):
                findings.append(
                    Finding(
                        article_id=article_id,
                        code=code,
                        check_version="1",
                        severity="warning",
                        message="A bench finding with evidence.",
                        spans=[{"type": "mention", "start": 1, "end": 5, "exact": "word"}],
                        kb_facts=[{"entity": "Q1", "office": "Q2", "start": "2020-01-01"}],
                        fingerprint=f"{article_id}-{code}",
                    )
                )
        for model, rows in spans.items():
            model.objects.bulk_create(rows, batch_size=1000)
        Finding.objects.bulk_create(findings, batch_size=1000)
        verified = Claim.objects.filter(verdict_state="verified").values_list("id", flat=True)
        Evidence.objects.bulk_create(
            (
                Evidence(claim_id=pk, url=f"https://stats.example.org/{pk}", title="Figures")
                for pk in list(verified)[::3]
            ),
            batch_size=1000,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  generated {n:,} articles in {time.perf_counter() - t0:.1f} s", flush=True)


def download(client, params: dict) -> dict:
    import gc

    gc.collect()
    before = rss_mb()
    peak = before
    t0 = time.perf_counter()
    response = client.get(PATH, params)
    assert response.status_code == 200, response.content[:300]
    first_byte = None
    size = 0
    lines = 0
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - t0
        size += len(chunk)
        lines += chunk.count(b"\n")
        peak = max(peak, rss_mb())
    total = time.perf_counter() - t0
    return {
        "seconds": round(total, 3),
        "first_byte_ms": round((first_byte or 0) * 1000, 1),
        "megabytes": round(size / 1e6, 1),
        "lines": lines,
        "rss_growth_mb": round(peak - before, 1),
    }


def python_peak_mb(client, params: dict) -> float:
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    for _ in client.get(PATH, params).streaming_content:
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return round(peak / 1e6, 1)


def count_queries(client, params: dict) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        for _ in client.get(PATH, params).streaming_content:
            pass
    return len(ctx.captured_queries)


def yardstick(client, runs: int) -> float:
    """Seconds the standard library's json.dumps takes to write the JSON Lines of the export from
    dicts already in memory (median of `runs`)."""
    lines = [
        json.loads(line)
        for line in b"".join(client.get(PATH, {"format": "jsonl"}).streaming_content).splitlines()
    ]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for line in lines:
            json.dumps(line)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    env_url = os.environ.get("DATABASE_URL", "")
    parser.add_argument(
        "--database-url",
        default=env_url if "bench" in env_url else f"sqlite:///{SQLITE}",
        help="a PostgreSQL database whose name contains 'bench', or SQLite (default "
        "var/bench/export.sqlite3)",
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()

    if args.database_url.startswith("postgres"):
        ensure_database(args.database_url)
    else:
        SQLITE.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from apps.accounts.api_keys import api_key_create
    from apps.annotations.models import Claim, DateMention, EntityMention, Quote
    from apps.articles.models import Article

    call_command("migrate", verbosity=0)
    count = Article.objects.count()
    if args.regenerate or count != args.articles:
        print(f"generating {args.articles:,} articles (found {count:,}) ...", flush=True)
        generate(args.articles)
    settings.DEBUG = False
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {k: "1000000/minute" for k in rates}
    client = Client(HTTP_X_API_KEY=api_key_create(name="bench", scope="read", by=None).secret)

    engine = connection.vendor
    spans = sum(m.objects.count() for m in (Claim, Quote, EntityMention, DateMention))
    load = os.getloadavg()
    print(
        f"\n{Article.objects.count():,} articles, {spans:,} annotations; {engine}; "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    results: dict = {"engine": engine, "articles": args.articles, "annotations": spans}
    for name in ("jsonl", "w3c"):
        params = {"format": name}
        download(client, params)  # warm-up
        runs = [download(client, params) for _ in range(args.runs)]
        median = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
        figures = {
            "median_seconds": median["seconds"],
            "runs_seconds": [r["seconds"] for r in runs],
            "first_byte_ms_median": statistics.median(r["first_byte_ms"] for r in runs),
            "megabytes": median["megabytes"],
            "lines": median["lines"],
            "rss_growth_mb_max": max(r["rss_growth_mb"] for r in runs),
            "python_peak_mb": python_peak_mb(client, params),
            "queries": count_queries(client, params),
            "target_seconds": TARGET_SECONDS,
        }
        results[name] = figures
        verdict = "ok" if figures["median_seconds"] <= TARGET_SECONDS else "OVER TARGET"
        print(
            f"  {name:5s} median {figures['median_seconds']:6.3f} s ({verdict})  first byte "
            f"{figures['first_byte_ms_median']:6.1f} ms  {figures['megabytes']} MB  "
            f"queries {figures['queries']}  peak Python memory {figures['python_peak_mb']} MB  "
            f"RSS +{figures['rss_growth_mb_max']} MB",
            flush=True,
        )
    stick = yardstick(client, args.runs)
    results["yardstick_json_dumps_seconds"] = round(stick, 3)
    results["jsonl"]["ratio_to_yardstick"] = round(results["jsonl"]["median_seconds"] / stick, 2)
    print(
        f"  yardstick: stdlib json.dumps of the same lines from memory {stick:.3f} s; "
        f"jsonl export = {results['jsonl']['ratio_to_yardstick']}x"
    )
    results["machine"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in load],
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000, 1),
    }
    results["date"] = dt.date.today().isoformat()
    out = ROOT / "bench" / "results" / f"export-{engine}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
