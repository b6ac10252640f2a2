"""The workspace's annotation actions, for each role and anonymous, the plain way (post, then
redirect back to the workspace) and the htmx way (the detail partial with out-of-band copies of
the list, the body and the findings)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest

from apps.annotations import services
from apps.annotations.models import Claim, DateMention, EntityMention, Evidence, Quote
from apps.articles.models import Article
from tests.articles.views_helpers import (
    EACH_ROLE,
    HTMX,
    assert_refused,
    hx,
    redirect_path,
    sign_in,
    text_of,
)
from tests.factories import ArticleFactory, EntityFactory, UserFactory, annotate

pytestmark = pytest.mark.django_db

BODY = (
    "UK Prime Minister Keir Starmer met allies in Paris on January 6, 2024. "
    "Zelensky explained, “We determined what forces are needed.” Paris agreed."
)
SENTENCE = BODY[: BODY.index(" Zelensky")]
QUOTE = "We determined what forces are needed."


@pytest.fixture
def article(db):
    return ArticleFactory(title="Paris meeting", body=BODY)


def make(article, kind, text, user, **fields):
    return annotate(article, kind, text, user, **fields)


def workspace(article, key="") -> str:
    return f"/articles/{article.uuid}/" + (f"?open={key}#detail" if key else "")


def assert_done(response, htmx: bool, article, key: str, message: str = "") -> str:
    """A success: the plain path redirects to the workspace with the item open; the htmx path
    answers with the detail and out-of-band copies of the list, the body and the findings."""
    if not htmx:
        assert redirect_path(response) == workspace(article, key).split("#")[0]
        return ""
    assert response.status_code == 200, text_of(response)[:1000]
    html = text_of(response)
    assert html.lstrip().startswith('<section id="detail"')
    assert f'data-key="{key}"' in html
    for region in ('id="annotations"', 'id="article-body"', 'id="findings"'):
        start = html.index(region)
        assert 'hx-swap-oob="true"' in html[start : html.index(">", start)]
    if message:
        assert message in html
    return html


# --- create -------------------------------------------------------------------------------------


@EACH_ROLE
@HTMX
def test_it_creates_an_annotation_from_a_selection_for_annotators_and_editors(
    client, request, article, role, htmx
):
    sign_in(client, request, role)
    start = BODY.index("Keir Starmer")
    response = client.post(
        f"/annotations/new/{article.uuid}/",
        {"kind": "mention", "start": start, "end": start + 12, "exact": "Keir Starmer"},
        headers=hx(htmx),
    )
    created = list(EntityMention.objects.filter(article=article))
    if role in ("annotator", "editor"):
        assert [(m.start, m.end, m.exact) for m in created] == [(start, start + 12, "Keir Starmer")]
        html = assert_done(response, htmx, article, f"mention/{created[0].uuid}")
        if htmx:
            assert "Entity mention created" in html
            assert f'data-ids="mention/{created[0].uuid}"' in html  # highlighted in the body
    else:
        assert created == []
        assert_refused(response, role, htmx)


@HTMX
def test_it_creates_from_the_exact_text_without_javascript(client, annotator, article, htmx):
    client.force_login(annotator)
    response = client.post(
        f"/annotations/new/{article.uuid}/",
        {"kind": "mention", "exact": "Paris", "occurrence": "2"},
        headers=hx(htmx),
    )
    mention = EntityMention.objects.get(article=article)
    second = BODY.index("Paris", BODY.index("Paris") + 1)
    assert (mention.start, mention.end) == (second, second + 5)
    assert_done(response, htmx, article, f"mention/{mention.uuid}")


@HTMX
def test_it_refuses_a_selection_whose_text_is_not_at_its_offsets(client, annotator, article, htmx):
    client.force_login(annotator)
    response = client.post(
        f"/annotations/new/{article.uuid}/",
        {"kind": "claim", "start": "0", "end": "5", "exact": "Keir "},
        headers=hx(htmx),
    )
    assert response.status_code == 422
    html = text_of(response)
    assert "the article may have changed" in html
    assert ">\nKeir </textarea>" in html  # what was sent is still in the form
    assert not Claim.objects.exists()
    if not htmx:
        assert 'id="article-body"' in html  # the whole workspace, with the form and its error


def test_it_says_what_is_missing_when_neither_offsets_nor_text_are_given(
    client, annotator, article
):
    client.force_login(annotator)
    response = client.post(f"/annotations/new/{article.uuid}/", {"kind": "claim"}, headers=hx(True))
    assert response.status_code == 422
    assert "Select text in the article, or give the exact text" in text_of(response)


# --- fields -------------------------------------------------------------------------------------


@EACH_ROLE
@HTMX
def test_it_saves_a_claims_kind_for_annotators_and_editors(
    client, request, article, annotator, role, htmx
):
    claim = make(article, "claim", SENTENCE, annotator)
    sign_in(client, request, role)
    response = client.post(
        f"/annotations/claim/{claim.uuid}/edit/",
        {"f-version": claim.version, "f-kind": "role"},
        headers=hx(htmx),
    )
    claim.refresh_from_db()
    if role in ("annotator", "editor"):
        assert (claim.kind, claim.version) == ("role", 2)
        assert_done(response, htmx, article, f"claim/{claim.uuid}", "Saved.")
    else:
        assert (claim.kind, claim.version) == ("other", 1)
        assert_refused(response, role, htmx)


@HTMX
def test_it_shows_a_conflict_and_the_current_state_instead_of_overwriting(
    client, annotator, editor, article, htmx
):
    claim = make(article, "claim", SENTENCE, annotator)
    stale = claim.version
    services.annotation_update(
        span=claim, user=editor, expected_version=stale, fields={"kind": "quantity"}
    )
    client.force_login(annotator)
    response = client.post(
        f"/annotations/claim/{claim.uuid}/edit/",
        {"f-version": stale, "f-kind": "role"},
        headers=hx(htmx),
    )
    assert response.status_code == 409
    html = text_of(response)
    assert "changed by someone else" in html
    assert '<option value="quantity" selected>' in html  # the form shows what is there now
    assert 'name="f-version" value="2"' in html
    # ... and what I sent is listed, not lost.
    assert "What you sent, not saved" in html
    assert "<dt>Claim kind</dt><dd>role / title</dd>" in html
    claim.refresh_from_db()
    assert claim.kind == "quantity"
    if htmx:
        assert html.lstrip().startswith('<section id="detail"')


@HTMX
def test_it_links_a_mention_to_an_entity_and_a_quote_to_its_speaker(
    client, annotator, article, htmx
):
    starmer = EntityFactory(label="Keir Starmer")
    zelensky = EntityFactory(label="Volodymyr Zelensky", aliases=["Zelensky"])
    mention = make(article, "mention", "Keir Starmer", annotator)
    quote = make(article, "quote", QUOTE, annotator)
    client.force_login(annotator)
    response = client.post(
        f"/annotations/mention/{mention.uuid}/edit/",
        {"f-version": 1, "f-entity": str(starmer.uuid), "f-title_modifier": "former"},
        headers=hx(htmx),
    )
    assert response.status_code in (200, 302)
    response = client.post(
        f"/annotations/quote/{quote.uuid}/edit/",
        {
            "f-version": 1,
            "f-speaker": str(zelensky.uuid),
            "f-speaker_text": "Zelensky",
            "f-attribution_text": "Zelensky explained",
            "f-verb": "explained",
        },
        headers=hx(htmx),
    )
    assert response.status_code in (200, 302)
    mention.refresh_from_db()
    quote.refresh_from_db()
    assert (mention.entity, mention.title_modifier) == (starmer, "former")
    at = BODY.index("Zelensky explained")
    assert (quote.speaker, quote.attribution_start, quote.attribution_end, quote.verb) == (
        zelensky,
        at,
        at + len("Zelensky explained"),
        "explained",
    )


def test_it_refuses_an_attribution_that_is_not_in_the_article(client, annotator, article):
    quote = make(article, "quote", QUOTE, annotator)
    client.force_login(annotator)
    response = client.post(
        f"/annotations/quote/{quote.uuid}/edit/",
        {"f-version": 1, "f-attribution_text": "Macron said", "f-speaker_text": "Macron"},
        headers=hx(True),
    )
    assert response.status_code == 422
    assert "do not occur in the article" in text_of(response)
    quote.refresh_from_db()
    assert (quote.attribution_text, quote.speaker_text, quote.version) == ("", "", 1)


def test_it_sets_a_dates_normalised_value(client, annotator, article):
    date = make(article, "date", "January 6, 2024", annotator)
    client.force_login(annotator)
    response = client.post(
        f"/annotations/date/{date.uuid}/edit/",
        {"f-version": 1, "f-value": "2024-01-06", "f-precision": "day"},
    )
    assert response.status_code == 302
    date.refresh_from_db()
    assert (date.value, date.precision, date.is_relative) == (dt.date(2024, 1, 6), "day", False)


def test_it_finds_entities_for_the_picker_without_javascript(client, annotator, article):
    EntityFactory(label="Keir Starmer")
    mention = make(article, "mention", "Keir Starmer", annotator)
    client.force_login(annotator)
    response = client.get(
        f"/articles/{article.uuid}/", {"open": f"mention/{mention.uuid}", "q": "starm"}
    )
    html = text_of(response)
    assert response.status_code == 200
    assert 'name="f-entity" value="' in html
    assert "Keir Starmer" in html[html.index('id="ac-') :]


# --- review -------------------------------------------------------------------------------------


@EACH_ROLE
@HTMX
def test_it_lets_reviewers_and_editors_approve(client, request, article, annotator, role, htmx):
    mention = make(article, "mention", "Keir Starmer", annotator)
    sign_in(client, request, role)
    response = client.post(
        f"/annotations/mention/{mention.uuid}/review/",
        {"r-version": 1, "r-decision": "approve"},
        headers=hx(htmx),
    )
    mention.refresh_from_db()
    if role in ("reviewer", "editor"):
        assert mention.review_state == "approved"
        assert_done(response, htmx, article, f"mention/{mention.uuid}", "Approved.")
    else:
        assert mention.review_state == "proposed"
        assert_refused(response, role, htmx)


@HTMX
def test_it_needs_a_reason_to_reject(client, reviewer, annotator, article, htmx):
    date = make(article, "date", "January 6, 2024", annotator)
    client.force_login(reviewer)
    url = f"/annotations/date/{date.uuid}/review/"
    response = client.post(url, {"r-version": 1, "r-decision": "reject"}, headers=hx(htmx))
    assert response.status_code == 422
    assert "Give a reason for rejecting" in text_of(response)
    date.refresh_from_db()
    assert date.review_state == "proposed"
    response = client.post(
        url,
        {"r-version": 1, "r-decision": "reject", "r-note": "Not a date of the event"},
        headers=hx(htmx),
    )
    date.refresh_from_db()
    assert (date.review_state, date.review_note) == ("rejected", "Not a date of the event")
    html = assert_done(response, htmx, article, f"date/{date.uuid}", "Rejected.")
    if htmx:
        # A rejected span is no longer highlighted in the body.
        assert f'data-ids="date/{date.uuid}' not in html


def test_it_tells_a_reviewer_inline_that_they_cannot_review_their_own_work(client, editor, article):
    claim = make(article, "claim", SENTENCE, editor)
    client.force_login(editor)
    response = client.post(
        f"/annotations/claim/{claim.uuid}/review/",
        {"r-version": 1, "r-decision": "approve"},
        headers=hx(True),
    )
    assert response.status_code == 403
    assert response["X-Inline-Message"] == "1"  # workspace.js swaps it into the panel
    assert "cannot review your own work" in text_of(response)
    claim.refresh_from_db()
    assert claim.review_state == "proposed"


def test_it_keeps_the_first_of_two_concurrent_reviews(
    client, reviewer, reviewer2, annotator, article
):
    mention = make(article, "mention", "Keir Starmer", annotator)
    services.annotation_review(span=mention, user=reviewer2, approve=True, expected_version=1)
    client.force_login(reviewer)
    response = client.post(
        f"/annotations/mention/{mention.uuid}/review/",
        {"r-version": 1, "r-decision": "reject", "r-note": "not a person"},
        headers=hx(True),
    )
    assert response.status_code == 409
    html = text_of(response)
    assert "it is now approved" in html
    assert "badge st-approved" in html
    mention.refresh_from_db()
    assert (mention.review_state, mention.reviewed_by) == ("approved", reviewer2)


# --- delete -------------------------------------------------------------------------------------


@EACH_ROLE
@HTMX
def test_it_lets_the_author_or_an_editor_delete(client, request, article, annotator, role, htmx):
    date = make(article, "date", "January 6, 2024", annotator)
    sign_in(client, request, role)
    response = client.post(
        f"/annotations/date/{date.uuid}/delete/", {"d-version": 1}, headers=hx(htmx)
    )
    exists = DateMention.objects.filter(pk=date.pk).exists()
    if role in ("annotator", "editor"):
        assert not exists
        if htmx:
            html = text_of(response)
            assert response.status_code == 200
            assert "Deleted — Date “January 6, 2024”" in html
            assert "Add an annotation" in html  # the panel is back to the create form
            assert f'data-key="date/{date.uuid}"' not in html  # not in the list, not open
            assert f'data-ids="date/{date.uuid}"' not in html  # not in the text
            # "Deleted — Undo": the restore form is offered.
            assert f'action="/annotations/date/{date.uuid}/restore/"' in response.text
        else:
            assert redirect_path(response) == workspace(article)
    else:
        assert exists
        assert_refused(response, role, htmx)


# --- verdicts -----------------------------------------------------------------------------------


@EACH_ROLE
@HTMX
def test_it_lets_annotators_and_editors_propose_a_verdict(
    client, request, article, annotator, role, htmx
):
    claim = make(article, "claim", SENTENCE, annotator)
    sign_in(client, request, role)
    response = client.post(
        f"/annotations/claim/{claim.uuid}/verdict/",
        {"v-version": 1, "v-verdict": "inaccurate", "v-summary": "Sunak was PM then."},
        headers=hx(htmx),
    )
    claim.refresh_from_db()
    if role in ("annotator", "editor"):
        assert (claim.verdict, claim.verdict_state, claim.rating, claim.rating_label) == (
            "inaccurate",
            "proposed",
            1,
            "False",
        )
        assert claim.summary == "Sunak was PM then."
        assert_done(response, htmx, article, f"claim/{claim.uuid}", "Verdict proposed")
    else:
        assert claim.verdict_state == "unverified"
        assert_refused(response, role, htmx)


def test_it_asks_for_a_verdict(client, annotator, article):
    claim = make(article, "claim", SENTENCE, annotator)
    client.force_login(annotator)
    response = client.post(
        f"/annotations/claim/{claim.uuid}/verdict/", {"v-version": 1, "v-verdict": ""}
    )
    assert response.status_code == 422
    assert "This field is required" in text_of(response)
    claim.refresh_from_db()
    assert claim.verdict_state == "unverified"


@pytest.fixture
def proposed(article, annotator):
    claim = make(article, "claim", SENTENCE, annotator)
    return services.claim_verdict_propose(
        claim=claim, user=annotator, verdict="inaccurate", expected_version=1
    )


@EACH_ROLE
@HTMX
def test_it_lets_reviewers_and_editors_verify(client, request, article, proposed, role, htmx):
    sign_in(client, request, role)
    response = client.post(
        f"/annotations/claim/{proposed.uuid}/verify/",
        {"y-version": proposed.version},
        headers=hx(htmx),
    )
    proposed.refresh_from_db()
    if role in ("reviewer", "editor"):
        assert proposed.verdict_state == "verified"
        assert_done(response, htmx, article, f"claim/{proposed.uuid}", "Verdict verified.")
    else:
        assert proposed.verdict_state == "proposed"
        assert_refused(response, role, htmx)


def test_it_explains_why_an_open_error_finding_blocks_verification(
    client, reviewer, article, proposed
):
    from apps.checks.models import Finding

    Finding.objects.create(
        article=article,
        code="ROLE_AT_DATE",
        check_version="1",
        severity="error",
        message="Keir Starmer was not UK Prime Minister on 6 January 2024.",
        fingerprint="x",
    )
    client.force_login(reviewer)
    response = client.post(
        f"/annotations/claim/{proposed.uuid}/verify/",
        {"y-version": proposed.version},
        headers=hx(True),
    )
    assert response.status_code == 422
    assert "Keir Starmer was not UK Prime Minister" in text_of(response)
    proposed.refresh_from_db()
    assert proposed.verdict_state == "proposed"


@EACH_ROLE
@HTMX
def test_it_lets_reviewers_and_editors_send_a_verdict_back(
    client, request, article, proposed, role, htmx
):
    sign_in(client, request, role)
    response = client.post(
        f"/annotations/claim/{proposed.uuid}/return/",
        {"b-version": proposed.version, "b-note": "Cite the Downing Street page."},
        headers=hx(htmx),
    )
    proposed.refresh_from_db()
    if role in ("reviewer", "editor"):
        assert (proposed.verdict_state, proposed.verdict_note) == (
            "returned",
            "Cite the Downing Street page.",
        )
        assert_done(response, htmx, article, f"claim/{proposed.uuid}", "sent back")
    else:
        assert proposed.verdict_state == "proposed"
        assert_refused(response, role, htmx)


# --- evidence -----------------------------------------------------------------------------------


@EACH_ROLE
@HTMX
def test_it_lets_annotators_and_editors_add_evidence(
    client, request, article, annotator, role, htmx
):
    claim = make(article, "claim", SENTENCE, annotator)
    sign_in(client, request, role)
    response = client.post(
        f"/annotations/claim/{claim.uuid}/evidence/",
        {"e-url": "https://www.gov.uk/starmer", "e-title": "GOV.UK", "e-note": "took office 2024"},
        headers=hx(htmx),
    )
    urls = list(Evidence.objects.filter(claim=claim).values_list("url", flat=True))
    if role in ("annotator", "editor"):
        assert urls == ["https://www.gov.uk/starmer"]
        html = assert_done(response, htmx, article, f"claim/{claim.uuid}", "Evidence added.")
        if htmx:
            assert 'href="https://www.gov.uk/starmer"' in html
    else:
        assert urls == []
        assert_refused(response, role, htmx)


def test_it_refuses_empty_evidence_and_keeps_the_title_typed(client, annotator, article):
    claim = make(article, "claim", SENTENCE, annotator)
    client.force_login(annotator)
    response = client.post(
        f"/annotations/claim/{claim.uuid}/evidence/", {"e-title": "GOV.UK"}, headers=hx(True)
    )
    assert response.status_code == 422
    html = text_of(response)
    assert "Evidence needs a URL, a quoted passage or a note" in html
    assert 'value="GOV.UK"' in html
    assert not Evidence.objects.exists()


@EACH_ROLE
@HTMX
def test_it_lets_the_evidence_author_reviewers_and_editors_remove_evidence(
    client, request, article, annotator, role, htmx
):
    # Issue 10 changed who may: its author, reviewers and editors (reviewers could not before).
    claim = make(article, "claim", SENTENCE, annotator)
    evidence = services.evidence_add(claim=claim, user=annotator, url="https://example.org/a")
    sign_in(client, request, role)
    response = client.post(f"/annotations/evidence/{evidence.uuid}/remove/", headers=hx(htmx))
    exists = Evidence.objects.filter(pk=evidence.pk).exists()
    if role in ("annotator", "reviewer", "editor"):
        assert not exists
        html = assert_done(response, htmx, article, f"claim/{claim.uuid}", "Evidence removed.")
        if htmx:
            assert "https://example.org/a" not in html
    else:
        assert exists
        assert_refused(response, role, htmx)


@HTMX
def test_it_refuses_another_annotator_removing_evidence_with_a_message(
    client, article, annotator, htmx
):
    claim = make(article, "claim", SENTENCE, annotator)
    evidence = services.evidence_add(claim=claim, user=annotator, url="https://example.org/a")
    client.force_login(UserFactory(username="ann2", role="annotator"))
    response = client.post(f"/annotations/evidence/{evidence.uuid}/remove/", headers=hx(htmx))
    assert response.status_code == 403
    assert "Only the person who added this evidence, a reviewer or an editor" in text_of(response)
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    # Nor is the button offered to them.
    page = client.get(workspace(article, f"claim/{claim.uuid}"))
    assert f"/annotations/evidence/{evidence.uuid}/remove/" not in page.content.decode()


# --- reading ------------------------------------------------------------------------------------


@EACH_ROLE
@HTMX
def test_it_opens_an_annotations_detail(client, request, article, annotator, role, htmx):
    quote = make(article, "quote", QUOTE, annotator, speaker_text="Zelensky")
    sign_in(client, request, role)
    response = client.get(f"/annotations/quote/{quote.uuid}/", headers=hx(htmx))
    if role in ("annotator", "reviewer", "editor"):
        if htmx:
            html = text_of(response)
            assert html.lstrip().startswith('<section id="detail"')
            assert QUOTE in html and "Zelensky" in html
            assert 'id="article-body"' not in html  # only the panel
        else:
            assert (
                redirect_path(response) == workspace(article, f"quote/{quote.uuid}").split("#")[0]
            )
    else:
        assert_refused(response, role, htmx)


def test_it_escapes_article_and_annotation_text(client, annotator):
    article = ArticleFactory(body="He wrote <script>alert(1)</script> & left. The end.")
    claim = make(article, "claim", "<script>alert(1)</script> & left.", annotator)
    client.force_login(annotator)
    response = client.get(f"/articles/{article.uuid}/", {"open": f"claim/{claim.uuid}"})
    html = text_of(response)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; left." in html


def test_it_does_not_let_a_quote_be_edited_into_another_article(client, annotator, article):
    other = ArticleFactory(body="Nothing to see.")
    quote = make(article, "quote", QUOTE, annotator)
    client.force_login(annotator)
    response = client.post(f"/annotations/new/{other.uuid}/", {"kind": "quote", "exact": QUOTE})
    assert response.status_code == 422
    assert Quote.objects.filter(article=other).count() == 0
    assert Quote.objects.get().pk == quote.pk
    assert Article.objects.get(pk=other.pk).status == "new"


@HTMX
def test_it_undoes_a_delete_through_the_page(client, request, article, annotator, htmx):
    date = make(article, "date", "January 6, 2024", annotator)
    sign_in(client, request, "annotator")
    client.post(f"/annotations/date/{date.uuid}/delete/", {"d-version": 1}, headers=hx(htmx))
    response = client.post(f"/annotations/date/{date.uuid}/restore/", headers=hx(htmx))
    back = DateMention.objects.get(uuid=date.uuid)
    assert (back.pk, back.exact, back.version) == (date.pk, "January 6, 2024", 2)
    if htmx:
        assert response.status_code == 200
        assert "Restored: “January 6, 2024”" in text_of(response)
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(f"{workspace(article)}?open=date/{date.uuid}")
    # Twice: nothing to undo any more, said as a conflict; nothing changes.
    again = client.post(f"/annotations/date/{date.uuid}/restore/", headers=hx(htmx))
    assert again.status_code == 409
    assert "nothing to undo" in text_of(again)
    assert DateMention.objects.get(uuid=date.uuid).version == 2


def test_it_refuses_an_undo_of_someone_elses_delete_in_place(client, request, article, annotator):
    date = make(article, "date", "January 6, 2024", annotator)
    sign_in(client, request, "editor")
    client.post(f"/annotations/date/{date.uuid}/delete/", {"d-version": 1})
    sign_in(client, request, "annotator")
    response = client.post(f"/annotations/date/{date.uuid}/restore/", headers=hx(True))
    assert response.status_code == 403
    assert "Only the person who deleted it" in unquote(response["X-Message"])
    assert not DateMention.objects.filter(uuid=date.uuid).exists()
