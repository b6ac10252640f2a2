"""A tenure that overlaps another holder's tenure of a single-holder office is saved (acting
holders and co-holders exist) with a warning naming the other holder and their dates."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from apps.knowledge.models import Entity, Tenure
from tests.factories import EntityFactory, TenureFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def kb(db):
    office = EntityFactory(label="Prime Minister of the United Kingdom", kind=Entity.Kind.OFFICE)
    starmer = EntityFactory(label="Keir Starmer")
    sunak = EntityFactory(label="Rishi Sunak")
    TenureFactory(person=starmer, office=office, start=dt.date(2024, 7, 5))
    TenureFactory(person=sunak, office=office, start=dt.date(2022, 10, 25), end=dt.date(2024, 7, 5))
    return {"office": office, "starmer": starmer, "sunak": sunak}


def add(client, person, office, start, end="", htmx=False):
    return client.post(
        reverse("knowledge:tenure_add", args=[person.uuid]),
        {
            "other": str(office.uuid),
            "start": start,
            "start_precision": "day",
            "end": end,
            "end_precision": "day",
        },
        headers=HTMX if htmx else {},
        follow=not htmx,
    )


def warning_of(html: str) -> str:
    found = re.search(
        r'<(?:li|p) class="(?:review-msg )?warning"[^>]*>(.*?)</(?:li|p)>', html, re.S
    )
    return found.group(1) if found else ""


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_it_saves_an_overlapping_tenure_and_warns_with_the_other_holder(client, editor, kb, htmx):
    dowden = EntityFactory(label="Oliver Dowden")
    client.force_login(editor)

    response = add(client, dowden, kb["office"], "2023-03-01", "2023-03-10", htmx=htmx)

    assert response.status_code == 200
    assert Tenure.objects.filter(person=dowden, office=kb["office"]).exists()  # still saved
    warning = warning_of(response.content.decode())
    assert "overlaps another holder of Prime Minister of the United Kingdom" in warning
    sunak_url = reverse("knowledge:entity", args=[kb["sunak"].uuid])
    assert f'<a href="{sunak_url}">Rishi Sunak</a> (2022-10-25 to 2024-07-05)' in warning
    assert "Keir Starmer" not in warning  # not in office then


def test_a_handover_on_the_same_day_is_no_overlap(client, editor, kb):
    truss = EntityFactory(label="Liz Truss")
    client.force_login(editor)

    response = add(client, truss, kb["office"], "2022-09-06", "2022-10-25")

    assert warning_of(response.content.decode()) == ""
    assert "Tenure of Liz Truss as Prime Minister of the United Kingdom added." in (
        response.content.decode()
    )


def test_an_office_with_co_holders_already_gets_no_warning(client, editor):
    seat = EntityFactory(label="Senator for Ohio", kind=Entity.Kind.OFFICE)
    TenureFactory(person=EntityFactory(), office=seat, start=dt.date(2019, 1, 3))
    TenureFactory(person=EntityFactory(), office=seat, start=dt.date(2023, 1, 3))
    client.force_login(editor)

    response = add(client, EntityFactory(label="Third Senator"), seat, "2024-01-01")

    assert warning_of(response.content.decode()) == ""


def test_editing_a_tenure_into_an_overlap_warns_too(client, editor, kb):
    tenure = Tenure.objects.get(person=kb["sunak"])
    url = reverse("knowledge:tenure_edit", args=[tenure.uuid])
    client.force_login(editor)
    version = re.search(r'name="version" value="([^"]+)"', client.get(url).content.decode())[1]

    response = client.post(
        url,
        {
            "other": str(kb["office"].uuid),
            "start": "2022-10-25",
            "start_precision": "day",
            "end": "2024-12-31",
            "end_precision": "day",
            "version": version,
        },
        follow=True,
    )

    tenure.refresh_from_db()
    assert tenure.end == dt.date(2024, 12, 31)
    warning = warning_of(response.content.decode())
    assert ">Keir Starmer</a> (2024-07-05 to today)" in warning
