"""Quotes and speakers as wire copy writes them (issue 11): each pattern with a case that must
read right and one that must not be misread. The articles are written for these tests."""

from __future__ import annotations

import datetime as dt

from apps.extraction import pipeline
from tests.extraction import kb as K

PUBLISHED = dt.date(2025, 3, 4)


def quotes(text: str, *, people=K.PEOPLE, published_on=PUBLISHED):
    return pipeline.extract(text, published_on=published_on, kb=K.KB, people=people).quotes


def summary(text: str, **kwargs) -> list[tuple]:
    return [(text[q.start : q.end], q.speaker_id) for q in quotes(text, **kwargs)]


# --- quote marks ------------------------------------------------------------------------------


def test_it_reads_reversed_and_mismatched_pairs_of_marks():
    text = (
        "”We will not be rushed,” Keir Starmer said.\n\n"
        '“The summit was useful," said Emmanuel Macron.\n\n'
        "\"Nothing is agreed yet,' Volodymyr Zelensky said."
    )
    assert summary(text) == [
        ("We will not be rushed,", K.STARMER),
        ("The summit was useful,", K.MACRON),
        ("Nothing is agreed yet,", K.ZELENSKY),
    ]


def test_a_mark_left_open_never_makes_a_quote_over_the_prose_that_follows():
    text = (
        "Keir Starmer said “the talks would go on, and then left for the airport. Officials "
        "from both sides met later, and Emmanuel Macron said “it was a good day,” to reporters."
    )
    assert summary(text) == [("it was a good day,", K.MACRON)]
    # Nor across paragraphs.
    text = "Keir Starmer said “the talks would go on.\n\nThe rest of the day was quiet and “calm”."
    assert quotes(text) == []


def test_it_reads_doubled_apostrophes_as_quote_marks_but_not_apostrophes():
    text = "''We are not there yet,'' Emmanuel Macron said. The leaders' aides didn't comment."
    assert summary(text) == [("We are not there yet,", K.MACRON)]


def test_a_quote_over_several_paragraphs_is_one_speakers_in_each_paragraph():
    text = (
        "“We came here to agree on a plan,” Keir Starmer said. “We have one.\n\n"
        "“It will take time to deliver, and it will cost money.\n\n"
        "“But it is the right thing to do.”\n\n"
        "The talks end on Friday."
    )
    assert summary(text) == [
        ("We came here to agree on a plan,", K.STARMER),
        ("We have one.", K.STARMER),
        ("It will take time to deliver, and it will cost money.", K.STARMER),
        ("But it is the right thing to do.", K.STARMER),
    ]


def test_a_paragraph_that_does_not_reopen_the_quote_ends_nothing_but_drops_it():
    text = (
        "“We came here to agree on a plan, Keir Starmer said.\n\n"
        "The talks end on Friday, when “a final text” is due, Emmanuel Macron said."
    )
    assert summary(text) == [("a final text", K.MACRON)]


def test_a_line_break_inside_a_quote_keeps_it_one_quote():
    text = "“We will defend every inch\nof our territory,” Volodymyr Zelensky said."
    assert summary(text) == [("We will defend every inch\nof our territory,", K.ZELENSKY)]


def test_a_block_quote_after_a_colon_lead_in_is_attributed():
    text = (
        "Keir Starmer is expected to say:\n\n"
        "Britain will stand with Ukraine for as long as it takes, and we will pay our share.\n\n"
        "The speech follows a week of talks."
    )
    (quote,) = quotes(text)
    assert text[quote.start : quote.end].startswith("Britain will stand with Ukraine")
    assert quote.speaker_id == K.STARMER


def test_a_paragraph_after_a_colon_without_a_speech_verb_is_no_quote():
    text = (
        "The plan has three parts:\n\n"
        "A ceasefire along the current line, a monitoring mission, and a reconstruction fund.\n"
    )
    assert quotes(text) == []


def test_a_partial_quote_of_a_few_words_is_found_with_its_speaker():
    text = "Emmanuel Macron described the accord as a “new chapter” for Europe."
    assert summary(text) == [("new chapter", K.MACRON)]


def test_a_scare_quoted_word_without_an_attribution_is_no_quote():
    text = "The “coalition of the willing” met again in Paris."
    assert quotes(text) == []


