"""Hostile markup in an article, its annotations, evidence, findings and the knowledge base is
shown as text everywhere a person reads it (workspace, detail panels, history, review queue,
dashboard, KB pages) and exported as data (JSON-LD, CSV), never run as code.

Each payload sets `window.__pwned` if it runs. The site's Content-Security-Policy would also block
an inline script that escaping let through, so the tests do not rely on `__pwned` alone: they
check that no element was made from the markup, that the browser reported no CSP violation, and
that the markup is on the page as the very characters that were typed."""

from __future__ import annotations

import json
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from apps.annotations.models import Claim, Evidence
from tests.browser.conftest import login
from tests.factories import annotate

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
JS_LINK = '<a href="javascript:window.__pwned=3">click</a>'
SVG = '"><svg onload=window.__pwned=4>'
ORPHAN_IMG = '<img src=x onerror="window.__pwned=9">'

CLAIM_SCRIPT = f"Officials said {SCRIPT} in Paris."
CLAIM_IMG = f"The minister wrote {IMG} on the board."
CLAIM_SVG = f"{SVG} closed the report."
CLAIM_ORPHAN = f"This sentence {ORPHAN_IMG} will be edited away."
QUOTE = "“<b onmouseover=window.__pwned=10>We stay</b>,”"
BODY = "\n\n".join(
    [
        CLAIM_SCRIPT,
        CLAIM_IMG,
        f"A reader sent {JS_LINK} to the desk.",
        CLAIM_SVG,
        f"{QUOTE} Mallory said.",
        CLAIM_ORPHAN,
    ]
)
TITLE = f"Talks {SCRIPT} {SVG}"
BYLINE = IMG
SOURCE = "<b>Wire</b>"
ENTITY_LABEL = '<img src=x onerror="window.__pwned=5">Mallory'
SPEAKER_TEXT = "<script>window.__pwned=8</script>"
SUMMARY = '<img src=x onerror="window.__pwned=6"> It was said in Rome.'
PROPOSED_SUMMARY = "<svg onload=window.__pwned=11> It closed nothing."
RATING_LABEL = "<i>False</i>"
EVIDENCE_TITLE = '<img src=x onerror="window.__pwned=12">Minutes'
# A valid https address that tries to break out of the href attribute.
EVIDENCE_URL = 'https://example.org/minutes?x="><script>window.__pwned=7</script>'
JS_URL = "javascript:window.__pwned=3"


def hostile_world(*, annotator, reviewer, editor) -> SimpleNamespace:
    """The article and everything around it, made through the services as people would."""
    from apps.annotations.services import (
        claim_verdict_propose,
        claim_verify,
        evidence_add,
    )
    from apps.articles.services import article_import, article_update_body
    from apps.checks.models import Finding
    from apps.checks.services import article_checks_run
    from apps.extraction.services import article_extract
    from apps.knowledge.services import entity_create

    entity = entity_create(user=editor, label=ENTITY_LABEL, kind="person")
    article = article_import(
        title=TITLE,
        body=BODY,
        source=SOURCE,
        byline=BYLINE,
        created_by=annotator,
    )

    def span(kind: str, text: str, **fields):
        return annotate(article, kind, text, annotator, **fields)

    claim = span("claim", CLAIM_SCRIPT, reason=SVG)
    claim = claim_verdict_propose(
        claim=claim,
        user=annotator,
        verdict="inaccurate",
        summary=SUMMARY,
        rating_label=RATING_LABEL,
        expected_version=claim.version,
    )
    evidence = evidence_add(claim=claim, user=annotator, url=EVIDENCE_URL, title=EVIDENCE_TITLE)
    claim = claim_verify(claim=claim, user=reviewer, expected_version=claim.version)
    proposed = span("claim", CLAIM_SVG)
    proposed = claim_verdict_propose(
        claim=proposed,
        user=annotator,
        verdict="misleading",
        summary=PROPOSED_SUMMARY,
        expected_version=proposed.version,
    )
    img_claim = span("claim", CLAIM_IMG)
    quote = span("quote", QUOTE, speaker=entity, speaker_text=SPEAKER_TEXT)
    mention = span("mention", "Mallory", entity=entity)
    orphan = span("claim", CLAIM_ORPHAN)
    # An edit removes the last sentence: its claim is orphaned and the ANCHORS check reports it,
    # quoting the markup in its message. (The checks run after the commit; a test inside a
    # transaction has none, so they are run here, as the worker would.)
    article = article_update_body(
        article=article,
        body=BODY.replace("\n\n" + CLAIM_ORPHAN, ""),
        user=annotator,
        expected_revision=article.revision,
    )
    article_extract(article_id=article.pk)  # checks wait for extraction of the new body
    article_checks_run(article_id=article.pk)
    # (Extraction may have proposed spans in that sentence too: they are orphaned alike.)
    (finding,) = [
        f
        for f in Finding.objects.filter(article=article, code="ANCHORS", state="open")
        if [s["uuid"] for s in f.spans] == [str(orphan.uuid)]
    ]
    assert ORPHAN_IMG in finding.message
    return SimpleNamespace(
        article=article,
        entity=entity,
        claim=claim,
        proposed=proposed,
        img_claim=img_claim,
        quote=quote,
        mention=mention,
        orphan=orphan,
        evidence=evidence,
        finding=finding,
    )


