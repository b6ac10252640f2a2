"""The dashboard: counts by state, the user's own work in review or sent back, what they could
review, recent findings."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.annotations import services
from apps.checks.models import Finding
from tests.factories import ArticleFactory
from tests.review.conftest import BODY, make

DASHBOARD = reverse("ops:dashboard")


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    text = re.sub(r"</t[dh]>", " ", html[start:end])
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


@pytest.mark.django_db
def test_it_shows_an_annotator_their_work_in_review_and_what_was_sent_back(
    client, annotator, reviewer
):
    article = ArticleFactory(title="Paris talks", body=BODY)
    waiting = make("quote", "We need guarantees.", user=annotator, article=article)
    rejected = make("mention", "Emmanuel Macron", user=annotator, article=article)
    services.annotation_review(
        span=rejected, user=reviewer, approve=False, expected_version=1, note="Wrong person."
    )
    claim = make("claim", "Keir Starmer met Emmanuel Macron", user=annotator, article=article)
    claim = services.claim_verdict_propose(
        claim=claim, user=annotator, verdict="accurate", expected_version=1
    )
    services.claim_verdict_return(
        claim=claim, user=reviewer, expected_version=claim.version, note="Needs a source."
    )
    client.force_login(annotator)

    html = client.get(DASHBOARD).content.decode()

    mine = section(html, "queue-h")
    assert "quote “We need guarantees.” in Paris talks" in mine
    assert f'href="/annotations/quote/{waiting.uuid}/"' in html  # opens it in the workspace
    assert waiting.exact in mine and "mention “Emmanuel Macron”" not in mine
    back = section(html, "back-h")
    assert "mention “Emmanuel Macron” rejected: “Wrong person.”" in back
    assert "verdict on claim “Keir Starmer met Emmanuel Macron”: “Needs a source.”" in back
    assert 'id="review-h"' not in html  # an annotator reviews nothing


@pytest.mark.django_db
def test_it_counts_what_a_reviewer_could_review_without_their_own_work(
    client, annotator, reviewer, editor
):
    article = ArticleFactory(body=BODY)
    make("quote", "We need guarantees.", user=annotator, article=article)
    make("quote", "The talks went on late.", user=editor, article=article)
    claim = make("claim", "Keir Starmer met Emmanuel Macron", user=annotator, article=article)
    services.claim_verdict_propose(
        claim=claim, user=annotator, verdict="accurate", expected_version=1
    )

    client.force_login(editor)
    review = section(client.get(DASHBOARD).content.decode(), "review-h")
    assert "1 claims" in review and "1 quotes" in review and "1 proposed verdicts" in review

    client.force_login(reviewer)
    review = section(client.get(DASHBOARD).content.decode(), "review-h")
    assert "2 quotes" in review


@pytest.mark.django_db
def test_it_shows_counts_and_recent_open_findings(client, reviewer, annotator):
    article = ArticleFactory(title="Seed article", body=BODY)
    make("quote", "We need guarantees.", user=annotator, article=article)
    Finding.objects.create(
        article=article,
        code="ROLE_AT_DATE",
        check_version="1",
        severity="error",
        message="Keir Starmer was not <b>UK Prime Minister</b> on 2024-01-06.",
        fingerprint="f1",
    )
    Finding.objects.create(
        article=article,
        code="ANCHORS",
        check_version="1",
        severity="warning",
        message="Resolved one.",
        fingerprint="f2",
        state="resolved",
    )
    client.force_login(reviewer)

    html = client.get(DASHBOARD).content.decode()

    findings = section(html, "findings-h")
    assert "ROLE_AT_DATE: Keir Starmer was not &lt;b&gt;UK Prime Minister&lt;/b&gt;" in findings
    assert "Resolved one." not in findings
    counts = section(html, "counts-h")
    assert "quote 1 0 0" in counts  # proposed, approved, rejected


@pytest.mark.django_db
def test_it_reads_the_dashboard_in_a_fixed_number_of_queries(
    client, editor, annotator, django_assert_num_queries
):
    client.force_login(editor)

    def fill() -> None:
        article = ArticleFactory(body=BODY)
        make("quote", "We need guarantees.", user=editor, article=article)
        make("claim", "Keir Starmer met Emmanuel Macron", user=annotator, article=article)
        Finding.objects.create(
            article=article,
            code="ANCHORS",
            check_version="1",
            severity="info",
            message="x",
            fingerprint=str(article.pk),
        )

    fill()
    # session, user, roles, articles, 4 spans, verdicts, my 4 types + returned, 5 review counts,
    # findings
    with django_assert_num_queries(20):
        client.get(DASHBOARD)
    for _ in range(4):
        fill()
    with django_assert_num_queries(20):
        client.get(DASHBOARD)


@pytest.mark.django_db
def test_it_tells_a_user_without_a_role_to_ask_an_editor(client, outsider, annotator):
    make("quote", "We need guarantees.", user=annotator)
    client.force_login(outsider)
    response = client.get(DASHBOARD)
    assert response.status_code == 403
    html = response.content.decode()
    assert "You have no role in Factdesk yet" in html
    assert "We need guarantees." not in html


@pytest.mark.django_db
def test_it_sends_anonymous_users_to_login(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
