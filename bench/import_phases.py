"""Benchmark (issue 15): where the time of `POST /api/v1/articles/bulk` (1,000 articles) goes over
HTTP, on make run's processes, and what the worker's background work costs it.

    DEBUG=1 .venv/bin/python bench/import_phases.py --articles 10000 --imports 6

Same corpus, processes and requests as bench/peer_ops.py's import (its var directory and helpers),
but the web process is runserver wrapped by bench/_phase_server.py, which times the request's
phases server-side (parse, checks, the BEGIN IMMEDIATE that waits for SQLite's write lock, each
table's insert, the commit, the answer) and appends them to a JSON Lines file. Each round sends
one import in each of three conditions, in turn:

- `after extraction`: as peer_ops.py does: the previous import's 1,000 articles are extracted
  (the worker may still be checking them);
- `quiet`: also every article's checks done (nothing pending or running);
- `worker stopped`: quiet, then the worker process tree is paused (SIGSTOP) for the request.

Printed: per condition, p50 of the client's time and of each server phase."""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peer_ops  # noqa: E402

ROOT = peer_ops.ROOT
CONDITIONS = ("after extraction", "quiet", "worker stopped")


def wait_quiet(timeout: float = 900) -> float:
    """Until no article's extraction or checks are owed or running; returns the seconds waited."""
    from django.db import connection

    from apps.articles.models import Article

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        busy = (
            Article.objects.filter(extraction_state="pending").count()
            + Article.objects.filter(check_state__in=("pending", "running")).count()
        )
        connection.close()
        if not busy:
            return time.perf_counter() - started
        time.sleep(0.2)
    raise SystemExit("the worker did not get quiet in time")


