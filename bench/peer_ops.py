"""Benchmark (issue 15): the peers' five everyday operations over HTTP, as a client sees them.

    DEBUG=1 .venv/bin/python bench/peer_ops.py --articles 1000 10000          # make run's stack
    DEBUG=1 .venv/bin/python bench/peer_ops.py --articles 1000 10000 --stack postgres \\
        --database-url postgres://postgres@127.0.0.1:5432/factdesk_peerops_bench \\
        --broker-url redis://127.0.0.1:6379/2

For each N: a generated corpus of N articles (about 3,000 characters each; 10 % of them carry
an annotation of 20 spans: 5 claims, 5 quotes, 5 mentions, 5 dates) is written by bulk inserts
(no request, nothing queued), then the app's own processes are started as a user starts them:

- `embedded` (default): the two lines of Procfile.local, as `make run` starts them (runserver and
  one Celery worker with beat, SQLite, kombu's filesystem broker) in a var directory of its own
  (var/bench-peer-ops/sqlite-<N>/, kept between runs: the corpus is reused);
- `postgres`: the `web` and `worker` lines of Procfile (gunicorn with config/gunicorn.conf.py,
  Celery), against `--database-url` (its database name gets `_<N>`; created if missing) and
  `--broker-url` (Redis).

One sequential client (requests, one keep-alive session, loopback, an API key with write scope)
then times each operation (a few untimed warm-up requests first):

1. list one page of 100: GET /api/v1/articles?page_size=100
2. fetch one article with its annotations: GET /api/v1/articles/{id} (annotated articles)
3. create one annotation of 20 spans in one request: POST /api/v1/articles/{id}/annotations
4. export everything: GET /api/v1/articles/export?format=jsonl, read to the end
5. import 1,000 documents in one request: POST /api/v1/articles/bulk (a JSON list); the time
   until the worker has extracted all of them is reported apart ("extraction done"), and each
   timed import is sent once the worker is quiet (the previous import's extraction and checks
   done: on SQLite a request otherwise waits for the write lock the worker's run holds,
   bench/import_phases.py)

An endpoint that answers 404 or 405 is reported "n/a (endpoint missing)". Printed: p50 and p95
per operation, and the resident (RSS) and proportional (PSS, /proc/<pid>/smaps_rollup) memory
of the web and worker processes (each with its children) after the run. Raw results:
bench/results/peer_ops-<engine>.json. The throttle is raised for the run (API_THROTTLE_RATE):
the bench sends more than 600 requests a minute on purpose."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"

ANNOTATED_SHARE = 0.10
SPANS_PER_KIND = 5
KINDS = ("claim", "quote", "mention", "date")
PEOPLE = (
    "Keir Starmer", "Giorgia Meloni", "Olaf Scholz", "Emmanuel Macron", "Mette Frederiksen",
    "Pedro Sanchez", "Ursula von der Leyen", "Volodymyr Zelensky", "Justin Trudeau", "Kaja Kallas",
)  # fmt: skip
MONTHS = (
    "January February March April May June July August September October November December"
).split()
WORDS = (
    "the government said talks with officials from London and Berlin were useful but analysts "
    "expect a second round of negotiations while the central bank raised its main rate by half "
    "a point and ministers discussed energy prices grain exports air defence reconstruction "
    "funding border security sanctions enforcement with their counterparts on Tuesday"
).split()


# --- Corpus ------------------------------------------------------------------------------------


def make_article(rng: random.Random, target: int = 3000) -> tuple[str, dict[str, list]]:
    """A body of about `target` characters and, per span kind, candidate spans in it
    ((start, end, extra fields) with body[start:end] the span's text)."""
    parts: list[str] = []
    size = 0
    spans: dict[str, list] = {kind: [] for kind in KINDS}

    def add(text: str) -> tuple[int, int]:
        nonlocal size
        start = size
        parts.append(text)
        size += len(text)
        return start, start + len(text)

    while size < target:
        person = rng.choice(PEOPLE)
        start, end = add(person)
        spans["mention"].append((start, end, {}))
        add(" said on ")
        day = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(4000))
        start, end = add(f"{day.day} {MONTHS[day.month - 1]} {day.year}")
        spans["date"].append((start, end, {"value": day.isoformat(), "precision": "day"}))
        add(" that ")
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 18)))
        start, end = add(words)
        spans["claim"].append((start, end, {"kind": "other"}))
        add(". “")
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))).capitalize()
        start, end = add(words)
        spans["quote"].append((start, end, {"speaker_text": person}))
        add(",” the statement added.\n\n" if rng.random() < 0.3 else ",” the statement added. ")
    return "".join(parts).rstrip(), spans


