"""Accessibility (issue 14): axe-core finds no violation on any page of the app, at 1440×900, and
on the main pages at 390×844 (a phone).

The pages are the permission matrix's (tests/test_permission_matrix.py): every URL that answers a
GET with a page, each seen by a role allowed to see it, with the matrix's world (an article with
one of everything, findings, a KB person with a tenure, API keys...). A page added to the matrix
is checked here too. Only Swagger UI (/api/, not in the matrix) is left out. The error pages (403,
404) and the states of the workspace reached by clicking are added below."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
import responses
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.views.defaults import server_error

from tests.browser.axe import AXE_JS, axe_violations, describe, require_axe
from tests.browser.conftest import login
from tests.factories import UserFactory
from tests.knowledge import fake_wikidata
from tests.test_permission_matrix import MATRIX, UIWorld

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "pw-for-tests-only"

# Who looks at a page: the first of these the matrix allows (anyone's pages as someone signed
# out; the rest as an editor, who is shown every control).
VIEWERS = ("anonymous", "editor", "reviewer", "annotator", "outsider")
# Pages whose controls differ by role: seen by the annotator and the reviewer as well.
BY_EVERY_ROLE = {"articles:detail", "review:queue", "review:item", "ops:dashboard"}
# The pages a phone user lives in.
PHONE_PAGES = {
    "accounts:login",
    "ops:dashboard",
    "articles:list",
    "articles:detail",
    "articles:import",
    "review:queue",
    "knowledge:search",
    "knowledge:entity",
}


@dataclass(frozen=True)
class Visit:
    role: str
    name: str  # the matrix's URL name, or what the visit is
    url: str
    status: int = 200


def matrix_pages(world) -> list[Visit]:
    visits = []
    for row in MATRIX:
        access = row.get
        if access is None or access.status != 200:
            continue  # no page here: a form's POST, or a redirect
        url = reverse(row.name, kwargs=row.kwargs(world))
        if access.query:
            url += "?" + urlencode(access.query)
        if row.name in BY_EVERY_ROLE:
            roles = [r for r in ("editor", "reviewer", "annotator") if r in access.allowed]
        else:
            roles = [next(role for role in VIEWERS if role in access.allowed)]
        visits += [Visit(role, row.id, url) for role in roles]
    return visits


def error_pages(world) -> list[Visit]:
    return [
        Visit("editor", "404", "/articles/00000000-0000-0000-0000-000000000000/", 404),
        Visit("annotator", "403 (an editor's page)", reverse("accounts:users"), 403),
        Visit("outsider", "403 (no role)", reverse("articles:list"), 403),
        Visit("editor", "400 (a control character)", "/articles/%01/", 400),
        Visit("editor", "405", reverse("accounts:logout"), 405),
    ]


@pytest.fixture
def wikidata():
    """The "add from Wikidata" pages, answered by the tests' fake Wikidata (as in the matrix)."""
    with (
        override_settings(
            WIKIDATA_API_URL=fake_wikidata.API_URL,
            WIKIDATA_SPARQL_URL=fake_wikidata.SPARQL_URL,
            KB_SYNC_REQUEST_INTERVAL_MS=0,
        ),
        responses.RequestsMock(assert_all_requests_are_fired=False) as mock,
    ):
        fake_wikidata.install(mock, fake_wikidata.FakeWikidata())
        yield


@pytest.fixture
def axe_world(transactional_db, wikidata):
    require_axe()
    # Made in one transaction, as the matrix does: the checks the writes queue run once it is
    # committed (their findings are part of the pages), not between two steps of the world.
    with transaction.atomic():
        people, world = _world()
    _more_states(world, people)
    return world, people


def _world():
    people = {
        "annotator": UserFactory(username="anna", role="annotator"),
        "reviewer": UserFactory(username="rita", role="reviewer"),
        "editor": UserFactory(username="edith", role="editor"),
        "outsider": UserFactory(username="olga"),
    }
    world = UIWorld(
        annotator=people["annotator"], reviewer2=UserFactory(username="rob", role="reviewer")
    )
    return people, world


