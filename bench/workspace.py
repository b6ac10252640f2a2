"""Benchmark: the article workspace for an article of 100,000 characters with 2,000 annotations.

    DEBUG=1 .venv/bin/python bench/workspace.py                 # SQLite
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/factdesk_ws_bench \\
        .venv/bin/python bench/workspace.py                     # PostgreSQL
    ... bench/workspace.py --server-only                        # without Chromium

Prints medians. "server" is the wall-clock time of the whole Django request (middleware, session, the fixed set of
queries, the body sweep, the list, the template) through the test client, with one claim open in
the side panel, median of 20 after two warm-up requests; its CPU time (this process) is printed
beside it, as the wall time depends much on the load of the shared machine. "Chromium" loads the same page in the
system Chromium (headless) from a live server thread, median of 10 fresh pages: the time from
navigation start until the page is interactive (DOMContentLoaded has run htmx and
static/js/workspace.js has attached its handlers), and until the load event. Targets (issue 5):
server <= 150 ms, interactive <= 1.5 s.

The data go to a throwaway test database that the script creates and drops (test_<name> of the
configured database; the configured one is never touched). Raw runs and the machine's load go
to bench/results/workspace-<engine>.json."""

from __future__ import annotations

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

LENGTH = 100_000
SPANS = 2_000
SERVER_RUNS = 20
BROWSER_RUNS = 10

WORDS = (
    "the minister said on Tuesday that talks in Paris with officials from London and Berlin "
    "were useful but analysts expect a second round of negotiations in March while the former "
    "president did not attend and the central bank raised its main rate by half a point 😀"
).split()


def make_body(rng: random.Random) -> str:
    parts, size, sentence = [], 0, 0
    while size < LENGTH:
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 25))).capitalize() + "."
        sentence += 1
        text += "\n\n" if sentence % 6 == 0 else " "
        parts.append(text)
        size += len(text)
    return "".join(parts)[:LENGTH].rstrip()


def make_data(rng: random.Random):
    """An annotator, the article, 2,000 spans of the four types (sentences, names, dates, quotes,
    nested and overlapping as in real work, a quarter of them automatic proposals, some
    approved or rejected), a few evidence items, findings that point at spans."""
    from django.contrib.auth.models import Group, User

    from apps.annotations.models import Claim, DateMention, EntityMention, Evidence, Quote
    from apps.annotations.services import span_context
    from apps.articles.models import Article, ArticleRevision
    from apps.articles.services import body_sha256
    from apps.checks.models import Finding

    user = User.objects.create(username="bench-annotator")
    user.groups.add(Group.objects.get_or_create(name="annotator")[0])
    body = make_body(rng)
    sha = body_sha256(body)
    article = Article.objects.create(
        title="Workspace benchmark",
        body=body,
        body_sha256=sha,
        extracted_sha256=sha,
        check_state=Article.CheckState.DONE,
        source="Bench Wire",
    )
    ArticleRevision.objects.create(
        article=article, number=1, title=article.title, body=body, body_sha256=sha
    )
    models = [Claim, Quote, EntityMention, DateMention]
    lengths = {Claim: (60, 200), Quote: (30, 120), EntityMention: (5, 20), DateMention: (6, 16)}
    rows: dict[type, list] = {model: [] for model in models}
    for i in range(SPANS):
        model = models[i % 4]
        low, high = lengths[model]
        length = rng.randint(low, high)
        start = rng.randint(0, len(body) - length - 1)
        while body[start].isspace():
            start += 1
        end = start + length
        while body[end - 1].isspace():
            end -= 1
        prefix, suffix = span_context(body, start, end)
        rows[model].append(
            model(
                article=article,
                start=start,
                end=end,
                exact=body[start:end],
                prefix=prefix,
                suffix=suffix,
                origin="automatic" if i % 4 == 1 else "manual",
                created_by=None if i % 4 == 1 else user,
                review_state=("proposed", "proposed", "approved", "rejected")[i % 7 % 4],
            )
        )
    for model, objects in rows.items():
        model.objects.bulk_create(objects, batch_size=500)
    claim = Claim.objects.filter(article=article).order_by("id").first()
    for n in range(3):
        Evidence.objects.create(claim=claim, url=f"https://example.org/source/{n}", title=f"S{n}")
    mentions = list(EntityMention.objects.filter(article=article).order_by("id")[:20])
    for n, mention in enumerate(mentions):
        Finding.objects.create(
            article=article,
            code="ROLE_AT_DATE",
            check_version="1",
            severity="error" if n % 2 else "warning",
            message=f"Finding {n} about {mention.exact}",
            spans=[{"type": "mention", "uuid": str(mention.uuid), "exact": mention.exact}],
            fingerprint=f"f{n}",
        )
    return user, article, claim


