"""Titles of office in front of a person's name, with their modifier, linked to the office."""

from __future__ import annotations

from apps.extraction import entities
from tests.extraction import kb as K


def titled(text: str, kb=K.KB) -> list[tuple]:
    return [
        (
            text[m.title.start : m.title.end],
            text[m.start : m.end],
            m.entity_id,
            m.title.modifier,
            m.title.office_id,
        )
        for m in entities.find(text, kb)
        if m.title is not None
    ]


def test_it_links_a_title_that_is_an_office_alias():
    assert titled("UK Prime Minister Keir Starmer spoke.") == [
        ("UK Prime Minister", "Keir Starmer", K.STARMER, "", K.UK_PM)
    ]


def test_it_links_a_demonym_and_a_title_to_that_countrys_office():
    assert titled(
        "Ukrainian President Volodymyr Zelensky and French President Emmanuel Macron met."
    ) == [
        ("Ukrainian President", "Volodymyr Zelensky", K.ZELENSKY, "", K.UA_PRESIDENT),
        ("French President", "Emmanuel Macron", K.MACRON, "", K.FR_PRESIDENT),
    ]


def test_it_resolves_a_bare_title_among_the_offices_the_person_held():
    assert titled("President Donald Trump spoke.") == [
        ("President", "Donald Trump", K.TRUMP, "", K.US_PRESIDENT)
    ]


def test_it_records_a_bare_title_the_person_never_held_without_an_office():
    assert titled("President Keir Starmer spoke.") == [
        ("President", "Keir Starmer", K.STARMER, "", None)
    ]


def test_it_links_a_title_naming_a_country_even_when_the_person_never_held_it():
    # The text is what is checked: ROLE_AT_DATE reports that Starmer never held it.
    assert titled("Ukrainian President Keir Starmer spoke.") == [
        ("Ukrainian President", "Keir Starmer", K.STARMER, "", K.UA_PRESIDENT)
    ]


def test_it_reads_the_modifiers():
    text = (
        "former President Donald Trump, then-Prime Minister Rishi Sunak, ex-President Donald "
        "Trump, acting President Donald Trump and outgoing Chancellor Olaf Scholz met."
    )
    assert [(t[0], t[3], t[4]) for t in titled(text)] == [
        ("President", "former", K.US_PRESIDENT),
        ("Prime Minister", "then", K.UK_PM),
        ("President", "ex", K.US_PRESIDENT),
        ("President", "acting", K.US_PRESIDENT),
        ("Chancellor", "outgoing", K.DE_CHANCELLOR),
    ]


def test_it_reads_a_country_written_after_the_name():
    assert titled("Chancellor Olaf Scholz of Germany arrived.") == [
        ("Chancellor", "Olaf Scholz", K.SCHOLZ, "", K.DE_CHANCELLOR)
    ]


def test_it_reads_a_possessive_country_before_the_title():
    assert titled("Germany’s Chancellor Olaf Scholz arrived.") == [
        ("Germany’s Chancellor", "Olaf Scholz", K.SCHOLZ, "", K.DE_CHANCELLOR)
    ]


def test_it_absorbs_the_country_into_the_title_instead_of_a_separate_mention():
    text = "US President Donald Trump spoke."
    found = entities.find(text, K.KB)
    assert [(text[m.start : m.end], m.entity_id) for m in found] == [("Donald Trump", K.TRUMP)]
    assert text[found[0].title.start : found[0].title.end] == "US President"


def test_it_records_a_title_in_front_of_a_name_the_kb_does_not_know():
    assert titled("Foreign Minister Annalena Baerbock arrived.") == [
        ("Foreign Minister", "Annalena Baerbock", None, "", None)
    ]


def test_it_makes_no_title_without_a_name_after_it():
    text = "The president said the prime minister and the UK Prime Minister’s office agreed."
    assert titled(text) == []


def test_it_takes_no_other_word_before_a_name_for_a_title_or_modifier():
    text = "Aides to Keir Starmer and the former adviser Rishi Sunak met Volodymyr Zelensky."
    assert titled(text) == []


# --- Wordings derived from the KB (offices' own labels only, countries with demonyms) ---------------

CHINA, XI, BLINKEN, US_SECSTATE, SUNAK_EXCHEQUER, RADAKIN, CDS, MODI, IN_PM, INDIA = range(901, 911)
DERIVED = K.make_kb(
    entities=[
        (CHINA, "place", "People's Republic of China"),
        (XI, "person", "Xi Jinping"),
        (91, "office", "President of the People's Republic of China"),
        (BLINKEN, "person", "Antony Blinken"),
        (US_SECSTATE, "office", "Secretary of State"),
        (SUNAK_EXCHEQUER, "office", "Chancellor of the Exchequer"),
        (RADAKIN, "person", "Tony Radakin"),
        (CDS, "office", "Chief of the Defence Staff"),
        (MODI, "person", "Narendra Modi"),
        (IN_PM, "office", "Prime Minister of India"),
        (INDIA, "place", "Republic of India"),
    ],
    aliases=[(CHINA, "China")],
    tenures=[
        (XI, 91, None),
        (BLINKEN, US_SECSTATE, None),
        (K.SUNAK, SUNAK_EXCHEQUER, None),
        (RADAKIN, CDS, None),
        (MODI, IN_PM, None),
    ],
    demonyms={CHINA: ["Chinese"], INDIA: ["Indian"], K.UNITED_STATES: ["American"]},
    jurisdictions={91: CHINA, US_SECSTATE: K.UNITED_STATES, CDS: K.UNITED_KINGDOM, IN_PM: INDIA},
)


