"""`manage.py import_kb` and the import service, on small Wikidata files written here."""

from __future__ import annotations

import bz2
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.knowledge.models import Entity, EntityAlias, Tenure
from apps.knowledge.services import entity_alias_add
from apps.knowledge.wikidata_import import KbImportError, kb_import_files
from tests.knowledge import wd

pytestmark = pytest.mark.django_db

UKPM = "Q14211"


def uk_entities(*, sunak_end="2024-07-05", starmer_aliases=("Starmer", "Sir Keir Starmer")):
    return [
        wd.office(UKPM, "Prime Minister of the United Kingdom", aliases=["UK Prime Minister"]),
        wd.person(
            "Q900000002",
            "Rishi Sunak",
            aliases=["Sunak"],
            held_offices=[wd.held("Q900000002$a", UKPM, "2022-10-25", sunak_end)],
        ),
        wd.person(
            "Q900000001",
            "Keir Starmer",
            aliases=starmer_aliases,
            held_offices=[wd.held("Q900000001$b", UKPM, "2024-07-05")],
        ),
    ]


def run_import(*paths) -> str:
    out = io.StringIO()
    call_command("import_kb", *[str(p) for p in paths], stdout=out, stderr=io.StringIO())
    return out.getvalue()


def assert_uk_kb() -> None:
    office = Entity.objects.get(wikidata_id=UKPM)
    assert office.kind == Entity.Kind.OFFICE
    assert office.label == "Prime Minister of the United Kingdom"
    starmer = Entity.objects.get(wikidata_id="Q900000001")
    assert starmer.kind == Entity.Kind.PERSON
    assert set(starmer.aliases.values_list("alias", flat=True)) == {
        "Keir Starmer",
        "Starmer",
        "Sir Keir Starmer",
    }
    assert starmer.aliases.get(is_label=True).alias == "Keir Starmer"
    holders = [
        (t.person.label, t.start, t.end, t.is_current)
        for t in Tenure.objects.filter(office=office).order_by("start")
    ]
    assert holders == [
        ("Rishi Sunak", dt.date(2022, 10, 25), dt.date(2024, 7, 5), False),
        ("Keir Starmer", dt.date(2024, 7, 5), None, True),
    ]


@pytest.mark.parametrize(
    "name,render",
    [
        ("entitydata.json", wd.document_text),
        ("array.json", wd.array_text),
        ("dump.json", wd.dump_text),
        ("dump.json.bz2", wd.dump_text),
        ("entitydata.json.gz", wd.document_text),
        ("array.json.bz2", wd.array_text),
    ],
)
def test_it_imports_each_shape_plain_and_compressed(tmp_path, name, render):
    path = wd.write(tmp_path / name, render(uk_entities()))

    output = run_import(path)

    assert_uk_kb()
    assert "3 entities read from 1 file(s): 3 created" in output
    assert "tenures 2 created" in output


def test_it_treats_the_dump_layout_line_by_line(tmp_path):
    text = wd.dump_text(uk_entities())
    assert text.splitlines()[1].endswith("},")  # one entity per line, ending in a comma
    run_import(wd.write(tmp_path / "dump.json", text))
    assert Entity.objects.count() == 3


def test_it_updates_in_place_on_reimport_and_never_duplicates(tmp_path, kb_changes):
    run_import(wd.write(tmp_path / "first.json", wd.document_text(uk_entities())))
    starmer = Entity.objects.get(wikidata_id="Q900000001")
    sunak_tenure = Tenure.objects.get(statement_id="Q900000002$a")

    changed = uk_entities(sunak_end="2024-07-06", starmer_aliases=["Starmer"])
    changed[2]["labels"]["en"]["value"] = "Sir Keir Starmer"
    kb_changes.clear()
    output = run_import(wd.write(tmp_path / "second.json", wd.dump_text(changed)))

    assert Entity.objects.count() == 3
    assert Tenure.objects.count() == 2
    starmer.refresh_from_db()
    assert starmer.label == "Sir Keir Starmer"
    assert set(starmer.aliases.values_list("alias", "is_label")) == {
        ("Sir Keir Starmer", True),
        ("Starmer", False),
    }
    sunak_tenure.refresh_from_db()
    assert sunak_tenure.end == dt.date(2024, 7, 6)
    assert "0 created, 1 updated" in output
    assert "aliases 0 added, 1 removed" in output
    assert "tenures 0 created, 1 updated, 0 removed" in output
    # The checks hear about exactly what changed: Starmer (label, alias), Sunak's tenure and
    # its office; not the unchanged office row alone.
    sunak = Entity.objects.get(wikidata_id="Q900000002")
    office = Entity.objects.get(wikidata_id=UKPM)
    assert kb_changes == [sorted([starmer.pk, sunak.pk, office.pk])]


