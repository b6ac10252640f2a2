"""A day's work in the browser (issue 14), on a phone (390×844) and on a desktop (1440×900): an
annotator claims a sentence and proposes a verdict with evidence, opens a highlight by tapping it
(its detail shows without scrolling), picks one of two overlapping highlights from the chooser,
re-attaches an orphan to a new selection, deletes an annotation and undoes it; a reviewer who
wrote part of the claim is refused verifying it (403, shown in place under DEBUG), approves the
quote (and an editor is refused the same in the review queue, in place); a second reviewer
verifies the claim."""

from __future__ import annotations

import pytest

from apps.accounts.services import user_set_roles
from apps.annotations import services
from apps.annotations.models import (
    SPAN_MODELS,
    AnchorState,
    Claim,
    DateMention,
    EntityMention,
    Quote,
)
from apps.articles.models import Article
from apps.articles.services import article_import, article_update_body
from tests.browser.conftest import login, screenshot
from tests.browser.test_workspace import select_with_mouse
from tests.factories import EntityFactory, annotate

pytestmark = pytest.mark.browser

BODY = (
    "Allies met in Paris on Tuesday. UK Prime Minister Keir Starmer said the talks were "
    "productive. The coalition promised air, land and sea support.\n\n"
    "Zelensky explained, “We determined what forces are needed.”"
)
NEW_QUOTE = "We agreed on the forces."

VIEWPORTS = {"phone": (390, 844), "desktop": (1440, 900)}


@pytest.fixture
def journey_article(annotator):
    article = article_import(title="Coalition talks in Paris", body=BODY, created_by=annotator)
    starmer = EntityFactory(label="Keir Starmer")
    annotate(article, "mention", "Keir Starmer", annotator, entity=starmer)
    annotate(article, "quote", "the talks were productive", annotator, speaker=starmer)
    annotate(article, "date", "Tuesday", annotator)
    quote = annotate(article, "quote", "We determined what forces are needed.", annotator)
    # An edit removes the quote's words: it is orphaned, kept with the words it had.
    article_update_body(
        article=article,
        body=BODY.replace("We determined what forces are needed.", NEW_QUOTE),
        user=annotator,
        expected_revision=article.revision,
    )
    quote.refresh_from_db()
    assert quote.anchor_state == AnchorState.ORPHANED
    # Only these spans (what extraction proposed from the text is another test's business).
    article.refresh_from_db()
    for model in SPAN_MODELS.values():
        model.objects.filter(article=article, origin="automatic").delete()
    Article.objects.filter(pk=article.pk).update(extracted_sha256=article.body_sha256)
    article.refresh_from_db()
    return article


def _in_viewport(page, selector: str) -> bool:
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.height > 0 && r.top >= 0 && r.top < window.innerHeight - 40; }""",
        selector,
    )


def _settled(page) -> None:
    """htmx has settled the detail's last swap: it has the focus (workspace.js gives it then)."""
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'detail'")


def _tap_or_click(page, locator, phone: bool) -> None:
    locator.scroll_into_view_if_needed()
    if phone:
        locator.tap()
    else:
        locator.click()


@pytest.mark.parametrize("layout", list(VIEWPORTS))
def test_the_whole_journey(
    browser, live_server, settings, layout, journey_article, annotator, reviewer, reviewer2, editor
):
    settings.DEBUG = True  # make run: django-htmx's debug script is on the page
    phone = layout == "phone"
    width, height = VIEWPORTS[layout]
    contexts = []

    def new_page():
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            has_touch=phone,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.on(
            "console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None
        )
        return page

    try:
        _journey(new_page, phone, journey_article, annotator, reviewer, reviewer2, editor)
    finally:
        for context in contexts:
            context.close()


