"""The KB browser in Chromium: an editor adds a tenure by picking the office in the htmx
autocomplete, and the timeline redraws with it (screenshot for the README)."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.knowledge.models import Entity, Tenure
from tests.browser.conftest import login, screenshot
from tests.factories import EntityFactory, TenureFactory

pytestmark = pytest.mark.browser


def test_it_adds_a_tenure_through_the_autocomplete_and_redraws_the_timeline(page, editor):
    office = EntityFactory(
        label="Prime Minister of the United Kingdom",
        kind=Entity.Kind.OFFICE,
        aliases=["UK Prime Minister"],
    )
    EntityFactory(label="Prime Minister of France", kind=Entity.Kind.OFFICE)
    leader = EntityFactory(label="Leader of the Opposition", kind=Entity.Kind.OFFICE)
    starmer = EntityFactory(label="Keir Starmer", aliases=["Starmer"])
    sunak = EntityFactory(label="Rishi Sunak")
    for name, start, end in [
        ("Boris Johnson", dt.date(2019, 7, 24), dt.date(2022, 9, 6)),
        ("Liz Truss", dt.date(2022, 9, 6), dt.date(2022, 10, 25)),
    ]:
        TenureFactory(person=EntityFactory(label=name), office=office, start=start, end=end)
    TenureFactory(person=sunak, office=office, start=dt.date(2022, 10, 25), end=dt.date(2024, 7, 5))
    TenureFactory(person=starmer, office=office, start=dt.date(2024, 7, 5))
    login(page, editor)

    page.get_by_role("link", name="Knowledge base").click()
    page.get_by_label("Name or alias").fill("starm")
    page.get_by_role("link", name="Keir Starmer").click()  # the results refresh as one types
    page.get_by_text("Add a tenure").click()
    page.get_by_label("Office", exact=True).fill("leader of")
    page.get_by_label("Leader of the Opposition").check()  # a radio from the autocomplete
    page.get_by_label("Start", exact=True).fill("2020-04-04")
    page.get_by_label("End", exact=True).fill("2024-07-05")
    page.get_by_role("button", name="Add tenure").click()

    page.get_by_text("Tenure of Keir Starmer as Leader of the Opposition added.").wait_for()
    assert page.locator("svg.timeline rect").count() == 2
    assert Tenure.objects.filter(person=starmer, office=leader, start=dt.date(2020, 4, 4)).exists()

    page.goto(f"/kb/{office.uuid}/")
    bars = page.locator("svg.timeline rect")
    assert bars.count() == 4
    # Each holder's bar begins where the previous one's ends (consecutive tenures).
    boxes = [bars.nth(i).bounding_box() for i in range(4)]
    for before, after in zip(boxes, boxes[1:], strict=False):
        assert abs(before["x"] + before["width"] - after["x"]) < 1.5
    assert "tl-current" in bars.nth(3).get_attribute("class")
    screenshot(page, "kb-timeline")
    assert page.errors == []
