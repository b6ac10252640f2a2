"""The review queue's layout options: compact rows, select-all for the bulk actions, and the
viewer's own items shown apart (they cannot approve them), all at a fixed query count."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.accounts.services import user_set_roles
from tests.factories import ArticleFactory
from tests.review.conftest import BODY, make

QUEUE = reverse("review:queue")
pytestmark = pytest.mark.django_db


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("<h2", start + 1)
    return html[start : end if end >= 0 else len(html)]


def ids_in(html: str) -> list[str]:
    return re.findall(r'<article id="review-([a-z]+-[0-9a-f-]+)"', html)


@pytest.fixture
def annotating_reviewer(annotator, editor):
    """An annotator who is also a reviewer: their own proposals are in the queue they review."""
    user_set_roles(user=annotator, role_names=["annotator", "reviewer"], by=editor)
    return annotator


def test_a_reviewers_own_items_are_shown_apart_and_say_why(
    client, annotating_reviewer, editor, article
):
    mine = make("quote", "We need guarantees.", user=annotating_reviewer, article=article)
    theirs = make("mention", "Emmanuel Macron", user=editor, article=article)
    client.force_login(annotating_reviewer)

    html = client.get(QUEUE).content.decode()

    to_review = section(html, "review-items-h")
    own = section(html, "review-own-h")
    assert ids_in(to_review) == [f"mention-{theirs.uuid}"]
    assert ids_in(own) == [f"quote-{mine.uuid}"]  # after, though older
    assert "you cannot approve or verify them: another reviewer has to" in own
    assert 'data-review-key="a"' not in own and "data-review-select" not in own
    # Headings in order: h1, then h2 sections, items as h3.
    assert re.findall(r"<h(\d)", html)[:1] == ["1"]
    assert "<h3" not in html[: html.index('id="review-items-h"')]


def test_own_items_come_after_everything_else_across_pages(
    client, annotating_reviewer, editor, settings, monkeypatch
):
    monkeypatch.setattr("apps.annotations.review_selectors.PAGE_SIZE", 2)
    mine = make("quote", "We need guarantees.", user=annotating_reviewer)
    others = [make("quote", "The talks went on late.", user=editor) for _ in range(3)]
    client.force_login(annotating_reviewer)

    first = client.get(QUEUE).content.decode()
    second = client.get(QUEUE + "?page=2").content.decode()

    assert ids_in(first) == [f"quote-{o.uuid}" for o in others[:2]]
    assert ids_in(section(second, "review-items-h")) == [f"quote-{others[2].uuid}"]
    assert ids_in(section(second, "review-own-h")) == [f"quote-{mine.uuid}"]


def test_compact_rows_drop_the_details_and_stay_compact_through_the_links(
    client, reviewer, annotator, claim, quote
):
    client.force_login(reviewer)

    full = client.get(QUEUE).content.decode()
    compact = client.get(QUEUE + "?rows=compact&type=quote").content.decode()

    assert 'class="review-meta"' in full
    assert re.search(r'<a href="/review/\?rows=compact"[^>]*>Compact rows</a>', full)
    assert 'class="review-meta"' not in compact and "review-compact" in compact
    assert ids_in(compact) == [f"quote-{quote.uuid}"]
    assert "Paris coalition meeting" in compact  # the article, on the item's line
    assert (
        'name="next" value="/review/?type=quote&amp;rows=compact"' in compact
    )  # kept after acting
    assert '<input type="hidden" name="rows" value="compact">' in compact  # kept when filtering
    assert re.search(r'<a href="/review/\?type=quote"[^>]*>Full rows</a>', compact)


def test_select_all_checks_every_item_the_viewer_may_act_on(
    client, annotating_reviewer, editor, article
):
    make("quote", "We need guarantees.", user=annotating_reviewer, article=article)
    make("mention", "Emmanuel Macron", user=editor, article=article)
    make("date", "Tuesday, January 6, 2024", article=article, origin="automatic")
    client.force_login(annotating_reviewer)

    before = client.get(QUEUE).content.decode()
    selected = client.get(QUEUE + "?select=all").content.decode()

    assert 'href="/review/?select=all"' in before and " checked>" not in before
    boxes = re.findall(r"<input type=\"checkbox\"[^>]*data-review-select[^>]*>", selected)
    assert len(boxes) == 2 and all(box.endswith(" checked>") for box in boxes)  # not the own one
    assert "Select none" in selected


def test_select_all_then_bulk_approve_approves_them(client, reviewer, quote, auto_date):
    client.force_login(reviewer)
    html = client.get(QUEUE + "?select=all").content.decode()
    items = re.findall(r'name="item" value="([^"]+)"[^>]* checked>', html)

    response = client.post(reverse("review:bulk"), {"action": "approve", "item": items})

    assert response.status_code == 302
    quote.refresh_from_db()
    auto_date.refresh_from_db()
    assert (quote.review_state, auto_date.review_state) == ("approved", "approved")


def test_the_queue_costs_a_fixed_number_of_queries_in_every_layout(
    client, annotating_reviewer, editor, django_assert_num_queries
):
    client.force_login(annotating_reviewer)

    def fill(n: int) -> None:
        for _ in range(n):
            a = ArticleFactory(body=BODY)
            make("claim", "Keir Starmer met Emmanuel Macron", user=editor, article=a)
            make("quote", "We need guarantees.", user=annotating_reviewer, article=a)
            make("mention", "Emmanuel Macron", user=editor, article=a)
            make("date", "Tuesday, January 6, 2024", article=a, origin="automatic")

    fill(1)
    # session, user, roles, count, page, 4 × items by type, evidence, article choices
    for url in (QUEUE, QUEUE + "?rows=compact&select=all"):
        with django_assert_num_queries(11):
            client.get(url)
    fill(5)
    for url in (QUEUE, QUEUE + "?rows=compact&select=all", QUEUE + "?page=2"):
        with django_assert_num_queries(11):
            client.get(url)
