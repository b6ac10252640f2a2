"""Direct quotes with their speakers: each attribution pattern with a case that must not match."""

from __future__ import annotations

from apps.extraction import entities, quotes, sentences
from tests.extraction import kb as K


def found(text: str) -> list[quotes.QuoteFound]:
    return quotes.find(text, sentences=sentences.split(text), mentions=entities.find(text, K.KB))


def summary(text: str) -> list[tuple]:
    return [(text[q.start : q.end], q.speaker_id, q.verb) for q in found(text)]


def test_it_takes_the_speaker_before_the_quote():
    text = "Zelensky explained, “We determined what forces are needed.”"
    (quote,) = found(text)
    assert text[quote.start : quote.end] == "We determined what forces are needed."
    assert quote.speaker_id == K.ZELENSKY
    assert text[quote.attribution_start : quote.attribution_end] == "Zelensky explained"
    assert quote.verb == "explained"


def test_it_takes_the_speaker_after_the_quote_in_either_order():
    text = (
        "“We will not give up,” Keir Starmer said on Monday. "
        "“The talks were useful,” said Emmanuel Macron."
    )
    assert summary(text) == [
        ("We will not give up,", K.STARMER, "said"),
        ("The talks were useful,", K.MACRON, "said"),
    ]


def test_it_takes_a_titled_speaker_after_an_inverted_verb():
    text = "“We will not back down,” said UK Prime Minister Keir Starmer."
    (quote,) = found(text)
    assert (quote.speaker_id, quote.speaker_text) == (K.STARMER, "UK Prime Minister Keir Starmer")


def test_it_does_not_take_a_speaker_from_the_next_sentence():
    text = "Keir Starmer spoke first. “The alliance is strong and united.” Emmanuel Macron said little else."
    (quote,) = found(text)
    assert quote.speaker_id is None
    assert quote.verb == ""


def test_it_finds_the_speaker_through_an_appositive():
    text = "“We are ready,” Emmanuel Macron, the French leader, said."
    assert summary(text) == [("We are ready,", K.MACRON, "said")]


def test_it_takes_the_subject_of_a_participle_attribution():
    text = (
        "Zelensky spoke in Paris. Keir Starmer listened. Zelensky stressed the stakes, "
        "stating, “This is about all of Europe.”"
    )
    assert summary(text) == [("This is about all of Europe.", K.ZELENSKY, "stating")]


def test_it_resolves_a_pronoun_to_the_last_person_named_with_a_lower_confidence():
    text = (
        "Keir Starmer arrived. Zelensky pointed out the risks. He emphasized the need for "
        "commitments, stating, “If they are not ready at all, then it is not really a "
        "‘coalition of the willing.’”"
    )
    named = found("Zelensky explained, “We determined what forces are needed.”")[0]
    (quote,) = found(text)
    assert quote.speaker_id == K.ZELENSKY
    assert quote.speaker_text == "He"
    assert quote.speaker_confidence < named.speaker_confidence


def test_it_leaves_a_pronoun_without_anybody_before_it_without_a_speaker():
    text = "He said, “We will see what happens next week.”"
    (quote,) = found(text)
    assert (quote.speaker_id, quote.speaker_text, quote.speaker_confidence) == (None, "", None)
    assert text[quote.attribution_start : quote.attribution_end] == "He said"


def test_it_keeps_a_nested_quote_inside_and_makes_no_quote_of_its_own():
    text = "Zelensky said, “It is not really a ‘coalition of the willing.’” He left."
    assert summary(text) == [("It is not really a ‘coalition of the willing.’", K.ZELENSKY, "said")]


def test_it_makes_no_quote_from_apostrophes_or_single_marks():
    text = (
        "Ukraine’s allies don’t agree on the ‘coalition’ yet, and the leaders’ aides said "
        "the nation’s needs come first."
    )
    assert found(text) == []


def test_it_reads_straight_double_quotes_but_not_inch_marks():
    text = 'Macron said, "We are ready to act." The 12" screen showed the vote.'
    assert summary(text) == [("We are ready to act.", K.MACRON, "said")]


def test_it_finds_a_partial_quote_inside_a_sentence():
    text = "French President Emmanuel Macron described the agreement as a “significant step” toward peace."
    assert summary(text) == [("significant step", K.MACRON, "described")]


def test_it_ignores_a_scare_quoted_term_without_an_attribution():
    text = "The so-called “peace plan” stalled in Paris."
    assert found(text) == []


def test_it_keeps_a_quote_over_several_sentences_as_one():
    text = "“We met. We agreed. We will deliver,” Keir Starmer said."
    assert summary(text) == [("We met. We agreed. We will deliver,", K.STARMER, "said")]


def test_it_reads_according_to():
    text = "The talks will resume, according to Emmanuel Macron, “as soon as next week.”"
    (quote,) = found(text)
    assert (quote.speaker_id, quote.verb) == (K.MACRON, "according to")
    text = "“The deal is done,” according to a spokesman."
    (quote,) = found(text)
    assert (quote.speaker_id, quote.speaker_text) == (None, "a spokesman")
    text = "The plan was “dead on arrival”, according to two officials."
    (quote,) = found(text)
    assert (quote.speaker_id, quote.speaker_text) == (None, "two officials")


def test_it_continues_the_speaker_for_a_quote_right_after_an_attributed_one():
    text = "“We are ready,” Keir Starmer said. “And we will stay ready for as long as it takes.”"
    first, second = found(text)
    assert second.speaker_id == K.STARMER
    assert second.speaker_confidence < first.speaker_confidence


def test_it_names_an_unknown_speaker_by_the_words_before_the_verb():
    (quote,) = found("A government spokesman said, “There will be no comment today.”")
    assert quote.speaker_id is None
    assert quote.speaker_text == "A government spokesman"


def test_it_names_a_person_the_kb_does_not_know_on_either_side():
    text = (
        "Anna Lindqvist, a defence analyst at the Baltic Policy Forum, said, “Every delay "
        "costs lives.” “Security in Europe is indivisible,” said Samuel Okafor, a professor."
    )
    assert [(q.speaker_id, q.speaker_text) for q in found(text)] == [
        (None, "Anna Lindqvist"),
        (None, "Samuel Okafor"),
    ]


def test_it_takes_no_unknown_name_that_is_not_next_to_the_verb():
    text = (
        "Officials from the Baltic Policy Forum met. Later a spokesman said, “No comment at all.”"
    )
    (quote,) = found(text)
    assert quote.speaker_text == "a spokesman"