def test_it_derives_demonym_and_possessive_wordings_from_the_offices_country():
    text = (
        "Chinese President Xi Jinping met U.S. Secretary of State Antony Blinken. "
        "American Secretary of State Antony Blinken and Germany’s Chancellor Olaf Scholz spoke. "
        "German Chancellor Olaf Scholz left."
    )
    assert [(t[0], t[2], t[4]) for t in titled(text, DERIVED)] == [
        ("Chinese President", XI, 91),
        ("U.S. Secretary of State", BLINKEN, US_SECSTATE),
        ("American Secretary of State", BLINKEN, US_SECSTATE),
        ("Germany’s Chancellor", K.SCHOLZ, K.DE_CHANCELLOR),
        ("German Chancellor", K.SCHOLZ, K.DE_CHANCELLOR),
    ]


def test_it_links_a_derived_wording_of_another_country_to_that_countrys_office():
    # Xi never held it; the check, not extraction, says so.
    assert [(t[0], t[4]) for t in titled("Indian Prime Minister Xi Jinping spoke.", DERIVED)] == [
        ("Indian Prime Minister", IN_PM)
    ]


def test_it_reads_lower_case_and_abbreviated_titles_in_front_of_known_people():
    text = (
        "PM Modi spoke. Later current president Donald Trump and former finance minister "
        "Rishi Sunak arrived, and Chancellor Rishi Sunak left."
    )
    assert [(t[0], t[2], t[3], t[4]) for t in titled(text, DERIVED)] == [
        ("PM", MODI, "", IN_PM),
        ("president", K.TRUMP, "", K.US_PRESIDENT),
        ("finance minister", K.SUNAK, "former", None),
        ("Chancellor", K.SUNAK, "", SUNAK_EXCHEQUER),
    ]


def test_it_takes_no_lower_case_word_or_abbreviation_for_a_title_without_a_known_name():
    assert titled("Later the president Jane Roe spoke.", DERIVED) == []
    assert titled("The session ended at 5 pm Modi said.", DERIVED) == []
    assert titled("Rishi Sunak was finance minister before.", DERIVED) == []


def test_it_skips_ranks_and_honorifics_between_title_and_name():
    text = "Chief of the Defence Staff Admiral Sir Tony Radakin briefed MPs."
    found = entities.find(text, DERIVED)
    [mention] = [m for m in found if m.title is not None]
    assert text[mention.start : mention.end] == "Tony Radakin" and mention.entity_id == RADAKIN
    assert text[mention.title.start : mention.title.end] == "Chief of the Defence Staff"
    assert mention.title.office_id == CDS


def test_it_reads_a_name_split_by_a_nickname_in_quote_marks():
    text = "Prime Minister Rishi “Dishy” Sunak spoke; Prime Minister Rishi Sunak left."
    found = [m for m in entities.find(text, DERIVED) if m.title is not None]
    assert [(text[m.start : m.end], m.entity_id) for m in found] == [
        ("Rishi “Dishy” Sunak", K.SUNAK),
        ("Rishi Sunak", K.SUNAK),
    ]
    # Two names around a quoted word are one person only when the KB knows the name.
    text = "Prime Minister Jane “JR” Roe spoke."
    assert [(t[1], t[2]) for t in titled(text, DERIVED)] == [("Jane", None)]


# --- The title index on its own -------------------------------------------------------------------


def test_title_keys_fold_dots_possessives_case_hyphens_and_abbreviations():
    from apps.extraction.titles import title_key

    assert title_key("U.S. Secretary of State") == title_key("US secretary of state")
    assert title_key("Germany’s Chancellor") == "germany chancellor"
    assert title_key("PM") == "prime minister" and title_key("Gov.") == "governor"
    assert title_key("Secretary-General") == "secretary general"
    assert title_key("Defense Minister") == "defence minister"
    assert title_key("Premier") == "premier"  # not an abbreviation of anything


def test_the_index_reads_the_country_inside_an_offices_formal_name():
    from apps.extraction.titles import TitleIndex

    index = TitleIndex.build(
        offices={
            1: ["President of the People's Republic of China"],
            2: ["President of the French Republic"],
            3: ["Minister of Finance of Ukraine"],
        }
    )
    assert index.resolve("Chinese President").office == 1
    assert index.resolve("French President").office == 2
    assert index.resolve("Ukrainian finance minister").office == 3
    assert index.resolve("Polish President").how == "unknown"


def test_a_bare_alias_of_an_office_without_a_country_names_no_single_office():
    from apps.extraction.titles import TitleIndex

    index = TitleIndex.build(
        offices={1: ["President of Norvania", "Norvania President"], 2: ["Defence Minister"]}
    )
    assert index.resolve("Norvania President").how == "named"  # its own qualified name
    assert index.resolve("Defence Minister").how == "generic"  # every country has one
    assert index.resolve("Defence Minister", held=[2]).how == "held"


def test_a_place_named_like_a_titles_first_word_does_not_split_the_title():
    from apps.extraction.titles import TitleIndex

    index = TitleIndex.build(
        offices={1: ["Prime Minister of India"]}, places={9: ["Prime"], 8: ["India", "Indian"]}
    )
    assert index.resolve("Prime Minister", held=[1]).office == 1
    assert index.resolve("Indian Prime Minister").office == 1


def test_the_country_before_a_title_stops_at_the_end_of_the_sentence_before():
    text = "Troops went to Germany. U.S. President Donald Trump spoke. Talks in France. UK Prime Minister Keir Starmer left."
    assert [(t[0], t[4]) for t in titled(text)] == [
        ("U.S. President", K.US_PRESIDENT),
        ("UK Prime Minister", K.UK_PM),
    ]