@pytest.fixture
def world(transactional_db, annotator, reviewer, editor):
    return hostile_world(annotator=annotator, reviewer=reviewer, editor=editor)


# Elements or attributes that only exist if markup from the data became HTML.
_INJECTED = """
() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.getAttributeNames()) {
      if (attr.startsWith("on")) found.push(`${el.tagName} ${attr}`);
    }
    if (el.tagName === "A" && /^\\s*javascript:/i.test(el.getAttribute("href") || "")) {
      found.push(`A href=${el.getAttribute("href")}`);
    }
  }
  for (const el of document.querySelectorAll("script:not([src]), svg, b, i, img")) {
    const text = el.outerHTML;
    if (text.includes("__pwned")) found.push(text.slice(0, 80));
  }
  return found;
}
"""


def watch(page) -> list[str]:
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def assert_inert(page, dialogs: list[str], *texts: str, where: str = "#main") -> None:
    """Nothing ran, nothing was made from the data, and `texts` are on the page as text."""
    page.wait_for_load_state("load")
    assert page.evaluate("() => window.__pwned") is None, page.url
    assert dialogs == [], page.url
    assert page.evaluate(_INJECTED) == [], page.url
    # An inline script or handler that got through would be blocked by the CSP and reported.
    assert page.errors == [], page.url
    shown = page.locator(where).first.inner_text()
    for text in texts:
        assert text in shown, f"{text!r} not shown as text on {page.url}"


