"""Benchmark: `manage.py generate_corpus --articles 10000` into a fresh database (target < 60 s).

    DEBUG=1 .venv/bin/python bench/corpus_bench.py                       # SQLite (a new file)
    DEBUG=1 .venv/bin/python bench/corpus_bench.py \\
        --database-url postgres://postgres@127.0.0.1:5432/factdesk_bench_corpus   # PostgreSQL
    ... --kb-entities 10000                                              # with the synthetic KB

Each run: a new database (SQLite file under var/bench/, or the PostgreSQL database dropped and
created again: its name must contain "bench"), `migrate`, `loadseeds`, then the timed command in
its own process. Prints every run and the median wall time, and writes them to
bench/results/corpus-<engine>[-kb<M>].json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def fresh_database(url: str | None, run: int) -> tuple[str, str]:
    """(DATABASE_URL, engine) of an empty database for this run."""
    if not url:
        path = ROOT / "var" / "bench" / f"corpus-{os.getpid()}-{run}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", "sqlite"
    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: its name must contain 'bench'")
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url, "postgresql"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kb-entities", type=int, default=None)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    options = parser.parse_args()

    times, reports = [], []
    engine = "sqlite"
    for run in range(options.runs):
        url, engine = fresh_database(options.database_url, run)
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": url,
            "FACTDESK_VAR_DIR": str(ROOT / "var" / "bench" / "var"),
        }
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "loadseeds")
        command = [
            "generate_corpus",
            "--articles",
            str(options.articles),
            "--seed",
            str(options.seed),
        ]
        if options.kb_entities:
            command += ["--kb-entities", str(options.kb_entities)]
        started = time.perf_counter()
        report = manage(env, *command).strip()
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        reports.append(report)
        print(f"run {run + 1}: {elapsed:.1f} s wall (process included) — {report}", flush=True)
        if not options.database_url:
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)

    median = statistics.median(times)
    print(
        f"generate_corpus --articles {options.articles}"
        f"{f' --kb-entities {options.kb_entities}' if options.kb_entities else ''} on {engine}: "
        f"median {median:.1f} s over {len(times)} runs (min {min(times):.1f}, max {max(times):.1f})"
    )
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    suffix = f"-kb{options.kb_entities}" if options.kb_entities else ""
    (results / f"corpus-{engine}{suffix}.json").write_text(
        json.dumps(
            {
                "benchmark": "generate_corpus",
                "engine": engine,
                "articles": options.articles,
                "kb_entities": options.kb_entities,
                "runs_seconds": [round(t, 2) for t in times],
                "median_seconds": round(median, 2),
                "reports": reports,
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                f"load {os.getloadavg()[0]:.1f}",
                "when": time.strftime("%Y-%m-%d %H:%M"),
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
