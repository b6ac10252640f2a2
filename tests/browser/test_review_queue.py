"""The review queue in Chromium: keyboard review (issue 5, test 2) and two reviewers acting on the
same item at once (issue 5, test 5)."""

from __future__ import annotations

import pytest

from apps.accounts.services import user_set_roles
from apps.annotations import services
from apps.annotations.models import Claim, Quote
from tests.browser.conftest import login, screenshot
from tests.factories import ArticleFactory

pytestmark = pytest.mark.browser

BODY = (
    "UK Prime Minister Keir Starmer met Emmanuel Macron in Paris on Tuesday, January 6, 2024. "
    "Zelensky explained, “We need guarantees.” The talks went on late."
)


def _claim_with_verdict(annotator) -> Claim:
    article = ArticleFactory(title="Paris coalition meeting", body=BODY)
    text = "UK Prime Minister Keir Starmer met Emmanuel Macron in Paris"
    claim = services.annotation_create(
        article=article, kind="claim", start=0, end=len(text), exact=text, user=annotator
    )
    claim = services.claim_verdict_propose(
        claim=claim, user=annotator, verdict="inaccurate", expected_version=1
    )
    services.evidence_add(
        claim=claim, user=annotator, url="https://www.gov.uk/government/ministers/prime-minister"
    )
    start = BODY.index("We need guarantees.")
    services.annotation_create(
        article=article,
        kind="quote",
        start=start,
        end=start + len("We need guarantees."),
        exact=None,
        user=annotator,
    )
    return claim


def test_it_verifies_a_claim_by_keyboard_but_not_for_its_own_author(
    new_page, annotator, reviewer, editor
):
    claim = _claim_with_verdict(annotator)
    # Even with the reviewer role, the annotator may not verify what they proposed.
    user_set_roles(user=annotator, role_names=["annotator", "reviewer"], by=editor)
    item = f"#review-claim-{claim.uuid}"

    own = new_page()
    login(own, annotator)
    own.goto("/review/")
    # Their own item is not offered for verifying: it says why, and `a` does nothing.
    assert "another reviewer has to verify it" in own.locator(f"{item} .hint").inner_text()
    assert own.locator(f"{item} button[data-review-key='a']").count() == 0
    own.keyboard.press("j")
    own.keyboard.press("a")
    own.wait_for_timeout(500)
    claim.refresh_from_db()
    assert claim.verdict_state == Claim.VerdictState.PROPOSED

    page = new_page()
    login(page, reviewer)
    page.get_by_role("link", name="Review", exact=True).click()
    # The click starts a navigation; wait for the queue page rather than reading the old one.
    page.wait_for_url("**/review/")
    page.locator(item).wait_for(state="visible")
    screenshot(page, "review-queue")
    page.keyboard.press("j")  # the oldest item: the claim
    assert page.locator(item).evaluate("el => el === document.activeElement")
    page.keyboard.press("a")
    page.locator(f"{item} .review-msg.success").wait_for()
    assert "verified" in page.locator(f"{item} .verdict-state").inner_text()

    claim.refresh_from_db()
    assert claim.verdict_state == Claim.VerdictState.VERIFIED
    assert claim.verified_by == reviewer
    # The count refreshes itself after the action (reviewChanged event).
    page.get_by_text("1 item awaiting review.").wait_for()
    page.keyboard.press("j")  # moves on to the quote, still pending
    assert page.locator(":focus").get_attribute("id").startswith("review-quote-")
    assert page.errors == []
    assert own.errors == []


def test_it_shows_the_later_of_two_reviewers_the_conflict_inline(
    new_page, annotator, reviewer, reviewer2
):
    _claim_with_verdict(annotator)
    quote = Quote.objects.get()
    item = f"#review-quote-{quote.uuid}"
    first, second = new_page(), new_page()
    login(first, reviewer)
    login(second, reviewer2)
    first.goto("/review/?type=quote")
    second.goto("/review/?type=quote")

    first.locator(item).get_by_role("button", name="Approve").click()
    first.locator(f"{item} .review-msg.success").wait_for()

    second.keyboard.press("j")
    second.keyboard.press("r")  # asks for the reason
    reason = second.locator(f"{item} input[name=note]").last
    assert reason.evaluate("el => el === document.activeElement")
    reason.fill("Not a direct quote.")
    reason.press("Enter")
    conflict = second.locator(f"{item} .review-msg.error")
    conflict.wait_for()
    assert "changed by someone else" in conflict.inner_text()
    assert "approved by rita" in second.locator(item).inner_text()  # the state it is in now

    quote.refresh_from_db()
    assert (quote.review_state, quote.reviewed_by, quote.review_note) == ("approved", reviewer, "")
    assert first.errors == []
    # The 409 is reported by the browser's console as a failed request; nothing else may be.
    assert all("409" in e for e in second.errors), second.errors