# --- speakers ---------------------------------------------------------------------------------


def test_it_knows_a_broad_lexicon_of_speech_verbs():
    for verb in (
        "insisted",
        "jibed",
        "conceded",
        "questioned",
        "highlighted",
        "charged",
        "tweeted",
    ):
        text = f"“That is simply not true,” Keir Starmer {verb}."
        assert summary(text) == [("That is simply not true,", K.STARMER)], verb


def test_a_verb_that_is_no_speech_verb_attributes_nothing():
    text = "“That is simply not true,” Keir Starmer smiled and walked away."
    assert [q.speaker_id for q in quotes(text)] == [None]


def test_an_appositive_between_an_inverted_verb_and_the_name_names_the_person():
    text = "“This is a serious case,” said MSNBC legal analyst Katie Phang."
    ((span, _),) = summary(text)
    (quote,) = quotes(text)
    assert (quote.speaker_id, quote.speaker_text) == (None, "Katie Phang")


def test_an_inverted_verb_followed_by_a_clause_names_nobody_in_it():
    text = "“This is a serious case,” said the lawyer on Monday that Katie Phang had hired."
    (quote,) = quotes(text)
    assert quote.speaker_text != "Katie Phang"


def test_the_speaker_telling_someone_is_the_speaker_not_the_person_addressed():
    text = "Keir Starmer, telling the Commons: “We will not leave Ukraine to fight alone.”"
    assert summary(text) == [("We will not leave Ukraine to fight alone.", K.STARMER)]
    text = "Keir Starmer, telling Rishi Sunak: “You left the army without money.”"
    assert summary(text) == [("You left the army without money.", K.STARMER)]


def test_a_title_alone_is_the_person_last_named_with_that_title():
    text = (
        "UK Prime Minister Keir Starmer met Emmanuel Macron in Paris.\n\n"
        "“We are ready to do our part,” the Prime Minister said."
    )
    (quote,) = quotes(text)
    assert quote.speaker_id == K.STARMER
    assert quote.speaker_confidence < 0.9


def test_a_title_alone_never_named_resolves_to_the_kbs_holder_on_the_reference_date():
    text = "“We are ready to do our part,” the British prime minister said."
    (quote,) = quotes(text, published_on=dt.date(2025, 3, 4))
    assert (quote.speaker_id, quote.speaker_confidence) == (K.STARMER, 0.5)
    (quote,) = quotes(text, published_on=dt.date(2023, 3, 4))
    assert quote.speaker_id == K.SUNAK


def test_a_title_alone_that_the_kb_cannot_settle_leaves_the_speaker_empty():
    # "the president": of France, Ukraine or the United States; nobody was named with it.
    text = "“We are ready to do our part,” the president said."
    (quote,) = quotes(text)
    assert (quote.speaker_id, quote.speaker_text) == (None, "")


def test_the_head_of_state_is_the_president_named_before():
    text = (
        "French President Emmanuel Macron hosted Keir Starmer on Tuesday.\n\n"
        "“Europe must act now,” the head of state told reporters."
    )
    assert summary(text) == [("Europe must act now,", K.MACRON)]


def test_a_pronoun_takes_the_person_of_its_gender_not_simply_the_last_name():
    text = (
        "Theresa May spoke after Keir Starmer had left the room.\n\n“We were never told,” she said."
    )
    (quote,) = quotes(text)
    assert quote.speaker_id == K.MAY
    text = "Theresa May spoke after Keir Starmer had left.\n\n“We were never told,” he said."
    (quote,) = quotes(text)
    assert quote.speaker_id == K.STARMER


def test_a_pronoun_prefers_the_previous_speaker_over_a_name_in_a_possessive_or_a_quote():
    text = (
        "“Rishi Sunak has no plan,” Keir Starmer said, rejecting Sunak’s budget.\n\n"
        "“We will fix it,” he added."
    )
    assert [q.speaker_id for q in quotes(text)] == [K.STARMER, K.STARMER]


def test_a_pronoun_without_a_person_of_its_gender_is_left_empty():
    text = "Keir Starmer met Emmanuel Macron.\n\n“We were never told,” she said."
    (quote,) = quotes(text)
    assert (quote.speaker_id, quote.speaker_text) == (None, "")


