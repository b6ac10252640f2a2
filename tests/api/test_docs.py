"""The OpenAPI schema and the docs: public, complete, and served from our own files (no CDN)."""

from __future__ import annotations

import re

import pytest
import yaml

pytestmark = pytest.mark.django_db


def test_it_serves_the_docs_from_local_files_only(client):
    page = client.get("/api/docs/")

    assert page.status_code == 200
    html = page.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    for url in urls:
        assert client.get(url).status_code == 200, url
    # The start-up script is a file of its own, not inline (the site's CSP allows no inline JS).
    assert "<script>" not in html


def test_it_documents_every_operation_with_examples_and_its_errors(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Api-Key",
        "description": schema["components"]["securitySchemes"]["ApiKey"]["description"],
    }
    operations = [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) >= 40
    for method, path, operation in operations:
        responses = operation["responses"]
        assert {"401", "403"} <= set(responses), (method, path)
        if method in {"post", "patch", "delete"} and "{id}" in path:
            assert "409" in responses, (method, path)
        success = [code for code in responses if code.startswith("2")]
        assert success, (method, path)
        if method == "delete":
            continue
        content = responses[success[0]].get("content", {})
        assert any(media.get("examples") for media in content.values()), (method, path)
