"""Bulk approve / reject from the review queue."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.annotations.models import Claim, ReviewState

BULK = reverse("review:bulk")


def key(kind, span, version=None) -> str:
    return f"{kind}:{span.uuid}:{version or span.version}"


def fresh(span):
    return type(span).objects.get(pk=span.pk)


@pytest.mark.django_db
def test_it_approves_the_selected_items_and_verifies_a_proposed_verdict(
    client, reviewer, quote, auto_date, claim
):
    client.force_login(reviewer)

    response = client.post(
        BULK,
        {
            "action": "approve",
            "item": [key("quote", quote), key("date", auto_date), key("claim", claim)],
            "next": reverse("review:queue"),
        },
    )

    assert response.status_code == 302
    assert fresh(quote).review_state == ReviewState.APPROVED
    assert fresh(auto_date).review_state == ReviewState.APPROVED
    assert fresh(claim).verdict_state == Claim.VerdictState.VERIFIED
    assert "3 item(s) done." in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_reports_each_failure_and_keeps_the_others_done(
    client, reviewer, editor, quote, mention, htmx
):
    client.force_login(editor)  # the editor created the mention: that one is refused

    response = client.post(
        BULK,
        {
            "action": "reject",
            "note": "Off topic.",
            "item": [key("quote", quote), key("mention", mention)],
        },
        headers={"HX-Request": "true"} if htmx else {},
    )

    html = response.content.decode()
    assert response.status_code == (200 if htmx else 403)
    assert "You cannot review your own work" in html
    assert "Quote rejected." in html
    assert fresh(quote).review_state == ReviewState.REJECTED
    assert fresh(quote).review_note == "Off topic."
    assert fresh(mention).review_state == ReviewState.PROPOSED
    if htmx:
        assert html.lstrip().startswith('<div id="review-list"')


@pytest.mark.django_db
def test_it_reports_a_conflict_on_a_stale_item(client, reviewer, reviewer2, quote, auto_date):
    client.force_login(reviewer2)
    client.post(BULK, {"action": "approve", "item": [key("quote", quote)]})
    client.force_login(reviewer)

    response = client.post(
        BULK, {"action": "approve", "item": [key("quote", quote, 1), key("date", auto_date)]}
    )

    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert fresh(quote).reviewed_by == reviewer2
    assert fresh(auto_date).reviewed_by == reviewer


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "reject", "item": ["quote:{uuid}:1"]}, "Give a reason for rejecting"),
        ({"action": "approve"}, "Select at least one item"),
        ({"action": "approve", "item": ["quote:not-a-uuid:1"]}, "is not valid"),
        ({"action": "delete", "item": ["quote:{uuid}:1"]}, "Unknown action"),
    ],
)
def test_it_refuses_bad_bulk_input_and_changes_nothing(
    client, reviewer, quote, htmx, data, message
):
    client.force_login(reviewer)
    if "item" in data:
        data = {**data, "item": [v.format(uuid=quote.uuid) for v in data["item"]]}

    response = client.post(BULK, data, headers={"HX-Request": "true"} if htmx else {})

    assert response.status_code == 422
    assert message in response.content.decode()
    assert fresh(quote).review_state == ReviewState.PROPOSED


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["annotator", "outsider"])
def test_it_refuses_bulk_actions_to_non_reviewers(client, request, role, quote):
    client.force_login(request.getfixturevalue(role))
    response = client.post(BULK, {"action": "approve", "item": [key("quote", quote)]})
    assert response.status_code == 403
    assert fresh(quote).review_state == ReviewState.PROPOSED


@pytest.mark.django_db
def test_it_sends_anonymous_bulk_requests_to_login(client, quote):
    response = client.post(BULK, {"action": "approve", "item": [key("quote", quote)]})
    assert response.status_code == 302
    response = client.post(
        BULK, {"action": "approve", "item": [key("quote", quote)]}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 401
    assert fresh(quote).review_state == ReviewState.PROPOSED
