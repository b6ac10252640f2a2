"""Benchmark: two versions of the code over HTTP, request by request in alternation (issue 15).

    git worktree add --detach /tmp/factdesk-base main && ln -s "$PWD/.venv" /tmp/factdesk-base/.venv
    DEBUG=1 .venv/bin/python bench/ab_requests.py /tmp/factdesk-base . --worker
    DEBUG=1 .venv/bin/python bench/ab_requests.py /tmp/factdesk-base . --stack postgres \\
        --template-db factdesk_peerops_bench_10000 --broker-url redis://127.0.0.1:6379/2

On a shared machine the load moves by a factor of two within minutes, so figures taken one after
the other compare the load, not the code. Here each version runs its own server (as
`bench/peer_ops.py` starts them: Procfile.local's runserver, or Procfile's gunicorn; `--worker`
adds the Celery worker) on its own copy of the same corpus, and the client sends each request to
one then the other (the order alternating), so both see the same load:

- `404`: GET /api/v1/articles/<unknown id>: the API key, the throttles, one query and the error
  answer: what every API request costs before its own work;
- `fetch`: GET /api/v1/articles/{id} of an annotated article (the same article for both);
- `spans`: POST /api/v1/articles/{id}/annotations with 20 spans, the same items on the same
  (unannotated) article for both;
- `import`: POST /api/v1/articles/bulk with 1,000 new articles (bench/peer_ops.py's payload), the
  same for both (without `--worker` their extraction waits in the broker: the request alone).
  Heavy: use a small `--per` (e.g. `--operations import --rounds 4 --per 3`).

The corpus is bench/peer_ops.py's (run it once first): the pristine SQLite copy
(var/bench-peer-ops/sqlite-<N>/corpus.sqlite3), or on PostgreSQL a database created from
`--template-db` (bench/peer_ops.py's `<database>_<N>`) per version. Prints p50 and p95 per
operation and version, and the load average."""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import peer_ops  # noqa: E402

OPERATIONS = ("404", "fetch", "spans", "import")


