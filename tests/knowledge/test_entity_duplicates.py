"""Adding an entity that is already in the KB: the same label is saved with a warning linking
the existing one; the same Wikidata id is refused (it is unique), with a link to the holder."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.knowledge.models import Entity
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_it_saves_a_namesake_and_warns_with_a_link_to_the_existing_entity(client, editor, htmx):
    existing = EntityFactory(label="Keir Starmer", wikidata_id="Q6383879")
    client.force_login(editor)

    response = client.post(
        reverse("knowledge:entity_new"),
        {"label": "keir  starmer", "kind": "person"},
        headers=HTMX if htmx else {},
    )

    assert Entity.objects.filter(label__iexact="keir starmer").count() == 2  # saved
    page = client.get(response["HX-Redirect" if htmx else "Location"]).content.decode()
    warning = page.split('<li class="warning">', 1)[1].split("</li>", 1)[0]
    assert "already has an entity with this label" in warning
    existing_url = reverse("knowledge:entity", args=[existing.uuid])
    assert f'<a href="{existing_url}">Keir Starmer</a> (person, Q6383879)' in warning


def test_a_new_label_gets_no_warning(client, editor):
    EntityFactory(label="Keir Starmer")
    client.force_login(editor)

    response = client.post(
        reverse("knowledge:entity_new"), {"label": "Rishi Sunak", "kind": "person"}, follow=True
    )

    assert "added to the knowledge base" in response.content.decode()
    assert 'class="warning"' not in response.content.decode()


def test_it_refuses_a_taken_wikidata_id_and_links_the_entity_that_has_it(client, editor):
    existing = EntityFactory(label="Keir Starmer", wikidata_id="Q6383879")
    client.force_login(editor)

    response = client.post(
        reverse("knowledge:entity_new"),
        {"label": "Sir Keir", "kind": "person", "wikidata_id": "Q6383879"},
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "Q6383879 is already the Wikidata id of “Keir Starmer”." in html
    assert f'<a href="{reverse("knowledge:entity", args=[existing.uuid])}">Open it</a>' in html
    assert not Entity.objects.filter(label="Sir Keir").exists()