def test_a_pronoun_with_unknown_genders_resolves_with_a_lower_confidence():
    text = "Keir Starmer arrived.\n\n“We are ready,” he said."
    known = quotes(text)[0]
    unknown = quotes(text, people=K.make_people(genders=[]))[0]
    assert known.speaker_id == unknown.speaker_id == K.STARMER
    assert unknown.speaker_confidence < known.speaker_confidence


def test_they_is_a_group_unless_the_kb_says_otherwise():
    text = "Keir Starmer met the unions.\n\n“We want a fair deal,” they said."
    (quote,) = quotes(text)
    assert quote.speaker_id is None


def test_according_to_a_publication_is_a_source_not_a_speaker():
    text = "The talks were “close to collapse”, according to The Washington Post."
    (quote,) = quotes(text)
    assert (quote.speaker_id, quote.speaker_text) == (None, "")
    assert quote.source_text == "The Washington Post"
    assert quote.verb == "according to"


def test_according_to_a_person_is_the_speaker():
    text = "The talks were “close to collapse”, according to Emmanuel Macron."
    assert summary(text) == [("close to collapse", K.MACRON)]


def test_a_dateline_is_never_a_speaker():
    text = "NEW DELHI — “We have made real progress,” said a government spokesman.\n"
    (quote,) = quotes(text)
    assert quote.speaker_text == "a government spokesman"
    text = "LONDON (Reuters) - “Markets will stay calm,” the statement said.\n"
    (quote,) = quotes(text)
    assert "LONDON" not in quote.speaker_text


def test_list_items_under_a_lead_in_naming_the_speaker_are_attributed():
    text = (
        "In further comments, Keir Starmer said:\n"
        "- “We will double our support next year.”\n"
        "- “No deal will be made without Ukraine.”\n\n"
        "The comments came after the summit."
    )
    assert summary(text) == [
        ("We will double our support next year.", K.STARMER),
        ("No deal will be made without Ukraine.", K.STARMER),
    ]


def test_list_items_under_a_lead_in_naming_nobody_get_no_speaker():
    text = (
        "Key points of the plan:\n"
        "- “A ceasefire along the current front line.”\n"
        "- “A monitoring mission led by European states.”\n"
    )
    assert [q.speaker_id for q in quotes(text)] == [None, None]
    assert all(q.speaker_text == "" for q in quotes(text))


def test_words_between_the_name_and_the_verb_keep_the_person():
    text = "Keir Starmer on Tuesday said: “We are not going anywhere.”"
    assert summary(text) == [("We are not going anywhere.", K.STARMER)]
    text = "Keir Starmer later told reporters: “We are not going anywhere.”"
    assert summary(text) == [("We are not going anywhere.", K.STARMER)]


def test_a_spokesperson_of_a_place_is_the_spokesperson_not_the_place():
    text = "“We do not comment on leaks,” a Downing Street spokeswoman said."
    (quote,) = quotes(text)
    assert (quote.speaker_id, quote.speaker_text) == (None, "a Downing Street spokeswoman")
    text = "A Downing Street spokeswoman said: “We do not comment on leaks.”"
    (quote,) = quotes(text)
    assert quote.speaker_text == "A Downing Street spokeswoman"


def test_a_pronoun_for_someone_outside_the_kb_who_spoke_is_that_name():
    text = (
        "Kemi Badenoch said the plan lacked detail.\n\n“Where is the money coming from?” she asked."
    )
    (quote,) = quotes(text)
    assert (quote.speaker_id, quote.speaker_text) == (None, "Kemi Badenoch")
    # A capitalised phrase that does not speak is no antecedent.
    text = "Downing Street was quiet.\n\n“Where is the money coming from?” she asked."
    (quote,) = quotes(text)
    assert (quote.speaker_id, quote.speaker_text) == (None, "")


def test_a_titled_name_outside_the_kb_is_the_name_as_written():
    text = "Democratic Senator Chris Murphy jibed that the president “has no idea how trade works.”"
    (quote,) = quotes(text)
    assert (quote.speaker_id, quote.speaker_text) == (None, "Chris Murphy")
    assert "Senator Chris Murphy jibed" in text[quote.attribution_start : quote.attribution_end]


