"""`manage.py generate_corpus`: articles stored by bulk insert, and a ground truth that matches the
stored bodies and the KB exactly (the extraction and checks benchmarks are scored against it)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from apps.articles.models import Article, ArticleRevision
from apps.articles.services import body_sha256
from apps.knowledge.models import Entity, Tenure

pytestmark = pytest.mark.django_db

MONTHS = {m: i for i, m in enumerate(
    "January February March April May June July August September October November December".split(), 1
)}  # fmt: skip
SENTENCE_END = re.compile(r"[.!?][”\"]?(?:\s|$)")
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


def generate(tmp_path, *args) -> str:
    out = io.StringIO()
    call_command("generate_corpus", *args, "--out", str(tmp_path), stdout=out)
    return out.getvalue()


def truth(tmp_path) -> list[dict]:
    return [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]


@pytest.fixture
def seeded():
    call_command("loadseeds", stdout=io.StringIO())


def parse_date(text: str) -> tuple[dt.date, str, str | None]:
    """(first day, precision, weekday written) of a date as the corpus writes it."""
    weekday = None
    if "," in text and text.split(",")[0] in WEEKDAYS:
        weekday, text = text.split(", ", 1)
    words = text.replace(",", "").split()
    if len(words) == 1:
        return dt.date(int(words[0]), 1, 1), "year", weekday
    if len(words) == 2:
        return dt.date(int(words[1]), MONTHS[words[0]], 1), "month", weekday
    if words[0] in MONTHS:
        return dt.date(int(words[2]), MONTHS[words[0]], int(words[1])), "day", weekday
    return dt.date(int(words[2]), MONTHS[words[1]], int(words[0])), "day", weekday


def expected_verdict(person: Entity, office: Entity, modifier: str, reference, published):
    """The rule, written again from the KB rows (not from the generator's snapshot)."""
    spans = list(Tenure.objects.filter(person=person, office=office))

    def contains(t, day):
        return t.start <= day and (t.end is None or day <= t.end)

    if modifier in ("former", "ex"):
        if not spans:
            return False, "wrong_office"
        if any(contains(t, published) for t in spans):
            return False, "former_while_in_office"
        if any(t.end is not None and t.end <= published for t in spans):
            return True, None
        return False, "not_in_office_at_date"
    if any(contains(t, reference) for t in spans):
        return True, None
    return (False, "not_in_office_at_date") if spans else (False, "wrong_office")


def test_the_truth_matches_the_stored_bodies_and_the_kb(seeded, tmp_path):
    output = generate(tmp_path, "--articles", "40", "--seed", "7")

    assert "40 articles (40 created" in output
    records = truth(tmp_path)
    assert [r["external_id"] for r in records] == [f"corpus:7:{i}" for i in range(40)]
    articles = {
        a.external_id: a for a in Article.objects.filter(external_id__startswith="corpus:7:")
    }
    errors, patterns, modifiers = Counter(), Counter(), Counter()
    for record in records:
        article = articles[record["external_id"]]
        body = article.body
        plain = body.replace("U.S.", "U_S_")  # so that only sentence ends have a period
        assert article.published_on.isoformat() == record["published_on"]
        assert article.body_sha256 == body_sha256(body)
        assert (article.revision, article.revisions.get().number) == (1, 1)
        assert 1500 < len(body) < 9000
        for title in record["titles"]:
            assert body[title["start"] : title["end"]] == title["title_text"]
            assert body[title["name_start"] : title["name_end"]] == title["person"]
            assert title["name_start"] == title["end"] + 1
            person = Entity.objects.get(label=title["person"], kind="person")
            office = Entity.objects.get(label=title["office"], kind="office")
            assert person.wikidata_id == title["person_wikidata_id"]
            assert office.wikidata_id == title["office_wikidata_id"]
            assert office.aliases.filter(alias=title["title_text"]).exists()
            before = body[: title["start"]].lower()
            if title["modifier"] == "former":
                assert before.endswith("former ")
            elif title["modifier"] in ("ex", "then"):
                assert before.endswith(title["modifier"] + "-")
            reference = dt.date.fromisoformat(title["reference_date"])
            published = article.published_on
            if title["modifier"] in ("former", "ex"):
                assert reference == published
            else:
                # the date written in the same sentence, else the event date
                sentence_start = max(
                    plain.rfind(end, 0, title["start"]) for end in (". ", ".” ", '." ', "\n")
                )
                sentence_end = SENTENCE_END.search(plain, title["name_end"]).start()
                same_sentence = [
                    d["value"]
                    for d in record["dates"]
                    if sentence_start < d["start"] and d["end"] <= sentence_end
                ]
                assert [reference.isoformat()] == (same_sentence or [record["event_on"]])
            assert (title["correct"], title["error"]) == expected_verdict(
                person, office, title["modifier"], reference, published
            )
            errors[title["error"]] += 1
            modifiers[title["modifier"]] += 1
        for quote in record["quotes"]:
            assert body[quote["start"] : quote["end"]] == quote["text"]
            assert body[quote["start"] - 1] in '“"'
            assert body[quote["end"]] in '”"'
            if quote["speaker_wikidata_id"]:
                assert (
                    Entity.objects.get(wikidata_id=quote["speaker_wikidata_id"]).label
                    == quote["speaker"]
                )
            patterns[quote["pattern"]] += 1
        for date in record["dates"]:
            value, precision, weekday = parse_date(body[date["start"] : date["end"]])
            assert (value.isoformat(), precision) == (date["value"], date["precision"])
            if weekday is not None:
                assert (weekday != WEEKDAYS[value.weekday()]) == (
                    date["error"] == "weekday_mismatch"
                )
        lead = body.split("\n\n")[0]
        lead_dates = [d for d in record["dates"] if d["end"] <= len(lead)]
        assert record["event_on"] == (
            lead_dates[0]["value"] if lead_dates else record["published_on"]
        )
    assert set(errors) == {None, "wrong_office", "former_while_in_office", "not_in_office_at_date"}
    assert errors[None] > sum(errors.values()) / 2
    assert set(modifiers) == {"", "former", "ex", "then"}
    assert set(patterns) >= {
        "said_before", "said_after", "stating", "according_to", "pronoun", "colon", "described_as"
    }  # fmt: skip


def test_it_is_reproducible_and_idempotent(seeded, tmp_path):
    first_dir, second_dir = tmp_path / "a", tmp_path / "b"
    generate(first_dir, "--articles", "12", "--seed", "3")
    ids = set(Article.objects.values_list("id", flat=True))

    output = generate(second_dir, "--articles", "12", "--seed", "3")

    assert "0 created, 0 replaced, 12 unchanged" in output
    assert (first_dir / "truth.jsonl").read_bytes() == (second_dir / "truth.jsonl").read_bytes()
    assert set(Article.objects.values_list("id", flat=True)) == ids
    assert ArticleRevision.objects.filter(article__external_id__startswith="corpus:").count() == 12

    output = generate(first_dir, "--articles", "5", "--seed", "3")
    assert "7 beyond --articles removed" in output
    assert Article.objects.filter(external_id__startswith="corpus:3:").count() == 5
    other_seed = generate(first_dir, "--articles", "2", "--seed", "4")
    assert "2 created" in other_seed
    assert Article.objects.filter(external_id__startswith="corpus:").count() == 7


def test_generated_articles_queue_no_background_work(
    seeded, tmp_path, django_capture_on_commit_callbacks
):
    # Every service that creates an article queues its extraction on commit; the generator
    # must not, or a benchmark corpus would flood the worker.
    with django_capture_on_commit_callbacks() as queued:
        generate(tmp_path, "--articles", "3", "--seed", "1")
    assert queued == []
    corpus = Article.objects.filter(external_id__startswith="corpus:")
    assert corpus.count() == 3
    assert all(a.extracted_at is None and a.check_state == "never" for a in corpus)


def test_it_grows_a_synthetic_kb_for_the_checks_benchmark(seeded, tmp_path):
    generate(tmp_path, "--articles", "10", "--seed", "2", "--kb-entities", "300")

    assert Entity.objects.count() >= 300
    synthetic = Entity.objects.filter(wikidata_id__startswith="Q97")
    assert synthetic.filter(kind="office").exists() and synthetic.filter(kind="person").exists()
    for tenure in Tenure.objects.filter(person__wikidata_id__startswith="Q97"):
        assert tenure.office.kind == "office"
        assert tenure.end is None or tenure.start < tenure.end
    count = Entity.objects.count()

    output = generate(tmp_path, "--articles", "10", "--seed", "2", "--kb-entities", "300")

    assert Entity.objects.count() == count
    assert "0 synthetic KB entities created" in output


def test_an_empty_kb_gets_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="loadseeds"):
        generate(tmp_path, "--articles", "3", "--seed", "1")
    assert Article.objects.count() == 0
