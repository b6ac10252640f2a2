"""ROLE_AT_DATE against a knowledge base that holds only the offices' own labels (no aliases) and
countries with their demonyms: correct wordings a newspaper uses raise no error, wrong ones still
do, and a wording the KB cannot settle gives an `info` finding instead of an accusation. Pure: KB
views and snapshots written by hand."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from apps.checks.kbview import KBView, TenureFact
from apps.checks.registry import CheckContext, run_checks
from apps.checks.snapshot import QuoteSnap
from tests.checks.test_rules import date, snapshot, title

D = dt.date
PEOPLE = {
    1: "Antony Blinken",
    2: "Xi Jinping",
    3: "Olaf Scholz",
    4: "Rishi Sunak",
    5: "Narendra Modi",
    6: "Tony Radakin",
    7: "Joe Biden",
    8: "Sébastien Lecornu",
    9: "Keir Starmer",
}
BLINKEN, XI, SCHOLZ, SUNAK, MODI, RADAKIN, BIDEN, LECORNU, STARMER = range(1, 10)
# Offices by their label only, each with its jurisdiction.
OFFICES = {
    101: ("United States Secretary of State", 201),
    102: ("President of the People's Republic of China", 202),
    103: ("Chancellor of Germany", 203),
    104: ("Chancellor of the Exchequer", 204),
    105: ("Prime Minister of the United Kingdom", 204),
    106: ("Prime Minister of India", 205),
    107: ("Chief of the Defence Staff", 204),
    108: ("President of the United States", 201),
    109: ("Vice President of the United States", 201),
    110: ("Minister of the Armed Forces", 206),
    111: ("Minister of Defence of Ukraine", 207),
    112: ("President of France", 206),
}
SEC_STATE, CN_PRESIDENT, DE_CHANCELLOR, EXCHEQUER, UK_PM, IN_PM, CDS = range(101, 108)
US_PRESIDENT, US_VP, FR_ARMED_FORCES, UA_DEFENCE, FR_PRESIDENT = range(108, 113)
PLACES = {
    201: ["United States", "U.S.", "US", "American"],
    202: ["People's Republic of China", "China", "Chinese"],
    203: ["Germany", "German"],
    204: ["United Kingdom", "UK", "Britain", "British"],
    205: ["India", "Indian"],
    206: ["France", "French"],
    207: ["Ukraine", "Ukrainian"],
}
TENURES = [
    (BLINKEN, SEC_STATE, D(2021, 1, 26), D(2025, 1, 20)),
    (XI, CN_PRESIDENT, D(2013, 3, 14), None),
    (SCHOLZ, DE_CHANCELLOR, D(2021, 12, 8), D(2025, 5, 6)),
    (SUNAK, EXCHEQUER, D(2020, 2, 13), D(2022, 7, 5)),
    (SUNAK, UK_PM, D(2022, 10, 25), D(2024, 7, 5)),
    (STARMER, UK_PM, D(2024, 7, 5), None),
    (MODI, IN_PM, D(2014, 5, 26), None),
    (RADAKIN, CDS, D(2021, 11, 30), D(2025, 9, 30)),
    (BIDEN, US_VP, D(2009, 1, 20), D(2017, 1, 20)),
    (BIDEN, US_PRESIDENT, D(2021, 1, 20), D(2025, 1, 20)),
    (LECORNU, FR_ARMED_FORCES, D(2022, 5, 20), D(2025, 10, 5)),
]


def kb_view(extra_aliases: dict[int, list[str]] | None = None) -> KBView:
    counter = itertools.count(1)
    tenures = [
        TenureFact(
            id=next(counter),
            uuid=str(uuid.UUID(int=i + 1)),
            person_id=p,
            office_id=o,
            start=s,
            end=e,
            source_url="https://www.wikidata.org/wiki/Q0",
        )
        for i, (p, o, s, e) in enumerate(TENURES)
    ]
    labels = {
        **PEOPLE,
        **{k: v[0] for k, v in OFFICES.items()},
        **{k: v[0] for k, v in PLACES.items()},
    }
    return KBView.build(
        labels=labels,
        kinds={**dict.fromkeys(PEOPLE, "person"), **dict.fromkeys(OFFICES, "office")},
        tenures=tenures,
        office_aliases={k: (extra_aliases or {}).get(k, []) for k in OFFICES},
        places=PLACES,
        jurisdictions={k: v[1] for k, v in OFFICES.items()},
    )


def role_findings(snap, kb=None):
    return run_checks(snap, CheckContext(kb=kb or kb_view()))["ROLE_AT_DATE"]


CORRECT = (
    "On 3 March 2023 U.S. Secretary of State Antony Blinken met Chinese President Xi Jinping. "
    "Germany’s Chancellor Olaf Scholz, PM Modi and Chief of the Defence Staff Tony Radakin "
    "joined them, with former finance minister Rishi Sunak and current president Joe Biden. "
    "American Secretary of State Antony Blinken, German Chancellor Olaf Scholz and Indian Prime "
    "Minister Narendra Modi signed. Chancellor Olaf Scholz and US Secretary of State Antony "
    "Blinken left."
)


def test_it_raises_no_error_on_correct_derived_wordings_with_a_label_only_kb():
    body = CORRECT
    snap = snapshot(
        body,
        published=D(2023, 3, 4),
        mentions=[
            title(body, "U.S. Secretary of State", "Antony Blinken", BLINKEN, None),
            title(body, "Chinese President", "Xi Jinping", XI, None),
            title(body, "Germany’s Chancellor", "Olaf Scholz", SCHOLZ, None),
            title(body, "PM", "Modi", MODI, None),
            title(body, "Chief of the Defence Staff", "Tony Radakin", RADAKIN, None),
            title(body, "current president", "Joe Biden", BIDEN, None),
            title(body, "American Secretary of State", "Antony Blinken", BLINKEN, None),
            title(body, "German Chancellor", "Olaf Scholz", SCHOLZ, None),
            title(body, "Indian Prime Minister", "Narendra Modi", MODI, None),
            title(body, "Chancellor", "Olaf Scholz", SCHOLZ, None),
            title(body, "US Secretary of State", "Antony", BLINKEN, None),
        ],
        dates=[date(body, "3 March 2023", D(2023, 3, 3))],
    )
    found = role_findings(snap)
    assert [f for f in found if f.severity == "error"] == []
    # "former finance minister" is not annotated here: see the unknown-wording test below.
    assert found == []


def test_it_still_reports_a_derived_wording_at_the_wrong_date_and_an_office_never_held():
    body = (
        "On 3 March 2026 U.S. Secretary of State Antony Blinken spoke. "
        "Indian Prime Minister Xi Jinping answered."
    )
    snap = snapshot(
        body,
        mentions=[
            title(body, "U.S. Secretary of State", "Antony Blinken", BLINKEN, None),
            title(body, "Indian Prime Minister", "Xi Jinping", XI, None),
        ],
        dates=[date(body, "3 March 2026", D(2026, 3, 3))],
    )
    errors = {f.message.split(":")[0]: f for f in role_findings(snap) if f.severity == "error"}
    assert len(errors) == 2
    messages = " ".join(f.message for f in errors.values())
    assert "Antony Blinken was not United States Secretary of State on 3 March 2026" in messages
    assert "Xi Jinping never held Prime Minister of India" in messages


def test_it_abstains_with_info_on_a_wording_the_kb_does_not_know():
    body = "Defence Minister Sébastien Lecornu and former finance minister Rishi Sunak met."
    snap = snapshot(
        body,
        mentions=[
            title(body, "Defence Minister", "Sébastien Lecornu", LECORNU, None),
            title(body, "former finance minister", "Rishi Sunak", SUNAK, None, "former"),
        ],
    )
    found = role_findings(snap)
    assert [f.severity for f in found] == ["info", "info"]
    lecornu, sunak = found
    assert lecornu.message.startswith(
        "Cannot check “Defence Minister Sébastien Lecornu”: the knowledge base does not know the "
        "title “Defence Minister”"
    )
    assert "Minister of the Armed Forces" in lecornu.message
    assert "does not know the title “finance minister”" in sunak.message
    offered = [f["office"] for f in sunak.kb_facts if f["type"] == "office_candidate"]
    assert offered == ["Chancellor of the Exchequer", "Prime Minister of the United Kingdom"]


def test_an_alias_turns_the_unknown_wording_into_a_real_check():
    body = "On 3 March 2023 finance minister Rishi Sunak spoke."
    snap = snapshot(
        body,
        mentions=[title(body, "finance minister", "Rishi Sunak", SUNAK, None)],
        dates=[date(body, "3 March 2023", D(2023, 3, 3))],
    )
    [before] = role_findings(snap)
    assert before.severity == "info"
    [after] = role_findings(snap, kb_view({EXCHEQUER: ["finance minister"]}))
    assert after.severity == "error"
    assert "Rishi Sunak was not Chancellor of the Exchequer on 3 March 2023" in after.message


def test_a_bare_title_resolves_through_the_persons_own_tenures_or_abstains():
    body = "President Joe Biden met Chancellor Rishi Sunak and President Keir Starmer in 2022."
    snap = snapshot(
        body,
        published=D(2022, 3, 1),
        mentions=[
            title(body, "President", "Joe Biden", BIDEN, None),  # his presidency, not the vice
            title(body, "Chancellor", "Rishi Sunak", SUNAK, None),  # of the Exchequer
            title(body, "President", "Keir Starmer", STARMER, None),  # fits none of his: abstain
        ],
    )
    found = role_findings(snap)
    assert [(f.severity, "Keir Starmer" in f.message) for f in found] == [("info", True)]
    assert "without a country" in found[0].message


def test_a_wording_several_offices_share_abstains_unless_one_is_the_persons():
    kb = kb_view({US_PRESIDENT: ["Commander"], FR_PRESIDENT: ["Commander"]})
    body = "Commander Keir Starmer and Commander Joe Biden met in 2022."
    snap = snapshot(
        body,
        published=D(2022, 3, 1),
        mentions=[
            title(body, "Commander", "Keir Starmer", STARMER, None),
            title(body, "Commander", "Joe Biden", BIDEN, None),
        ],
    )
    [finding] = role_findings(snap, kb)
    assert finding.severity == "info" and "Keir Starmer" in finding.message


def test_a_wrong_title_inside_a_quote_is_at_most_a_warning():
    body = "The letter ended: “Yours, Chinese President Joe Biden.” Indian Prime Minister Joe Biden spoke."
    quoted = "“Yours, Chinese President Joe Biden.”"
    start = body.index(quoted)
    snap = snapshot(
        body,
        published=D(2022, 3, 1),
        mentions=[
            title(body, "Chinese President", "Joe Biden", BIDEN, None),
            title(body, "Indian Prime Minister", "Joe Biden", BIDEN, None),
        ],
        quotes=[QuoteSnap(uuid="q1", start=start, end=start + len(quoted), exact=quoted)],
    )
    severities = sorted(f.severity for f in role_findings(snap))
    assert severities == ["error", "warning"]


def test_a_person_with_no_recorded_office_is_accused_only_on_a_sole_holders_evidence():
    kb = kb_view()
    kb.labels[50] = "Jane Roe"
    body = (
        "On 3 March 2023 UK Prime Minister Jane Roe spoke. "
        "On 3 March 2010 Chinese President Jane Roe spoke."
    )
    snap = snapshot(
        body,
        mentions=[
            title(body, "UK Prime Minister", "Jane Roe", 50, None),
            title(body, "Chinese President", "Jane Roe", 50, None),  # no holder known then
        ],
        dates=[
            date(body, "3 March 2023", D(2023, 3, 3)),
            date(body, "3 March 2010", D(2010, 3, 3)),
        ],
    )
    [finding] = role_findings(snap, kb)
    assert finding.severity == "error"
    assert (
        "Rishi Sunak held Prime Minister of the United Kingdom on 3 March 2023" in finding.message
    )
