"""The fact-checkers' pages: claims across articles (verdict, rating, state filters), the
ClaimReview preview of a verified claim (where the API's JSON-LD `url` points), and findings
across articles (kind, severity, state filters). Each list costs a fixed number of queries."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from apps.annotations.exports import claim_review
from apps.annotations.models import Claim, Evidence
from apps.annotations.services import claim_verdict_propose, claim_verify
from apps.checks.models import Finding
from tests.api.conftest import World
from tests.articles.views_helpers import EACH_ROLE, HTMX, assert_refused, hx, sign_in
from tests.factories import ArticleFactory, annotate

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(annotator, reviewer2):
    return World(annotator=annotator, reviewer2=reviewer2)


def rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def first_cells(html: str) -> list[str]:
    return [row[0] for row in rows(html)]


# --- /claims/ -------------------------------------------------------------------------------------


@EACH_ROLE
@HTMX
def test_every_newsroom_member_sees_the_claims_of_every_article(client, request, world, role, htmx):
    other = ArticleFactory(title="Budget vote")
    annotate(other, "claim", "Officials met in Paris", world.annotator)
    sign_in(client, request, role)
    response = client.get("/claims/", headers=hx(htmx))
    if role == "outsider" or role == "anonymous":
        assert_refused(response, role, htmx)
        return
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="claim-results">') == htmx
    articles = sorted(row[1] for row in rows(html))
    assert articles == ["Budget vote (Test Wire)"] + ["Talks in Paris (Test Wire)"] * 3
    assert "4 claims." in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"verdict": "inaccurate"}, {"The talks ended late.", "on Tuesday, January 6, 2024"}),
        ({"state": "verified"}, {"on Tuesday, January 6, 2024"}),
        ({"state": "proposed"}, {"The talks ended late."}),
        ({"state": "unverified", "verdict": "not_rated"}, {"Officials met in Paris"}),
        ({"rating": "none"}, {"Officials met in Paris"}),
        ({"rating": "1"}, {"The talks ended late."}),  # inaccurate: 1 unless told otherwise
        ({"rating": "2"}, {"on Tuesday, January 6, 2024"}),
        ({"rating": "5"}, set()),
        ({"q": "ended"}, {"The talks ended late."}),
        (
            {"q": "talks in paris", "kind": "event_date"},
            {"Officials met in Paris", "on Tuesday, January 6, 2024"},
        ),
    ],
)
def test_it_filters_the_claims(client, annotator, world, query, expected):
    Claim.objects.filter(pk=world.claim_verified.pk).update(rating=2)
    client.force_login(annotator)
    html = client.get("/claims/", query).content.decode()
    assert set(first_cells(html)) - {"No claims match."} == expected


def test_it_searches_claims_by_article_and_source(client, annotator, world):
    other = ArticleFactory(title="Budget vote", source="Daily Bugle")
    annotate(other, "claim", "Officials met in Paris", annotator)
    client.force_login(annotator)
    html = client.get("/claims/", {"q": "bugle"}).content.decode()
    assert [row[1] for row in rows(html)] == ["Budget vote (Daily Bugle)"]
    html = client.get("/claims/", {"article": str(other.uuid)}).content.decode()
    assert len(rows(html)) == 1


@pytest.mark.parametrize(
    "query",
    [
        {"verdict": "bogus"},
        {"rating": "9"},
        {"rating": "-1"},
        {"state": "'; drop table"},
        {"kind": "rumour"},
        {"article": "not-a-uuid"},
        {"page": "999"},
        {"page": "x"},
    ],
)
def test_unknown_claim_filters_are_ignored(client, annotator, world, query):
    client.force_login(annotator)
    response = client.get("/claims/", query)
    assert response.status_code == 200
    assert len(rows(response.content.decode())) == 3  # every claim: the filter is dropped


def test_only_verified_claims_link_to_their_claimreview(client, annotator, world):
    client.force_login(annotator)
    html = client.get("/claims/").content.decode()
    links = re.findall(r'href="/claims/([0-9a-f-]{36})/review/"', html)
    assert links == [str(world.claim_verified.uuid)]


@pytest.mark.parametrize("page, shown", [("1", 50), ("2", 10)])
def test_it_pages_the_claims_keeping_the_filters(client, annotator, page, shown):
    article = ArticleFactory(title="Long story", body="Officials met. " * 60)
    Claim.objects.bulk_create(
        Claim(article=article, start=15 * i, end=15 * i + 14, exact="Officials met.")
        for i in range(60)
    )
    client.force_login(annotator)
    html = client.get("/claims/", {"state": "unverified", "q": "officials", "page": page})
    html = html.content.decode()
    assert len(rows(html)) == shown
    assert "Page " + page + " of 2" in html
    if page == "1":
        assert 'href="?q=officials&amp;state=unverified&amp;page=2"' in html


def test_the_claims_page_costs_the_same_queries_for_1_or_40_claims(
    client, annotator, reviewer2, django_assert_num_queries
):
    article = ArticleFactory(body="Officials met. " * 40)
    claims = Claim.objects.bulk_create(
        Claim(article=article, start=15 * i, end=15 * i + 14, exact="Officials met.")
        for i in range(40)
    )
    Claim.objects.exclude(pk=claims[0].pk).delete()
    client.force_login(annotator)
    client.get("/claims/")
    # session, user, their roles, count, the page (claims with article and people).
    with django_assert_num_queries(5):
        assert len(rows(client.get("/claims/").content.decode())) == 1
    Claim.objects.bulk_create(
        Claim(article=article, start=15 * i, end=15 * i + 14, exact="Officials met.")
        for i in range(1, 40)
    )
    Claim.objects.filter(article=article).update(
        verdict="accurate",
        verdict_state="verified",
        rating=5,
        verdict_by=annotator,
        verified_by=reviewer2,
    )
    with django_assert_num_queries(5):
        assert len(rows(client.get("/claims/").content.decode())) == 40


# --- /claims/<uuid>/review/ -------------------------------------------------------------------------


def test_the_preview_shows_the_check_as_it_will_be_published(client, annotator, world):
    Claim.objects.filter(pk=world.claim_verified.pk).update(rating=1, rating_label="False")
    Evidence.objects.create(
        claim=world.claim_verified,
        url="https://www.timeanddate.com/calendar/?year=2024",
        title="Calendar for 2024",
        quoted_passage="6 January 2024: Saturday",
    )
    client.force_login(annotator)
    response = client.get(f"/claims/{world.claim_verified.uuid}/review/")
    assert response.status_code == 200
    html = html_lib.unescape(response.content.decode())
    assert "Fact check: False" in html
    assert "on Tuesday, January 6, 2024" in html  # the claim
    assert "<dt>Verdict</dt><dd>inaccurate</dd>" in html
    assert "1 of 5 (False)" in html
    assert "6 January 2024 was a Saturday." in html  # the summary
    assert '<a href="https://www.timeanddate.com/calendar/?year=2024">Calendar for 2024</a>' in html
    assert "Jane Reporter" in html  # who made the claim: the byline (no quote around it)
    assert '<a href="https://news.example.com/talks">Talks in Paris</a>' in html
    assert f'href="/articles/{world.article.uuid}/?open=claim/{world.claim_verified.uuid}"' in html
    assert f"verified {world.claim_verified.verified_at:%-d %B %Y}" in html
    # The JSON-LD it shows is the one the API publishes, pointing at this page.
    review = claim_review(
        claim=Claim.objects.get(pk=world.claim_verified.pk),
        article=world.article,
        speaker=None,
        url=f"http://testserver/claims/{world.claim_verified.uuid}/review/",
    )
    assert f'"url": "http://testserver/claims/{world.claim_verified.uuid}/review/"' in html
    assert f'"claimReviewed": "{review["claimReviewed"]}"' in html


def test_the_api_claimreview_url_is_the_preview_page(client, annotator, reviewer, world):
    text = "We will not retreat"
    claim = annotate(world.article, "claim", text, annotator)
    claim = claim_verdict_propose(
        claim=claim, user=annotator, verdict="misleading", expected_version=1
    )
    claim = claim_verify(claim=claim, user=reviewer, expected_version=2)
    client.force_login(annotator)
    review = client.get(f"/api/v1/claims/{claim.uuid}/claimreview").json()
    page = client.get(review["url"].removeprefix("http://testserver"))
    assert page.status_code == 200
    html = html_lib.unescape(page.content.decode())
    assert "Fact check: Mostly false" in html
    # Inside a quote: the speaker made the claim, linked to Wikidata.
    assert '<a href="https://www.wikidata.org/wiki/Q6279">Keir Starmer</a>' in html


@pytest.mark.parametrize("name", ["claim", "claim_proposed"])
def test_an_unverified_claim_has_no_preview_yet(client, annotator, world, name):
    client.force_login(annotator)
    response = client.get(f"/claims/{getattr(world, name).uuid}/review/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Not published yet" in html
    assert "a ClaimReview is published only once a reviewer has verified its verdict" in html
    assert "Fact check:" not in html


def test_an_unknown_claim_is_404(client, annotator, db):
    client.force_login(annotator)
    response = client.get("/claims/6f1c0c1e-8d0e-4a84-9d7c-0a4f4b2b8d11/review/")
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
def test_the_preview_needs_a_newsroom_sign_in(client, request, world, role):
    sign_in(client, request, role)
    response = client.get(f"/claims/{world.claim_verified.uuid}/review/")
    assert_refused(response, role, False)


# --- /findings/ -----------------------------------------------------------------------------------


def make_finding(article, n, **fields):
    values = {
        "code": "DATE_VS_PUBLICATION",
        "check_version": "1",
        "severity": Finding.Severity.WARNING,
        "message": f"Problem {n}",
        "fingerprint": f"f-{n}",
        **fields,
    }
    return Finding.objects.create(article=article, **values)


@EACH_ROLE
@HTMX
def test_every_newsroom_member_sees_the_findings_of_every_article(
    client, request, world, role, htmx
):
    make_finding(ArticleFactory(title="Budget vote"), 1, severity="error", code="ROLE_AT_DATE")
    sign_in(client, request, role)
    response = client.get("/findings/", headers=hx(htmx))
    if role in ("outsider", "anonymous"):
        assert_refused(response, role, htmx)
        return
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="finding-results">') == htmx
    assert sorted(row[3] for row in rows(html)) == [
        "Budget vote (Test Wire)",
        "Talks in Paris (Test Wire)",
    ]


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"severity": "error"}, {"Problem 1", "Problem 3"}),
        ({"state": "open"}, {"Problem 1", "Problem 2"}),
        ({"state": "acknowledged"}, {"Problem 3"}),
        ({"state": "dismissed"}, {"Problem 4"}),
        ({"kind": "ROLE_AT_DATE"}, {"Problem 1"}),
        ({"kind": "ROLE_AT_DATE", "state": "dismissed"}, set()),
        ({"q": "budget"}, {"Problem 3", "Problem 4"}),
        ({"q": "problem 2"}, {"Problem 2"}),
    ],
)
def test_it_filters_the_findings(client, annotator, db, query, expected):
    talks, budget = ArticleFactory(title="Talks"), ArticleFactory(title="Budget vote")
    make_finding(talks, 1, severity="error", code="ROLE_AT_DATE")
    make_finding(talks, 2)
    make_finding(budget, 3, severity="error", state="acknowledged")
    make_finding(budget, 4, severity="info", state="dismissed", state_reason="Fine.")
    client.force_login(annotator)
    html = client.get("/findings/", query).content.decode()
    assert {row[2] for row in rows(html) if len(row) > 1} == expected


@pytest.mark.parametrize(
    "query", [{"kind": "NOPE"}, {"severity": "fatal"}, {"state": "gone"}, {"page": "-3"}]
)
def test_unknown_finding_filters_are_ignored(client, annotator, world, query):
    client.force_login(annotator)
    response = client.get("/findings/", query)
    assert response.status_code == 200
    assert [row[2] for row in rows(response.content.decode())] == [world.finding.message]


def test_the_findings_page_costs_the_same_queries_for_1_or_60_findings(
    client, annotator, reviewer, django_assert_num_queries
):
    article = ArticleFactory()
    make_finding(article, 0)
    client.force_login(annotator)
    client.get("/findings/")
    # session, user, their roles, count, the page (findings with article and who acted).
    with django_assert_num_queries(5):
        assert len(rows(client.get("/findings/").content.decode())) == 1
    for n in range(1, 60):
        make_finding(ArticleFactory(), n, state="acknowledged", state_by=reviewer)
    with django_assert_num_queries(5):
        html = client.get("/findings/").content.decode()
    assert len(rows(html)) == 50 and "Page 1 of 2" in html


# --- Navigation -----------------------------------------------------------------------------------


def test_the_main_navigation_links_the_new_pages(client, annotator):
    client.force_login(annotator)
    html = client.get("/").content.decode()
    nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/claims/">Claims</a>' in nav
    assert '<a href="/findings/">Findings</a>' in nav