def test_a_short_quote_after_an_attribution_naming_a_platform_continues_it():
    text = "“The tariffs are working,” Donald Trump wrote on Truth Social. “Prices are down!”"
    assert summary(text) == [
        ("The tariffs are working,", K.TRUMP),
        ("Prices are down!", K.TRUMP),
    ]


def test_a_participle_belongs_to_the_subject_of_the_sentence_not_the_nearest_name():
    text = "Keir Starmer said he would never work with Rishi Sunak, calling him “a failure”."
    assert summary(text) == [("a failure", K.STARMER)]


def test_a_name_in_apposition_speaks_not_the_possessor_before_it():
    text = "Macron's chief of staff, Alexis Kohler, wrote that the talks were “constructive”."
    (quote,) = quotes(text)
    assert (quote.speaker_id, quote.speaker_text) == (None, "Alexis Kohler")


def test_a_title_in_the_possessive_is_not_the_speaker():
    text = (
        "UK Prime Minister Keir Starmer left early.\n\n"
        "The Prime Minister's spokesman said: “We do not recognise those claims.”"
    )
    (quote,) = quotes(text)
    assert (quote.speaker_id, quote.speaker_text) == (None, "The Prime Minister's spokesman")


def test_a_title_alone_with_a_country_takes_only_a_title_of_that_country():
    text = (
        "President Donald Trump called Emmanuel Macron.\n\n"
        "“We will not be bullied,” the French president said."
    )
    assert summary(text) == [("We will not be bullied,", K.MACRON)]


def test_a_name_after_a_dash_signs_the_quote():
    text = "“We will win this fight.” — Keir Starmer\n\n“We will win.” — and then silence."
    assert summary(text) == [("We will win this fight.", K.STARMER)]


def test_straight_marks_inside_a_curly_quote_are_a_quote_within_it():
    text = '“He called it "a disgrace" and left,” Keir Starmer said.'
    assert summary(text) == [('He called it "a disgrace" and left,', K.STARMER)]
    # Without a curly close on the line, a straight mark opens as usual.
    text = 'Keir Starmer said “we are ready. Emmanuel Macron said "so are we."'
    assert summary(text) == [("so are we.", K.MACRON)]
    # A straight close of a mismatched pair is still a close, with a curly quote after it.
    text = '“We won," Keir Starmer said. “And we will win again.”'
    assert [q for q, _ in summary(text)] == ["We won,", "And we will win again."]


def test_a_pronoun_prefers_the_subject_of_the_sentence_to_its_object():
    text = "Keir Starmer met Emmanuel Macron in Paris.\n\n“We agreed on the essentials,” he said."
    assert summary(text) == [("We agreed on the essentials,", K.STARMER)]
    text = "Theresa May spoke after Keir Starmer had left.\n\n“It is done,” he said."
    assert summary(text) == [("It is done,", K.STARMER)]


def test_the_surname_of_a_person_outside_the_kb_is_that_person():
    text = (
        "Kremlin spokesman Dmitry Peskov told reporters the plan was “unrealistic.”\n\n"
        "Peskov later added that Russia remained “open to dialogue.”\n\n"
        "“We will see,” he said."
    )
    assert [q.speaker_text for q in quotes(text)] == ["Dmitry Peskov"] * 3
    # A surname before the full name is not linked to it: the word as written.
    text = "Peskov said it was “unrealistic.” Dmitry Peskov is the Kremlin spokesman."
    assert [q.speaker_text for q in quotes(text)] == ["Peskov"]


def test_a_post_signed_with_a_handle_and_a_date_is_attributed():
    text = "“We will win this fight.” — Keir Starmer (@Keir_Starmer) July 22, 2024"
    assert summary(text) == [("We will win this fight.", K.STARMER)]
    # A name after a dash that goes on into a sentence does not sign the quote.
    text = "“We will win this fight, whatever it takes.” — and Keir Starmer left the room."
    assert [q.speaker_id for q in quotes(text)] == [None]