def pick_spans(rng: random.Random, body: str, spans: dict[str, list]) -> list[dict]:
    """20 API items (5 of each kind) for this body."""
    items = []
    for kind in KINDS:
        for start, end, extra in rng.sample(spans[kind], SPANS_PER_KIND):
            items.append(
                {"type": kind, "start": start, "end": end, "exact": body[start:end], **extra}
            )
    return items


def load_corpus(*, articles: int, seed: int) -> dict:
    """N articles (external_id peerops:<i>) with their revision rows, 20 spans on 10 % of them,
    by bulk inserts; kept when already there."""
    from django.db import reset_queries, transaction

    from apps.annotations.models import SPAN_MODELS, Origin
    from apps.annotations.services import span_context
    from apps.articles.models import Article, ArticleRevision
    from apps.articles.services import body_sha256

    have = Article.objects.filter(external_id__startswith="peerops:").count()
    if have == articles:
        return {"articles": articles, "loaded_seconds": 0.0, "reused": True}
    started = time.perf_counter()
    Article.objects.filter(external_id__startswith="peerops:").delete()
    rng = random.Random(seed)
    annotated = set(rng.sample(range(articles), max(1, int(articles * ANNOTATED_SHARE))))
    batch = 500
    for first in range(0, articles, batch):
        rows, plans = [], []
        for i in range(first, min(articles, first + batch)):
            body, spans = make_article(rng)
            rows.append(
                Article(
                    external_id=f"peerops:{i}",
                    title=f"Generated article {i}",
                    body=body,
                    body_sha256=body_sha256(body),
                    source=rng.choice(("Demo Wire", "Daily Ledger", "Global Dispatch")),
                    published_on=dt.date(2024, 1, 1) + dt.timedelta(days=i % 700),
                    revision=1,
                )
            )
            plans.append(pick_spans(rng, body, spans) if i in annotated else [])
        with transaction.atomic():
            created = Article.objects.bulk_create(rows)
            ArticleRevision.objects.bulk_create(
                ArticleRevision(
                    article_id=a.pk,
                    number=1,
                    title=a.title,
                    body=a.body,
                    body_sha256=a.body_sha256,
                    note="generated for bench/peer_ops.py",
                )  # fmt: skip
                for a in created
            )
            per_kind: dict[str, list] = {kind: [] for kind in KINDS}
            for article, items in zip(created, plans, strict=True):
                for item in items:
                    fields = dict(item)
                    kind = fields.pop("type")
                    start, end = fields.pop("start"), fields.pop("end")
                    prefix, suffix = span_context(article.body, start, end)
                    per_kind[kind].append(
                        SPAN_MODELS[kind](
                            article_id=article.pk,
                            start=start,
                            end=end,
                            exact=fields.pop("exact"),
                            prefix=prefix,
                            suffix=suffix,
                            origin=Origin.MANUAL,
                            **fields,
                        )  # fmt: skip
                    )
            for kind, spans in per_kind.items():
                SPAN_MODELS[kind].objects.bulk_create(spans, batch_size=500)
        reset_queries()
    return {
        "articles": articles,
        "loaded_seconds": round(time.perf_counter() - started, 1),
        "reused": False,
    }


# --- Processes ---------------------------------------------------------------------------------


def procfile(path: Path) -> dict[str, str]:
    lines = {}
    for line in path.read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() and not name.startswith("#"):
            lines[name.strip()] = command.strip()
    return lines


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: str, env: dict[str, str], log: Path, cwd: Path = ROOT) -> subprocess.Popen:
    # As honcho runs a Procfile line: through the shell, with the environment expanded.
    return subprocess.Popen(
        ["/bin/sh", "-c", "exec " + command],
        cwd=cwd,
        env=env,
        stdout=open(log, "w"),  # noqa: SIM115 (closed with the process)
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def process_tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def memory_mib(pid: int) -> dict:
    """RSS and PSS of a process and its children, from /proc/<pid>/smaps_rollup."""
    rss = pss = 0
    pids = process_tree(pid)
    for p in pids:
        try:
            text = Path(f"/proc/{p}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            name, _, value = line.partition(":")
            if name == "Rss":
                rss += int(value.split()[0])
            elif name == "Pss":
                pss += int(value.split()[0])
    return {
        "processes": len(pids),
        "rss_mib": round(rss / 1024, 1),
        "pss_mib": round(pss / 1024, 1),
    }


# --- Client ------------------------------------------------------------------------------------


def summary(times: list[float]) -> dict:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, max(0, round(0.95 * len(ms)) - 1))]
    return {
        "runs": len(ms),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(p95, 2),
        "min_ms": round(ms[0], 2),
    }


