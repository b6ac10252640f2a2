"""The review queue: what it lists, its filters and paging, and its query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.annotations import services
from apps.annotations.review_selectors import PAGE_SIZE
from tests.factories import ArticleFactory
from tests.review.conftest import BODY, make

QUEUE = reverse("review:queue")


def item_ids(response) -> list[str]:
    html = response.content.decode()
    return [
        chunk.split('"', 1)[0]
        for chunk in html.split('<article id="review-')[1:]
        if not chunk.startswith("list")
    ]


@pytest.mark.django_db
def test_it_lists_every_type_of_proposal_and_proposed_verdicts(
    client, reviewer, claim, quote, auto_date, mention, annotator, article
):
    approved = make("quote", "The talks went on late.", user=annotator, article=article)
    services.annotation_review(span=approved, user=reviewer, approve=True, expected_version=1)
    client.force_login(reviewer)

    response = client.get(QUEUE)

    assert response.status_code == 200
    ids = item_ids(response)
    assert ids == [
        f"claim-{claim.uuid}",
        f"quote-{quote.uuid}",
        f"date-{auto_date.uuid}",
        f"mention-{mention.uuid}",
    ]  # oldest first; the approved quote is not pending
    html = response.content.decode()
    assert "4 items awaiting review" in html
    assert "Verify verdict" in html  # the claim's proposed verdict
    assert "dates-1" in html  # the extractor of the automatic proposal


@pytest.mark.django_db
def test_it_keeps_a_claim_whose_verdict_awaits_verification_after_the_claim_was_approved(
    client, reviewer, reviewer2, claim
):
    services.annotation_review(
        span=claim, user=reviewer2, approve=True, expected_version=claim.version
    )
    client.force_login(reviewer)

    response = client.get(QUEUE + "?type=verdict")

    assert item_ids(response) == [f"claim-{claim.uuid}"]
    assert "Approve" not in response.content.decode().split('id="review-claim-')[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, expected",
    [
        ("type=quote", ["quote"]),
        ("type=verdict", ["claim"]),
        ("origin=automatic", ["date"]),
        ("origin=manual", ["claim", "quote", "mention"]),
        ("kind=other", ["claim"]),
        ("kind=quantity", []),
        ("type=nonsense", ["claim", "quote", "date", "mention"]),  # unknown filter: ignored
    ],
)
def test_it_filters_the_queue(client, reviewer, claim, quote, auto_date, mention, query, expected):
    client.force_login(reviewer)
    response = client.get(f"{QUEUE}?{query}")
    assert [i.split("-", 1)[0] for i in item_ids(response)] == expected


@pytest.mark.django_db
def test_it_filters_by_article(client, reviewer, annotator, claim, quote):
    other = ArticleFactory(title="Another article", body=BODY)
    elsewhere = make("quote", "We need guarantees.", user=annotator, article=other)
    client.force_login(reviewer)

    response = client.get(f"{QUEUE}?article={other.uuid}")

    assert item_ids(response) == [f"quote-{elsewhere.uuid}"]
    html = response.content.decode()
    # Both articles with pending work are offered in the article filter, the chosen one selected.
    assert f'<option value="{other.uuid}" selected>Another article</option>' in html
    assert "Paris coalition meeting</option>" in html


@pytest.mark.django_db
def test_it_pages_the_queue_oldest_first(client, reviewer, annotator, article):
    spans = [
        make("quote", "The talks went on late.", user=annotator, article=ArticleFactory(body=BODY))
        for _ in range(PAGE_SIZE + 2)
    ]
    client.force_login(reviewer)

    first = client.get(QUEUE)
    second = client.get(QUEUE + "?page=2")

    assert len(item_ids(first)) == PAGE_SIZE
    assert item_ids(second) == [f"quote-{s.uuid}" for s in spans[PAGE_SIZE:]]
    assert "Page 2 of 2" in second.content.decode()


@pytest.mark.django_db
def test_it_reads_the_queue_in_a_fixed_number_of_queries(
    client, reviewer, annotator, django_assert_num_queries
):
    client.force_login(reviewer)

    def fill(n: int) -> None:
        for _ in range(n):
            a = ArticleFactory(body=BODY)
            make("claim", "Keir Starmer met Emmanuel Macron", user=annotator, article=a)
            make("quote", "We need guarantees.", user=annotator, article=a)
            make("mention", "Emmanuel Macron", user=annotator, article=a)
            make("date", "Tuesday, January 6, 2024", article=a, origin="automatic")

    fill(1)
    # session, user, roles, count, page, 4 × items by type, evidence, article choices
    with django_assert_num_queries(11):
        client.get(QUEUE)
    fill(5)
    with django_assert_num_queries(11):
        response = client.get(QUEUE)
    assert len(item_ids(response)) == 24


@pytest.mark.django_db
def test_it_shows_the_queue_to_annotators_without_the_actions(client, annotator, quote):
    client.force_login(annotator)
    response = client.get(QUEUE)
    assert item_ids(response) == [f"quote-{quote.uuid}"]
    assert "/approve/" not in response.content.decode()
    assert 'id="bulk-form"' not in response.content.decode()


@pytest.mark.django_db
def test_it_refuses_the_queue_to_outsiders_and_anonymous_users(client, outsider, quote):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    response = client.get(QUEUE, headers={"HX-Request": "true"})
    assert response.status_code == 401
    client.force_login(outsider)
    assert client.get(QUEUE).status_code == 403


@pytest.mark.django_db
def test_it_escapes_article_text_in_the_queue(client, reviewer, annotator):
    body = 'He wrote <script>alert("x")</script> and <img src=x onerror=alert(1)> today.'
    article = ArticleFactory(title="<b>Bold</b> title", body=body)
    services.annotation_create(
        article=article, kind="quote", start=9, end=36, exact=None, user=annotator
    )
    client.force_login(reviewer)

    html = client.get(QUEUE).content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in html


@pytest.mark.django_db
def test_it_renders_only_the_list_for_an_htmx_request_targeting_it(client, reviewer, quote):
    client.force_login(reviewer)
    response = client.get(QUEUE, headers={"HX-Request": "true", "HX-Target": "review-list"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="review-list"')
    assert "<html" not in html


@pytest.mark.django_db
def test_it_shows_one_item_in_its_current_state_on_its_own_page(client, reviewer, claim):
    from apps.annotations import services as annotation_services

    annotation_services.evidence_add(
        claim=claim, user=claim.created_by, url="https://example.org/record", title="Record"
    )
    client.force_login(reviewer)
    url = reverse("review:item", args=["claim", claim.uuid])

    page = client.get(url).content.decode()
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert "<h1>Claim in review</h1>" in page
    assert '<a href="https://example.org/record" rel="noopener noreferrer">Record</a>' in page
    assert partial.lstrip().startswith(f'<article id="review-claim-{claim.uuid}"')
    assert client.get(reverse("review:item", args=["nonsense", claim.uuid])).status_code == 404
