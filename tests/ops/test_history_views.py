"""History pages: who changed an item, when, what changed (field by field, escaped)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from apps.annotations import services as annotations
from apps.articles import services as articles
from apps.knowledge import services as knowledge
from tests.factories import ArticleFactory, EntityFactory, TenureFactory
from tests.review.conftest import BODY, make


def history(kind: str, item) -> str:
    return reverse("history:detail", args=[kind, item.uuid])


def entries(html: str) -> list[str]:
    """The headline of each entry, newest first, whitespace collapsed."""
    heads = re.findall(r'<p class="history-head">(.*?)</p>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", h).split()) for h in heads]


def change_rows(html: str) -> list[tuple[str, str, str]]:
    rows = re.findall(
        r'<tr><th scope="row">(.*?)</th><td class="old">(.*?)</td><td class="new">(.*?)</td></tr>',
        html,
        re.S,
    )
    clean = lambda s: " ".join(re.sub(r"<[^>]+>", "", s).split())  # noqa: E731
    return [(clean(a), clean(b), clean(c)) for a, b, c in rows]


@pytest.mark.django_db
def test_it_shows_who_changed_a_claim_and_what_changed(client, annotator, reviewer):
    article = ArticleFactory(body=BODY)
    claim = make("claim", "Keir Starmer met Emmanuel Macron", user=annotator, article=article)
    claim = annotations.claim_verdict_propose(
        claim=claim, user=annotator, verdict="inaccurate", expected_version=1
    )
    client.force_login(reviewer)
    client.post(
        reverse("review:act", args=["claim", claim.uuid, "verify"]), {"version": claim.version}
    )

    response = client.get(history("claim", claim))

    assert response.status_code == 200
    html = response.content.decode()
    heads = entries(html)
    assert heads[0].startswith("Changed by rita on ") and heads[0].endswith("— verified")
    assert heads[-1].startswith("Created by")
    newest = html.split('<li class="history-entry')[1]
    assert ("verdict state", "verdict proposed", "verified") in change_rows(newest)
    assert ("review state", "proposed", "approved") in change_rows(newest)
    assert ("verified by", "empty", "rita") in change_rows(newest)


@pytest.mark.django_db
def test_it_shows_evidence_added_and_removed_on_the_claim_history(client, annotator, reviewer):
    claim = make("claim", "Keir Starmer met Emmanuel Macron", user=annotator)
    evidence = annotations.evidence_add(
        claim=claim, user=annotator, url="https://example.org/a", note="Official record"
    )
    annotations.evidence_remove(evidence=evidence, user=annotator)
    client.force_login(reviewer)

    html = client.get(history("claim", claim)).content.decode()

    heads = entries(html)
    assert heads[0].startswith("Deleted evidence “https://example.org/a”")
    assert heads[1].startswith("Created evidence “https://example.org/a”")
    assert ("note", "empty", "Official record") in change_rows(html)
    # The evidence's own page still works after its deletion.
    evidence_page = client.get(history("evidence", evidence))
    assert evidence_page.status_code == 200
    assert "has been deleted" in evidence_page.content.decode()


@pytest.mark.django_db
def test_it_keeps_the_history_of_a_deleted_annotation(client, annotator, reviewer):
    quote = make("quote", "We need guarantees.", user=annotator)
    annotations.annotation_delete(span=quote, user=annotator, expected_version=1)
    client.force_login(reviewer)

    response = client.get(history("quote", quote))

    assert response.status_code == 200
    html = response.content.decode()
    assert "This quote has been deleted;" in html
    assert entries(html)[0].startswith("Deleted") and entries(html)[0].endswith("deleted")


@pytest.mark.django_db
def test_it_shows_only_the_changed_stretch_of_a_long_body(client, annotator):
    article = articles.article_import(
        created_by=annotator, title="Long", body="Start. " + "Filler sentence. " * 100 + "The end."
    )
    edited = article.body.replace("The end.", "The real end.")
    articles.article_update_body(
        article=article, body=edited, user=annotator, expected_revision=article.revision
    )
    client.force_login(annotator)

    html = client.get(history("article", article)).content.decode()

    heads = entries(html)
    assert heads[0].startswith("Changed by anna") and heads[0].endswith("— body edited")
    body_rows = [row for row in change_rows(html) if row[0] == "body"]
    old, new = body_rows[0][1], body_rows[0][2]
    assert old.endswith("The end.") and new.endswith("The real end.")
    assert old.startswith("…") and len(new) < 200  # not the whole 1,700-character body


@pytest.mark.django_db
def test_it_escapes_every_value(client, annotator, editor):
    body = 'He wrote <script>alert("x")</script> today.'
    article = ArticleFactory(title="<img src=x onerror=alert(1)>", body=body)
    quote = annotations.annotation_create(
        article=article, kind="quote", start=9, end=36, exact=None, user=annotator
    )
    client.force_login(editor)

    html = client.get(history("quote", quote)).content.decode()

    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the article, named by its title


@pytest.mark.django_db
def test_it_shows_alias_changes_on_the_entity_history(client, editor, reviewer):
    entity = EntityFactory(label="Keir Starmer")
    client.force_login(editor)
    client.post(reverse("knowledge:alias_add", args=[entity.uuid]), {"alias": "Sir Keir"})
    knowledge.entity_update(user=editor, entity=entity, label="Keir Rodney Starmer")
    client.force_login(reviewer)

    html = client.get(history("entity", entity)).content.decode()

    heads = entries(html)
    assert any(h.startswith("Created alias “Sir Keir” by edith") for h in heads)
    assert ("label", "Keir Starmer", "Keir Rodney Starmer") in change_rows(html)


@pytest.mark.django_db
def test_it_names_a_tenure_by_its_person_and_office(client, reviewer):
    tenure = TenureFactory(
        person=EntityFactory(label="Rishi Sunak"),
        office=EntityFactory(label="UK Prime Minister", kind="office"),
        start=dt.date(2022, 10, 25),
    )
    client.force_login(reviewer)
    html = client.get(history("tenure", tenure)).content.decode()
    assert "History of tenure “Rishi Sunak — UK Prime Minister”" in html
    assert ("start", "empty", "2022-10-25") in change_rows(html)


@pytest.mark.django_db
def test_it_reads_a_history_in_a_fixed_number_of_queries(
    client, annotator, reviewer, reviewer2, django_assert_num_queries
):
    claim = make("claim", "Keir Starmer met Emmanuel Macron", user=annotator)
    annotations.evidence_add(claim=claim, user=annotator, url="https://example.org/1")
    client.force_login(reviewer)
    url = history("claim", claim)
    # session, user, roles, claim records, evidence records, names of articles, users, claims
    with django_assert_num_queries(8):
        client.get(url)
    for n in range(2, 8):
        annotations.evidence_add(claim=claim, user=annotator, url=f"https://example.org/{n}")
        claim = annotations.annotation_update(
            span=claim, user=annotator, expected_version=claim.version, fields={"kind": "other"}
        )
    annotations.annotation_review(span=claim, user=reviewer2, approve=True, expected_version=None)
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(entries(response.content.decode())) == 1 + 7 + 6 + 1


@pytest.mark.django_db
def test_it_refuses_outsiders_and_anonymous_users(client, outsider, annotator):
    quote = make("quote", "We need guarantees.", user=annotator)
    url = history("quote", quote)
    assert client.get(url)["Location"].startswith(reverse("accounts:login"))
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 401
    client.force_login(outsider)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_it_answers_404_for_unknown_items_and_types(client, annotator):
    quote = make("quote", "We need guarantees.", user=annotator)
    client.force_login(annotator)
    assert (
        client.get(reverse("history:detail", args=["quote", annotator_uuid()])).status_code == 404
    )
    assert client.get(reverse("history:detail", args=["user", quote.uuid])).status_code == 404
    assert client.get(reverse("history:detail", args=["claim", quote.uuid])).status_code == 404


def annotator_uuid():
    import uuid

    return uuid.uuid4()


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_offers_no_way_to_change_the_history(client, editor, method):
    quote = make("quote", "We need guarantees.", user=editor)
    client.force_login(editor)
    response = getattr(client, method)(history("quote", quote))
    assert response.status_code == 405
    assert quote.history.count() == 1