def _more_states(world, people) -> None:
    """What the matrix's world lacks and the pages show differently: a rejected annotation, an
    orphan (its text edited away) in a second article, an open error finding and a dismissed one."""
    from apps.annotations.services import annotation_create, annotation_review
    from apps.articles.services import article_import, article_update_body
    from apps.checks.models import Finding

    annotator, reviewer = people["annotator"], people["reviewer"]
    annotation_review(
        span=world.quote,
        user=reviewer,
        approve=False,
        note="The speaker is someone else.",
        expected_version=world.quote.version,
    )
    second = article_import(
        title="Budget vote",
        body="Ministers met on Monday. The budget passed by 12 votes.",
        source="Test Wire",
        created_by=annotator,
    )
    text = "Ministers met on Monday."
    annotation_create(
        article=second, kind="claim", start=0, end=len(text), exact=text, user=annotator
    )
    second.refresh_from_db()
    article_update_body(
        article=second,
        body="The budget passed by 12 votes.",
        user=annotator,
        expected_revision=second.revision,
        note="The first sentence was wrong.",
    )
    for severity, state, fingerprint in [
        (Finding.Severity.ERROR, Finding.State.OPEN, "a11y-error"),
        (Finding.Severity.WARNING, Finding.State.DISMISSED, "a11y-dismissed"),
        (Finding.Severity.INFO, Finding.State.ACKNOWLEDGED, "a11y-info"),
    ]:
        Finding.objects.create(
            article=world.article,
            code="QUOTE_SPEAKER",
            check_version="1",
            severity=severity,
            state=state,
            state_reason="" if state == Finding.State.OPEN else "Checked with the desk.",
            state_by=None if state == Finding.State.OPEN else reviewer,
            message=f"A {severity} finding, {state}.",
            fingerprint=fingerprint,
            spans=[
                {
                    "type": "quote",
                    "uuid": str(world.quote.uuid),
                    "exact": world.quote.exact,
                    "start": world.quote.start,
                    "end": world.quote.end,
                }
            ],
        )


@pytest.fixture
def pages_by_role(axe_world, browser, live_server):
    """One signed-in page per role (signed in once), CSP bypassed so that axe can be injected."""
    _, people = axe_world
    contexts, pages = [], {}

    def page_for(role: str):
        if role not in pages:
            context = browser.new_context(base_url=live_server.url, bypass_csp=True)
            context.set_default_timeout(15_000)
            context.add_init_script(path=str(AXE_JS))  # in every page, before its own scripts
            contexts.append(context)
            page = context.new_page()
            if role != "anonymous":
                login(page, people[role], PASSWORD)
            pages[role] = page
        return pages[role]

    yield page_for
    for context in contexts:
        context.close()


def check(page_for, visits: list[Visit], viewport: dict) -> tuple[list[str], list[str]]:
    """Visit each page at the viewport; (problems, pages skipped as not HTML documents)."""
    problems, skipped = [], []
    for visit in visits:
        page = page_for(visit.role)
        page.set_viewport_size(viewport)
        response = page.goto(visit.url)
        where = f"{visit.name} as {visit.role} at {viewport['width']}×{viewport['height']}"
        if response.status != visit.status:
            problems.append(f"{where}: {visit.url} answered {response.status}, not {visit.status}")
            continue
        is_document = page.evaluate(
            "() => document.contentType === 'text/html' && document.doctype !== null"
        )
        if not is_document:
            skipped.append(visit.name)  # JSON, or an htmx fragment shown inside another page
            continue
        if violations := axe_violations(page):
            problems.append(describe(f"{where} ({visit.url})", violations))
    return problems, skipped


def test_every_page_has_no_axe_violations_at_1440x900_and_the_main_ones_at_390x844(
    axe_world, pages_by_role
):
    world, _ = axe_world
    visits = matrix_pages(world) + error_pages(world)
    problems, skipped = check(pages_by_role, visits, DESKTOP)
    phone = [v for v in visits if v.name in PHONE_PAGES] + error_pages(world)[:1]
    problems += check(pages_by_role, phone, PHONE)[0]
    assert not problems, "axe-core found violations:\n" + "\n".join(problems)
    # Only the health check (JSON) and fragments an htmx request puts in a page are not pages.
    assert set(skipped) <= {"ops:healthz", "knowledge:autocomplete"}, skipped
    assert len(visits) - len(skipped) >= 25


