"""Benchmark: automatic pre-annotation on the generated corpus — speed and quality.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/factdesk_bench \\
        .venv/bin/python bench/extraction.py [--articles 2000] [--seed 1] [--kb-entities N] \\
        [--path task|batch]

In a throwaway test database (created and dropped by the script): loads the seeds (KB), generates
the corpus with bench/corpus.py (its truth goes to a temporary directory), then, batch by batch
of the same articles, times

- dates alone: apps.extraction.dates.find, the date parser step as extraction runs it (a cheap
  regex finds candidates, dateparser reads each one);
- the pipeline alone: apps.extraction.pipeline.extract, no database;
- extraction: with --path task (the default), apps.extraction.services.article_extract once per
  article, the service the Celery task on import or edit calls — row lock, pipeline, validation
  of every offset, inserts with history rows, the article update and the request for its checks
  (sent to a queue of the script's own, purged at the end), one transaction per article; with
  --path batch, apps.extraction.services.articles_extract on the same articles, the path of
  `manage.py extract` (BATCH_SIZE articles per transaction, one check request per batch);

and scores the titles of office, quotes and dates written to the database against the
generator's truth, then quote spans and speakers on the wire-copy corpus (bench/wire.py: the
patterns of real copy, issue 11). Also times dateparser's own search over whole texts on a sample, for scale.
Prints totals and medians of the per-batch figures."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kb-entities", type=int, default=None)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--search-sample", type=int, default=40)
    parser.add_argument(
        "--wire-articles",
        type=int,
        default=400,
        help="articles of the wire-copy corpus (bench/wire.py)",
    )
    parser.add_argument(
        "--path",
        choices=("task", "batch"),
        default="task",
        help="extraction one article per call (the Celery task) or articles_extract (batches)",
    )
    options = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from config.celery import app as celery_app

    setup_test_environment()
    queue = f"bench-extraction-{os.getpid()}"
    celery_app.conf.task_default_queue = queue
    celery_app.conf.task_always_eager = False
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with tempfile.TemporaryDirectory() as out:
            run(options, Path(out), connection.vendor)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        with celery_app.connection_for_write() as conn:
            channel = conn.default_channel
            purged = channel.queue_purge(queue) or 0
            channel.queue_delete(queue)
        print(f"(purged {purged} check requests from the bench's own queue {queue})")


def run(options, out_dir: Path, vendor: str) -> None:
    from django.core.management import call_command
    from django.db import reset_queries

    from apps.articles.models import Article
    from apps.extraction import dates, pipeline
    from apps.extraction.selectors import kb_index_current
    from apps.extraction.services import BATCH_SIZE, article_extract, articles_extract
    from bench.corpus import generate_corpus

    call_command("loadseeds", verbosity=0)
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
        .only("id", "body", "published_on", "external_id")
    )
    chars = sum(len(a.body) for a in articles)
    print(
        f"{vendor}: {len(articles):,} generated articles (seed {options.seed}), "
        f"{chars / len(articles):,.0f} characters each on average; "
        f"{corpus.titles:,} titles, {corpus.quotes:,} quotes, {corpus.dates:,} dates in the truth"
    )
    started = time.perf_counter()
    kb = kb_index_current()
    print(
        f"KB index built once in {(time.perf_counter() - started) * 1000:.0f} ms ({len(kb.kinds):,} entities)"
    )
    # Warm up dateparser and pysbd (their first call loads data) outside the timings.
    pipeline.extract(articles[0].body, published_on=articles[0].published_on, kb=kb)
    load_before = os.getloadavg()
    print(f"load average before: {load_before[0]:.2f}")

    wall: Counter = Counter()
    cpu: Counter = Counter()  # CPU time of this process; the database server's work is not in it
    server_cpu = _server_cpu_reader()
    rates: dict[str, list[float]] = {"dates": [], "pipeline": [], "extraction": []}
    ratios: list[float] = []

    def each(step):
        def run_batch(batch):
            for article in batch:
                step(article)

        return run_batch

    steps = (
        ("dates", each(lambda a: dates.find(a.body, published_on=a.published_on))),
        ("pipeline", each(lambda a: pipeline.extract(a.body, published_on=a.published_on, kb=kb))),
        (
            "extraction",
            each(lambda a: article_extract(article_id=a.pk))
            if options.path == "task"
            else lambda batch: articles_extract(article_ids=[a.pk for a in batch]),
        ),
    )
    for first in range(0, len(articles), options.batch):
        batch = articles[first : first + options.batch]
        seconds = {}
        for name, step in steps:
            s0, c0, t0 = server_cpu(), time.process_time(), time.perf_counter()
            step(batch)
            seconds[name] = time.perf_counter() - t0
            wall[name] += seconds[name]
            cpu[name] += time.process_time() - c0
            cpu[name + " server"] += server_cpu() - s0
            rates[name].append(len(batch) / seconds[name])
        ratios.append(seconds["extraction"] / seconds["dates"])
        reset_queries()
    print(f"load average after: {os.getloadavg()[0]:.2f}")

    n = len(articles)
    how = (
        "article_extract per article (Celery task path)"
        if options.path == "task"
        else f"articles_extract, {BATCH_SIZE} articles per transaction (manage.py extract path)"
    )
    print(f"\nspeed, one process, {n:,} articles in batches of {options.batch}; extraction: {how}:")
    print(
        f"  {'':34s} {'total':>8s} {'per article':>12s} {'articles/s':>11s} "
        f"{'median of batches':>18s} {'CPU here':>10s} {'+ database':>11s}"
    )
    for name, label in (
        ("dates", "dates alone (regex + dateparser)"),
        ("pipeline", "pipeline alone (no database)"),
        ("extraction", "extraction incl. database writes"),
    ):
        print(
            f"  {label:34s} {wall[name]:7.2f}s {wall[name] / n * 1000:9.2f} ms "
            f"{n / wall[name]:11.1f} {statistics.median(rates[name]):16.1f}/s "
            f"{cpu[name] / n * 1000:7.2f} ms {cpu[name + ' server'] / n * 1000:8.2f} ms"
        )
    print(
        f"  extraction / dates alone: {wall['extraction'] / wall['dates']:.2f}x in total, "
        f"median of batches {statistics.median(ratios):.2f}x; "
        f"on CPU time {cpu['extraction'] / cpu['dates']:.2f}x"
    )
    search_ms = search_sample(articles[: options.search_sample], wall["extraction"] / n)
    quality = score(truth, articles)
    wire_quality = score_wire(options)
    variant = f"-kb{options.kb_entities}" if options.kb_entities else ""
    variant += "-batch" if options.path == "batch" else ""
    path = ROOT / "bench" / "results" / f"extraction-{vendor}{variant}.json"
    path.parent.mkdir(exist_ok=True)
    result = {
        "command": "bench/extraction.py " + " ".join(sys.argv[1:]),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "articles": n,
        "characters_per_article": round(chars / n),
        "kb_entities": len(kb.kinds),
        "batch_size": options.batch,
        "extraction_path": how,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in load_before] + [round(os.getloadavg()[0], 2)],
        "per_article_ms": {k: round(wall[k] / n * 1000, 2) for k in rates},
        "articles_per_s": {k: round(n / wall[k], 1) for k in rates},
        "median_batch_articles_per_s": {
            k: round(statistics.median(v), 1) for k, v in rates.items()
        },
        "cpu_per_article_ms": {k: round(v / n * 1000, 2) for k, v in cpu.items()},
        "extraction_over_dates": round(wall["extraction"] / wall["dates"], 2),
        "extraction_over_dates_median_batch": round(statistics.median(ratios), 2),
        "search_dates_per_article_ms": search_ms,
        "quality": quality,
        "quality_wire_copy": wire_quality,
    }
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nraw results: {path.relative_to(ROOT)}")


def _server_cpu_reader():
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine: read from
    /proc), so the figures can be read apart from the load others put on the machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return lambda: 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    path = Path(f"/proc/{pid}/stat")
    if not path.exists():
        return lambda: 0.0
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        fields = path.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    return read


def search_sample(articles, extraction_per_article: float) -> float | None:
    """dateparser's own search over whole texts, the way to find dates without our candidates."""
    import warnings

    from dateparser.search import search_dates

    if not articles:
        return None
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    for article in articles:
        base = dt.datetime.combine(article.published_on, dt.time())
        search_dates(article.body, languages=["en"], settings={"RELATIVE_BASE": base})
    per_article = (time.perf_counter() - started) / len(articles)
    print(
        f"  for scale: dateparser.search.search_dates over whole texts ({len(articles)} articles): "
        f"{per_article * 1000:.1f} ms per article; extraction incl. writes is "
        f"{extraction_per_article / per_article:.2f}x that"
    )
    return round(per_article * 1000, 1)