def test_it_removes_tenures_the_entity_no_longer_has(tmp_path):
    run_import(wd.write(tmp_path / "first.json", wd.document_text(uk_entities())))
    entities = uk_entities()
    entities[1]["claims"]["P39"] = []

    run_import(wd.write(tmp_path / "second.json", wd.document_text(entities)))

    assert list(Tenure.objects.values_list("person__label", flat=True)) == ["Keir Starmer"]


def test_a_second_identical_import_changes_nothing(tmp_path, kb_changes):
    path = wd.write(tmp_path / "kb.json", wd.document_text(uk_entities()))
    run_import(path)
    history = Entity.history.count() + EntityAlias.history.count() + Tenure.history.count()
    kb_changes.clear()

    output = run_import(path)

    assert "0 created, 0 updated" in output
    assert Entity.history.count() + EntityAlias.history.count() + Tenure.history.count() == history
    assert kb_changes == []


def test_it_keeps_aliases_an_editor_added(tmp_path, editor):
    path = wd.write(tmp_path / "kb.json", wd.document_text(uk_entities()))
    run_import(path)
    starmer = Entity.objects.get(wikidata_id="Q900000001")
    entity_alias_add(user=editor, entity=starmer, alias="Keir Rodney Starmer")

    run_import(path)

    assert starmer.aliases.filter(alias="Keir Rodney Starmer").exists()


def test_it_stores_the_first_day_and_the_precision_of_each_date(tmp_path):
    entities = [
        wd.office("Q900000101", "President of Ukraine"),
        wd.person(
            "Q900000006",
            "Petro Poroshenko",
            held_offices=[
                wd.held(
                    "Q900000006$y",
                    "Q900000101",
                    "2014-06-07",
                    "2019-05-20",
                    start_precision="year",
                    end_precision="month",
                ),
            ],
        ),
    ]
    run_import(wd.write(tmp_path / "kb.json", wd.document_text(entities)))

    tenure = Tenure.objects.get()
    assert (tenure.start, tenure.start_precision) == (dt.date(2014, 1, 1), "year")
    assert (tenure.end, tenure.end_precision) == (dt.date(2019, 5, 1), "month")
    assert tenure.start_latest == dt.date(2014, 12, 31)
    assert tenure.end_latest == dt.date(2019, 5, 31)


def test_an_end_in_the_same_year_as_a_precise_start_is_kept(tmp_path):
    entities = [
        wd.office("Q900000101", "President of Ukraine"),
        wd.person(
            "Q900000006",
            "Petro Poroshenko",
            held_offices=[
                wd.held(
                    "Q900000006$y", "Q900000101", "2019-05-20", "2019-01-01", end_precision="year"
                )
            ],
        ),
    ]
    run_import(wd.write(tmp_path / "kb.json", wd.document_text(entities)))

    tenure = Tenure.objects.get()
    assert tenure.start == dt.date(2019, 5, 20)
    assert tenure.end_precision == "year"
    assert tenure.end_latest == dt.date(2019, 12, 31)