MISSING = (404, 405)


def timed(session, method: str, url: str, **kwargs):
    started = time.perf_counter()
    response = session.request(method, url, **kwargs)
    if kwargs.get("stream"):
        size = sum(len(chunk) for chunk in response.iter_content(1 << 16))
    else:
        size = len(response.content)
    return time.perf_counter() - started, response, size


OPERATIONS = ("list", "fetch", "spans", "export", "import")


def run_operations(
    base: str, key: str, *, articles: int, runs: int, seed: int, db_alias, only=OPERATIONS
) -> dict:
    import requests

    from apps.articles.models import Article

    session = requests.Session()
    session.headers["X-Api-Key"] = key
    api = base + "/api/v1"
    rng = random.Random(seed + 1)
    results: dict[str, dict] = {}

    def expect(response, *codes):
        if response.status_code not in codes:
            raise SystemExit(
                f"{response.request.method} {response.url}: {response.status_code} "
                f"{response.text[:500]}"
            )

    # 1. List one page of 100. Rows changed in the last API_SYNC_SETTLE_SECONDS are held back
    # (apps/api/pagination.py): right after the corpus is written the page may be short, so wait
    # for the corpus to settle before timing rather than weaken the API.
    settle_until = time.monotonic() + 30
    while "list" in only:
        _, response, _ = timed(session, "GET", f"{api}/articles", params={"page_size": 100})
        expect(response, 200)
        if len(response.json()["results"]) == 100 or time.monotonic() > settle_until:
            break
        time.sleep(0.5)
    times = []
    for i in range(runs + 3 if "list" in only else 0):
        t, response, size = timed(session, "GET", f"{api}/articles", params={"page_size": 100})
        expect(response, 200)
        assert len(response.json()["results"]) == 100
        if i >= 3:
            times.append(t)
    if times:
        results["list 100"] = {**summary(times), "bytes": size}

    # 2. Fetch one annotated article with its annotations.
    from django.db.models import Count

    annotated = list(
        Article.objects.filter(external_id__startswith="peerops:")
        .annotate(n=Count("claims"))
        .filter(n__gt=0)
        .values_list("uuid", flat=True)
    )
    plain = list(
        Article.objects.filter(external_id__startswith="peerops:", claims__isnull=True)
        .order_by("?")
        .values_list("uuid", "body")[: runs + 3]
    )
    times, sizes = [], []
    for i in range(runs + 3 if "fetch" in only else 0):
        article_id = rng.choice(annotated)
        t, response, size = timed(session, "GET", f"{api}/articles/{article_id}")
        expect(response, 200)
        if i >= 3:
            times.append(t)
            sizes.append(size)
    if times:
        results["fetch 1 with annotations"] = {
            **summary(times),
            "bytes": statistics.median(sizes),
        }

    # 3. One annotation of 20 spans in one request, each on an article without annotations.
    times = []
    for i, (article_id, body) in enumerate(plain if "spans" in only else []):
        _, spans = make_article_spans_for(body)
        items = pick_spans(rng, body, spans)
        t, response, size = timed(
            session, "POST", f"{api}/articles/{article_id}/annotations", json=items
        )
        expect(response, 201)
        assert len(response.json()) == 20
        if i >= 3:
            times.append(t)
    if times:
        results["20 spans in 1 request"] = summary(times)

    # 4. Export everything.
    times, sizes, first_bytes = [], [], []
    export_runs = 3 if "export" in only else -1
    for i in range(export_runs + 1):
        started = time.perf_counter()
        response = session.get(f"{api}/articles/export", params={"format": "jsonl"}, stream=True)
        if response.status_code in MISSING:
            response.close()
            results["export everything"] = {"missing": True, "status": response.status_code}
            break
        expect(response, 200)
        chunks = response.iter_content(1 << 16)
        first = next(chunks, b"")
        first_byte = time.perf_counter() - started
        size = len(first) + sum(len(c) for c in chunks)
        if i >= 1:
            times.append(time.perf_counter() - started)
            sizes.append(size)
            first_bytes.append(first_byte)
    else:
        if times:
            results["export everything"] = {
                **summary(times),
                "bytes": statistics.median(sizes),
                "first_byte_ms": round(statistics.median(first_bytes) * 1000, 2),
            }

    # 5. Import 1,000 documents in one request (new ones each run); then wait for extraction.
    times, extraction, checks = [], [], []
    import_runs = 3 if "import" in only else -1
    for run in range(import_runs + 1):
        tag = uuid.uuid4().hex[:8]
        payload = import_payload(rng, tag)
        t, response, size = timed(
            session,
            "POST",
            f"{api}/articles/bulk",
            data=payload,
            headers={"Content-Type": "application/json"},
        )
        if response.status_code in MISSING:
            results["import 1,000 in 1 request"] = {
                "missing": True,
                "status": response.status_code,
            }
            break
        expect(response, 200, 201)
        sent = time.perf_counter() - t
        done = wait_extracted(f"peerops-import:{tag}:", 1000, timeout=600)
        # Then until the checks the extraction requested are done too, so that the next timed
        # import does not wait for SQLite's write lock held by the worker's checks
        # (bench/import_phases.py: 330-630 ms of such waiting right after the extraction).
        quiet = wait_quiet(timeout=600)
        if run >= 1:
            times.append(t)
            extraction.append(done - sent if done else None)
            checks.append(quiet - sent if quiet else None)
    else:
        finished = [x for x in extraction if x is not None]
        if times:
            results["import 1,000 in 1 request"] = {
                **summary(times),
                "request_bytes": len(payload),
                "extraction_done_s": [round(x, 1) for x in finished],
                "extraction_timed_out": len(extraction) - len(finished),
                "checks_done_s": [round(x, 1) for x in checks if x is not None],
                "timed_when": "the worker is quiet: the previous import extracted and checked",
            }
    return results