@pytest.mark.browser
def test_it_shows_markup_as_text_to_an_annotator_everywhere(page, annotator, world):
    dialogs = watch(page)
    login(page, annotator)
    page.goto(reverse("articles:detail", args=[world.article.uuid]))
    assert_inert(page, dialogs, TITLE, BYLINE, SOURCE, SCRIPT, IMG, JS_LINK, SVG, QUOTE)
    assert TITLE in page.title()
    assert page.locator("#article-body").inner_text().count("__pwned") == 5
    # The findings panel: the ANCHORS message quotes the orphaned claim's markup.
    assert_inert(page, dialogs, ORPHAN_IMG, where="#findings")

    # Every row of the annotation list opens its detail in the side panel.
    rows = page.locator("#annotations li.row > a")
    keys = page.locator("#annotations li.row").evaluate_all(
        "(rows) => rows.map((r) => r.dataset.key)"
    )
    assert f"claim/{world.claim.uuid}" in keys and f"quote/{world.quote.uuid}" in keys
    detail = page.locator("#detail")
    for index, key in enumerate(keys):
        rows.nth(index).click()
        detail.locator(f'[data-flash="{key}"]').first.wait_for()
        assert_inert(page, dialogs, where="#detail")

    page.locator(f'#annotations li[data-key="claim/{world.claim.uuid}"] > a').click()
    detail.get_by_role("heading", name="Evidence").wait_for()
    assert_inert(page, dialogs, CLAIM_SCRIPT, SUMMARY, RATING_LABEL, SVG, where="#detail")
    link = detail.get_by_role("link", name=EVIDENCE_TITLE)
    assert link.get_attribute("href") == EVIDENCE_URL  # one attribute, not broken out of
    # Following the link leaves for the evidence page; nothing of ours runs on the way.
    page.route(
        "https://example.org/**",
        lambda route: route.fulfill(status=200, content_type="text/plain", body="minutes"),
    )
    link.click()
    page.wait_for_url("https://example.org/minutes**")
    assert page.evaluate("() => window.__pwned") is None
    page.go_back()

    page.locator(f'#annotations li[data-key="quote/{world.quote.uuid}"] > a').click()
    detail.get_by_label("Speaker as written").wait_for()
    assert detail.get_by_label("Speaker as written").input_value() == SPEAKER_TEXT
    assert_inert(page, dialogs, QUOTE, ENTITY_LABEL, where="#detail")

    # A highlighted span in the body opens the same detail.
    mark = page.locator(f'#article-body mark[data-ids~="mention/{world.mention.uuid}"]').first
    mark.click()
    if len(mark.get_attribute("data-ids").split()) > 1:  # overlapping spans: the chooser
        chooser = page.get_by_role("dialog", name="Annotations on this text")
        chooser.wait_for()
        assert_inert(page, dialogs, where="#overlap-chooser")
        chooser.locator(f'button[data-open="mention/{world.mention.uuid}"]').click()
    detail.locator(f'[data-flash="mention/{world.mention.uuid}"]').first.wait_for()
    assert_inert(page, dialogs, ENTITY_LABEL, where="#detail")

    for url, texts in [
        (reverse("history:detail", args=["article", world.article.uuid]), [TITLE, BYLINE]),
        (reverse("history:detail", args=["claim", world.claim.uuid]), [SCRIPT, SUMMARY]),
        (reverse("history:detail", args=["quote", world.quote.uuid]), [SPEAKER_TEXT]),
        (reverse("history:detail", args=["evidence", world.evidence.uuid]), [EVIDENCE_TITLE]),
        (reverse("history:detail", args=["finding", world.finding.uuid]), [ORPHAN_IMG]),
        (reverse("history:detail", args=["entity", world.entity.uuid]), [ENTITY_LABEL]),
        (reverse("ops:dashboard"), [SCRIPT, ORPHAN_IMG]),
        (reverse("articles:list"), [TITLE]),
        # pages: claims and findings across articles, a verified claim's ClaimReview preview.
        (reverse("claims:list"), [CLAIM_SCRIPT, TITLE, SOURCE, RATING_LABEL]),
        (
            reverse("claims:review", args=[world.claim.uuid]),
            [CLAIM_SCRIPT, SUMMARY, RATING_LABEL, EVIDENCE_TITLE, TITLE],
        ),
        (reverse("findings:list"), [ORPHAN_IMG, TITLE, SOURCE]),
        (reverse("knowledge:entity", args=[world.entity.uuid]), [ENTITY_LABEL]),
        # The query is echoed on the page too ("… matching “<query>”").
        (reverse("knowledge:search") + "?" + urlencode({"q": ENTITY_LABEL}), [ENTITY_LABEL]),
    ]:
        page.goto(url)
        assert_inert(page, dialogs, *texts)


@pytest.mark.browser
def test_it_shows_markup_as_text_to_a_reviewer(page, reviewer2, world):
    dialogs = watch(page)
    login(page, reviewer2)
    page.goto(reverse("review:queue"))
    assert_inert(page, dialogs, CLAIM_SVG, PROPOSED_SUMMARY, QUOTE, ENTITY_LABEL, TITLE, SOURCE)

    # The read-only detail (a reviewer cannot edit fields) shows the speaker and the entity.
    page.goto(reverse("articles:detail", args=[world.article.uuid]))
    page.locator(f'#annotations li[data-key="quote/{world.quote.uuid}"] > a').click()
    page.locator("#detail").get_by_role("heading", name="Review", exact=True).wait_for()
    assert_inert(page, dialogs, QUOTE, ENTITY_LABEL, where="#detail")
    page.locator(f'#annotations li[data-key="claim/{world.proposed.uuid}"] > a').click()
    page.locator("#detail").get_by_role("button", name="Verify this verdict").wait_for()
    assert_inert(page, dialogs, CLAIM_SVG, PROPOSED_SUMMARY, where="#detail")

    page.goto(reverse("ops:dashboard"))
    assert_inert(page, dialogs, ORPHAN_IMG)


