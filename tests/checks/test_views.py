"""The findings panel's actions (acknowledge, resolve, dismiss with a reason), for each role and
anonymous, plain and htmx."""

from __future__ import annotations

import pytest

from apps.checks.models import Finding
from tests.articles.views_helpers import (
    EACH_ROLE,
    HTMX,
    assert_refused,
    hx,
    redirect_path,
    sign_in,
    text_of,
)
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(db):
    article = ArticleFactory(body="Former President Donald Trump spoke on Tuesday.")
    return Finding.objects.create(
        article=article,
        code="ROLE_AT_DATE",
        check_version="1",
        severity=Finding.Severity.ERROR,
        message="Donald Trump was not a former president on 7 January 2026.",
        fingerprint="trump-former",
    )


def post(client, finding, htmx, **data):
    return client.post(
        f"/checks/findings/{finding.uuid}/state/",
        {"version": finding.version, **data},
        headers=hx(htmx),
    )


@EACH_ROLE
@HTMX
def test_it_lets_reviewers_and_editors_acknowledge_a_finding(client, request, finding, role, htmx):
    sign_in(client, request, role)
    response = post(client, finding, htmx, state="acknowledged", reason="Asking the desk.")
    finding.refresh_from_db()
    if role in ("reviewer", "editor"):
        assert (finding.state, finding.version) == ("acknowledged", 2)
        if htmx:
            html = text_of(response)
            assert response.status_code == 200
            assert html.lstrip().startswith('<section id="findings"')
            assert "Finding acknowledged." in html
            assert "badge fstate" in html and ">acknowledged<" in html
        else:
            assert redirect_path(response) == f"/articles/{finding.article.uuid}/"
    else:
        assert finding.state == "open"
        assert_refused(response, role, htmx)


@HTMX
def test_it_needs_a_note_to_acknowledge_an_error(client, reviewer, finding, htmx):
    client.force_login(reviewer)
    response = post(client, finding, htmx, state="acknowledged", reason=" ")
    assert response.status_code == 422
    assert "Add a note to acknowledge an error" in text_of(response)
    finding.refresh_from_db()
    assert (finding.state, finding.version) == ("open", 1)


@HTMX
def test_it_needs_a_reason_to_dismiss_and_keeps_the_finding_open(client, reviewer, finding, htmx):
    client.force_login(reviewer)
    response = post(client, finding, htmx, state="dismissed", reason="  ")
    assert response.status_code == 422
    assert "Say why the finding is dismissed." in text_of(response)
    finding.refresh_from_db()
    assert finding.state == "open"
    response = post(client, finding, htmx, state="dismissed", reason="He was re-elected in 2024.")
    finding.refresh_from_db()
    assert (finding.state, finding.state_reason) == ("dismissed", "He was re-elected in 2024.")


@HTMX
def test_it_shows_a_conflict_when_someone_else_acted_first(
    client, reviewer, reviewer2, finding, htmx
):
    from apps.checks.services import finding_set_state

    stale = finding.version
    finding_set_state(finding=finding, user=reviewer2, state="resolved", expected_version=stale)
    client.force_login(reviewer)
    response = client.post(
        f"/checks/findings/{finding.uuid}/state/",
        {"version": stale, "state": "dismissed", "reason": "wrong"},
        headers=hx(htmx),
    )
    assert response.status_code == 409
    html = text_of(response)
    assert "changed by someone else" in html
    assert "Your reason, not saved: “wrong”." in html
    assert "fs-resolved" in html  # the finding as it is now
    finding.refresh_from_db()
    assert (finding.state, finding.state_by) == ("resolved", reviewer2)


@HTMX
def test_it_refuses_an_unknown_state(client, reviewer, finding, htmx):
    client.force_login(reviewer)
    response = post(client, finding, htmx, state="deleted")
    assert response.status_code == 422
    finding.refresh_from_db()
    assert finding.state == "open"


def test_the_api_asks_for_a_note_to_acknowledge_an_error(reviewer, finding):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(reviewer)
    url = f"/api/v1/findings/{finding.uuid}/state"
    refused = client.post(url, {"state": "acknowledged", "version": 1}, format="json")
    assert refused.status_code == 400
    assert "Add a note to acknowledge an error" in refused.json()["message"]
    finding.refresh_from_db()
    assert finding.state == "open"
    done = client.post(
        url, {"state": "acknowledged", "reason": "Asked the desk.", "version": 1}, format="json"
    )
    assert done.status_code == 200 and done.json()["state"] == "acknowledged"


@HTMX
def test_it_reopens_a_settled_finding_and_refuses_to_settle_it_another_way_first(
    client, reviewer, finding, htmx
):
    client.force_login(reviewer)
    post(client, finding, htmx, state="resolved")
    finding.refresh_from_db()
    html = text_of(client.get(f"/articles/{finding.article.uuid}/findings/", headers=hx(True)))
    assert 'data-action="reopen"' in html and 'data-action="dismiss"' not in html

    refused = post(client, finding, htmx, state="dismissed", reason="Not a problem.")
    finding.refresh_from_db()
    assert refused.status_code == 409 and finding.state == "resolved"
    assert "This finding is resolved; reopen it before you dismiss it." in text_of(refused)

    reopened = post(client, finding, htmx, state="open")
    finding.refresh_from_db()
    assert (finding.state, finding.version) == ("open", 3)
    if htmx:
        assert "Finding reopened." in text_of(reopened)
        assert 'data-action="acknowledge"' in text_of(reopened)
