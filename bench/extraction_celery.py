"""Benchmark: extraction through the real path — the Celery batch drain in ONE worker process.

    .venv/bin/python bench/extraction_celery.py \\
        --database-url postgres://postgres@127.0.0.1:5432/factdesk_extract_bench \\
        --broker-url redis://127.0.0.1:6379/5 --articles 2000 --runs 3 [--profile]

Setup (not timed): a throwaway database (`test_` + the name in --database-url, which must contain
"bench"; created and dropped by the script), the seeds (KB), the generated corpus
(bench/corpus.py, truth in a temporary directory), and ONE `celery worker` process (solo pool,
DEBUG off as in production) on the broker, reading a queue of the script's own.

Timed, per run: from the moment the bench commits the extraction request for every corpus article
(`apps.articles.processing.extraction_request`, what an import, a bulk import, a body edit and
the sweep call; its after-commit message starts `extraction.extract_pending` in the worker) to the
moment no article is pending any more (polled every 50 ms). The worker drains the articles
BATCH_SIZE per transaction (lock, pipeline, COPY of the proposals and their history rows, marked
done, one check request per batch), re-queuing itself after PROCESSING_DRAIN_SECONDS. Between
runs the automatic proposals are deleted and the articles made "never extracted" again, and the
bench waits for the worker to finish the checks the run requested (reported, not timed in the
extraction figure).

Yardstick, in the same run: `dateparser.search.search_dates` over the same texts (all of them,
a slice after each run, so that both see the same machine), to even out the machine's speed.
Quality: what the last run wrote, scored against the generator's truth (bench/extraction.py's
scorer), and quotes/speakers on the wire-copy corpus (bench/wire.py).

--profile: cProfile of the pipeline (no database) over the corpus texts in this process, top
functions by own time, before the runs."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument(
        "--broker-url", default=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/5")
    )
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kb-entities", type=int, default=None)
    parser.add_argument(
        "--search-articles",
        type=int,
        default=0,
        help="yardstick over this many of the texts (0: all of them, the target's reading)",
    )
    parser.add_argument("--wire-articles", type=int, default=400)
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()

    url = urlsplit(options.database_url)
    if url.scheme not in ("postgres", "postgresql") or "bench" not in url.path:
        raise SystemExit(
            "--database-url must be a PostgreSQL database whose name contains 'bench' "
            "(the script creates and drops test_<name>)"
        )
    if not options.broker_url.startswith("redis://"):
        raise SystemExit("--broker-url must be Redis (the worker is a real separate process)")
    queue = f"bench-extraction-{os.getpid()}"
    os.environ.update(
        DATABASE_URL=options.database_url,
        CELERY_BROKER_URL=options.broker_url,
        CELERY_QUEUE=queue,
        DEBUG="1",  # this process only (a generated local key); the worker runs with DEBUG off
    )

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from config.celery import app as celery_app

    setup_test_environment()
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    test_url = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    worker = None
    try:
        with tempfile.TemporaryDirectory() as out:
            setup = prepare(options, Path(out))
            if options.profile:
                profile(setup["articles"], setup["kb"], setup["people"])
            worker = Worker(queue=queue, database_url=test_url, broker_url=options.broker_url)
            worker.start()
            run(options, setup, worker)
    finally:
        if worker is not None:
            worker.stop()
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        with celery_app.connection_for_write() as conn:
            channel = conn.default_channel
            purged = channel.queue_purge(queue) or 0
            channel.queue_delete(queue)
        print(f"(purged {purged} messages left in the bench's own queue {queue})")


class Worker:
    """ONE `celery worker` process (solo pool: the task runs in the process itself)."""

    def __init__(self, *, queue: str, database_url: str, broker_url: str) -> None:
        self.queue = queue
        self.log_path = Path(tempfile.gettempdir()) / f"{queue}.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DATABASE_OWNER_URL"},
            "DEBUG": "0",  # as in production (DEBUG keeps every query in memory)
            "SECRET_KEY": secrets.token_urlsafe(64),
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_QUEUE": queue,
            "LOG_LEVEL": "WARNING",
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
             "--concurrency=1", "--loglevel=INFO", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-Q", self.queue, "-n", f"{self.queue}@%h"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while " ready." not in self.log_path.read_text(errors="replace"):
            self.check()
            if time.monotonic() > deadline:
                raise SystemExit(f"the worker did not start; see {self.log_path}")
            time.sleep(0.2)
        print(f"worker pid {self.process.pid} ready (log: {self.log_path})")

    def check(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            tail = self.log_path.read_text(errors="replace")[-3000:]
            raise SystemExit(f"the worker exited with {self.process.returncode}:\n{tail}")

    def cpu_seconds(self) -> float:
        """utime + stime of the worker process (the pipeline and psycopg's side of the writes)."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self.log.close()


def prepare(options, out_dir: Path) -> dict:
    from django.core.management import call_command

    from apps.articles.models import Article
    from apps.extraction.selectors import kb_index_current, kb_people_current
    from bench.corpus import generate_corpus

    call_command("loadseeds", verbosity=0)
    started = time.perf_counter()
    corpus = generate_corpus(
        articles=options.articles,
        seed=options.seed,
        out_dir=out_dir,
        kb_entities=options.kb_entities,
    )
    truth = {}
    with open(out_dir / "truth.jsonl", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            truth[record["external_id"]] = record
    articles = list(
        Article.objects.filter(external_id__in=truth)
        .order_by("id")
        .only("id", "body", "published_on", "external_id", "language", "source")
    )
    chars = sum(len(a.body) for a in articles)
    print(
        f"postgresql: {len(articles):,} generated articles (seed {options.seed}) in "
        f"{time.perf_counter() - started:.1f} s, {chars / len(articles):,.0f} characters each on "
        f"average; {corpus.titles:,} titles, {corpus.quotes:,} quotes, {corpus.dates:,} dates"
    )
    kb = kb_index_current()
    return {
        "truth": truth,
        "articles": articles,
        "chars": chars,
        "kb": kb,
        "people": kb_people_current(kb=kb),
    }


def reset(ids: list[int]) -> None:
    """Back to "never extracted": the proposals emptied (their history rows stay, as the
    database's triggers want), the articles' extraction marks cleared, no findings."""
    from django.db import connection, transaction

    from apps.annotations.models import SPAN_MODELS
    from apps.articles.models import Article
    from apps.checks.models import Finding

    with transaction.atomic():
        Finding.objects.all().delete()
        tables = ", ".join(model._meta.db_table for model in SPAN_MODELS.values())
        with connection.cursor() as cursor:  # the corpus has nothing but automatic proposals
            cursor.execute(f"TRUNCATE {tables} CASCADE")
        Article.objects.filter(pk__in=ids).update(
            extraction_state=Article.ExtractionState.NEVER,
            extraction_requested_at=None,
            extracted_sha256="",
            extracted_at=None,
            check_state=Article.CheckState.NEVER,
        )
    with connection.cursor() as cursor:  # every run starts from tables without dead rows
        for model in [Article, *SPAN_MODELS.values()]:
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def run(options, setup: dict, worker: Worker) -> None:
    from django.db import transaction

    from apps.articles import processing
    from apps.articles.models import Article
    from apps.extraction.services import BATCH_SIZE
    from bench.extraction import score, score_wire

    articles = setup["articles"]
    ids = [a.pk for a in articles]
    n = len(ids)
    searched = articles[: options.search_articles] if options.search_articles else articles
    slices = [searched[i :: options.runs] for i in range(options.runs)]
    runs = []
    search_seconds = 0.0
    pending = Article.objects.filter(extraction_state=Article.ExtractionState.PENDING)
    for number in range(options.runs):
        reset(ids)
        load = os.getloadavg()[0]
        cpu0 = worker.cpu_seconds()
        started = time.perf_counter()
        with transaction.atomic():  # what an import or a bulk import records, then sends
            processing.extraction_request(article_ids=ids)
        while pending.exists():
            worker.check()
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        cpu = worker.cpu_seconds() - cpu0
        failed = Article.objects.filter(
            pk__in=ids, extraction_state=Article.ExtractionState.FAILED
        ).count()
        done = Article.objects.filter(
            pk__in=ids, extraction_state=Article.ExtractionState.DONE
        ).count()
        load_after = os.getloadavg()[0]
        while Article.objects.filter(pk__in=ids).exclude(check_state="done").exists():
            worker.check()
            time.sleep(0.2)
        checks_seconds = time.perf_counter() - started - seconds
        t0 = time.perf_counter()
        search_dates_over(slices[number])
        slice_seconds = time.perf_counter() - t0
        search_seconds += slice_seconds
        runs.append(
            {
                "seconds": round(seconds, 3),
                "articles_per_s": round(n / seconds, 1),
                "done": done,
                "failed": failed,
                "worker_cpu_per_article_ms": round(cpu / n * 1000, 2),
                "checks_after_s": round(checks_seconds, 2),
                "search_dates_per_article_ms": round(slice_seconds / len(slices[number]) * 1000, 1),
                "load_average": [round(load, 2), round(load_after, 2)],
            }
        )
        print(
            f"run {number + 1}: {n:,} articles extracted in {seconds:.2f} s = {n / seconds:.1f}/s "
            f"({done:,} done, {failed} failed; worker CPU {cpu / n * 1000:.2f} ms per article; "
            f"load {load:.2f} -> {load_after:.2f}); checks done {checks_seconds:.1f} s later; "
            f"search_dates {slice_seconds / len(slices[number]) * 1000:.1f} ms per article"
        )
    median = statistics.median(r["seconds"] for r in runs)
    search_per_article = search_seconds / len(searched)
    search_total = search_per_article * n  # the same texts (all of them by default)
    ratio = median / search_total
    print(
        f"\nMEDIAN of {options.runs}: {median:.2f} s for {n:,} articles = {n / median:.1f} "
        f"articles/s through the Celery drain ({BATCH_SIZE} per transaction), one worker process"
    )
    print(
        f"yardstick: dateparser.search.search_dates over {len(searched):,} of the same texts: "
        f"{search_per_article * 1000:.1f} ms per article, {search_total:.1f} s for {n:,}; "
        f"extraction / yardstick = {ratio:.3f}x"
    )
    quality = score(setup["truth"], articles)
    wire_quality = score_wire(options)
    path = ROOT / "bench" / "results" / "extraction_celery-postgresql.json"
    result = {
        "command": "bench/extraction_celery.py " + " ".join(sys.argv[1:]),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "articles": n,
        "characters_per_article": round(setup["chars"] / n),
        "kb_entities": len(setup["kb"].kinds),
        "batch_size": BATCH_SIZE,
        "cpus": os.cpu_count(),
        "runs": runs,
        "median_seconds": round(median, 3),
        "median_articles_per_s": round(n / median, 1),
        "search_dates_texts": len(searched),
        "search_dates_per_article_ms": round(search_per_article * 1000, 2),
        "extraction_over_search_dates": round(ratio, 3),
        "quality": quality,
        "quality_wire_copy": wire_quality,
    }
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nraw results: {path.relative_to(ROOT)}")


def search_dates_over(articles) -> None:
    import warnings

    from dateparser.search import search_dates

    warnings.simplefilter("ignore")
    for article in articles:
        base = dt.datetime.combine(article.published_on, dt.time())
        search_dates(article.body, languages=["en"], settings={"RELATIVE_BASE": base})


def profile(articles, kb, people) -> None:
    """cProfile of the pipeline over the corpus texts (no database), top 25 by own time."""
    import cProfile
    import pstats

    from apps.extraction import services as extraction_services

    extraction_services._pipeline_run(articles[0], kb, people)  # warm up
    profiler = cProfile.Profile()
    started = time.process_time()
    profiler.enable()
    for article in articles:
        extraction_services._pipeline_run(article, kb, people)
    profiler.disable()
    cpu = time.process_time() - started
    print(f"\nprofile: pipeline over {len(articles):,} texts, {cpu / len(articles) * 1000:.2f} ms "
          "CPU per article under cProfile")  # fmt: skip
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
