"""Benchmark: a sweep of the consistency checks over a generated corpus, with one real worker.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/factdesk_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/checks.py --articles 10000 --kb-entities 10000 --seed 1

Setup (not timed): migrate, loadseeds, `generate_corpus` (skipped with --reuse when the corpus is
there), then the annotations of every corpus article written from the generator's ground truth
(titles with their person, office and modifier; dates; quotes with their speaker), so that the
figures measure the checks, not the extraction. Timed: from sending `checks.sweep_stale` to the
last article marked done, with ONE worker process (solo pool) on the configured broker: the sweep
refreshes the quote index and sends batch tasks; each loads its articles in bulk, runs the
registered checks and writes the findings.
The truth goes to var/corpus/checks-<seed>/. Repeated --runs times (check state and findings reset
in between); the median is printed, then the time of a sweep that finds nothing changed.

Scored against var/corpus/<seed>/truth.jsonl: recall of the planted title errors (a title counts
as flagged when an open ROLE_AT_DATE error names its mention) and the share of correct titles
flagged."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--kb-entities", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep an existing corpus")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if not settings.IS_POSTGRES:
        print("note: not on PostgreSQL (set DATABASE_URL); the target is for PostgreSQL")
    call_command("migrate", verbosity=0)
    call_command("loadseeds", verbosity=0)
    # A truth directory of its own: other benchmarks generate corpora of other sizes.
    truth_dir = Path(settings.VAR_DIR) / "corpus" / f"checks-{args.seed}"
    truth_path = truth_dir / "truth.jsonl"
    if not (args.reuse and truth_path.exists()):
        started = time.perf_counter()
        call_command(
            "generate_corpus",
            articles=args.articles,
            seed=args.seed,
            kb_entities=args.kb_entities,
            out=truth_dir,
            verbosity=0,
        )
        print(f"corpus generated in {time.perf_counter() - started:.1f} s")
    truth = [json.loads(line) for line in truth_path.read_text().splitlines() if line.strip()]
    started = time.perf_counter()
    mention_truth = existing_annotations(truth) if args.reuse else {}
    if not mention_truth:
        mention_truth = annotate(truth)
        print(f"annotations written from the truth in {time.perf_counter() - started:.1f} s")

    from apps.articles.models import Article
    from apps.knowledge.models import Entity, Tenure

    ids = list(
        Article.objects.filter(external_id__in=[t["external_id"] for t in truth]).values_list(
            "id", flat=True
        )
    )
    print(
        f"articles: {len(ids)} corpus ({Article.objects.count()} in all); KB: "
        f"{Entity.objects.count()} entities, {Tenure.objects.count()} tenures"
    )
    times = []
    for run in range(args.runs):
        reset()
        elapsed = sweep_with_worker()
        times.append(elapsed)
        print(f"run {run + 1}: sweep of {Article.objects.count()} articles in {elapsed:.1f} s")
    print(
        f"MEDIAN full sweep: {statistics.median(times):.1f} s "
        f"({Article.objects.count() / statistics.median(times):.0f} articles/s), one worker"
    )
    idle = sweep_with_worker(expect_changes=False)
    print(f"sweep with nothing changed: {idle:.1f} s")
    scores = score(mention_truth)
    engine = "postgresql" if settings.IS_POSTGRES else "sqlite"
    results = Path(__file__).resolve().parent / "results" / f"checks-{engine}.json"
    results.parent.mkdir(exist_ok=True)
    results.write_text(
        json.dumps(
            {
                "command": " ".join(sys.argv),
                "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "articles": Article.objects.count(),
                "kb_entities": Entity.objects.count(),
                "batch_size": settings.CHECKS_BATCH_SIZE,
                "broker": settings.CELERY_BROKER_URL.split(":")[0],
                "runs_s": [round(t, 2) for t in times],
                "median_s": round(statistics.median(times), 2),
                "unchanged_sweep_s": round(idle, 2),
                "load_average": os.getloadavg(),
                "cpus": os.cpu_count(),
                **scores,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"results: {results}")


def existing_annotations(truth: list[dict]) -> dict[str, dict]:
    """mention uuid -> truth title, for a corpus annotated by an earlier run (else empty)."""
    from apps.annotations.models import EntityMention

    by_place = {(t["external_id"], title["start"]): title for t in truth for title in t["titles"]}
    found = {
        str(u): by_place.get((eid, start))
        for u, eid, start in EntityMention.objects.filter(
            article__external_id__startswith="corpus:"
        ).values_list("uuid", "article__external_id", "title_start")
    }
    if len(found) != len(by_place) or not all(found.values()):
        return {}
    print(f"reusing the annotations of an earlier run ({len(found)} titles)")
    return found  # type: ignore[return-value]


def annotate(truth: list[dict]) -> dict[str, dict]:
    """Write each corpus article's titles, dates and quotes as automatic proposals; returns
    mention uuid -> truth title."""
    from django.db import transaction

    from apps.annotations.models import DateMention, EntityMention, Origin, Quote
    from apps.articles.models import Article
    from apps.knowledge.models import Entity

    by_qid = dict(Entity.objects.exclude(wikidata_id=None).values_list("wikidata_id", "id"))
    articles = {
        a["external_id"]: a
        for a in Article.objects.filter(external_id__in=[t["external_id"] for t in truth]).values(
            "id", "external_id", "body"
        )
    }
    mention_truth: dict[str, dict] = {}
    with transaction.atomic():
        ids = [a["id"] for a in articles.values()]
        for model in (EntityMention, DateMention, Quote):
            model.objects.filter(article_id__in=ids).delete()
        mentions, dates, quotes = [], [], []
        for record in truth:
            article = articles.get(record["external_id"])
            if article is None:
                continue
            body = article["body"]
            common = {"article_id": article["id"], "origin": Origin.AUTOMATIC}
            for t in record["titles"]:
                mention = EntityMention(
                    **common,
                    uuid=uuid.uuid4(),
                    start=t["name_start"],
                    end=t["name_end"],
                    exact=body[t["name_start"] : t["name_end"]],
                    entity_id=by_qid.get(t["person_wikidata_id"]),
                    title_start=t["start"],
                    title_end=t["end"],
                    title_text=t["title_text"],
                    title_modifier=t["modifier"] or "",
                    office_id=by_qid.get(t["office_wikidata_id"]),
                )
                mentions.append(mention)
                mention_truth[str(mention.uuid)] = t
            for d in record["dates"]:
                dates.append(
                    DateMention(
                        **common,
                        start=d["start"],
                        end=d["end"],
                        exact=body[d["start"] : d["end"]],
                        value=dt.date.fromisoformat(d["value"]),
                        precision=d["precision"],
                        is_relative=bool(d.get("relative")),
                    )
                )
            for q in record["quotes"]:
                quotes.append(
                    Quote(
                        **common,
                        start=q["start"],
                        end=q["end"],
                        exact=body[q["start"] : q["end"]],
                        speaker_id=by_qid.get(q.get("speaker_wikidata_id")),
                        speaker_text=q.get("speaker") or "",
                    )
                )
        EntityMention.objects.bulk_create(mentions, batch_size=2000)
        DateMention.objects.bulk_create(dates, batch_size=2000)
        Quote.objects.bulk_create(quotes, batch_size=2000)
    print(f"  {len(mentions)} titled mentions, {len(dates)} dates, {len(quotes)} quotes")
    return mention_truth


def reset() -> None:
    from apps.articles.models import Article
    from apps.checks.models import Finding, QuoteKey

    Finding.objects.all()._raw_delete(Finding.objects.db)
    QuoteKey.objects.all().delete()
    Article.objects.update(
        check_state=Article.CheckState.NEVER, check_inputs_sha256="", check_done_at=None
    )
    from django.db import connection

    if connection.vendor == "postgresql":  # every run starts from tables without dead rows
        with connection.cursor() as cursor:
            for table in ("checks_finding", "checks_quotekey", "articles_article"):
                cursor.execute(f"VACUUM ANALYZE {table}")


def sweep_with_worker(*, expect_changes: bool = True) -> float:
    """Time from sending the sweep to the last article done, with one worker process."""
    from django.conf import settings
    from django.db.models import Max

    from apps.articles.models import Article
    from apps.checks.tasks import sweep_stale
    from config.celery import app

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CELERY_QUEUE": queue, "DEBUG": "1"}
    log = open(Path(settings.VAR_DIR) / f"{queue}.log", "wb")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "-Q", queue],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        time.sleep(3)  # let the worker connect; not part of the sweep
        app.conf.task_default_queue = queue
        before = Article.objects.aggregate(m=Max("check_done_at"))["m"]
        started_wall = dt.datetime.now(dt.UTC)
        started = time.perf_counter()
        sweep_stale.delay()
        total = Article.objects.count()
        while True:
            time.sleep(0.5)
            if worker.poll() is not None:
                raise SystemExit(f"the worker exited; see {log.name}")
            left = Article.objects.exclude(check_state=Article.CheckState.DONE).count()
            if expect_changes and left == 0:
                last = Article.objects.aggregate(m=Max("check_done_at"))["m"]
                return (last - started_wall).total_seconds()
            if not expect_changes:
                # Nothing to write: done when every batch task has finished (worker log).
                batches = -(-total // settings.CHECKS_BATCH_SIZE)
                log.flush()
                finished = (
                    Path(log.name).read_text(errors="replace").count("Task checks.check_batch[")
                )
                if finished >= batches:
                    after = Article.objects.aggregate(m=Max("check_done_at"))["m"]
                    assert after == before, "a sweep with nothing changed re-checked articles"
                    return time.perf_counter() - started
            if time.perf_counter() - started > 1800:
                raise SystemExit(f"timed out with {left} of {total} articles not done")
    finally:
        worker.terminate()
        worker.wait(30)
        log.close()


def score(mention_truth: dict[str, dict]) -> dict:
    from apps.checks.models import Finding

    flagged: set[str] = set()
    counts: Counter = Counter()
    for code, severity, spans in Finding.objects.filter(state="open").values_list(
        "code", "severity", "spans"
    ):
        counts[(code, severity)] += 1
        if code == "ROLE_AT_DATE" and severity == "error":
            flagged.update(s["uuid"] for s in spans if s.get("type") == "title")
    wrong = [u for u, t in mention_truth.items() if not t["correct"]]
    right = [u for u, t in mention_truth.items() if t["correct"]]
    caught = [u for u in wrong if u in flagged]
    false_alarms = [u for u in right if u in flagged]
    by_error = Counter(mention_truth[u]["error"] for u in wrong)
    missed = Counter(mention_truth[u]["error"] for u in wrong if u not in flagged)
    print("findings:", ", ".join(f"{c}/{s}: {n}" for (c, s), n in sorted(counts.items())))
    print(f"planted title errors: {len(wrong)} {dict(by_error)}; missed: {dict(missed)}")
    print(
        f"RECALL of planted title errors: {len(caught) / max(1, len(wrong)):.5f} "
        f"({len(caught)} of {len(wrong)})"
    )
    for u in [u for u in wrong if u not in flagged][:5]:
        print("  missed:", json.dumps(mention_truth[u])[:400])
    print(
        f"FALSE-POSITIVE share of correct titles: {len(false_alarms) / max(1, len(right)):.5f} "
        f"({len(false_alarms)} of {len(right)})"
    )
    for u in false_alarms[:5]:
        print("  false alarm:", json.dumps(mention_truth[u])[:300])
    return {
        "findings": {f"{c}/{s}": n for (c, s), n in sorted(counts.items())},
        "planted_title_errors": len(wrong),
        "caught": len(caught),
        "recall": len(caught) / max(1, len(wrong)),
        "correct_titles": len(right),
        "false_alarms": len(false_alarms),
        "false_positive_share": len(false_alarms) / max(1, len(right)),
    }


if __name__ == "__main__":
    main()
