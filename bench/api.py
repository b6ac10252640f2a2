"""Benchmark: the REST API over 1,000,000 claims on PostgreSQL.

    DEBUG=1 .venv/bin/python bench/api.py \\
        --database-url postgres://postgres@127.0.0.1:5432/factdesk_api_bench

Creates the database if needed (its name must contain "bench"), migrates it, and fills it once with
10,000 articles and 1,000,000 claims (30 % verified, a third of them with an evidence row) by COPY; later runs
reuse the data while the claim count matches (`--regenerate` starts again). Then it measures,
through the whole Django stack in this process (middleware, API key authentication, filters,
serializers; DEBUG off, throttling off):

- a page of 100 verified claims (`/api/v1/claims?state=verified`): the first page, a page deep in
  the feed (a cursor half-way through the 300,000 verified claims) and an empty poll at the end of
  the feed; median and 95th percentile of `--runs` requests each, and the number of queries;
- a full-text search (`q=`) over the verified claims, with a frequent pair of words and with a
  word no claim has (without the GIN index of apps/api/migrations/0001 that took seconds);
- the CSV export of 100,000 claims (`/api/v1/claims/export.csv?verdict=misleading`) and of
  10,000 (`?kind=quantity`): total time, time to the first byte, and the memory while the rows
  stream: the peak of what Python allocates (tracemalloc, in a separate run) and the growth of this
  process's resident memory (flat memory: the 100,000-row export needs no more than the 10,000-row
  one).

Prints the figures and writes them to bench/results/api-postgresql.json."""

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
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/factdesk_api_bench"
ARTICLES = 10_000
PAGE_QUERIES = 3  # as pinned by tests/api/test_lists.py
RESULTS = ROOT / "bench" / "results" / "api-postgresql.json"

PEOPLE = ["Keir Starmer", "Rishi Sunak", "Emmanuel Macron", "Olaf Scholz", "Giorgia Meloni"]
OFFICES = ["Prime Minister", "President", "Chancellor", "Foreign Minister", "Finance Minister"]
CITIES = ["Paris", "London", "Berlin", "Rome", "Kyiv", "Brussels", "Warsaw", "Madrid"]
THINGS = ["schools", "hospitals", "troops", "jobs", "homes", "wind farms", "rail lines"]


def sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(OFFICES)} {rng.choice(PEOPLE)} said in {rng.choice(CITIES)} that "
        f"{rng.randint(2, 90_000):,} new {rng.choice(THINGS)} would open by "
        f"{rng.choice(['March', 'June', 'October'])} {rng.randint(2019, 2027)}."
    )


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