def test_it_skips_deprecated_statements(tmp_path):
    entities = uk_entities()
    entities[1]["claims"]["P39"].append(
        wd.held("Q900000002$wrong", UKPM, "2010-01-01", "2011-01-01", rank="deprecated")
    )
    entities[1]["claims"]["P31"].insert(
        0,
        {
            "mainsnak": wd.item_snak("P31", "Q4164871"),
            "type": "statement",
            "id": "Q900000002$dep",
            "rank": "deprecated",
        },
    )
    run_import(wd.write(tmp_path / "kb.json", wd.array_text(entities)))

    sunak = Entity.objects.get(wikidata_id="Q900000002")
    assert sunak.kind == Entity.Kind.PERSON
    assert list(sunak.tenures.values_list("statement_id", flat=True)) == ["Q900000002$a"]


def test_a_somevalue_end_means_ended_on_an_unknown_date(tmp_path):
    entities = [
        wd.office("Q900000101", "President of Ukraine"),
        wd.person(
            "Q900000020",
            "Leonid Kuchma",
            held_offices=[
                wd.held("Q900000020$s", "Q900000101", "1994-07-19", end_snaktype="somevalue")
            ],
        ),
        wd.person(
            "Q900000005",
            "Volodymyr Zelensky",
            held_offices=[wd.held("Q900000005$c", "Q900000101", "2019-05-20")],
        ),
    ]
    run_import(wd.write(tmp_path / "kb.json", wd.dump_text(entities)))

    ended = Tenure.objects.get(statement_id="Q900000020$s")
    assert (ended.end, ended.end_unknown, ended.is_current) == (None, True, False)
    current = Tenure.objects.get(statement_id="Q900000005$c")
    assert (current.end, current.end_unknown, current.is_current) == (None, False, True)


def test_an_office_named_only_in_a_p39_is_created_and_filled_in_later(tmp_path):
    person_only = [uk_entities()[2]]
    run_import(wd.write(tmp_path / "people.json", wd.document_text(person_only)))

    placeholder = Entity.objects.get(wikidata_id=UKPM)
    assert placeholder.kind == Entity.Kind.OFFICE
    assert Tenure.objects.get().office == placeholder

    office = wd.entity(UKPM, "Prime Minister of the United Kingdom", aliases=["UK Prime Minister"])
    run_import(wd.write(tmp_path / "offices.json", wd.document_text([office])))

    placeholder.refresh_from_db()
    assert placeholder.label == "Prime Minister of the United Kingdom"
    assert placeholder.kind == Entity.Kind.OFFICE  # no P31, but people hold it
    assert set(placeholder.aliases.values_list("alias", flat=True)) == {
        "Prime Minister of the United Kingdom",
        "UK Prime Minister",
    }
    assert Entity.objects.count() == 2


def test_labels_fall_back_to_another_language(tmp_path):
    entities = [
        wd.entity("Q900000400", "Kyjiw", instance_of=["Q515"], aliases=["Kyiw"], lang="de"),
        wd.entity("Q900000401", "", instance_of=["Q6256"]),
    ]
    run_import(wd.write(tmp_path / "kb.json", wd.array_text(entities)))

    city = Entity.objects.get(wikidata_id="Q900000400")
    assert (city.label, city.kind) == ("Kyjiw", Entity.Kind.PLACE)
    assert set(city.aliases.values_list("alias", "language")) == {("Kyjiw", "de"), ("Kyiw", "de")}
    assert Entity.objects.get(wikidata_id="Q900000401").label == "Q900000401"


def test_ids_are_opaque_strings(tmp_path):
    entities = [wd.entity("Q0042", "Leading zero", instance_of=["Q5"])]
    run_import(wd.write(tmp_path / "kb.json", wd.dump_text(entities)))
    assert Entity.objects.filter(wikidata_id="Q0042").exists()
    assert not Entity.objects.filter(wikidata_id="Q42").exists()


