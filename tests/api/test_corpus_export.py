"""GET /api/v1/articles/export (issue 15): the corpus as JSON Lines or one W3C
AnnotationCollection, streamed; and `manage.py export_corpus`, the same bytes to a file."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def _lines(response) -> list[dict]:
    return [json.loads(line) for line in _body(response).decode().splitlines()]


def test_it_exports_each_article_as_its_detail_answers_it(world, clients):
    response = clients["read_key"].get("/api/v1/articles/export?format=jsonl")

    assert response.status_code == 200
    lines = _lines(response)
    assert len(lines) == 1
    detail = clients["read_key"].get(f"/api/v1/articles/{world.article.uuid}").json()
    assert lines[0] == detail