def prepare(args, index: int, root: Path) -> dict:
    var = ROOT / "var" / "bench-ab" / str(index)
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    env = peer_ops.app_env(var, root / ".venv" / "bin")
    if args.stack == "postgres":
        import psycopg

        name = f"{args.template_db}_ab{index}"
        admin = args.admin_url
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{args.template_db}"')
        env["DATABASE_URL"] = admin.rsplit("/", 1)[0] + "/" + name
        env["CELERY_BROKER_URL"] = args.broker_url
        env["CELERY_QUEUE"] = f"factdesk-ab{index}"  # each version's worker reads its own
    else:
        env.pop("DATABASE_URL", None)
        env.pop("CELERY_BROKER_URL", None)
        shutil.copyfile(args.corpus, var / "factdesk.sqlite3")
    python = str(root / ".venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=root, env=env)
    subprocess.run([python, "manage.py", "loadseeds"], cwd=root, env=env, capture_output=True)
    made = subprocess.run(
        [
            python,
            "-c",
            "import django, uuid; django.setup(); "
            "from apps.accounts.api_keys import api_key_create; "
            "print(api_key_create(name='ab ' + uuid.uuid4().hex[:6], scope='write', by=None)"
            ".secret)",
        ],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    port = peer_ops.free_port()
    env.update(HOST="127.0.0.1", PORT=str(port), WEB_BIND=f"127.0.0.1:{port}")
    lines = peer_ops.procfile(root / ("Procfile.local" if args.stack == "embedded" else "Procfile"))
    processes = [peer_ops.start(lines["web"], env, var / "web.log", root)]
    if args.worker:
        processes.append(peer_ops.start(lines["worker"], env, var / "worker.log", root))
    return {
        "root": str(root),
        "env": env,
        "key": made.stdout.split()[-1],
        "base": f"http://127.0.0.1:{port}",
        "processes": processes,
        "web_log": var / "web.log",
    }


def articles(server: dict) -> tuple[list[str], list[tuple[str, str]]]:
    """Annotated article ids, and (id, body) of articles without annotations, in a fixed order."""
    script = (
        "import django, json; django.setup(); "
        "from apps.articles.models import Article; "
        "a = Article.objects.filter(external_id__startswith='peerops:'); "
        "print(json.dumps([[str(u) for u in a.filter(claims__isnull=False).distinct()"
        ".order_by('id').values_list('uuid', flat=True)], "
        "[[str(u), b] for u, b in a.filter(claims__isnull=True).order_by('id')"
        ".values_list('uuid', 'body')[:2000]]]))"
    )
    import json

    out = subprocess.run(
        [str(Path(server["root"]) / ".venv" / "bin" / "python"), "-c", script],
        cwd=server["root"],
        env=server["env"],
        check=True,
        capture_output=True,
        text=True,
    )
    annotated, plain = json.loads(out.stdout.splitlines()[-1])
    return annotated, [tuple(p) for p in plain]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="checkout of the old code (with .venv)")
    parser.add_argument("new", type=Path, help="checkout of the new code (with .venv)")
    parser.add_argument("--stack", choices=["embedded", "postgres"], default="embedded")
    parser.add_argument("--worker", action="store_true", help="run each version's worker too")
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--corpus", type=Path, help="SQLite: the pristine corpus database")
    parser.add_argument("--template-db", help="PostgreSQL: the corpus database to copy")
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--broker-url", default="")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--per", type=int, default=25, help="requests per operation and round")
    parser.add_argument("--operations", default=",".join(OPERATIONS))
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    operations = args.operations.split(",")
    if set(operations) - set(OPERATIONS):
        parser.error(f"--operations: a subset of {','.join(OPERATIONS)}")
    if args.stack == "postgres" and not (args.template_db and args.broker_url):
        parser.error("--stack postgres needs --template-db and --broker-url")
    if args.corpus is None:
        args.corpus = ROOT / "var" / "bench-peer-ops" / f"sqlite-{args.articles}" / "corpus.sqlite3"
    if args.stack == "embedded" and not args.corpus.exists():
        parser.error(f"no corpus at {args.corpus}: run bench/peer_ops.py --articles N first")

    import requests

    servers = []
    try:
        for index, root in enumerate((args.old.resolve(), args.new.resolve())):
            servers.append(prepare(args, index, root))
        for server in servers:
            peer_ops.wait_http(
                server["base"] + "/healthz", server["processes"][0], server["web_log"]
            )
            server["session"] = requests.Session()
            server["session"].headers["X-Api-Key"] = server["key"]
        annotated, plain = articles(servers[0])
        rng = random.Random(args.seed)
        times = {s["root"]: {op: [] for op in operations} for s in servers}
        next_plain = 0
        for round_ in range(args.rounds + 1):  # round 0 warms up, untimed
            for op in operations:
                for i in range(args.per):
                    order = servers if (round_ + i) % 2 == 0 else servers[::-1]
                    if op == "spans":
                        article_id, body = plain[next_plain]
                        next_plain += 1
                        _, spans = peer_ops.make_article_spans_for(body)
                        request = (
                            "POST",
                            f"/api/v1/articles/{article_id}/annotations",
                            {"json": peer_ops.pick_spans(rng, body, spans)},
                            201,
                        )
                    elif op == "import":
                        request = (
                            "POST",
                            "/api/v1/articles/bulk",
                            {
                                "data": peer_ops.import_payload(rng, f"ab{round_}-{i}"),
                                "headers": {"Content-Type": "application/json"},
                            },
                            201,
                        )
                    elif op == "fetch":
                        request = ("GET", f"/api/v1/articles/{rng.choice(annotated)}", {}, 200)
                    else:
                        request = ("GET", f"/api/v1/articles/{uuid.uuid4()}", {}, 404)
                    method, path, kwargs, expected = request
                    for server in order:
                        took, response, _ = peer_ops.timed(
                            server["session"], method, server["base"] + path, **kwargs
                        )
                        if response.status_code != expected:
                            raise SystemExit(f"{method} {path}: {response.status_code}")
                        if round_:
                            times[server["root"]][op].append(took)
        load = os.getloadavg()
    finally:
        for server in servers:
            for process in server["processes"]:
                peer_ops.stop(process)
    print(f"{args.stack}{' + worker' if args.worker else ''}, load average {load[0]:.2f}")
    for root, ops in times.items():
        shown = []
        for op, values in ops.items():
            row = peer_ops.summary(values)
            shown.append(f"{op} p50 {row['p50_ms']:.2f} ms (p95 {row['p95_ms']:.2f})")
        print(f"  {root}: " + ", ".join(shown))
    first, second = (times[s["root"]] for s in servers)
    for op in operations:
        ratio = statistics.median(second[op]) / statistics.median(first[op])
        print(f"  {op}: new/old p50 {ratio:.2f}")


if __name__ == "__main__":
    main()
