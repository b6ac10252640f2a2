"""The UI's permission matrix: every URL of the HTML interface × GET / POST / DELETE × role.

Roles: anonymous, a signed-in person with no Factdesk role ("outsider"), annotator, reviewer,
editor, and the two API keys (read-only, read-write) sent as `Authorization: Api-Key <key>`. The
UI is for people: a key gets what an anonymous visitor gets (the login page), never a page.

What each answer must be:

- allowed: the row's status (200 for a page, 302 for a form that posts and redirects, to the
  place the row names); an allowed write with valid data changes the database.
- refused: nobody signed in (or a key) → 302 to the login page; signed in without the right
  role → 403. A refused request changes nothing in the database. Never 200, never 500.
- a method the URL does not take → 405 for everyone (never 500).

The data is made by the annotator "anna" (tests/api/conftest.py World, the same one the API's
contract test uses), so the reviewer and the editor review someone else's work (four eyes).
Each request runs in a savepoint rolled back afterwards: every role meets the same state.

The API (/api/) has its own matrix in tests/api/test_contract.py; Django's admin (/admin/) is
for staff only and has one row below."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

import pytest
import responses
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.accounts.api_keys import api_key_create
from apps.knowledge.models import Entity, EntityAlias, normalize_alias
from tests.api.conftest import BODY, World
from tests.factories import EntityFactory, UserFactory
from tests.knowledge import fake_wikidata
from tests.snapshots import MODELS as SPAN_AND_ARTICLE_MODELS

pytestmark = pytest.mark.django_db

KEYS = ("read_key", "write_key")
ROLES = ("anonymous", *KEYS, "outsider", "annotator", "reviewer", "editor")
NOBODY = {"anonymous", *KEYS}  # not signed in as a person: the login page
EVERYONE = set(ROLES)
PEOPLE = {"annotator", "reviewer", "editor"}  # any Factdesk role: read everything
ANNOTATE = {"annotator", "editor"}
REVIEW = {"reviewer", "editor"}
EDIT = {"editor"}

LOGIN = "/accounts/login/"
PASSWORD = "pw-for-tests-only"  # tests/factories.py
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

# URL prefixes with a matrix of their own.
ELSEWHERE = ("api/", "admin/")


@dataclass(frozen=True)
class Access:
    """Who may use one method of one URL, and what they get."""

    allowed: frozenset[str]
    status: int = 200
    # For a redirect: the path it must lead to (a regex, "{name}" filled from the world).
    lands: str = ""
    # The POST data: valid, so that an allowed request does its work (and the test sees it did).
    data: Callable[[Any], dict] | None = None
    query: dict[str, str] = field(default_factory=dict)  # GET parameters
    changes: bool = False  # an allowed request changes the database
    # Anything else to check after an allowed request: returns a problem, or "".
    check: Callable[[Client, Any], str] | None = None


def allow(roles, status=200, lands="", data=None, query=None, changes=None, check=None) -> Access:
    if changes is None:
        changes = data is not None and status in (200, 302)
    return Access(frozenset(roles), status, lands, data, query or {}, changes, check)


@dataclass(frozen=True)
class Row:
    name: str  # namespace:name
    kwargs: Callable[[Any], dict]
    get: Access | None  # None: GET is not a method of this URL (405)
    post: Access | None
    variant: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name


def R(name, get=None, post=None, kwargs=None, variant="") -> Row:
    return Row(name, kwargs or (lambda w: {}), get, post, variant)


# --- The world ---------------------------------------------------------------------------------


class UIWorld(World):
    """The API contract's world (an article with one of everything, by anna; a verdict verified
    by rob) plus what the UI's own pages act on: a second office, an alias to remove, a user
    whose roles an editor changes, an API key to revoke."""

    def __init__(self, *, annotator, reviewer2) -> None:
        super().__init__(annotator=annotator, reviewer2=reviewer2)
        self.office2 = EntityFactory(label="Leader of the Opposition", kind=Entity.Kind.OFFICE)
        EntityAlias.objects.create(
            entity=self.person, alias="Starmer", normalized=normalize_alias("Starmer")
        )
        self.person.refresh_from_db()
        self.tenure.refresh_from_db()
        self.newcomer = UserFactory(username="tom")
        self.old_key = api_key_create(name="Old CMS", scope="read", by=None).key
        # ws: an annotation anna deleted, for the undo (annotations:restore).
        from apps.annotations import services as annotation_services

        gone = annotation_services.annotation_create(
            article=self.claim.article,
            kind="date",
            start=self.claim.start,
            end=self.claim.end,
            exact=self.claim.exact,
            user=annotator,
        )
        annotation_services.annotation_delete(span=gone, user=annotator, expected_version=1)
        self.deleted = gone

    def ids(self) -> dict[str, str]:
        return {**super().ids(), "tenure": str(self.tenure.uuid)}


@dataclass
class Shared:
    world: UIWorld
    sessions: dict[str, str]  # role → session key of a signed-in person
    keys: dict[str, str]  # role → API key secret


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker) -> Iterator[Shared]:
    """The world, its people signed in, and the two keys, made once for the module (~0.3 s
    instead of once per row) inside a transaction rolled back at the end. Every test runs in a
    savepoint inside it (pytest-django's `db`), and every request in a savepoint of its own,
    both rolled back: no request sees what another did."""
    with django_db_blocker.unblock(), transaction.atomic():
        people = {
            "annotator": UserFactory(username="anna", role="annotator"),
            "reviewer": UserFactory(username="rita", role="reviewer"),
            "editor": UserFactory(username="edith", role="editor"),
            "outsider": UserFactory(username="olga"),  # signed in, no Factdesk role
        }
        world = UIWorld(
            annotator=people["annotator"],
            reviewer2=UserFactory(username="rob", role="reviewer"),
        )
        sessions = {}
        for role, user in people.items():
            client = Client()
            client.force_login(user)
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        keys = {
            "read_key": api_key_create(name="Data desk", scope="read", by=None).secret,
            "write_key": api_key_create(name="CMS", scope="write", by=None).secret,
        }
        yield Shared(world=world, sessions=sessions, keys=keys)
        transaction.set_rollback(True)


# --- The matrix --------------------------------------------------------------------------------

WORKSPACE = "/articles/{article}/"
ENTITY_PAGE = "/kb/{entity}/"
QUEUE = "/review/"


def span_kwargs(kind: str, name: str | None = None) -> Callable[[Any], dict]:
    return lambda w: {"kind": kind, "span_uuid": getattr(w, name or kind).uuid}


SPAN_EDITS: dict[str, Callable[[Any], dict]] = {
    "claim": lambda w: {"f-version": w.claim.version, "f-kind": "role"},
    "quote": lambda w: {
        "f-version": w.quote.version,
        "f-speaker": w.person.uuid,
        "f-speaker_text": "Keir Starmer",
        "f-attribution_text": "Keir Starmer explained",
        "f-verb": "explained",
    },
    "mention": lambda w: {
        "f-version": w.mention.version,
        "f-entity": w.person.uuid,
        "f-title_modifier": "former",
    },
    "date": lambda w: {
        "f-version": w.date.version,
        "f-value": "2024-01-06",
        "f-precision": "day",
        "f-is_relative": "on",
    },
}


def signed_in_as(username: str) -> Callable[[Client, Any], str]:
    def check(client: Client, world) -> str:
        from django.contrib.auth import get_user_model

        user_id = client.session.get("_auth_user_id")
        expected = str(get_user_model().objects.get(username=username).pk)
        return "" if user_id == expected else f"signed in as user {user_id}, not {username}"

    return check


def signed_out(client: Client, world) -> str:
    return "" if "_auth_user_id" not in client.session else "still signed in after logging out"


MATRIX: list[Row] = [
    # --- Sign-in, dashboard, health ---
    R(
        "accounts:login",
        get=allow(EVERYONE),
        # Anyone may sign in, whoever they were before; the session is then anna's.
        post=allow(
            EVERYONE,
            302,
            lands="/",
            data=lambda w: {"username": "anna", "password": PASSWORD},
            changes=False,  # the session and last_login only
            check=signed_in_as("anna"),
        ),
    ),
    R(
        "accounts:logout",
        post=allow(EVERYONE, 302, lands=LOGIN, data=lambda w: {}, changes=False, check=signed_out),
    ),
    R("ops:dashboard", get=allow(PEOPLE)),
    R("ops:healthz", get=allow(EVERYONE)),  # JSON for the load balancer, no data in it
    # --- Roles and API keys (editors) ---
    R("accounts:users", get=allow(EDIT)),
    R(
        "accounts:user_roles",
        kwargs=lambda w: {"username": w.newcomer.username},
        post=allow(EDIT, 302, lands="/accounts/users/", data=lambda w: {"roles": ["reviewer"]}),
    ),
    R(
        "keys:list",
        get=allow(EDIT),
        # Post/redirect/get: the new key's secret is shown once, on the page the redirect lands on.
        post=allow(
            EDIT,
            302,
            lands="/accounts/keys/",
            data=lambda w: {"name": "Newsroom CMS", "scope": "read"},
        ),
    ),
    R(
        "keys:revoke",
        kwargs=lambda w: {"prefix": w.old_key.prefix},
        get=allow(EDIT),  # the confirmation page
        post=allow(EDIT, 302, lands="/accounts/keys/", data=lambda w: {}),
    ),
    # --- Articles ---
    R("articles:list", get=allow(PEOPLE)),
    R(
        "articles:list",
        variant="sorted, searched",
        get=allow(PEOPLE, query={"sort": "-findings", "q": "Paris"}),
    ),
    # --- pages: claims and findings across articles, a verified claim's ClaimReview preview ---
    R("claims:list", get=allow(PEOPLE, query={"state": "verified"})),
    R("claims:review", kwargs=lambda w: {"claim_uuid": w.claim_verified.uuid}, get=allow(PEOPLE)),
    R("findings:list", get=allow(PEOPLE, query={"state": "open"})),
    R(
        "articles:import",
        get=allow(ANNOTATE),
        post=allow(
            ANNOTATE,
            302,
            lands=f"/articles/{UUID}/",
            data=lambda w: {
                "title": "Budget talks",
                "text": "Ministers met on Monday.",
                "published_on": "2026-01-08",
            },
        ),
    ),
    R("articles:detail", kwargs=lambda w: {"article_uuid": w.article.uuid}, get=allow(PEOPLE)),
    # The workspace's htmx regions; a plain GET goes back to the workspace.
    R(
        "articles:annotations",
        kwargs=lambda w: {"article_uuid": w.article.uuid},
        get=allow(PEOPLE, 302, lands=WORKSPACE),
    ),
    R(
        "articles:findings",
        kwargs=lambda w: {"article_uuid": w.article.uuid},
        get=allow(PEOPLE, 302, lands=WORKSPACE),
    ),
    R(
        "articles:edit-body",
        kwargs=lambda w: {"article_uuid": w.article.uuid},
        get=allow(ANNOTATE),
        post=allow(
            ANNOTATE,
            302,
            lands=WORKSPACE,
            data=lambda w: {
                "body": BODY + " They meet again today.",
                "revision": w.article.revision,
                "note": "The last sentence.",
            },
        ),
    ),
    R(
        "articles:edit-details",
        kwargs=lambda w: {"article_uuid": w.article.uuid},
        get=allow(ANNOTATE),
        post=allow(
            ANNOTATE,
            302,
            lands=WORKSPACE,
            data=lambda w: {
                "title": "Talks in Paris end late",
                "initial-title": w.article.title,
            },
        ),
    ),
    # --- Annotations (the workspace's actions) ---
    R("annotations:index", get=allow(PEOPLE, 302, lands="/articles/")),
    R(
        "annotations:create",
        kwargs=lambda w: {"article_uuid": w.article.uuid},
        post=allow(
            ANNOTATE,
            302,
            lands=WORKSPACE,
            data=lambda w: {"kind": "mention", "exact": "Paris", "occurrence": 1},
        ),
    ),
    *[
        R(
            "annotations:detail",
            variant=kind,
            kwargs=span_kwargs(kind),
            get=allow(PEOPLE, 302, lands=WORKSPACE),
        )
        for kind in SPAN_EDITS
    ],
    *[
        R(
            "annotations:update",
            variant=kind,
            kwargs=span_kwargs(kind),
            post=allow(ANNOTATE, 302, lands=WORKSPACE, data=data),
        )
        for kind, data in SPAN_EDITS.items()
    ],
    *[
        R(
            "annotations:review",
            variant=kind,
            kwargs=span_kwargs(kind),
            post=allow(
                REVIEW,
                302,
                lands=WORKSPACE,
                data=lambda w, kind=kind: {
                    "r-version": getattr(w, kind).version,
                    "r-decision": "approve",
                },
            ),
        )
        for kind in SPAN_EDITS
    ],
    # Deleting: an editor, or the author (anna) while the annotation is unreviewed.
    *[
        R(
            "annotations:delete",
            variant=kind,
            kwargs=span_kwargs(kind),
            post=allow(
                ANNOTATE,
                302,
                lands=WORKSPACE,
                data=lambda w, kind=kind: {"d-version": getattr(w, kind).version},
            ),
        )
        for kind in SPAN_EDITS
    ],
    R(
        "annotations:verdict",
        kwargs=lambda w: {"span_uuid": w.claim.uuid},
        post=allow(
            ANNOTATE,
            302,
            lands=WORKSPACE,
            data=lambda w: {"v-version": w.claim.version, "v-verdict": "accurate"},
        ),
    ),
    R(
        "annotations:verify",
        kwargs=lambda w: {"span_uuid": w.claim_proposed.uuid},
        post=allow(
            REVIEW, 302, lands=WORKSPACE, data=lambda w: {"y-version": w.claim_proposed.version}
        ),
    ),
    R(
        "annotations:return",
        kwargs=lambda w: {"span_uuid": w.claim_proposed.uuid},
        post=allow(
            REVIEW,
            302,
            lands=WORKSPACE,
            data=lambda w: {"b-version": w.claim_proposed.version, "b-note": "Find a source."},
        ),
    ),
    R(
        "annotations:evidence-add",
        kwargs=lambda w: {"span_uuid": w.claim.uuid},
        post=allow(
            ANNOTATE,
            302,
            lands=WORKSPACE,
            data=lambda w: {"e-url": "https://example.org/source", "e-title": "Source"},
        ),
    ),
    R(
        "annotations:evidence-remove",
        kwargs=lambda w: {"evidence_uuid": w.evidence.uuid},
        # Its author (the annotator added it), reviewers and editors (issue 10).
        post=allow(PEOPLE, 302, lands=WORKSPACE, data=lambda w: {}),
    ),
    R(
        "annotations:reattach",
        kwargs=span_kwargs("claim"),
        post=allow(
            ANNOTATE,
            302,
            lands=WORKSPACE,
            data=lambda w: {"m-version": w.claim.version, "m-exact": "Officials met in Paris"},
        ),
    ),
    # ws: undo of a delete, by whoever deleted it (anna) or an editor.
    R(
        "annotations:restore",
        kwargs=span_kwargs("date", "deleted"),
        post=allow(ANNOTATE, 302, lands=WORKSPACE, data=lambda w: {}),
    ),
    # --- Review queue ---
    R("review:queue", get=allow(PEOPLE)),
    R("review:item", kwargs=span_kwargs("claim", "claim_proposed"), get=allow(PEOPLE)),
    R(
        "review:bulk",
        post=allow(
            REVIEW,
            302,
            lands=QUEUE,
            data=lambda w: {
                "action": "approve",
                "item": [f"mention:{w.mention.uuid}:{w.mention.version}"],
            },
        ),
    ),
    *[
        R(
            "review:act",
            variant=action,
            kwargs=lambda w, kind=kind, name=name, action=action: {
                "kind": kind,
                "span_uuid": getattr(w, name).uuid,
                "action": action,
            },
            post=allow(
                REVIEW,
                302,
                lands=QUEUE,
                data=lambda w, name=name: {
                    "version": getattr(w, name).version,
                    "note": "Checked against the minutes.",
                },
            ),
        )
        for action, kind, name in [
            ("approve", "mention", "mention"),
            ("reject", "quote", "quote"),
            ("verify", "claim", "claim_proposed"),
            ("return", "claim", "claim_proposed"),
        ]
    ],
    # --- Findings ---
    R(
        "checks:finding-state",
        kwargs=lambda w: {"finding_uuid": w.finding.uuid},
        post=allow(
            REVIEW,
            302,
            lands=WORKSPACE,
            data=lambda w: {
                "state": "dismissed",
                "reason": "The date is quoted on purpose.",
                "version": w.finding.version,
            },
        ),
    ),
    R(
        "checks:finding-title-alias",
        kwargs=lambda w: {"finding_uuid": w.finding.uuid},
        # Editors only; the world's finding is not about an unknown title, so the form is refused
        # (tests/checks/test_title_kb.py adds an alias through it).
        post=allow(EDIT, 422, data=lambda w: {"alias": "finance minister", "office": "0"}),
    ),
    # --- History (read-only) ---
    *[
        R(
            "history:detail",
            variant=kind,
            kwargs=lambda w, kind=kind, name=name: {"kind": kind, "item_uuid": w.ids()[name]},
            get=allow(PEOPLE),
        )
        for kind, name in [
            ("article", "article"),
            ("claim", "claim"),
            ("quote", "quote"),
            ("mention", "mention"),
            ("date", "date"),
            ("evidence", "evidence"),
            ("finding", "finding"),
            ("entity", "entity"),
            ("tenure", "tenure"),
        ]
    ],
    # --- Knowledge base: everyone with a role reads, editors write ---
    R("knowledge:search", get=allow(PEOPLE, query={"q": "Keir"})),
    R("knowledge:autocomplete", get=allow(PEOPLE, query={"q": "Keir", "kind": "person"})),
    R("knowledge:entity", kwargs=lambda w: {"entity_uuid": w.person.uuid}, get=allow(PEOPLE)),
    R(
        "knowledge:entity_new",
        get=allow(EDIT),
        post=allow(
            EDIT,
            302,
            lands=f"/kb/{UUID}/",
            data=lambda w: {"label": "Rishi Sunak", "kind": "person"},
        ),
    ),
    R(
        "knowledge:entity_edit",
        kwargs=lambda w: {"entity_uuid": w.person.uuid},
        post=allow(
            EDIT,
            302,
            lands=ENTITY_PAGE,
            data=lambda w: {
                "label": "Keir Starmer",
                "kind": "person",
                "description": "British politician.",
                "version": w.person.updated_at.isoformat(),
            },
        ),
    ),
    R(
        "knowledge:alias_add",
        kwargs=lambda w: {"entity_uuid": w.person.uuid},
        post=allow(EDIT, 302, lands=ENTITY_PAGE, data=lambda w: {"alias": "Sir Keir"}),
    ),
    R(
        "knowledge:alias_remove",
        kwargs=lambda w: {"entity_uuid": w.person.uuid},
        post=allow(EDIT, 302, lands=ENTITY_PAGE, data=lambda w: {"alias": "Starmer"}),
    ),
    R(
        "knowledge:tenure_add",
        kwargs=lambda w: {"entity_uuid": w.person.uuid},
        post=allow(
            EDIT,
            302,
            lands=ENTITY_PAGE,
            data=lambda w: {
                "other": w.office2.uuid,
                "start": "2020-04-04",
                "start_precision": "day",
                "end": "2024-07-05",
                "end_precision": "day",
            },
        ),
    ),
    R(
        "knowledge:tenure_edit",
        kwargs=lambda w: {"tenure_uuid": w.tenure.uuid},
        get=allow(EDIT),
        post=allow(
            EDIT,
            302,
            lands=ENTITY_PAGE,
            data=lambda w: {
                "other": w.office.uuid,
                "start": "2024-07-05",
                "start_precision": "day",
                "end_precision": "day",
                "source_url": "https://www.gov.uk/government/ministers/prime-minister",
                "version": w.tenure.updated_at.isoformat(),
            },
        ),
    ),
    R(
        "knowledge:tenure_delete",
        kwargs=lambda w: {"tenure_uuid": w.tenure.uuid},
        post=allow(EDIT, 302, lands=ENTITY_PAGE, data=lambda w: {}),
    ),
    # Add from Wikidata (answered by the hand-made fake, see `wikidata` below).
    R("knowledge:wikidata_search", get=allow(EDIT, query={"q": "trump"})),
    R(
        "knowledge:wikidata_preview",
        kwargs=lambda w: {"wikidata_id": "Q22686"},
        get=allow(EDIT),
    ),
    R(
        "knowledge:wikidata_import",
        kwargs=lambda w: {"wikidata_id": "Q22686"},
        post=allow(EDIT, 302, lands=f"/kb/{UUID}/", data=lambda w: {}),
    ),
]


@pytest.fixture(scope="module", autouse=True)
def wikidata() -> Iterator[None]:
    """Wikidata for the "add from Wikidata" rows: the tests' fake, replayed by `responses`."""
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


# --- Running a request -------------------------------------------------------------------------

# What a refused request could change: the spans, articles and findings (tests/snapshots.py),
# the knowledge base, people's roles and the API keys.
MODELS = (
    *SPAN_AND_ARTICLE_MODELS,
    "knowledge.Entity",
    "knowledge.EntityAlias",
    "knowledge.Tenure",
    "accounts.ScopedAPIKey",
)


@functools.cache
def _tables() -> list[tuple[str, str]]:
    """(table, primary key) of MODELS, their history, people's roles."""
    from django.contrib.auth import get_user_model

    models = [apps.get_model(label) for label in MODELS]
    models += [m.history.model for m in models if hasattr(m, "history")]
    models += [get_user_model().groups.through]
    return [(m._meta.db_table, m._meta.pk.column) for m in models]


def snapshot() -> dict[str, list]:
    """Every row of those tables (raw SQL: this runs twice for each of ~1,500 requests)."""
    from django.contrib.auth import get_user_model

    quote = connection.ops.quote_name
    state: dict[str, list] = {}
    with connection.cursor() as cursor:
        for table, pk in _tables():
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")
            state[table] = cursor.fetchall()
    # People (last_login moves whenever the test client signs someone in: not compared).
    state["users"] = list(
        get_user_model()
        .objects.order_by("pk")
        .values_list("pk", "username", "password", "is_active", "is_staff")
    )
    return state


@pytest.fixture(scope="module")
def browser() -> Client:
    """One test client for every request: building a client's middleware costs ~0.1 s (the
    static files are listed in DEBUG), ~1,500 times over. Its cookies are set per request."""
    return Client()


def client_for(browser: Client, role: str, shared: Shared) -> tuple[Client, dict[str, str]]:
    """The client as `role`, and the headers to send."""
    browser.cookies = SimpleCookie()
    if role in KEYS:
        return browser, {"Authorization": f"Api-Key {shared.keys[role]}"}
    if role in shared.sessions:
        browser.cookies[settings.SESSION_COOKIE_NAME] = shared.sessions[role]
    return browser, {}


def fill(pattern: str, world) -> str:
    for name, value in world.ids().items():
        pattern = pattern.replace("{" + name + "}", value)
    return pattern


def problems_of(role: str, method: str, access: Access | None, response, client, world) -> list:
    status = response.status_code
    location = urlsplit(response.get("Location", "")).path
    if access is None:
        return [] if status == 405 else [f"expected 405 (no such method), got {status}"]
    if role not in access.allowed:
        if role in NOBODY:
            if status == 302 and location == LOGIN:
                return []
            return [f"expected 302 to the login page, got {status} {location}"]
        return [] if status == 403 else [f"expected 403, got {status} {location}"]
    if status != access.status:
        return [f"expected {access.status}, got {status} {location}"]
    problems = []
    if status == 302:
        wanted = fill(access.lands, world) if access.lands else ""
        if wanted and not re.fullmatch(wanted, location):
            problems.append(f"redirected to {location}, not {wanted}")
        if not wanted and location == LOGIN:
            problems.append("redirected to the login page")
    if access.check is not None and (problem := access.check(client, world)):
        problems.append(problem)
    return problems


def call(row: Row, method: str, role: str, browser: Client, shared: Shared) -> list[str]:
    """One request in a savepoint that is rolled back: the next one meets the same world."""
    world = shared.world
    access = {"GET": row.get, "POST": row.post}.get(method)
    url = reverse(row.name, kwargs=row.kwargs(world))
    with transaction.atomic():
        client, headers = client_for(browser, role, shared)
        # A method the URL does not take must be answered 405 before the view runs: no need to
        # look at the database (which saves a third of the run).
        before = snapshot() if access is not None else None
        try:
            if method == "GET":
                response = client.get(url, access.query if access else {}, headers=headers)
            elif method == "POST":
                data = access.data(world) if access and access.data else {}
                response = client.post(url, data, headers=headers)
            else:
                response = client.generic(method, url, headers=headers)
        except Exception as exc:  # a 500: the test client re-raises the view's exception
            transaction.set_rollback(True)
            return [f"{role} {method} {url}: raised {exc!r}"]
        problems = problems_of(role, method, access, response, client, world)
        changed = before is not None and snapshot() != before
        allowed = access is not None and role in access.allowed
        if changed and not (allowed and access.changes):
            problems.append("changed the database")
        if allowed and access.changes and not changed:
            problems.append("did not change the database")
        transaction.set_rollback(True)
    said = f"{role} {method} {url} -> {response.status_code}"
    return [f"{said}: {problem}" for problem in problems]


@pytest.mark.parametrize("row", MATRIX, ids=lambda row: row.id)
def test_each_role_gets_what_the_matrix_says(row, browser, shared):
    problems = []
    for method in ("GET", "POST", "DELETE"):
        for role in ROLES:
            problems += call(row, method, role, browser, shared)
    assert not problems, "\n".join(problems)


# --- The matrix covers every URL -------------------------------------------------------------


def ui_url_names() -> dict[str, str]:
    """namespace:name → route of every URL pattern outside /api/ and /admin/."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(ELSEWHERE):
                continue
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                name = ":".join(filter(None, [namespace, pattern.name or f"<unnamed {route}>"]))
                assert name not in found, f"{name} names two URLs: {found[name]} and {route}"
                found[name] = route

    walk(get_resolver().url_patterns, "", "")
    return found


def test_the_matrix_lists_every_ui_url_and_only_those():
    routes = ui_url_names()
    listed = {row.name for row in MATRIX}
    missing = {name: route for name, route in routes.items() if name not in listed}
    assert not missing, f"add these URLs to the permission matrix: {missing}"
    assert not listed - set(routes), f"no such URLs any more: {listed - set(routes)}"


def test_only_the_api_and_the_admin_are_left_to_other_tests():
    top = {str(pattern.pattern) for pattern in get_resolver().url_patterns}
    assert set(ELSEWHERE) <= top


# --- Django's admin: staff only ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_sends_every_role_without_staff_status_to_its_login(role, browser, shared):
    client, headers = client_for(browser, role, shared)
    response = client.get("/admin/", headers=headers)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/admin/login/"


def test_the_admin_opens_for_a_staff_editor(client):
    editor = UserFactory(username="sam", role="editor", is_staff=True)
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200