def signal_tree(pid: int, sig: int) -> None:
    for p in peer_ops.process_tree(pid):
        try:
            os.kill(p, sig)
        except ProcessLookupError:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--imports", type=int, default=6, help="rounds (one import per condition)")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()

    var_dir = ROOT / "var" / "bench-peer-ops" / f"sqlite-{args.articles}"
    var_dir.mkdir(parents=True, exist_ok=True)
    phases_log = var_dir / "phases.jsonl"
    phases_log.unlink(missing_ok=True)
    tx_log = var_dir / "worker-transactions.jsonl"
    tx_log.unlink(missing_ok=True)
    env = peer_ops.app_env(var_dir)
    env.update(PHASES_LOG=str(phases_log), TX_LOG=str(tx_log))
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    os.environ.clear()
    os.environ.update(env)
    import shutil
    import subprocess

    python = str(peer_ops.BIN / "python")
    database, pristine = var_dir / "factdesk.sqlite3", var_dir / "corpus.sqlite3"
    if pristine.exists():
        for extra in ("-wal", "-shm"):
            database.with_name(database.name + extra).unlink(missing_ok=True)
        shutil.copyfile(pristine, database)
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    subprocess.run([python, "manage.py", "loadseeds"], cwd=ROOT, check=True, capture_output=True)
    import django

    django.setup()
    from django.db import connections

    corpus = peer_ops.load_corpus(articles=args.articles, seed=args.seed)
    if not pristine.exists() or not corpus["reused"]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(database, pristine)
    from apps.accounts.api_keys import api_key_create

    key = api_key_create(name=f"phases bench {uuid.uuid4().hex[:6]}", scope="write", by=None)
    connections.close_all()

    port = peer_ops.free_port()
    env.update(HOST="127.0.0.1", PORT=str(port))
    lines = peer_ops.procfile(ROOT / "Procfile.local")
    web_command = lines["web"].replace("python manage.py", "python bench/_phase_server.py", 1)
    assert web_command != lines["web"], lines["web"]
    web = peer_ops.start(web_command, env, var_dir / "web.log")
    worker_command = lines["worker"].replace("celery ", "python bench/_phase_worker.py ", 1)
    assert worker_command != lines["worker"], lines["worker"]
    worker = peer_ops.start(worker_command, env, var_dir / "worker.log")
    import random

    import requests

    rng = random.Random(args.seed)
    client: dict[str, list[float]] = {c: [] for c in CONDITIONS}
    waited: dict[str, list[float]] = {c: [] for c in CONDITIONS}
    spans: dict[str, list[tuple[float, float]]] = {c: [] for c in CONDITIONS}
    try:
        base = f"http://127.0.0.1:{port}"
        peer_ops.wait_http(base + "/healthz", web, var_dir / "web.log")
        session = requests.Session()
        session.headers["X-Api-Key"] = key.secret
        previous = None
        plan = [("warm-up", None)] + [
            (c, r) for r in range(args.imports) for c in CONDITIONS
        ]  # fmt: skip
        for condition, _ in plan:
            if previous is not None:
                t0 = time.perf_counter()
                peer_ops.wait_extracted(previous, 1000, timeout=900)
                if condition in ("quiet", "worker stopped"):
                    wait_quiet()
                if condition in waited:
                    waited[condition].append(time.perf_counter() - t0)
            if condition == "worker stopped":
                signal_tree(worker.pid, signal.SIGSTOP)
            tag = uuid.uuid4().hex[:8]
            payload = peer_ops.import_payload(rng, tag)
            sent_at = time.time()
            try:
                elapsed, response, _ = peer_ops.timed(
                    session,
                    "POST",
                    f"{base}/api/v1/articles/bulk",
                    data=payload,
                    headers={"Content-Type": "application/json", "X-Bench-Condition": condition},
                )
            finally:
                if condition == "worker stopped":
                    signal_tree(worker.pid, signal.SIGCONT)
            assert response.status_code == 201, response.text[:500]
            if condition in client:
                client[condition].append(elapsed)
                spans[condition].append((sent_at, time.time()))
            previous = f"peerops-import:{tag}:"
            print(f"  {condition:<17} {elapsed * 1000:7.1f} ms  load {os.getloadavg()[0]:.2f}")
        time.sleep(1)
    finally:
        peer_ops.stop(web)
        peer_ops.stop(worker)
    server: dict[str, dict[str, list[float]]] = {c: {} for c in CONDITIONS}
    for line in phases_log.read_text().splitlines():
        record = json.loads(line)
        condition = record.pop("condition")
        if condition in server:
            for phase, ms in record.items():
                server[condition].setdefault(phase, []).append(ms)
    # The worker's write transactions that ended while an import was in flight: what it waited for.
    transactions = [json.loads(line) for line in tx_log.read_text().splitlines()]
    overlapping: dict[str, list[dict]] = {c: [] for c in CONDITIONS}
    for c in CONDITIONS:
        for first, last in spans[c]:
            overlapping[c].extend(
                {"ms": t["ms"], "by": t["by"]} for t in transactions if first <= t["at"] <= last
            )
    longest = sorted(transactions, key=lambda t: -t["ms"])[:10]
    out = {
        "articles": args.articles,
        "imports_per_condition": args.imports,
        "load_end": os.getloadavg(),
        "conditions": {
            c: {
                "client_p50_ms": round(statistics.median(client[c]) * 1000, 1),
                "client_ms": [round(t * 1000, 1) for t in client[c]],
                "waited_before_s": [round(t, 1) for t in waited[c]],
                "server_p50_ms": {
                    phase: round(statistics.median(v), 1) for phase, v in server[c].items()
                },
            }
            for c in CONDITIONS
        },
        "worker_transactions_during_imports": overlapping,
        "worker_longest_transactions": [{"ms": t["ms"], "by": t["by"]} for t in longest],
        "worker_transactions_over_100ms": sum(t["ms"] >= 100 for t in transactions),
        "worker_transactions_logged": len(transactions),
    }
    for c, row in out["conditions"].items():
        phases = ", ".join(f"{k} {v}" for k, v in row["server_p50_ms"].items())
        print(f"{c:<17} client p50 {row['client_p50_ms']} ms; server p50: {phases}")
    result = ROOT / "bench" / "results" / "import_phases-sqlite.json"
    result.write_text(json.dumps(out, indent=2) + "\n")
    print(f"raw: {result.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