def test_a_name_alone_before_a_colon_speaks_the_quote():
    text = "Keir Starmer: “We will not back down on this, whatever it costs.”"
    (quote,) = quotes(text)
    assert (quote.speaker_id, quote.verb) == (K.STARMER, "")
    # Not when the name is inside the sentence before the colon.
    text = "The plan Keir Starmer backed: “a ceasefire along the current line, then talks.”"
    assert [q.speaker_id for q in quotes(text)] in ([], [None])


def test_a_joint_statement_is_no_one_persons_quote():
    text = "Keir Starmer and Emmanuel Macron said in a joint statement: “Europe stands together.”"
    (quote,) = quotes(text)
    assert (quote.speaker_id, quote.speaker_text) == (None, "")
    text = "Keir Starmer said in a statement: “Europe stands together.”"
    assert summary(text) == [("Europe stands together.", K.STARMER)]


def test_the_person_who_replied_is_the_speaker():
    text = "“Where is the money?” Keir Starmer asked Rishi Sunak, who replied: “In the budget.”"
    assert [q.speaker_id for q in quotes(text)] == [K.STARMER, K.SUNAK]


def test_a_pronoun_after_a_quote_and_a_new_subject_is_the_new_subject():
    text = (
        "Emmanuel Macron explained, “There is no alternative to unity.” UK Prime Minister Keir "
        "Starmer pledged more vehicles. He said, “It was a frank and useful conversation.”"
    )
    assert [q.speaker_id for q in quotes(text, people=K.make_people(genders=[]))] == [
        K.MACRON,
        K.STARMER,
    ]


def test_an_honorific_and_a_surname_is_the_person_named_in_full_before():
    text = (
        "Dmitry Peskov, the Kremlin spokesman, spoke on Monday.\n\n"
        "“Nobody expects a breakthrough,” Mr Peskov said."
    )
    (quote,) = quotes(text)
    assert quote.speaker_text == "Dmitry Peskov"
    text = "“Nobody expects a breakthrough,” Mr Starmer said."
    assert summary(text) == [("Nobody expects a breakthrough,", K.STARMER)]


def test_a_name_inside_the_sentence_is_not_its_subject():
    text = "In Paris, where Emmanuel Macron hosted the talks, officials said “nothing was agreed”."
    (quote,) = quotes(text)
    assert quote.speaker_id is None
    text = "On Monday, Emmanuel Macron pointed out the risks and said “nothing was agreed”."
    assert summary(text) == [("nothing was agreed", K.MACRON)]


def test_people_outside_the_kb_with_a_description_a_title_or_opening_a_sentence():
    text = (
        "BRUSSELS (AFP) - EU foreign policy chief Kaja Kallas on Monday urged new sanctions, "
        "warning that “time is running out”.\n\n"
        "Hungary's Foreign Minister Peter Szijjarto rejected the plan. “This will hurt Europe "
        "more than anyone else,” he wrote.\n\n"
        "Kallas, a former prime minister, has made the package her priority. Asked whether "
        "she would drop it, she said: “No.”"
    )
    assert [q.speaker_text for q in quotes(text)] == [
        "Kaja Kallas",
        "Peter Szijjarto",
        "Kaja Kallas",
    ]
    # A place that opens no sentence and speaks not is no antecedent.
    text = "Officials left Downing Street quietly.\n\n“We will see,” she said."
    assert [q.speaker_text for q in quotes(text)] == [""]


def test_a_participle_after_a_quote_and_its_attribution_is_the_same_speaker():
    text = (
        "“We will not raise taxes,” Keir Starmer told the BBC's Laura Kuenssberg on Sunday, "
        "adding: “Not now, not ever.”"
    )
    assert [q.speaker_id for q in quotes(text)] == [K.STARMER, K.STARMER]


def test_a_publication_before_a_title_alone_is_neither_a_co_speaker_nor_an_antecedent():
    text = (
        "Writing in the Daily Telegraph, the prime minister said: “Britain will play its part.”\n\n"
        "The Conservative leader, Kemi Badenoch, said she backed the move. “Warm words are not "
        "enough,” she said."
    )
    first, second = quotes(text)
    assert first.speaker_id == K.STARMER  # the KB's prime minister on 4 March 2025
    assert (second.speaker_id, second.speaker_text) == (None, "Kemi Badenoch")
