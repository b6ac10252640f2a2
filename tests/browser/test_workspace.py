"""The workspace in Chromium: what only a browser can show (a mouse selection turned into code
point offsets, the selection menu and its keys, the findings panel filling in by itself)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from apps.annotations.models import Claim
from apps.articles.models import Article
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

# The rectangle of the text `needle` inside #article-body, found by the browser itself (the
# body may be cut into several <mark>s and text nodes).
_RECT_OF = """
([needle]) => {
  const body = document.getElementById("article-body");
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = "";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push([node, text.length]);
    text += node.data;
  }
  const at = text.indexOf(needle);
  if (at < 0) return null;
  const locate = (offset) => {
    for (let i = nodes.length - 1; i >= 0; i--) {
      if (nodes[i][1] <= offset) return [nodes[i][0], offset - nodes[i][1]];
    }
  };
  const first = document.createRange();
  first.setStart(...locate(at));
  first.setEnd(...locate(at + 1));
  const last = document.createRange();
  last.setStart(...locate(at + needle.length - 1));
  last.setEnd(...locate(at + needle.length));
  const a = first.getClientRects()[0], b = last.getClientRects()[0];
  return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
}
"""


def select_with_mouse(page, needle: str) -> None:
    """Drag the mouse from the first to the last character of `needle`, as a person would."""
    page.locator("#article-body").get_by_text(
        needle, exact=False
    ).first.scroll_into_view_if_needed()
    rect = page.evaluate(_RECT_OF, [needle])
    assert rect, f"{needle!r} is not in the page"
    page.mouse.move(rect["x1"], rect["y1"])
    page.mouse.down()
    page.mouse.move((rect["x1"] + rect["x2"]) / 2, rect["y2"], steps=4)
    page.mouse.move(rect["x2"], rect["y2"], steps=4)
    page.mouse.up()


ARTICLE_TEXT = (
    "Allies met in Paris on Tuesday. UK Prime Minister Keir Starmer said the talks were "
    "productive. The coalition promised air, land and sea support.\n\n"
    "Zelensky explained, “We determined what forces are needed.”"
)


def test_it_lets_an_annotator_import_select_claim_and_rate_a_sentence(page, annotator):
    login(page, annotator)
    page.goto("/articles/")
    page.get_by_role("link", name="Import an article").click()
    page.get_by_label("Title").fill("Coalition talks in Paris")
    page.get_by_label("Source").fill("Test Wire")
    page.get_by_label("Published on").fill("2026-01-07")
    page.get_by_label("Article text").fill(ARTICLE_TEXT)
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r"/articles/[0-9a-f-]{36}/$"))
    article = Article.objects.get(title="Coalition talks in Paris")

    sentence = "UK Prime Minister Keir Starmer said the talks were productive."
    select_with_mouse(page, sentence)
    menu = page.locator("#selection-menu")
    menu.wait_for(state="visible")
    page.keyboard.press("c")

    detail = page.locator("#detail")
    detail.get_by_role("heading", name="Claim").wait_for()
    claim = Claim.objects.get(article=article, origin="manual")
    assert (claim.exact, claim.start, claim.end) == (
        sentence,
        ARTICLE_TEXT.index(sentence),
        ARTICLE_TEXT.index(sentence) + len(sentence),
    )

    detail.get_by_role("combobox", name="Verdict").select_option("inaccurate")
    detail.get_by_label("Summary").fill("He took office in July 2024.")
    detail.get_by_role("button", name="Propose verdict").click()
    detail.get_by_text("Verdict proposed: inaccurate.").wait_for()
    page.locator("#detail").get_by_label("URL").fill(
        "https://www.gov.uk/government/people/keir-starmer"
    )
    page.locator("#detail").get_by_label("Title").fill("Keir Starmer – GOV.UK")
    page.locator("#detail").get_by_role("button", name="Add evidence").click()
    page.locator("#detail").get_by_role("link", name="Keir Starmer – GOV.UK").wait_for()

    row = page.locator(f'#annotations li[data-key="claim/{claim.uuid}"]')
    assert row.locator(".badge.v-inaccurate").text_content() == "inaccurate"
    claim.refresh_from_db()
    assert (claim.verdict, claim.verdict_state, claim.rating) == ("inaccurate", "proposed", 1)
    assert [e.url for e in claim.evidence.all()] == [
        "https://www.gov.uk/government/people/keir-starmer"
    ]
    screenshot(page, "workspace-claim")
    assert page.errors == []


EMOJI_TEXT = (
    "Fans cheered 🎉🎉 and waved 👍🏽 flags as the judge 👩‍⚖️ arrived.\n"
    "Officials said the park reopens on Friday, March 6, 2026."
)


def test_it_stores_code_point_offsets_after_emoji(page, annotator):
    from tests.factories import ArticleFactory

    article = ArticleFactory(title="Park reopening", body=EMOJI_TEXT)
    login(page, annotator)
    page.goto(f"/articles/{article.uuid}/")
    target = "said the park reopens on Friday, March 6, 2026."
    select_with_mouse(page, target)
    page.locator("#selection-menu").get_by_role("button", name="Claim").click()
    page.locator("#detail").get_by_role("heading", name="Claim").wait_for()

    claim = Claim.objects.get(article=article)
    start = EMOJI_TEXT.index(target)  # Python counts code points, as the API and the checks do
    assert (claim.start, claim.end, claim.exact) == (start, start + len(target), target)
    # The browser's UTF-16 position is 5 units further: 🎉 🎉 👍 🏽 👩 are outside the BMP.
    assert len(EMOJI_TEXT[:start].encode("utf-16-le")) // 2 == start + 5
    assert page.errors == []


def test_it_fills_the_findings_panel_by_itself_when_the_checks_finish(page, annotator, reviewer):
    from apps.annotations import services
    from apps.checks.models import Finding
    from tests.factories import ArticleFactory

    body = (
        "UK Prime Minister Keir Starmer met allies in Paris on January 6, 2024. "
        "Zelensky explained, “We determined what forces are needed.”"
    )
    article = ArticleFactory(title="Paris meeting", body=body, published_on=dt.date(2026, 1, 7))

    def span(kind, text, **fields):
        start = body.index(text)
        return services.annotation_create(
            article=article,
            kind=kind,
            start=start,
            end=start + len(text),
            exact=text,
            user=annotator,
            fields=fields,
        )

    span("claim", body[: body.index(" Zelensky")])
    mention = span(
        "mention",
        "Keir Starmer",
        title_start=0,
        title_end=len("UK Prime Minister"),
        title_text="UK Prime Minister",
    )
    span("date", "January 6, 2024", value=dt.date(2024, 1, 6))
    span("quote", "We determined what forces are needed.", speaker_text="Zelensky")
    # Extraction has run; the checks are queued (as after any change), not finished, when the
    # page is opened.
    Article.objects.filter(pk=article.pk).update(
        extracted_sha256=article.body_sha256, check_state=Article.CheckState.PENDING
    )

    login(page, reviewer)
    page.goto(f"/articles/{article.uuid}/")
    panel = page.locator("#findings")
    assert "queued" in panel.locator(".check-state").inner_text()

    message = "Keir Starmer was not UK Prime Minister on 6 January 2024 (Rishi Sunak was)."
    Finding.objects.create(
        article=article,
        code="ROLE_AT_DATE",
        check_version="1",
        severity=Finding.Severity.ERROR,
        message=message,
        spans=[
            {
                "type": "mention",
                "uuid": str(mention.uuid),
                "start": mention.start,
                "end": mention.end,
                "exact": mention.exact,
            }
        ],
        fingerprint="starmer-2024-01-06",
    )
    Article.objects.filter(pk=article.pk).update(check_state=Article.CheckState.DONE)

    panel.get_by_text(message).wait_for(timeout=8_000)  # no reload: the panel asked by itself
    assert "Checks done" in panel.locator(".check-state").inner_text()
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1

    panel.get_by_role("link", name="“Keir Starmer”").click()
    flashed = f'#article-body mark.flash[data-ids~="mention/{mention.uuid}"]'
    page.locator(flashed).first.wait_for()
    page.locator("#detail").get_by_role("heading", name="Entity mention").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "workspace")

    # Keyboard: ? shows the help, Escape closes it, a approves the open annotation.
    page.keyboard.press("?")
    assert page.get_by_role("dialog", name="Keyboard shortcuts").is_visible()
    page.keyboard.press("Escape")
    assert not page.get_by_role("dialog", name="Keyboard shortcuts").is_visible()
    page.keyboard.press("a")
    page.locator("#detail").get_by_text("Approved.").wait_for()
    mention.refresh_from_db()
    assert (mention.review_state, mention.reviewed_by) == ("approved", reviewer)
    assert page.errors == []
