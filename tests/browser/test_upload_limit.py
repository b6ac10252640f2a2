"""An upload over the request size limit, sent from the import page (htmx), tells the person the
size and the limit; the server's 413 page is not swapped in, so the page shows its message."""

from __future__ import annotations

import pytest

from apps.articles.models import Article
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_it_shows_the_limit_when_an_upload_is_too_large(page, annotator, settings, tmp_path):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    upload = tmp_path / "long-read.txt"
    upload.write_text("word " * 20_000)  # 100,000 bytes
    login(page, annotator)
    page.goto("/articles/import/")
    page.get_by_label("Title").fill("Long read")
    page.get_by_label("…or a file").set_input_files(str(upload))
    page.get_by_role("button", name="Import").click()

    message = page.locator("#global-message")
    message.get_by_text("The upload is too large").wait_for()
    assert message.inner_text() == (
        "The upload is too large (0.10 MB); the limit is 0.06 MB. Split the article, or send "
        "its plain text instead of the whole page."
    )
    assert page.url.endswith("/articles/import/")
    assert page.get_by_label("Title").input_value() == "Long read"  # the form is kept
    assert not Article.objects.filter(title="Long read").exists()
    # The browser logs the refused request itself; nothing else went wrong on the page.
    assert [e for e in page.errors if "413" not in e] == []
