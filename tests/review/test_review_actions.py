"""Approve / reject / verify / send back from the review queue: the plain (no-JavaScript) path
and the htmx path, for each role, with the services' refusals shown where the user acted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.annotations.models import Claim, Quote, ReviewState

HTMX = {"HX-Request": "true"}
NEXT = reverse("review:queue") + "?type=quote"


def act_url(span, kind: str, action: str) -> str:
    return reverse("review:act", args=[kind, span.uuid, action])


def post(client, url, *, htmx: bool, **data):
    data.setdefault("next", NEXT)
    return client.post(url, data, headers=HTMX if htmx else {})


def fresh(span):
    return type(span).objects.get(pk=span.pk)


# --- Approve and reject -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_it_approves_without_javascript_and_returns_to_the_filtered_queue(
    client, request, role, quote
):
    user = request.getfixturevalue(role)
    client.force_login(user)

    response = post(client, act_url(quote, "quote", "approve"), htmx=False, version=1)

    assert response.status_code == 302
    assert response["Location"] == NEXT
    quote = fresh(quote)
    assert quote.review_state == ReviewState.APPROVED
    assert quote.reviewed_by == user
    assert quote.history.first().history_user == user  # recorded as the reviewer's change
    page = client.get(NEXT).content.decode()
    assert "Quote approved." in page  # the flash message on the page the reviewer returns to


@pytest.mark.django_db
def test_it_approves_with_htmx_and_answers_with_the_item_in_its_new_state(client, reviewer, quote):
    client.force_login(reviewer)

    response = post(client, act_url(quote, "quote", "approve"), htmx=True, version=1)

    assert response.status_code == 200
    assert response["HX-Trigger"] == "reviewChanged"
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article id="review-quote-{quote.uuid}"')
    assert "Quote approved." in html
    assert "approved by rita" in html
    assert "/approve/" not in html  # nothing left to act on
    assert fresh(quote).review_state == ReviewState.APPROVED


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_rejects_with_a_reason(client, reviewer, quote, htmx):
    client.force_login(reviewer)

    response = post(
        client, act_url(quote, "quote", "reject"), htmx=htmx, version=1, note="Not a quote."
    )

    assert response.status_code == (200 if htmx else 302)
    quote = fresh(quote)
    assert quote.review_state == ReviewState.REJECTED
    assert quote.review_note == "Not a quote."


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_refuses_a_rejection_without_a_reason_and_changes_nothing(client, reviewer, quote, htmx):
    client.force_login(reviewer)

    response = post(client, act_url(quote, "quote", "reject"), htmx=htmx, version=1, note="  ")

    assert response.status_code == 422
    assert "Give a reason." in response.content.decode()
    quote = fresh(quote)
    assert (quote.review_state, quote.version) == (ReviewState.PROPOSED, 1)
    if not htmx:  # the whole queue again, with the item and its message on top
        assert "What just happened" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_refuses_a_form_without_the_version(client, reviewer, quote, htmx):
    client.force_login(reviewer)
    response = post(client, act_url(quote, "quote", "approve"), htmx=htmx)
    assert response.status_code == 422
    assert "reload the page" in response.content.decode()
    assert fresh(quote).review_state == ReviewState.PROPOSED


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_shows_why_a_reviewer_cannot_approve_their_own_work(client, editor, mention, htmx):
    client.force_login(editor)  # the editor created the mention

    response = post(client, act_url(mention, "mention", "approve"), htmx=htmx, version=1)

    assert response.status_code == 403
    assert "You cannot review your own work" in response.content.decode()
    assert fresh(mention).review_state == ReviewState.PROPOSED
    if htmx:  # static/js/review.js swaps such a refusal into the item
        assert response["X-Inline-Message"] == "1"


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_shows_the_current_state_when_someone_else_acted_first(
    client, reviewer, reviewer2, quote, htmx
):
    client.force_login(reviewer2)
    post(client, act_url(quote, "quote", "reject"), htmx=False, version=1, note="Duplicate.")
    client.force_login(reviewer)

    response = post(client, act_url(quote, "quote", "approve"), htmx=htmx, version=1)

    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else" in html
    assert "rejected by rob" in html and "Duplicate." in html  # the state it is in now
    quote = fresh(quote)
    assert (quote.review_state, quote.reviewed_by, quote.version) == ("rejected", reviewer2, 2)


# --- Verdicts ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_verifies_a_proposed_verdict(client, reviewer, claim, htmx):
    client.force_login(reviewer)

    response = post(client, act_url(claim, "claim", "verify"), htmx=htmx, version=claim.version)

    assert response.status_code == (200 if htmx else 302)
    claim = fresh(claim)
    assert claim.verdict_state == Claim.VerdictState.VERIFIED
    assert claim.verified_by == reviewer
    assert claim.review_state == ReviewState.APPROVED  # verifying approves the claim too
    if htmx:
        assert "verified" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_shows_why_a_claim_cannot_be_verified_while_an_error_finding_is_open(
    client, reviewer, claim, htmx
):
    from apps.checks.models import Finding

    Finding.objects.create(
        article=claim.article,
        code="ROLE_AT_DATE",
        check_version="1",
        severity="error",
        message="Keir Starmer was not UK Prime Minister on 2024-01-06",
        fingerprint="f1",
    )
    client.force_login(reviewer)

    response = post(client, act_url(claim, "claim", "verify"), htmx=htmx, version=claim.version)

    assert response.status_code == 422  # swapped into the item like any refusal
    html = response.content.decode()
    assert "cannot be verified while the article has open error findings" in html
    assert "Keir Starmer was not UK Prime Minister on 2024-01-06" in html
    assert fresh(claim).verdict_state == Claim.VerdictState.PROPOSED


@pytest.mark.django_db
def test_it_will_not_let_the_annotator_verify_their_own_claim(client, claim, annotator, editor):
    from apps.accounts.services import user_set_roles

    user_set_roles(user=annotator, role_names=["annotator", "reviewer"], by=editor)
    client.force_login(annotator)

    response = post(client, act_url(claim, "claim", "verify"), htmx=True, version=claim.version)

    assert response.status_code == 403
    assert "another reviewer has to" in response.content.decode()
    assert fresh(claim).verdict_state == Claim.VerdictState.PROPOSED


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_sends_a_verdict_back_with_a_reason_only(client, reviewer, claim, htmx):
    client.force_login(reviewer)
    url = act_url(claim, "claim", "return")

    refused = post(client, url, htmx=htmx, version=claim.version)
    assert refused.status_code == 422
    assert fresh(claim).verdict_state == Claim.VerdictState.PROPOSED

    response = post(client, url, htmx=htmx, version=claim.version, note="Source is a blog.")
    assert response.status_code == (200 if htmx else 302)
    claim = fresh(claim)
    assert (claim.verdict_state, claim.verdict_note) == ("returned", "Source is a blog.")


@pytest.mark.django_db
def test_it_has_no_verify_action_for_other_types(client, reviewer, quote):
    client.force_login(reviewer)
    response = post(client, act_url(quote, "quote", "verify"), htmx=False, version=1)
    assert response.status_code == 404


# --- Who may act ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["annotator", "outsider"])
@pytest.mark.parametrize("htmx", [False, True])
def test_it_refuses_users_who_are_not_reviewers(client, request, role, htmx, quote, claim):
    client.force_login(request.getfixturevalue(role))
    for url in (act_url(quote, "quote", "approve"), act_url(claim, "claim", "verify")):
        response = post(client, url, htmx=htmx, version=1)
        assert response.status_code == 403
    assert fresh(quote).review_state == ReviewState.PROPOSED
    assert fresh(claim).verdict_state == Claim.VerdictState.PROPOSED


@pytest.mark.django_db
def test_it_sends_anonymous_users_to_the_login_page(client, quote):
    url = act_url(quote, "quote", "approve")
    response = post(client, url, htmx=False, version=1)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    response = post(client, url, htmx=True, version=1)
    assert response.status_code == 401
    assert response["X-Login-Required"] == "1"
    assert fresh(quote).review_state == ReviewState.PROPOSED


@pytest.mark.django_db
def test_it_refuses_get_on_an_action(client, reviewer, quote):
    client.force_login(reviewer)
    assert client.get(act_url(quote, "quote", "approve")).status_code == 405
    assert fresh(quote).review_state == ReviewState.PROPOSED


@pytest.mark.django_db
def test_it_never_redirects_to_another_site(client, reviewer, quote):
    client.force_login(reviewer)
    response = post(
        client, act_url(quote, "quote", "approve"), htmx=False, version=1, next="https://evil.test/"
    )
    assert response["Location"] == reverse("review:queue")


@pytest.mark.django_db
def test_it_answers_404_for_a_deleted_item(client, reviewer, quote, annotator):
    from apps.annotations import services

    services.annotation_delete(span=quote, user=annotator, expected_version=1)
    client.force_login(reviewer)
    response = post(client, act_url(quote, "quote", "approve"), htmx=True, version=1)
    assert response.status_code == 404
    assert not Quote.objects.exists()