@pytest.mark.browser
def test_it_refuses_a_javascript_evidence_link_with_a_clear_message(page, annotator, world):
    dialogs = watch(page)
    login(page, annotator)
    page.goto(reverse("articles:detail", args=[world.article.uuid]))
    page.locator(f'#annotations li[data-key="claim/{world.img_claim.uuid}"] > a').click()
    detail = page.locator("#detail")
    detail.get_by_label("URL").fill(JS_URL)
    detail.get_by_label("Title").fill(EVIDENCE_TITLE)
    detail.get_by_role("button", name="Add evidence").click()

    detail.get_by_text(
        "Enter a web address that starts with http:// or https://, like https://example.org/report."
    ).wait_for()
    assert detail.get_by_label("URL").input_value() == JS_URL  # kept, to be corrected
    assert not Evidence.objects.filter(claim=world.img_claim).exists()
    page.errors.clear()  # the 422 answer is logged by the browser as a failed request
    assert_inert(page, dialogs, where="#detail")


# --- Exports: data, not documents ------------------------------------------------------------


def _api_client(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_it_exports_markup_as_json_and_csv_never_as_html(annotator, reviewer, editor):
    world = hostile_world(annotator=annotator, reviewer=reviewer, editor=editor)
    client = _api_client(annotator)

    review = client.get(f"/api/v1/claims/{world.claim.uuid}/claimreview")
    assert review.status_code == 200
    assert review["Content-Type"] == "application/ld+json"
    assert review["X-Content-Type-Options"] == "nosniff"  # never sniffed as HTML
    assert review.json()["claimReviewed"] == CLAIM_SCRIPT  # the data itself, unchanged

    collection = client.get(f"/api/v1/articles/{world.article.uuid}/annotations.jsonld")
    assert collection.status_code == 200
    assert collection["Content-Type"] == "application/ld+json"
    exacts = {
        item["target"]["selector"][0]["exact"]
        for item in json.loads(collection.content)["first"]["items"]
    }
    assert {CLAIM_SCRIPT, QUOTE, CLAIM_SVG} <= exacts

    csv = client.get("/api/v1/claims/export.csv")
    assert csv.status_code == 200
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv["Content-Disposition"].startswith("attachment;")
    assert SCRIPT in b"".join(csv.streaming_content).decode()

    # No HTML rendering of the API (the browsable API is off): asking for HTML gets JSON.
    for path in (
        f"/api/v1/claims/{world.claim.uuid}",
        f"/api/v1/articles/{world.article.uuid}",
        f"/api/v1/claims/{world.claim.uuid}/claimreview",
        f"/api/v1/claims/{world.claim.uuid}/history",
    ):
        response = client.get(path, HTTP_ACCEPT="text/html")
        assert "html" not in response["Content-Type"], (path, response["Content-Type"])
        assert response["Content-Type"].startswith("application/"), path
        json.loads(response.content)


@pytest.mark.django_db
def test_it_refuses_javascript_links_at_every_door(annotator, reviewer, editor, client):
    """A `javascript:` address cannot be stored as evidence or as an article's link, whether it
    comes through a form, the API or a service."""
    from apps.annotations.services import AnnotationError, evidence_add
    from apps.articles.models import Article
    from apps.articles.services import ArticleError, article_import

    world = hostile_world(annotator=annotator, reviewer=reviewer, editor=editor)
    claim = world.img_claim
    with pytest.raises(AnnotationError, match="url") as refused:
        evidence_add(claim=claim, user=annotator, url=JS_URL)
    assert refused.value.field == "url"
    with pytest.raises(ArticleError, match="url") as refused:
        article_import(title="T", body="Some text.", url=JS_URL, created_by=annotator)
    assert refused.value.field == "url"

    api = _api_client(annotator)
    response = api.post(f"/api/v1/claims/{claim.uuid}/evidence", {"url": JS_URL}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "url"
    assert "starts with http:// or https://" in response.json()["message"]
    response = api.post(
        "/api/v1/articles", {"title": "T", "body": "Some text.", "url": JS_URL}, format="json"
    )
    assert response.status_code == 400
    assert "starts with http:// or https://" in response.json()["message"]

    client.force_login(annotator)
    response = client.post(
        reverse("articles:import"), {"title": "T", "text": "Some text.", "url": JS_URL}
    )
    assert response.status_code == 422
    assert "starts with http:// or https://" in response.content.decode()
    assert not Evidence.objects.filter(claim=claim).exists()
    assert not Article.objects.filter(title="T").exists()
    assert Claim.objects.get(pk=claim.pk).version == claim.version
