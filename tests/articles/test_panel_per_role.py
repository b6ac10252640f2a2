"""The workspace offers each role only what it can do: the side panel's heading and hint, and
the keyboard help."""

from __future__ import annotations

import pytest

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def panel(client, user) -> str:
    client.force_login(user)
    html = client.get(f"/articles/{ArticleFactory().uuid}/").content.decode()
    return html


def test_a_reviewer_is_offered_review_not_annotation(client, reviewer):
    html = panel(client, reviewer)

    assert '<h2 id="detail-h">Review an annotation</h2>' in html
    assert "Add an annotation" not in html and "Add annotation" not in html
    assert "create a claim, quote, entity mention or date" not in html  # no c/q/e/d shortcut
    assert "approve (confirm) the open annotation" in html


def test_an_annotator_is_offered_annotation_not_review(client, annotator):
    html = panel(client, annotator)

    assert '<h2 id="detail-h">Add an annotation</h2>' in html
    assert "create a claim, quote, entity mention or date" in html
    assert "approve (confirm) the open annotation" not in html
    assert "reject the open annotation" not in html


def test_an_editor_is_offered_both(client, editor):
    html = panel(client, editor)

    assert '<h2 id="detail-h">Add an annotation</h2>' in html
    assert "create a claim, quote, entity mention or date" in html
    assert "approve (confirm) the open annotation" in html
