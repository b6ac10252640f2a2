from __future__ import annotations

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_it_logs_in_and_lists_articles(page, annotator):
    from tests.factories import ArticleFactory

    ArticleFactory(title="Budget vote delayed again", source="Daily Wire")
    login(page, annotator)
    page.get_by_role("link", name="Articles").click()
    page.get_by_role("link", name="Budget vote delayed again").wait_for(state="visible")
    assert page.errors == []
