"""Candidate claims: sentences with a title, a date, a number or an attribution, ranked."""

from __future__ import annotations

import datetime as dt

from apps.extraction.pipeline import extract
from tests.extraction import kb as K


def claims(text: str) -> list[tuple[str, str]]:
    result = extract(text, published_on=dt.date(2026, 1, 7), kb=K.KB)
    return [(text[c.start : c.end], c.kind) for c in result.claims]


def test_it_proposes_a_sentence_with_a_title_as_a_role_claim():
    assert claims("UK Prime Minister Keir Starmer chaired the talks.") == [
        ("UK Prime Minister Keir Starmer chaired the talks.", "role")
    ]


def test_it_proposes_a_sentence_with_a_date_as_an_event_date_claim():
    assert claims("The allies met on January 6, 2024.") == [
        ("The allies met on January 6, 2024.", "event_date")
    ]


def test_it_proposes_a_sentence_with_a_number_as_a_quantity_claim():
    assert claims("The coalition pledged 30,000 troops.") == [
        ("The coalition pledged 30,000 troops.", "quantity")
    ]


def test_it_proposes_reported_and_quoted_speech_as_attribution_claims():
    text = "Zelensky stressed that the plan needs work. Macron said, “We are ready to act now.”"
    assert claims(text) == [
        ("Zelensky stressed that the plan needs work.", "attribution"),
        ("Macron said, “We are ready to act now.”", "attribution"),
    ]


def test_it_proposes_no_claim_for_a_sentence_without_anything_to_check():
    assert claims("Commitments and Challenges Ahead\nThe mood in the room was hopeful.") == []


def test_it_ranks_a_title_with_a_date_above_a_number_alone_and_says_why():
    text = "The coalition pledged 30,000 troops. UK Prime Minister Keir Starmer spoke on January 6, 2024."
    result = extract(text, published_on=dt.date(2026, 1, 7), kb=K.KB)
    number, title_and_date = result.claims
    assert title_and_date.check_worthiness > number.check_worthiness
    assert "UK Prime Minister Keir Starmer" in title_and_date.reason
    assert "January 6, 2024" in title_and_date.reason
    assert "30,000" in number.reason
