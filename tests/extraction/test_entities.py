"""Entity mentions: one automaton over all aliases, word boundaries, longest match first,
surnames and possessives linking to the person named before."""

from __future__ import annotations

from apps.extraction import entities
from tests.extraction import kb as K


def mentions(text: str, kb=K.KB, skip=()) -> list[tuple[str, int | None]]:
    return [(text[m.start : m.end], m.entity_id) for m in entities.find(text, kb, skip=list(skip))]


def test_it_takes_the_longest_name_and_links_the_surname_later_to_the_same_person():
    text = "Keir Starmer arrived in Paris. Later, Starmer spoke."
    assert mentions(text) == [
        ("Keir Starmer", K.STARMER),
        ("Paris", K.PARIS),
        ("Starmer", K.STARMER),
    ]


def test_it_links_possessives():
    text = "Donald Trump spoke. Leaders criticised Trump’s remarks and Trump's tone."
    assert mentions(text) == [
        ("Donald Trump", K.TRUMP),
        ("Trump", K.TRUMP),
        ("Trump", K.TRUMP),
    ]


def test_it_matches_on_word_boundaries_only():
    text = "A Parisian trumpet player and the Ukrainian NATOish ensemble played in Frances."
    assert mentions(text) == []


def test_it_keeps_names_in_their_case():
    assert mentions("The rivals did not trump the deal in paris.") == []


def test_it_finds_aliases_and_the_labels_of_every_kind():
    text = "The EU, NATO and the United Kingdom backed Zelenskyy."
    assert mentions(text) == [
        ("EU", K.EU),
        ("NATO", K.NATO),
        ("United Kingdom", K.UNITED_KINGDOM),
        ("Zelenskyy", K.ZELENSKY),
    ]


def test_it_resolves_a_shared_surname_to_the_person_named_before():
    kb = K.make_kb(entities=[(90, "person", "Melania Trump")])
    text = "Melania Trump attended. Later Trump left."
    assert mentions(text, kb) == [("Melania Trump", 90), ("Trump", 90)]


def test_it_leaves_a_shared_surname_unlinked_when_nobody_was_named_before():
    kb = K.make_kb(entities=[(90, "person", "Melania Trump")])
    assert mentions("Trump left early.", kb) == [("Trump", None)]


def test_it_does_not_take_a_date_for_a_name():
    text = "Theresa May voted on May 5, 2024."
    skip = [(text.index("May 5"), text.index("May 5") + len("May 5, 2024"))]
    assert mentions(text, skip=skip) == [("Theresa May", K.MAY)]


def test_it_finds_nothing_with_an_empty_kb():
    kb = entities.KBIndex.build(entities=[], aliases=[], tenures=[])
    assert mentions("Keir Starmer arrived.", kb) == []