# --- Data ------------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    if "bench" not in name:
        sys.exit(
            f"Refusing to use database {name!r}: a benchmark database's name contains 'bench'."
        )
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def generate(claims: int, seed: int = 6) -> None:
    from django.db import connection

    rng = random.Random(seed)
    per_article = claims // ARTICLES
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    year = 365 * 24 * 3600
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE articles_article RESTART IDENTITY CASCADE")
    raw = connection.connection
    bodies: list[list[str]] = []
    with raw.cursor() as cur:
        with cur.copy(
            "COPY articles_article (uuid, external_id, title, body, source, byline, url, language,"
            " published_on, status, body_sha256, revision, created_at, updated_at,"
            " extracted_sha256, check_state, check_error, check_inputs_sha256) FROM STDIN"
        ) as copy:
            for a in range(ARTICLES):
                sentences = [sentence(rng) for _ in range(per_article)]
                bodies.append(sentences)
                body = " ".join(sentences)
                stamp = base + dt.timedelta(seconds=rng.random() * year)
                copy.write_row(
                    (
                        uuid.uuid4(),
                        f"bench:{a}",
                        f"Bench article {a}",
                        body,
                        rng.choice(["Example Post", "Daily Wire Service", "Evening Standard"]),
                        "Jane Reporter",
                        f"https://news.example.com/{a}",
                        "en",
                        stamp.date(),
                        "checked",
                        hashlib.sha256(body.encode()).hexdigest(),
                        1,
                        stamp,
                        stamp,
                        "",
                        "done",
                        "",
                        "",
                    )
                )
    print(f"  {ARTICLES:,} articles in {time.perf_counter() - t0:.1f} s", flush=True)

    t0 = time.perf_counter()
    labels = {"accurate": "True", "inaccurate": "False", "misleading": "Mostly false"}
    ratings = {"accurate": 5, "inaccurate": 1, "misleading": 2}
    with raw.cursor() as cur:
        with cur.copy(
            'COPY annotations_claim (uuid, article_id, start, "end", exact, prefix, suffix,'
            " anchor_state, origin, extractor_version, review_state, review_note, version,"
            " created_at, updated_at, kind, reason, verdict, verdict_state, rating, rating_label,"
            " summary, verdict_at, verified_at, verdict_note) FROM STDIN"
        ) as copy:
            k = 0
            for a, sentences in enumerate(bodies, start=1):
                offset = 0
                body = " ".join(sentences)
                for text in sentences:
                    start, end = offset, offset + len(text)
                    offset = end + 1
                    band = k % 10
                    if band < 3:  # 30 % verified; exactly a tenth misleading
                        state = "verified"
                        verdict = ("misleading", "accurate", "inaccurate")[band]
                    elif band == 3:
                        state, verdict = "proposed", "inaccurate"
                    elif band == 4 and k % 20 == 4:
                        state, verdict = "returned", "accurate"
                    else:
                        state, verdict = "unverified", "not_rated"
                    updated = base + dt.timedelta(seconds=rng.random() * year)
                    verdict_at = updated if verdict != "not_rated" else None
                    copy.write_row(
                        (
                            uuid.uuid4(),
                            a,
                            start,
                            end,
                            text,
                            body[max(0, start - 32) : start],
                            body[end : end + 32],
                            "anchored",
                            "automatic",
                            "bench",
                            "approved" if state == "verified" else "proposed",
                            "",
                            2 if state == "verified" else 1,
                            updated - dt.timedelta(days=1),
                            updated,
                            "quantity" if k % 100 == 0 else "role",  # exactly 1 % quantity
                            "",
                            verdict,
                            state,
                            ratings.get(verdict),
                            labels.get(verdict, ""),
                            f"Checked against the official figures ({verdict})."
                            if verdict != "not_rated"
                            else "",
                            verdict_at,
                            updated if state == "verified" else None,
                            "",
                        )
                    )
                    k += 1
    print(f"  {k:,} claims in {time.perf_counter() - t0:.1f} s", flush=True)

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO annotations_evidence (uuid, claim_id, url, title, quoted_passage, note,"
            " created_at) SELECT gen_random_uuid(), id, 'https://stats.example.org/' || id,"
            " 'Official figures', '', '', updated_at FROM annotations_claim"
            " WHERE verdict_state = 'verified' AND id % 3 = 0"
        )
        evidence = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  {evidence:,} evidence rows + VACUUM ANALYZE in {time.perf_counter() - t0:.1f} s")


# --- Measurements ------------------------------------------------------------------------------


def timed_requests(client, path: str, params: dict, runs: int) -> dict:
    times = []
    rows = None
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(path, params)
        body = response.json()
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.content[:300]
        rows = len(body["results"])
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "min_ms": round(times[0], 2),
        "rows": rows,
        "runs": runs,
    }


def count_queries(client, path: str, params: dict) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(path, params)
    return len(ctx.captured_queries)


def csv_export(client, params: dict) -> dict:
    import gc

    gc.collect()
    before = rss_mb()
    peak = before
    t0 = time.perf_counter()
    response = client.get("/api/v1/claims/export.csv", params)
    first_byte = None
    lines = 0
    size = 0
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - t0
        lines += chunk.count(b"\n")
        size += len(chunk)
        if lines % 5000 == 0:
            peak = max(peak, rss_mb())
    total = time.perf_counter() - t0
    peak = max(peak, rss_mb())
    return {
        "rows": lines - 1,
        "seconds": round(total, 2),
        "first_byte_ms": round((first_byte or 0) * 1000, 1),
        "megabytes": round(size / 1e6, 1),
        "rss_before_mb": round(before, 1),
        "rss_growth_mb": round(peak - before, 1),
    }


