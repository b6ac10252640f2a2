"""`r` in the workspace asks for the reason, as it does in the review queue: it never rejects at
once, not even an automatic proposal (whose suggested reason is ready to send with Enter)."""

from __future__ import annotations

import pytest

from apps.annotations import services
from apps.annotations.models import DateMention
from tests.browser.conftest import login
from tests.factories import ArticleFactory

pytestmark = pytest.mark.browser

BODY = "Allies met in Paris on Tuesday, January 6, 2024. The talks went on late."


def test_r_asks_for_the_reason_before_rejecting_an_automatic_proposal(page, reviewer):
    article = ArticleFactory(title="Paris talks", body=BODY)
    text = "Tuesday, January 6, 2024"
    start = BODY.index(text)
    proposal = services.annotation_create(
        article=article,
        kind="date",
        start=start,
        end=start + len(text),
        exact=text,
        user=None,
        origin="automatic",
        extractor_version="dates-1",
    )
    login(page, reviewer)
    page.goto(f"/articles/{article.uuid}/?open=date/{proposal.uuid}")
    page.locator("#detail").get_by_role("button", name="Reject").wait_for()

    page.keyboard.press("r")

    reason = page.locator("#detail").get_by_label("Reason")
    assert reason.evaluate("element => element === document.activeElement")
    page.wait_for_timeout(300)  # had r sent the form, the request would be under way by now
    proposal.refresh_from_db()
    assert proposal.review_state == "proposed"
    # The suggested reason is selected: typing replaces it, Enter sends it.
    page.keyboard.type("Not a date of the event")
    page.keyboard.press("Enter")
    page.locator("#detail").get_by_text("Rejected.").wait_for()
    proposal = DateMention.objects.get(pk=proposal.pk)
    assert (proposal.review_state, proposal.review_note) == ("rejected", "Not a date of the event")
    assert page.errors == []