def _journey(new_page, phone, article, annotator, reviewer, reviewer2, editor):
    page = new_page()
    login(page, annotator)
    page.goto(f"/articles/{article.uuid}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Review").is_visible()  # the nav wraps, none hidden

    # A quote's speaker is shown in the text while the quote has the focus (or the pointer).
    said = Quote.objects.get(article=article, exact="the talks were productive")
    mention = EntityMention.objects.get(article=article)
    mention_mark = page.locator(f'#article-body mark[data-ids="mention/{mention.uuid}"]')
    assert "speaker-of" not in mention_mark.get_attribute("class")
    page.locator(f'#article-body mark[data-ids="quote/{said.uuid}"]').focus()
    assert "speaker-of" in mention_mark.get_attribute("class")

    # Claim a sentence and propose a verdict with evidence.
    sentence = "UK Prime Minister Keir Starmer said the talks were productive."
    select_with_mouse(page, sentence)
    page.locator("#selection-menu").wait_for(state="visible")
    page.keyboard.press("c")
    detail = page.locator("#detail")
    detail.get_by_role("heading", name="Claim").wait_for()
    claim = Claim.objects.get(article=article, exact=sentence, origin="manual")
    detail.get_by_role("combobox", name="Verdict").select_option("inaccurate")
    detail.get_by_label("Summary").fill("He took office in July 2024.")
    detail.get_by_role("button", name="Propose verdict").click()
    detail.get_by_text("Verdict proposed: inaccurate.").wait_for()
    detail.get_by_label("URL").fill("https://www.gov.uk/government/people/keir-starmer")
    detail.get_by_role("button", name="Add evidence").click()
    detail.get_by_role("link", name="https://www.gov.uk/government/people/keir-starmer").wait_for()
    _settled(page)
    if phone:
        detail.get_by_role("button", name="Close").click()
        assert "sheet" not in (detail.get_attribute("class") or "")

    # Tap a highlight: its detail shows without scrolling by hand.
    date = DateMention.objects.get(article=article)
    tuesday = page.locator(f'#article-body mark[data-ids="date/{date.uuid}"]')
    _tap_or_click(page, tuesday, phone)
    detail.get_by_role("heading", name="Date").wait_for()
    _settled(page)  # once htmx has settled the swap, the detail has the focus and is in sight
    assert _in_viewport(page, "#detail")
    if phone:
        assert "sheet" in detail.get_attribute("class")
        screenshot(page, "workspace-phone")
        detail.get_by_role("button", name="Close").click()
        # Closing returns the focus to the highlight it was opened from.
        assert page.evaluate("document.activeElement.dataset.ids") == f"date/{date.uuid}"

    # Overlapping highlights: a chooser lists both, by keyboard too.
    overlap = page.locator(f'#article-body mark[data-ids~="mention/{mention.uuid}"]').first
    _tap_or_click(page, overlap, phone)
    chooser = page.get_by_role("dialog", name="Annotations on this text")
    chooser.wait_for()
    options = chooser.get_by_role("button")
    assert options.count() == 2
    labels = options.all_inner_texts()
    assert labels[0].startswith("Mention") and "Keir Starmer" in labels[0]
    assert labels[1].startswith("Claim") and sentence[:40] in labels[1]
    page.keyboard.press("ArrowDown")  # from the first (focused) to the second
    page.keyboard.press("Enter")
    detail.get_by_role("heading", name="Claim").wait_for()
    assert not chooser.is_visible()
    assert detail.get_attribute("data-key") == f"claim/{claim.uuid}"
    _settled(page)
    if phone:
        detail.get_by_role("button", name="Close").click()

    # Highlights are reachable by keyboard: Enter on a focused one opens it.
    tuesday.focus()
    page.keyboard.press("Enter")
    detail.get_by_role("heading", name="Date").wait_for()
    _settled(page)
    if phone:
        detail.get_by_role("button", name="Close").click()

    # Re-attach the orphaned quote to a new selection.
    quote = Quote.objects.get(article=article, anchor_state=AnchorState.ORPHANED)
    page.goto(f"/articles/{article.uuid}/?open=quote/{quote.uuid}")
    detail.get_by_text("orphaned").first.wait_for()
    if phone:
        detail.get_by_role("button", name="Close").click()
    select_with_mouse(page, NEW_QUOTE)
    reattach = page.locator("#selection-menu").get_by_role("button", name="Re-attach here")
    reattach.wait_for(state="visible")
    reattach.click()
    detail.get_by_text(f"Re-attached to “{NEW_QUOTE}”").wait_for()
    moved = Quote.objects.get(pk=quote.pk)
    start = article.body.index(NEW_QUOTE)
    assert (moved.uuid, moved.start, moved.end, moved.exact, moved.anchor_state) == (
        quote.uuid,
        start,
        start + len(NEW_QUOTE),
        NEW_QUOTE,
        AnchorState.ANCHORED,
    )
    assert page.locator(f'#article-body mark[data-ids~="quote/{quote.uuid}"]').count() == 1
    _settled(page)
    if phone:
        detail.get_by_role("button", name="Close").click()

    # Delete the date, then undo: it is back with the same identity.
    _tap_or_click(page, tuesday, phone)
    detail.get_by_role("heading", name="Date").wait_for()
    detail.get_by_role("button", name="Delete this date").click()
    detail.get_by_text("Deleted —").wait_for()
    assert not DateMention.objects.filter(pk=date.pk).exists()
    detail.get_by_role("button", name="Undo").click()
    detail.get_by_text("Restored: “Tuesday”").wait_for()
    back = DateMention.objects.get(pk=date.pk)
    assert (back.uuid, back.exact, back.created_by) == (date.uuid, "Tuesday", annotator)
    assert page.locator(f'#article-body mark[data-ids="date/{date.uuid}"]').count() == 1
    assert page.errors == []

    # A reviewer (also an annotator) who added evidence to the claim (in another tab) may not verify it: the 403
    # shows inside the detail, the page stays.
    user_set_roles(user=reviewer, role_names=["annotator", "reviewer"], by=editor)
    rev = new_page()
    login(rev, reviewer)
    rev.goto(f"/articles/{article.uuid}/?open=claim/{claim.uuid}")
    rev_detail = rev.locator("#detail")
    verify = rev_detail.get_by_role("button", name="Verify this verdict")
    verify.wait_for()
    services.evidence_add(
        claim=Claim.objects.get(pk=claim.pk), user=reviewer, url="https://example.org/b"
    )
    verify.click()
    refusal = rev_detail.locator(".msg-error")
    refusal.wait_for()
    assert "You cannot verify a claim you wrote part of" in refusal.inner_text()
    assert rev.locator("header.top nav").is_visible()  # the page was not replaced
    assert rev.locator("#article-body").is_visible() or phone
    assert Claim.objects.get(pk=claim.pk).verdict_state == "proposed"
    assert all("403" in e for e in rev.errors), rev.errors
    # The quote it did not touch: approve it.
    rev.goto(f"/articles/{article.uuid}/?open=quote/{quote.uuid}")
    rev_detail.get_by_role("button", name="Approve").click()
    rev_detail.get_by_text("Approved.").wait_for()
    assert Quote.objects.get(pk=quote.pk).review_state == "approved"

    # The same in the review queue: an editor who adds evidence (in another tab) after the
    # queue was loaded is refused inside the item.
    ed = new_page()
    login(ed, editor)
    ed.goto("/review/?type=claim")
    item = ed.locator(f"#review-claim-{claim.uuid}")
    item.locator("button[data-review-key='a']").wait_for()
    services.evidence_add(
        claim=Claim.objects.get(pk=claim.pk), user=editor, url="https://example.org/c"
    )
    item.locator("button[data-review-key='a']").click()
    item.locator(".review-msg.error").wait_for()
    assert "You cannot verify" in item.locator(".review-msg.error").inner_text()
    assert ed.locator("header.top nav").is_visible()  # the page was not replaced
    assert Claim.objects.get(pk=claim.pk).verdict_state == "proposed"
    assert all("403" in e for e in ed.errors), ed.errors

    # A second reviewer verifies the claim: four eyes.
    second = new_page()
    login(second, reviewer2)
    second.goto(f"/articles/{article.uuid}/?open=claim/{claim.uuid}")
    second.locator("#detail").get_by_role("button", name="Verify this verdict").click()
    second.locator("#detail").get_by_text("Verdict verified.").wait_for()
    assert Claim.objects.get(pk=claim.pk).verdict_state == "verified"
    assert second.errors == []