def import_payload(rng: random.Random, tag: str, count: int = 1000) -> bytes:
    """The JSON list of the bulk import operation: `count` new articles with external ids
    `peerops-import:<tag>:<j>`."""
    docs = [
        {
            "title": f"Imported {tag} {j}",
            "body": make_article(rng)[0],
            "source": "Bench Wire",
            "external_id": f"peerops-import:{tag}:{j}",
        }
        for j in range(count)
    ]
    return json.dumps(docs).encode()


def make_article_spans_for(body: str) -> tuple[str, dict[str, list]]:
    """Candidate spans of a generated body, found again from its text."""
    import re

    spans: dict[str, list] = {kind: [] for kind in KINDS}
    pattern = re.compile(
        r"(?P<person>[^\n.“”]+?) said on (?P<date>(\d+) (\w+) (\d{4})) that (?P<claim>[^.]+)\. "
        r"“(?P<quote>[^,”]+),”"
    )
    for match in pattern.finditer(body):
        person = match.group("person").strip()
        p_start = match.start("person") + match.group("person").index(person)
        spans["mention"].append((p_start, p_start + len(person), {}))
        day = dt.date(int(match.group(5)), MONTHS.index(match.group(4)) + 1, int(match.group(3)))
        spans["date"].append((*match.span("date"), {"value": day.isoformat(), "precision": "day"}))
        spans["claim"].append((*match.span("claim"), {"kind": "other"}))
        spans["quote"].append((*match.span("quote"), {"speaker_text": person}))
    return body, spans


def wait_extracted(prefix: str, count: int, *, timeout: float) -> float | None:
    from django.db import connection

    from apps.articles.models import Article

    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        done = Article.objects.filter(
            external_id__startswith=prefix, extraction_state__in=("done", "failed")
        ).count()
        connection.close()  # a fresh snapshot each time (and no lock held on SQLite)
        if done >= count:
            return time.perf_counter()
        time.sleep(0.2)
    return None


def wait_quiet(*, timeout: float) -> float | None:
    """Until no article's extraction or checks are owed or running (the worker is idle)."""
    from django.db import connection
    from django.db.models import Q

    from apps.articles.models import Article

    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        busy = Article.objects.filter(
            Q(extraction_state="pending") | Q(check_state__in=("pending", "running"))
        ).exists()
        connection.close()
        if not busy:
            return time.perf_counter()
        time.sleep(0.2)
    return None


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the web process exited:\n{log.read_text()[-3000:]}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise SystemExit(f"no answer from {url} after {timeout} s:\n{log.read_text()[-3000:]}")


