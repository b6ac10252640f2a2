"""The workspace's "n open" counts the findings nobody has acted on yet."""

from __future__ import annotations

import re

import pytest

from apps.checks.models import Finding
from tests.articles.views_helpers import hx
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def finding(article, state: str, n: int, **extra) -> Finding:
    return Finding.objects.create(
        article=article,
        code="ROLE_AT_DATE",
        check_version="1",
        severity=Finding.Severity.WARNING,
        message=f"Finding {n}",
        fingerprint=f"f{n}",
        state=state,
        **extra,
    )


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "findings-panel"])
def test_it_counts_neither_acknowledged_nor_closed_findings_as_open(client, reviewer, htmx):
    article = ArticleFactory()
    finding(article, Finding.State.OPEN, 1)
    finding(article, Finding.State.ACKNOWLEDGED, 2)
    finding(article, Finding.State.RESOLVED, 3)
    finding(article, Finding.State.DISMISSED, 4, state_reason="Not relevant")
    client.force_login(reviewer)

    url = f"/articles/{article.uuid}/" + ("findings/" if htmx else "")
    html = client.get(url, headers=hx(htmx)).content.decode()

    assert re.findall(r'<span class="count">(\d+) open</span>', html) == ["1"]