@pytest.mark.parametrize(
    "name,text,line",
    [
        # dump: line 3 lacks a closing brace
        ("dump.json", '[\n{"id": "Q1", "type": "item"},\n{"id": "Q2", "type": "item",\n]\n', 3),
        # document: a missing comma between two entities, noticed on line 4
        (
            "doc.json",
            '{"entities": {\n "Q1": {"id": "Q1", "labels": {}},\n "Q2": {"id": "Q2", "labels": {}}\n "Q3": {"id": "Q3"}\n}}\n',
            4,
        ),
        # array: cut short after the second entity
        ("array.json.bz2", '[\n  {"id": "Q1"},\n  {"id": "Q2"}\n', 3),
    ],
)
def test_malformed_json_is_rejected_naming_the_line_and_nothing_is_imported(
    tmp_path, name, text, line
):
    good = wd.write(tmp_path / "good.json", wd.document_text(uk_entities()))
    bad = wd.write(tmp_path / name, text)

    with pytest.raises(CommandError) as raised:
        run_import(good, bad)

    message = str(raised.value)
    assert f"{bad}, line {line}:" in message
    assert "Nothing was imported" in message
    assert Entity.objects.count() == 0
    assert Tenure.objects.count() == 0
    assert EntityAlias.objects.count() == 0


def test_a_dump_without_its_closing_bracket_is_rejected(tmp_path):
    text = wd.dump_text(uk_entities()).rstrip().removesuffix("]")
    bad = wd.write(tmp_path / "cut.json", text)
    with pytest.raises(KbImportError) as raised:
        kb_import_files(paths=[bad])
    assert "closing ]" in raised.value.message
    assert Entity.objects.count() == 0


def test_a_damaged_compressed_file_is_rejected(tmp_path):
    data = bz2.compress(wd.dump_text(uk_entities()).encode())
    bad = tmp_path / "kb.json.bz2"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(KbImportError) as raised:
        kb_import_files(paths=[bad])
    assert str(bad) in raised.value.message
    assert Entity.objects.count() == 0


@pytest.mark.parametrize(
    "text,problem",
    [
        ('{"entities": {"Q1": {"labels": {}}}}', None),  # id taken from the key: fine
        ('[{"labels": {}}]', 'no "id"'),
        ('{"id": "Q1", "labels": {}}', 'no "entities" key'),
        ("Q1,Q2\n", "expected Wikidata entity JSON"),
        ("", "empty"),
        (
            '[\n{"id": "Q1", "claims": {"P39": [{"mainsnak": {"snaktype": "value"}}]}}\n]\n',
            "no item value",
        ),
    ],
)
def test_input_that_is_not_wikidata_entity_json_gets_a_clear_error(tmp_path, text, problem):
    path = wd.write(tmp_path / "kb.json", text)
    if problem is None:
        kb_import_files(paths=[path])
        assert Entity.objects.filter(wikidata_id="Q1").exists()
        return
    with pytest.raises(KbImportError) as raised:
        kb_import_files(paths=[path])
    assert problem in raised.value.message
    assert str(path) in raised.value.message
    assert Entity.objects.count() == 0


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="nope.json: cannot open the file"):
        run_import(tmp_path / "nope.json")


def test_import_kb_reads_what_the_sync_reads_and_skips_unchanged_revisions(kb_changes):
    # The sync's fixtures are wbgetentities answers, the shape of Special:EntityData documents.
    fixtures = Path(__file__).parent / "fixtures" / "wikidata"
    files = [fixtures / f"entities_{name}.json" for name in ("countries", "offices", "people")]
    call_command("import_kb", *files, stdout=io.StringIO(), stderr=io.StringIO())

    uk = Entity.objects.get(wikidata_id="Q145")
    office = Entity.objects.get(wikidata_id="Q14211")
    truss = Entity.objects.get(wikidata_id="Q910000003")
    assert (uk.demonyms, office.jurisdiction, truss.gender) == (["British"], uk, "female")
    assert truss.wikidata_revision == 2401003
    history = Entity.history.count() + Tenure.history.count()
    calls = len(kb_changes)

    out = io.StringIO()
    call_command("import_kb", *files, stdout=out, stderr=io.StringIO())

    assert Entity.history.count() + Tenure.history.count() == history
    assert len(kb_changes) == calls