def csv_peak_memory(client, params: dict) -> float:
    """Peak of the memory Python allocates while the export streams (tracemalloc), in MB."""
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    response = client.get("/api/v1/claims/export.csv", params)
    for _ in response.streaming_content:
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return round(peak / 1e6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    env_url = os.environ.get("DATABASE_URL", "")
    parser.add_argument("--database-url", default=env_url if "bench" in env_url else DEFAULT_URL)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--csv-runs", type=int, default=3)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()

    ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from apps.accounts.api_keys import api_key_create
    from apps.annotations.models import Claim
    from apps.api.pagination import encode_cursor

    call_command("migrate", verbosity=0)
    count = Claim.objects.count()
    if args.regenerate or count != args.claims:
        print(f"generating {args.claims:,} claims (found {count:,}) ...", flush=True)
        generate(args.claims)
    settings.DEBUG = False
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {k: "1000000/minute" for k in rates}

    secret = api_key_create(name="bench", scope="read", by=None).secret
    client = Client(HTTP_X_API_KEY=secret)
    verified = Claim.objects.filter(verdict_state="verified")
    n_verified = verified.count()
    middle = verified.order_by("updated_at", "id").values("updated_at", "id")[n_verified // 2]
    last = verified.order_by("-updated_at", "-id").values("updated_at", "id")[0]
    path = "/api/v1/claims"
    pages = {
        "first page": {"state": "verified"},
        "page half-way (cursor)": {
            "state": "verified",
            "cursor": encode_cursor(middle["updated_at"], middle["id"]),
        },
        "poll at the end (empty)": {
            "state": "verified",
            "cursor": encode_cursor(last["updated_at"], last["id"]),
        },
        "full-text search q=meloni rome": {"state": "verified", "q": "meloni rome"},
        "full-text search, no match": {"state": "verified", "q": "zelensky"},
    }
    load = os.getloadavg()
    print(
        f"\n{Claim.objects.count():,} claims, {n_verified:,} verified; PostgreSQL; "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    results: dict = {"claims": count, "verified": n_verified, "pages": {}, "csv": {}}
    for name, params in pages.items():
        for _ in range(3):  # warm-up
            client.get(path, params)
        figures = timed_requests(client, path, params, args.runs)
        figures["queries"] = count_queries(client, path, params)
        results["pages"][name] = figures
        if not figures["rows"] and "no match" not in name and "end" not in name:
            print(f"  !! {name}: no rows")
        print(
            f"  GET {name:32s} median {figures['median_ms']:7.2f} ms  p95 {figures['p95_ms']:7.2f} ms"
            f"  rows {figures['rows']:3d}  queries {figures['queries']}"
        )
    if results["pages"]["first page"]["queries"] != PAGE_QUERIES:
        print(
            f"  !! the page took {results['pages']['first page']['queries']} queries, not {PAGE_QUERIES}"
        )

    for name, params in {
        "100,000 claims (verdict=misleading)": {"verdict": "misleading"},
        "10,000 claims (kind=quantity)": {"kind": "quantity"},
    }.items():
        runs = [csv_export(client, params) for _ in range(args.csv_runs)]
        median = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
        median["runs_seconds"] = [r["seconds"] for r in runs]
        median["rss_growth_mb_max"] = max(r["rss_growth_mb"] for r in runs)
        median["python_peak_mb"] = csv_peak_memory(client, params)
        results["csv"][name] = median
        print(
            f"  CSV {name:36s} median {median['seconds']:6.2f} s  first byte "
            f"{median['first_byte_ms']:6.1f} ms  {median['rows']:,} rows  {median['megabytes']} MB"
            f"  peak Python memory {median['python_peak_mb']} MB"
            f"  RSS +{median['rss_growth_mb_max']} MB"
        )
    results["machine"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in load],
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000, 1),
    }
    results["date"] = dt.date.today().isoformat()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