def score_wire(options) -> dict:
    """Quotes and speakers on the wire-copy corpus (bench/wire.py): the patterns of real copy,
    with a KB of its own cast, through the pipeline alone."""
    from bench import wire

    kb, people = wire.build_kb()
    corpus = wire.wire_corpus(articles=options.wire_articles, seed=options.seed)
    return wire.report(wire.score(corpus, kb=kb, people=people))


def _prf(tp: int, got: int, expected: int) -> str:
    precision = tp / got if got else 0.0
    recall = tp / expected if expected else 0.0
    return f"precision {precision:.4f}  recall {recall:.4f}  ({tp:,} right of {got:,} proposed, {expected:,} expected)"


def score(truth: dict, articles) -> dict:
    """Precision and recall of what was written to the database, against the truth."""
    from apps.annotations.models import DateMention, EntityMention, Quote
    from apps.knowledge.models import Entity

    wikidata = dict(Entity.objects.values_list("pk", "wikidata_id"))
    by_article = {a.pk: a.external_id for a in articles}
    got_titles: dict[str, dict] = {eid: {} for eid in truth}
    for m in EntityMention.objects.filter(article__in=by_article, title_start__isnull=False):
        got_titles[by_article[m.article_id]][(m.title_start, m.title_end, m.start, m.end)] = (
            wikidata.get(m.office_id),
            m.title_modifier,
            wikidata.get(m.entity_id),
        )
    got_quotes: dict[str, dict] = {eid: {} for eid in truth}
    for q in Quote.objects.filter(article__in=by_article):
        speaker = wikidata.get(q.speaker_id) if q.speaker_id else q.speaker_text
        got_quotes[by_article[q.article_id]][(q.start, q.end)] = speaker
    got_dates: dict[str, dict] = {eid: {} for eid in truth}
    for d in DateMention.objects.filter(article__in=by_article):
        got_dates[by_article[d.article_id]][(d.start, d.end)] = (
            d.value.isoformat() if d.value else None,
            d.precision,
        )

    c = Counter()
    for eid, record in truth.items():
        expected_titles = {
            (t["start"], t["end"], t["name_start"], t["name_end"]): (
                t["office_wikidata_id"],
                t["modifier"],
                t["person_wikidata_id"],
            )
            for t in record["titles"]
        }
        c["titles expected"] += len(expected_titles)
        c["titles proposed"] += len(got_titles[eid])
        for key, value in got_titles[eid].items():
            c["titles right"] += expected_titles.get(key) == value
            c["title spans right"] += key in expected_titles
        expected_quotes = {
            (q["start"], q["end"]): q["speaker_wikidata_id"] or q["speaker"]
            for q in record["quotes"]
        }
        c["quotes expected"] += len(expected_quotes)
        c["quotes proposed"] += len(got_quotes[eid])
        for key, speaker in got_quotes[eid].items():
            c["quotes right"] += expected_quotes.get(key, object()) == speaker
            c["quote spans right"] += key in expected_quotes
        expected_dates = {
            (d["start"], d["end"]): (d["value"], d["precision"]) for d in record["dates"]
        }
        c["dates expected"] += len(expected_dates)
        c["dates proposed"] += len(got_dates[eid])
        for key, value in got_dates[eid].items():
            c["dates right"] += expected_dates.get(key) == value

    print("\nquality of the proposals in the database against the generator's truth:")
    print("  titles of office (title span, name span, office, person, modifier):")
    print("    " + _prf(c["titles right"], c["titles proposed"], c["titles expected"]))
    print(
        "    spans only: "
        + _prf(c["title spans right"], c["titles proposed"], c["titles expected"])
    )
    print("  quotes (span between the marks, speaker: KB entity or the name as written):")
    print("    " + _prf(c["quotes right"], c["quotes proposed"], c["quotes expected"]))
    print(
        "    spans only: "
        + _prf(c["quote spans right"], c["quotes proposed"], c["quotes expected"])
    )
    print("  dates (span, value, precision):")
    print("    " + _prf(c["dates right"], c["dates proposed"], c["dates expected"]))
    return dict(c)


if __name__ == "__main__":
    main()