def bench_server(client, url: str) -> tuple[list[float], list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        client.get(url)
    times, cpu = [], []
    for _ in range(SERVER_RUNS):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return times, cpu, len(queries), len(response.content)


READY = """() => new Promise((resolve) => {
  const done = () => {
    const nav = performance.getEntriesByType("navigation")[0];
    resolve({
      response: nav.responseEnd,
      dcl: nav.domContentLoadedEventEnd,
      load: nav.loadEventEnd,
      ready: Number(document.documentElement.dataset.workspaceReady || 0),
      marks: document.querySelectorAll("#article-body mark").length,
    });
  };
  if (document.readyState === "complete") setTimeout(done, 0);
  else window.addEventListener("load", () => setTimeout(done, 0));
})"""


def bench_browser(client, url: str) -> dict[str, list[float]]:
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS
    from tests.services import chromium_path

    executable = chromium_path()
    if executable is None:
        print("  Chromium not found (/usr/bin/chromium or CHROMIUM_PATH): skipped")
        return {}
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://127.0.0.1:{server.port}"
    session = client.cookies["sessionid"].value
    results: dict[str, list[float]] = {"response": [], "dcl": [], "load": [], "interactive": []}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            for run in range(BROWSER_RUNS + 1):
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                context.add_cookies(
                    [{"name": "sessionid", "value": session, "url": base, "httpOnly": True}]
                )
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
                page.goto(base + url, wait_until="load")
                figures = page.evaluate(READY)
                context.close()
                assert not errors, errors
                assert figures["marks"] >= SPANS // 2 and figures["ready"] > 0, figures
                if run == 0:
                    continue  # warm-up: Chromium's caches, the server's first connection
                results["response"].append(figures["response"])
                results["dcl"].append(figures["dcl"])
                results["load"].append(figures["load"])
                results["interactive"].append(max(figures["dcl"], figures["ready"]))
            browser.close()
    finally:
        server.terminate()
    return results


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rng = random.Random(11)
        user, article, claim = make_data(rng)
        client = Client()
        client.force_login(user)
        url = f"/articles/{article.uuid}/?open=claim/{claim.uuid}"
        print(
            f"workspace of {len(article.body):,} characters with {SPANS:,} annotations "
            f"on {connection.vendor}"
        )
        times, cpu, queries, size = bench_server(client, url)
        median = statistics.median(times)
        print(
            f"  server (median of {SERVER_RUNS}):   {median:7.1f} ms   (target <= 150 ms; "
            f"CPU {statistics.median(cpu):.1f} ms, {queries} queries, "
            f"{size / 1024:,.0f} KiB of HTML)"
        )
        record = {
            "benchmark": "workspace",
            "engine": connection.vendor,
            "characters": len(article.body),
            "annotations": SPANS,
            "server_runs_ms": [round(t, 1) for t in times],
            "server_median_ms": round(median, 1),
            "server_cpu_median_ms": round(statistics.median(cpu), 1),
            "queries": queries,
            "html_bytes": size,
        }
        if "--server-only" not in sys.argv:
            runs = bench_browser(client, url)
            if runs:
                figures = {name: statistics.median(values) for name, values in runs.items()}
                print(
                    f"  Chromium (median of {BROWSER_RUNS}): interactive "
                    f"{figures['interactive']:7.1f} ms   (target <= 1500 ms; response end "
                    f"{figures['response']:.0f} ms, DOMContentLoaded {figures['dcl']:.0f} ms, "
                    f"load {figures['load']:.0f} ms)"
                )
                record["chromium_interactive_runs_ms"] = [round(t) for t in runs["interactive"]]
                record["chromium_medians_ms"] = {k: round(v) for k, v in figures.items()}
        record["machine"] = (
            f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
        )
        record["when"] = time.strftime("%Y-%m-%d %H:%M")
        results = ROOT / "bench" / "results"
        results.mkdir(parents=True, exist_ok=True)
        (results / f"workspace-{connection.vendor}.json").write_text(
            json.dumps(record, indent=2) + "\n"
        )
    finally:
        from django.db import connections

        for conn in connections.all():
            conn.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