# --- Main --------------------------------------------------------------------------------------


def database_for(url: str, articles: int) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + f"_{articles}"
    import psycopg

    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def _pg_admin(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        urlunsplit(parts._replace(path="/postgres")), autocommit=True
    ), parts.path.lstrip("/")


def pg_pristine_restore(url: str) -> bool:
    """PostgreSQL's counterpart of the SQLite copy kept beside the database: if a copy of the
    database as it was right after the corpus was written exists (`<name>_corpus`), the database
    is made again from it (CREATE DATABASE … TEMPLATE: seconds, where deleting an earlier run's
    imported articles through the ORM took minutes). Returns whether it did."""
    admin, name = _pg_admin(url)
    with admin:
        pristine = f"{name}_corpus"
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [pristine]).fetchone():
            return False
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pristine}"')
    return True


def pg_pristine_keep(url: str) -> None:
    """Keep a copy of the database as it is now (the corpus just written) as `<name>_corpus`."""
    admin, name = _pg_admin(url)
    with admin:
        pristine = f"{name}_corpus"
        admin.execute(f'DROP DATABASE IF EXISTS "{pristine}"')
        admin.execute(f'CREATE DATABASE "{pristine}" TEMPLATE "{name}"')


def app_env(var_dir: Path, bin_dir: Path = BIN) -> dict[str, str]:
    """The environment of the app's processes in a bench: this one's, with the var directory,
    the throttle raised (the benches send more than 600 requests a minute on purpose) and the
    checkout's virtualenv first on PATH."""
    env = dict(os.environ)
    env.update(
        DEBUG=os.environ.get("DEBUG", "1"),
        FACTDESK_VAR_DIR=str(var_dir),
        API_THROTTLE_RATE="1000000/minute",
        API_USER_THROTTLE_RATE="1000000/minute",
        PATH=f"{bin_dir}:{os.environ.get('PATH', '')}",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


def bench_one(args, articles: int) -> dict:
    engine = "sqlite" if args.stack == "embedded" else "postgresql"
    var_dir = ROOT / "var" / "bench-peer-ops" / f"{engine}-{articles}"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = app_env(var_dir)
    if args.stack == "postgres":
        env["DATABASE_URL"] = database_for(args.database_url, articles)
        env["CELERY_BROKER_URL"] = args.broker_url
    else:
        env.pop("DATABASE_URL", None)
        env.pop("CELERY_BROKER_URL", None)
    # This process reads and writes the same database as the app's processes.
    os.environ.clear()
    os.environ.update(env)
    python = str(BIN / "python")
    # Every run starts from the N generated articles (the export reads them all): the database as
    # it was right after the corpus was written is kept beside it and put back (on SQLite a copy
    # of the file, on PostgreSQL a database made from it as template).
    database, pristine = var_dir / "factdesk.sqlite3", var_dir / "corpus.sqlite3"
    restored = args.stack == "postgres" and pg_pristine_restore(env["DATABASE_URL"])
    if args.stack == "embedded" and pristine.exists():
        for extra in ("-wal", "-shm"):
            database.with_name(database.name + extra).unlink(missing_ok=True)
        shutil.copyfile(pristine, database)
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    subprocess.run([python, "manage.py", "loadseeds"], cwd=ROOT, check=True, capture_output=True)

    import django

    django.setup()  # once per process: main() runs each N in a process of its own
    from django.db import connections

    connections.close_all()
    print(f"N = {articles:,} ({engine}): loading the corpus …", flush=True)
    if args.stack == "postgres" and not restored:  # a database of before the copy was kept
        from apps.articles.models import Article

        Article.objects.filter(external_id__startswith="peerops-import:").delete()
    corpus = load_corpus(articles=articles, seed=args.seed)
    if args.stack == "postgres" and (not restored or not corpus["reused"]):
        connections.close_all()
        pg_pristine_keep(env["DATABASE_URL"])
    if args.stack == "embedded" and (not pristine.exists() or not corpus["reused"]):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(database, pristine)
    from apps.accounts.api_keys import api_key_create

    key = api_key_create(name=f"peer ops bench {uuid.uuid4().hex[:6]}", scope="write", by=None)
    connections.close_all()

    port = free_port()
    env.update(HOST="127.0.0.1", PORT=str(port), WEB_BIND=f"127.0.0.1:{port}")
    lines = procfile(ROOT / ("Procfile.local" if args.stack == "embedded" else "Procfile"))
    web_log, worker_log = var_dir / "web.log", var_dir / "worker.log"
    web = start(lines["web"], env, web_log)
    worker = start(lines["worker"], env, worker_log)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/healthz", web, web_log)
        print(f"  {lines['web']}\n  {lines['worker']}\n  timing …", flush=True)
        operations = run_operations(
            base,
            key.secret,
            articles=articles,
            runs=args.runs,
            seed=args.seed,
            db_alias=None,
            only=args.operations,
        )
        time.sleep(1)
        memory = {"web": memory_mib(web.pid), "worker": memory_mib(worker.pid)}
    finally:
        stop(web)
        stop(worker)
        connections.close_all()
    memory["web + worker pss_mib"] = round(
        memory["web"]["pss_mib"] + memory["worker"]["pss_mib"], 1
    )
    return {
        "articles": articles,
        "engine": engine,
        "stack": args.stack,
        "web": lines["web"],
        "worker": lines["worker"],
        "corpus": corpus,
        "operations": operations,
        "memory": memory,
    }


def show(result: dict) -> None:
    print(f"\nN = {result['articles']:,}, {result['engine']} ({result['stack']}):")
    print(f"  {'operation':<28} {'p50':>10} {'p95':>10}  size")
    for name, row in result["operations"].items():
        if row.get("missing"):
            print(f"  {name:<28} {'n/a (endpoint missing)':>21}  [{row['status']}]")
            continue
        size = row.get("bytes") or row.get("request_bytes") or ""
        extra = ""
        if "first_byte_ms" in row:
            extra = f"  first byte {row['first_byte_ms']} ms"
        if "extraction_done_s" in row:
            extra = f"  extraction done after {row['extraction_done_s']} s"
            if "checks_done_s" in row:
                extra += f", checks after {row['checks_done_s']} s (sent when quiet)"
        if size:
            size = f"{size / 1024:.1f} KiB"
        print(f"  {name:<28} {row['p50_ms']:>7.2f} ms {row['p95_ms']:>7.2f} ms  {size}{extra}")
    memory = result["memory"]
    for name in ("web", "worker"):
        m = memory[name]
        print(
            f"  {name} memory after the run: RSS {m['rss_mib']} MiB, PSS {m['pss_mib']} MiB "
            f"({m['processes']} processes)"
        )
    print(f"  web + worker PSS: {memory['web + worker pss_mib']} MiB")


def strip_articles(argv: list[str]) -> list[str]:
    kept, skipping = [], False
    for arg in argv:
        if arg == "--articles":
            skipping = True
            continue
        if skipping and arg.isdigit():
            continue
        skipping = False
        kept.append(arg)
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=50, help="timed requests per list/fetch/spans")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument(
        "--operations",
        type=lambda text: text.split(","),
        default=list(OPERATIONS),
        help=f"comma-separated, a subset of {','.join(OPERATIONS)} (default: all)",
    )
    parser.add_argument("--stack", choices=["embedded", "postgres"], default="embedded")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--broker-url", default="")
    parser.add_argument("--result-file", help=argparse.SUPPRESS)  # one N, in a child process
    args = parser.parse_args()
    unknown = set(args.operations) - set(OPERATIONS)
    if unknown:
        parser.error(f"unknown operation(s): {', '.join(sorted(unknown))}")
    if args.stack == "postgres" and not (args.database_url and args.broker_url):
        parser.error("--stack postgres needs --database-url and --broker-url")
    if args.result_file:
        Path(args.result_file).write_text(json.dumps(bench_one(args, args.articles[0])))
        return
    results = []
    for articles in args.articles:
        # Settings (the var directory, the database) are read once per process: one per N.
        out = ROOT / "var" / "bench-peer-ops" / f"result-{articles}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        child = [sys.executable, __file__, *strip_articles(sys.argv[1:])]
        child += ["--articles", str(articles), "--result-file", str(out)]
        subprocess.run(child, check=True)
        result = json.loads(out.read_text())
        show(result)
        results.append(result)
    engine = results[0]["engine"]
    out = ROOT / "bench" / "results" / f"peer_ops-{engine}.json"
    out.write_text(
        json.dumps(
            {
                "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "command": " ".join(shlex.quote(a) for a in sys.argv),
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg(),
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nraw results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
