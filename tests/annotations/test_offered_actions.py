"""What the panel and the queue offer where they used to differ from the services (issue 13):
a verdict blocked by an error finding, an orphan, a span put on the wrong words. The whole
role × state walk is tests/test_action_walk.py."""

from __future__ import annotations

import pytest

from apps.annotations.models import AnchorState, Claim
from apps.checks.models import Finding
from tests.articles.views_helpers import hx, text_of
from tests.factories import ArticleFactory, annotate

pytestmark = pytest.mark.django_db

BODY = "The minister said unemployment fell by 3% in May. Officials met in Paris on Tuesday."


@pytest.fixture
def proposed_claim(annotator):
    claim = annotate(
        ArticleFactory(body=BODY), "claim", "unemployment fell by 3% in May", annotator
    )
    Claim.objects.filter(pk=claim.pk).update(
        verdict=Claim.Verdict.ACCURATE, verdict_state=Claim.VerdictState.PROPOSED
    )
    return claim


def test_a_verdict_blocked_by_an_error_finding_is_not_offered_for_verifying(
    client, reviewer, proposed_claim
):
    finding = Finding.objects.create(
        article=proposed_claim.article,
        code="QUANTITY",
        check_version="1",
        severity=Finding.Severity.ERROR,
        message="The figure in the release is 2%.",
        fingerprint="q",
        spans=[{"start": proposed_claim.start, "end": proposed_claim.end}],
    )
    client.force_login(reviewer)
    panel = text_of(client.get(f"/annotations/claim/{proposed_claim.uuid}/", headers=hx(True)))
    row = text_of(client.get(f"/review/claim/{proposed_claim.uuid}/", headers=hx(True)))

    for html in (panel, row):
        assert 'data-action="verify"' not in html
        assert "cannot be verified while the article has open error findings" in html
        assert "QUANTITY: The figure in the release is 2%." in html
        assert 'data-action="return"' in html  # sending it back is still offered

    Finding.objects.filter(pk=finding.pk).update(state="resolved")
    panel = text_of(client.get(f"/annotations/claim/{proposed_claim.uuid}/", headers=hx(True)))
    row = text_of(client.get(f"/review/claim/{proposed_claim.uuid}/", headers=hx(True)))
    assert 'data-action="verify"' in panel and 'data-action="verify"' in row


def test_an_orphan_is_offered_for_rejecting_not_approving(client, reviewer, proposed_claim):
    Claim.objects.filter(pk=proposed_claim.pk).update(anchor_state=AnchorState.ORPHANED)
    client.force_login(reviewer)
    panel = text_of(client.get(f"/annotations/claim/{proposed_claim.uuid}/", headers=hx(True)))
    row = text_of(client.get(f"/review/claim/{proposed_claim.uuid}/", headers=hx(True)))

    for html in (panel, row):
        assert 'data-action="approve"' not in html and 'data-action="reject"' in html
        assert "so it cannot be approved" in html


def test_an_annotator_moves_an_anchored_span_to_other_words(client, annotator, proposed_claim):
    client.force_login(annotator)
    panel = text_of(client.get(f"/annotations/claim/{proposed_claim.uuid}/", headers=hx(True)))
    assert "Move it to other words" in panel and 'data-action="reattach"' in panel

    response = client.post(
        f"/annotations/claim/{proposed_claim.uuid}/reattach/",
        {"m-version": proposed_claim.version, "m-exact": "Officials met in Paris"},
        headers=hx(True),
    )

    proposed_claim.refresh_from_db()
    assert response.status_code == 200
    assert proposed_claim.exact == "Officials met in Paris"
    assert proposed_claim.verdict_state == Claim.VerdictState.PROPOSED  # its verdict stays