def _axe_problems(page, where: str) -> list[str]:
    violations = axe_violations(page)
    return [describe(f"{where} ({page.url})", violations)] if violations else []


def test_the_states_pages_reach_by_clicking_have_no_axe_violations(
    axe_world, pages_by_role, settings
):
    """The workspace with each kind of annotation open (its forms), its shortcuts dialog, the
    review queue after a keyboard approval, a new API key's one-time secret, forms with errors,
    the login page of a locked account."""
    world, _ = axe_world
    settings.AXES_FAILURE_LIMIT = 2
    problems = []
    workspace = reverse("articles:detail", kwargs={"article_uuid": world.article.uuid})
    open_by_role = {
        "editor": ("claim", "claim_proposed", "claim_verified", "quote", "mention", "date"),
        "reviewer": ("claim_proposed", "mention"),  # the review forms
        "annotator": ("claim", "quote"),  # the author's forms
    }
    for role, names in open_by_role.items():
        page = pages_by_role(role)
        page.set_viewport_size(DESKTOP)
        for name in names:
            span = getattr(world, name)
            kind = name.split("_")[0]
            page.goto(f"{workspace}?open={kind}/{span.uuid}")
            page.locator("#detail").get_by_text(span.exact[:20]).first.wait_for()
            problems += _axe_problems(page, f"workspace, {name} open, as {role}")

    page = pages_by_role("editor")
    page.goto(workspace)
    page.get_by_role("button", name="Keyboard shortcuts").click()
    page.locator("dialog#keys-help[open]").wait_for()
    problems += _axe_problems(page, "workspace, shortcuts dialog open")

    page = pages_by_role("reviewer")
    page.goto(reverse("review:queue"))
    page.keyboard.press("j")
    page.keyboard.press("a")
    page.locator(".review-msg").first.wait_for()
    problems += _axe_problems(page, "review queue after approving by keyboard")

    page = pages_by_role("editor")
    page.goto(reverse("keys:list"))
    page.get_by_label("Name").fill("Newsroom CMS")
    page.get_by_label("Read-only", exact=False).first.check()
    page.get_by_role("button", name="Create key").click()
    page.locator("#new-key-secret").wait_for()
    problems += _axe_problems(page, "API keys, a new key shown")

    page.goto(reverse("articles:import"))
    page.locator("main form button[type=submit]").last.click()
    page.locator("main .error, main .errorlist").first.wait_for()
    problems += _axe_problems(page, "import form with errors")

    page = pages_by_role("anonymous")
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill("not her password")
    page.get_by_role("button", name="Log in").click()
    page.locator("main .error, main .errorlist").first.wait_for()
    problems += _axe_problems(page, "login with a wrong password")

    for _ in range(2):
        page.goto(reverse("accounts:login"))
        page.get_by_label("Username").fill(world.newcomer.username)
        page.get_by_label("Password").fill("not his password")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
    page.locator("#lockout-message").wait_for()
    problems += _axe_problems(page, "login locked after failed attempts")

    # A form sent without its CSRF cookie (blocked cookies, a stale page): Django's 403 page.
    page.goto(reverse("accounts:login"))
    page.context.clear_cookies()
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        page.get_by_role("button", name="Log in").click()
    assert sent.value.status == 403
    problems += _axe_problems(page, "a form sent without its CSRF cookie")

    # The 500 page cannot be reached by a request (none may fail): Django's handler renders it
    # here, and the browser is given it at an address of the live server (so its CSS loads).
    body = server_error(RequestFactory().get("/")).content.decode()
    page.route(
        "**/a11y-500/", lambda route: route.fulfill(status=500, body=body, content_type="text/html")
    )
    page.goto("/a11y-500/")
    problems += _axe_problems(page, "the 500 page")

    assert not problems, "axe-core found violations:\n" + "\n".join(problems)
