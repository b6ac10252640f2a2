"""Every registered check as a pure function: snapshots and KB views written by hand, no database.
Each rule has a case where it must speak and one where it must stay silent."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.checks.kbview import CorpusView, OtherQuote
from apps.checks.registry import CheckContext, CheckSettings, all_checks, run_checks
from apps.checks.rules.cross_article import claim_signature
from apps.checks.rules.quotes import quote_key, quote_text_normalize
from apps.checks.snapshot import (
    ArticleSnapshot,
    ClaimSnap,
    DateSnap,
    MentionSnap,
    OrphanSnap,
    QuoteSnap,
    split_sentences,
)
from tests.checks import kb as K

D = dt.date


def title(body: str, written: str, name: str, person: int, office: int | None, modifier: str = ""):
    start = body.index(f"{written} {name}")
    name_start = start + len(written) + 1
    return MentionSnap(
        uuid=f"m-{name}-{start}",
        start=name_start,
        end=name_start + len(name),
        exact=name,
        entity_id=person,
        title_start=start,
        title_end=start + len(written),
        title_text=written.split(" ", 1)[1] if modifier else written,
        title_modifier=modifier,
        office_id=office,
    )


def date(body: str, text: str, value: dt.date, precision: str = "day", relative: bool = False):
    start = body.index(text)
    return DateSnap(
        uuid=f"d-{start}",
        start=start,
        end=start + len(text),
        exact=text,
        value=value,
        precision=precision,
        is_relative=relative,
    )


PUBLISHED = D(2026, 1, 7)


def snapshot(body: str, published=PUBLISHED, event_on=None, article_id=1, **parts):
    return ArticleSnapshot(
        id=article_id,
        uuid=f"a{article_id}",
        title=f"Article {article_id}",
        body=body,
        published_on=published,
        event_on=event_on,
        **{k: tuple(v) for k, v in parts.items()},
    )


def findings(snap: ArticleSnapshot, code: str, corpus: CorpusView | None = None, **settings):
    context = CheckContext(
        kb=K.kb_view(), corpus=corpus or CorpusView(), settings=CheckSettings(**settings)
    )
    return run_checks(snap, context)[code]


def test_it_registers_every_check_with_a_code_and_a_version():
    codes = {c.code: c.version for c in all_checks()}
    assert set(codes) >= {
        "ROLE_AT_DATE",
        "TEMPORAL_COHERENCE",
        "DATE_VS_PUBLICATION",
        "QUOTE_INTEGRITY",
        "CROSS_ARTICLE",
        "ANCHORS",
    }
    assert all(codes.values())


# --- ROLE_AT_DATE -----------------------------------------------------------------------------


def pm_article(day: str, value: dt.date, name: str, person: int):
    body = f"On {day}, UK Prime Minister {name} spoke in London."
    return snapshot(
        body,
        mentions=[title(body, "UK Prime Minister", name, person, K.UK_PM)],
        dates=[date(body, day, value)],
    )


def test_it_flags_a_title_outside_the_tenure_and_names_the_holder_then():
    [finding] = findings(
        pm_article("6 January 2024", D(2024, 1, 6), "Keir Starmer", K.STARMER), "ROLE_AT_DATE"
    )
    assert finding.severity == "error"
    assert (
        "Keir Starmer was not Prime Minister of the United Kingdom on 6 January 2024"
        in finding.message
    )
    assert "took office on 5 July 2024" in finding.message
    assert "Rishi Sunak held the office then" in finding.message
    tenure = next(f for f in finding.kb_facts if f["type"] == "tenure")
    assert tenure["start"] == "2024-07-05" and tenure["source"].startswith("https://")
    holder = next(f for f in finding.kb_facts if f["type"] == "holder")
    assert holder["person"] == "Rishi Sunak"
    assert finding.spans[0]["exact"] == "UK Prime Minister Keir Starmer"


def test_it_accepts_a_title_inside_the_tenure():
    assert (
        findings(
            pm_article("6 January 2025", D(2025, 1, 6), "Keir Starmer", K.STARMER), "ROLE_AT_DATE"
        )
        == []
    )


@pytest.mark.parametrize(
    ("day", "name", "person", "ok"),
    [
        (D(2024, 7, 5), "Rishi Sunak", K.SUNAK, True),  # handover day: both hold it
        (D(2024, 7, 5), "Keir Starmer", K.STARMER, True),
        (D(2024, 7, 6), "Rishi Sunak", K.SUNAK, False),  # the day after: only the new one
        (D(2024, 7, 4), "Keir Starmer", K.STARMER, False),  # the day before: only the old one
    ],
)
def test_it_counts_the_handover_day_for_both_holders(day, name, person, ok):
    text = f"{day.day} July 2024"
    assert (findings(pm_article(text, day, name, person), "ROLE_AT_DATE") == []) is ok


def test_it_flags_former_for_a_president_back_in_office():
    body = "Leaders discussed remarks by former President Donald Trump about Greenland."
    snap = snapshot(
        body,
        mentions=[
            title(body, "former President", "Donald Trump", K.TRUMP, K.US_PRESIDENT, "former")
        ],
    )
    [finding] = findings(snap, "ROLE_AT_DATE")
    assert "was not a former President of the United States on 7 January 2026" in finding.message
    assert "again since 20 January 2025" in finding.message


def test_it_accepts_former_after_the_tenure_ended():
    body = "Leaders discussed remarks by former President Joe Biden about Greenland."
    snap = snapshot(
        body,
        mentions=[title(body, "former President", "Joe Biden", K.BIDEN, K.US_PRESIDENT, "former")],
    )
    assert findings(snap, "ROLE_AT_DATE") == []


def test_it_accepts_former_on_the_day_the_tenure_ended():
    body = "Crowds cheered former President Joe Biden in Washington."
    snap = snapshot(
        body,
        published=D(2025, 1, 20),
        mentions=[title(body, "former President", "Joe Biden", K.BIDEN, K.US_PRESIDENT, "former")],
    )
    assert findings(snap, "ROLE_AT_DATE") == []


def test_it_abstains_on_a_bare_title_the_person_never_held():
    body = "Prime Minister Emmanuel Macron spoke in Paris."
    snap = snapshot(
        body, mentions=[title(body, "Prime Minister", "Emmanuel Macron", K.MACRON, None)]
    )
    # A bare title names no country: it may be an office the KB does not list, so the check
    # abstains (before issue 11 this was an error).
    [finding] = findings(snap, "ROLE_AT_DATE")
    assert finding.severity == "info" and finding.message.startswith("Cannot check")
    assert "President of France" in finding.message


def test_it_flags_a_title_naming_a_country_whose_office_the_person_never_held():
    body = "UK Prime Minister Emmanuel Macron spoke in Paris."
    snap = snapshot(
        body, mentions=[title(body, "UK Prime Minister", "Emmanuel Macron", K.MACRON, None)]
    )
    [finding] = findings(snap, "ROLE_AT_DATE")
    assert finding.severity == "error"
    assert "never held Prime Minister of the United Kingdom" in finding.message


def test_it_resolves_a_generic_title_among_the_offices_the_person_held():
    body = "President Emmanuel Macron spoke in Paris."
    snap = snapshot(body, mentions=[title(body, "President", "Emmanuel Macron", K.MACRON, None)])
    assert findings(snap, "ROLE_AT_DATE") == []


def test_it_prefers_the_date_of_the_sentence_to_the_event_date():
    body = (
        "Talks opened in Paris on 6 January 2026.\n"
        "In March 2023, then-Prime Minister Rishi Sunak met Emmanuel Macron."
    )
    snap = snapshot(
        body,
        mentions=[title(body, "then-Prime Minister", "Rishi Sunak", K.SUNAK, K.UK_PM, "then")],
        dates=[
            date(body, "6 January 2026", D(2026, 1, 6)),
            date(body, "March 2023", D(2023, 3, 1), "month"),
        ],
    )
    assert findings(snap, "ROLE_AT_DATE") == []
    # Without the sentence's date, the event date (2026) applies and Sunak no longer held it.
    bare = snapshot(body, mentions=snap.mentions, dates=snap.dates[:1])
    [finding] = findings(bare, "ROLE_AT_DATE")
    assert (
        "the date stated in the lead" in finding.message
        and "left office on 5 July 2024" in finding.message
    )


def test_it_says_nothing_about_people_the_kb_does_not_know():
    body = "Mayor Jane Roe opened the bridge on 6 January 2024."
    snap = snapshot(
        body,
        mentions=[title(body, "Mayor", "Jane Roe", 999, None)],
        dates=[date(body, "6 January 2024", D(2024, 1, 6))],
    )
    assert findings(snap, "ROLE_AT_DATE") == []


# --- TEMPORAL_COHERENCE -----------------------------------------------------------------------

SEED_LIKE = (
    "Allies announced on January 6, 2024, that they agreed on guarantees in Paris.\n"
    "UK Prime Minister Keir Starmer called the talks productive. Ukrainian President Volodymyr "
    "Zelensky was pleased. French President Emmanuel Macron agreed.\n"
    "They discussed recent comments from former President Donald Trump."
)


def seed_like(published=PUBLISHED):
    body = SEED_LIKE
    return snapshot(
        body,
        published=published,
        mentions=[
            title(body, "UK Prime Minister", "Keir Starmer", K.STARMER, K.UK_PM),
            title(body, "Ukrainian President", "Volodymyr Zelensky", K.ZELENSKY, K.UA_PRESIDENT),
            title(body, "French President", "Emmanuel Macron", K.MACRON, K.FR_PRESIDENT),
            title(body, "former President", "Donald Trump", K.TRUMP, K.US_PRESIDENT, "former"),
        ],
        dates=[date(body, "January 6, 2024", D(2024, 1, 6))],
    )


def test_it_gives_the_window_in_which_all_titles_hold_and_the_dates_it_excludes():
    [finding] = findings(seed_like(), "TEMPORAL_COHERENCE")
    window = next(f for f in finding.kb_facts if f["type"] == "window")
    assert window["intervals"] == [["2024-07-05", "2025-01-20"]]
    assert "from 5 July 2024 to 20 January 2025" in finding.message
    assert "6 January 2024" in finding.message and "7 January 2026" in finding.message
    assert [s["exact"] for s in finding.spans] == [
        "UK Prime Minister Keir Starmer",
        "former President Donald Trump",
    ]


def test_it_finds_titles_coherent_when_the_window_holds_both_dates():
    snap = seed_like(published=D(2024, 7, 10))
    event_snap = snapshot(
        snap.body.replace("January 6, 2024", "July 8, 2024"),
        published=D(2024, 7, 10),
        mentions=snap.mentions,
        dates=[
            date(
                snap.body.replace("January 6, 2024", "July 8, 2024"), "July 8, 2024", D(2024, 7, 8)
            )
        ],
    )
    assert findings(event_snap, "TEMPORAL_COHERENCE") == []


def test_it_names_the_smallest_set_of_titles_that_cannot_hold_together():
    body = (
        "On 6 January 2024 UK Prime Minister Keir Starmer met British Prime Minister Boris Johnson "
        "and French President Emmanuel Macron."
    )
    snap = snapshot(
        body,
        mentions=[
            title(body, "UK Prime Minister", "Keir Starmer", K.STARMER, K.UK_PM),
            title(body, "British Prime Minister", "Boris Johnson", 8, K.UK_PM),
            title(body, "French President", "Emmanuel Macron", K.MACRON, K.FR_PRESIDENT),
        ],
        dates=[date(body, "6 January 2024", D(2024, 1, 6))],
    )
    [finding] = findings(snap, "TEMPORAL_COHERENCE")
    assert "No single date" in finding.message
    assert len(finding.spans) == 2 and "Macron" not in finding.message


def test_it_lets_former_speak_of_the_present_and_a_bare_title_of_the_event():
    body = (
        "On 6 March 2024 Prime Minister Rishi Sunak met officials.\n"
        "Former President Joe Biden later praised the meeting."
    )
    snap = snapshot(
        body,
        mentions=[
            title(body, "Prime Minister", "Rishi Sunak", K.SUNAK, K.UK_PM),
            title(body, "Former President", "Joe Biden", K.BIDEN, K.US_PRESIDENT, "former"),
        ],
        dates=[date(body, "6 March 2024", D(2024, 3, 6))],
    )
    assert findings(snap, "TEMPORAL_COHERENCE") == []


# --- DATE_VS_PUBLICATION ----------------------------------------------------------------------


def test_it_flags_a_weekday_that_does_not_match_its_date():
    body = "The summit opened on Tuesday, January 6, 2024, in Paris."
    snap = snapshot(
        body, published=D(2024, 1, 7), dates=[date(body, "January 6, 2024", D(2024, 1, 6))]
    )
    [finding] = findings(snap, "DATE_VS_PUBLICATION")
    assert finding.severity == "error"
    assert "6 January 2024 was a Saturday, not a Tuesday" in finding.message
    assert finding.spans[0]["exact"] == "Tuesday, January 6, 2024"


def test_it_accepts_a_weekday_that_matches():
    body = "The summit opened on Saturday, January 6, 2024, in Paris."
    snap = snapshot(
        body, published=D(2024, 1, 7), dates=[date(body, "January 6, 2024", D(2024, 1, 6))]
    )
    assert findings(snap, "DATE_VS_PUBLICATION") == []


def test_it_warns_when_the_lead_reports_an_old_date_as_news():
    body = "Allies announced on January 6, 2024, that they agreed on guarantees."
    snap = snapshot(body, dates=[date(body, "January 6, 2024", D(2024, 1, 6))])
    [finding] = findings(snap, "DATE_VS_PUBLICATION")
    assert finding.severity == "warning"
    assert "732 days (about 2 years) before publication on 7 January 2026" in finding.message


@pytest.mark.parametrize(
    ("body", "threshold"),
    [
        ("Allies announced on January 6, 2024, that they agreed on guarantees.", 800),
        ("Two years ago, on January 6, 2024, allies agreed on guarantees.", 60),
    ],
)
def test_it_accepts_an_old_date_under_the_threshold_or_told_as_the_past(body, threshold):
    snap = snapshot(body, dates=[date(body, "January 6, 2024", D(2024, 1, 6))])
    assert findings(snap, "DATE_VS_PUBLICATION", stale_event_days=threshold) == []


def test_it_warns_about_a_past_tense_event_dated_after_publication():
    body = "Officials met in Paris on 6 January 2026.\nThe ministers signed the deal on 20 January 2026."
    snap = snapshot(
        body,
        dates=[
            date(body, "6 January 2026", D(2026, 1, 6)),
            date(body, "20 January 2026", D(2026, 1, 20)),
        ],
    )
    [finding] = findings(snap, "DATE_VS_PUBLICATION")
    assert (
        "after the publication date" in finding.message
        and finding.spans[0]["exact"] == "20 January 2026"
    )


def test_it_accepts_a_future_event_after_publication():
    body = "Officials met in Paris on 6 January 2026.\nThe ministers will sign the deal on 20 January 2026."
    snap = snapshot(
        body,
        dates=[
            date(body, "6 January 2026", D(2026, 1, 6)),
            date(body, "20 January 2026", D(2026, 1, 20)),
        ],
    )
    assert findings(snap, "DATE_VS_PUBLICATION") == []


# --- QUOTE_INTEGRITY --------------------------------------------------------------------------

QUOTE = "“We determined what forces are needed and how they will operate.”"


def quote_snap(body: str, text: str, speaker: int | None, article_id: int = 1):
    start = body.index(text)
    return QuoteSnap(uuid=f"q{article_id}-{start}", start=start, end=start + len(text), exact=text,
                     speaker_id=speaker, speaker_text="")  # fmt: skip


def other(text: str, speaker: int, article_id: int = 2):
    return OtherQuote(article_id=article_id, article_title=f"Article {article_id}",
                      quote_uuid=f"o{article_id}", exact=text, speaker_id=speaker, speaker_text="")  # fmt: skip


def corpus_with(*quotes: OtherQuote) -> CorpusView:
    corpus = CorpusView()
    for q in quotes:
        corpus.quotes_by_key.setdefault(quote_key(q.exact), []).append(q)
        corpus.quotes_by_speaker.setdefault(q.speaker_id, []).append(q)
    return corpus


def test_it_normalises_quotes_for_case_whitespace_quote_marks_and_ellipses():
    assert quote_text_normalize("“We  determined… what forces,”") == quote_text_normalize(
        '"we determined ... what forces'
    )


def test_it_flags_the_same_words_attributed_to_another_speaker_elsewhere():
    body = f"Zelensky explained, {QUOTE}"
    snap = snapshot(body, quotes=[quote_snap(body, QUOTE, K.ZELENSKY)])
    elsewhere = other('"we determined what forces are needed and how they will operate"', K.MACRON)
    [finding] = findings(snap, "QUOTE_INTEGRITY", corpus_with(elsewhere))
    assert "Emmanuel Macron" in finding.message and "Article 2" in finding.message


def test_it_accepts_the_same_words_from_the_same_speaker_elsewhere():
    body = f"Zelensky explained, {QUOTE}"
    snap = snapshot(body, quotes=[quote_snap(body, QUOTE, K.ZELENSKY)])
    assert findings(snap, "QUOTE_INTEGRITY", corpus_with(other(QUOTE, K.ZELENSKY))) == []


def test_it_flags_one_speakers_quote_worded_differently_elsewhere():
    body = f"Zelensky explained, {QUOTE}"
    snap = snapshot(body, quotes=[quote_snap(body, QUOTE, K.ZELENSKY)])
    changed = "“We decided what forces are needed and how they will operate.”"
    [finding] = findings(snap, "QUOTE_INTEGRITY", corpus_with(other(changed, K.ZELENSKY)))
    assert "worded differently" in finding.message and "We decided" in finding.message


def test_it_flags_a_quote_whose_words_left_the_article():
    body = "Zelensky explained that forces were discussed."
    orphan = OrphanSnap(kind="quote", uuid="q1", start=20, end=40, exact=QUOTE)
    [finding] = findings(snapshot(body, orphans=[orphan]), "QUOTE_INTEGRITY")
    assert finding.severity == "error" and "no longer appears" in finding.message


def test_it_leaves_a_lost_quote_whose_words_are_still_there_to_anchors():
    straight = QUOTE.replace("“", '"').replace("”", '"')
    body = f"Zelensky explained: {straight}"
    orphan = OrphanSnap(kind="quote", uuid="q1", start=0, end=5, exact=QUOTE)
    assert findings(snapshot(body, orphans=[orphan]), "QUOTE_INTEGRITY") == []
    assert len(findings(snapshot(body, orphans=[orphan]), "ANCHORS")) == 1


# --- CROSS_ARTICLE ----------------------------------------------------------------------------


def verified_meeting(day: int, article_id: int, number: str = ""):
    body = f"Keir Starmer met Emmanuel Macron in Paris on January {day}, 2026{number}."
    start = body.index("Keir")
    mentions = [
        MentionSnap(uuid=f"s{article_id}", start=start, end=start + 12, exact="Keir Starmer", entity_id=K.STARMER),
        MentionSnap(uuid=f"m{article_id}", start=body.index("Emmanuel"), end=body.index("Emmanuel") + 15,
                    exact="Emmanuel Macron", entity_id=K.MACRON),
    ]  # fmt: skip
    claim = ClaimSnap(uuid=f"c{article_id}", start=0, end=len(body), exact=body, kind="event_date",
                      verdict="accurate", verdict_state="verified")  # fmt: skip
    return snapshot(body, article_id=article_id, mentions=mentions, claims=[claim],
                    dates=[date(body, f"January {day}, 2026", D(2026, 1, day))])  # fmt: skip


def test_it_flags_verified_claims_about_one_event_with_different_dates():
    mine, theirs = verified_meeting(6, 1), verified_meeting(8, 2)
    corpus = CorpusView(verified_claims=[claim_signature(theirs, theirs.claims[0])])
    [finding] = findings(mine, "CROSS_ARTICLE", corpus)
    assert "disagrees on the date" in finding.message and "8 January 2026" in finding.message


def test_it_accepts_verified_claims_that_agree():
    mine, theirs = verified_meeting(6, 1), verified_meeting(6, 2)
    corpus = CorpusView(verified_claims=[claim_signature(theirs, theirs.claims[0])])
    assert findings(mine, "CROSS_ARTICLE", corpus) == []


def test_it_flags_verified_claims_that_disagree_on_a_number():
    mine = verified_meeting(6, 1, " and pledged 30 tanks")
    theirs = verified_meeting(6, 2, " and pledged 40 tanks")
    corpus = CorpusView(verified_claims=[claim_signature(theirs, theirs.claims[0])])
    [finding] = findings(mine, "CROSS_ARTICLE", corpus)
    assert "disagrees on the number" in finding.message and "30 here, 40 there" in finding.message


# --- ANCHORS ----------------------------------------------------------------------------------


def test_it_reports_each_annotation_that_lost_its_place():
    orphans = [
        OrphanSnap(kind="mention", uuid="m1", start=0, end=4, exact="Starmer"),
        OrphanSnap(
            kind="claim",
            uuid="c1",
            start=0,
            end=4,
            exact="He met Macron.",
            verdict_state="verified",
        ),
    ]
    found = findings(snapshot("A new body.", orphans=orphans), "ANCHORS")
    assert sorted(f.severity for f in found) == ["error", "warning"]


def test_it_reports_nothing_when_every_annotation_is_anchored():
    assert findings(seed_like(), "ANCHORS") == []


# --- Sentences --------------------------------------------------------------------------------


def test_it_does_not_end_a_sentence_at_an_abbreviation_or_initial():
    text = "U.S. President Joe Biden met Gen. Smith on Jan. 5. J. Doe said it went well.\nNext."
    sentences = [text[s:e] for s, e in split_sentences(text)]
    assert sentences == [
        "U.S. President Joe Biden met Gen. Smith on Jan. 5.",
        "J. Doe said it went well.",
        "Next.",
    ]


def test_it_shows_the_modifier_with_the_title_when_the_title_span_leaves_it_out():
    body = "Leaders discussed remarks by former President Donald Trump about Greenland."
    start = body.index("President Donald")
    mention = MentionSnap(uuid="m1", start=start + 10, end=start + 22, exact="Donald Trump",
                          entity_id=K.TRUMP, title_start=start, title_end=start + 9,
                          title_text="President", title_modifier="former",
                          office_id=K.US_PRESIDENT)  # fmt: skip
    [finding] = findings(snapshot(body, mentions=[mention]), "ROLE_AT_DATE")
    assert finding.spans[0]["exact"] == "former President Donald Trump"
    assert finding.spans[0]["start"] == body.index("former")


def test_it_accepts_another_quote_of_the_same_speaker_that_only_starts_alike():
    body = f"Zelensky explained, {QUOTE}"
    snap = snapshot(body, quotes=[quote_snap(body, QUOTE, K.ZELENSKY)])
    unrelated = "“We determined what forces are needed, and now the harvest matters most.”"
    assert findings(snap, "QUOTE_INTEGRITY", corpus_with(other(unrelated, K.ZELENSKY))) == []


# --- Planned future events; titles bounding the window -------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "text", "value", "precision", "flagged"),
    [
        (
            "The leaders agreed to meet again on 13 June 2026.",
            "13 June 2026",
            D(2026, 6, 13),
            "day",
            False,
        ),
        ("The striker announced a comeback in 2027.", "2027", D(2027, 1, 1), "year", False),
        (
            "The ministers signed the deal on 13 June 2026.",
            "13 June 2026",
            D(2026, 6, 13),
            "day",
            True,
        ),
        (
            "The president returned to Kyiv on 13 June 2026.",
            "13 June 2026",
            D(2026, 6, 13),
            "day",
            True,
        ),
    ],
)
def test_it_spares_a_planned_future_event_but_not_a_past_one(
    sentence, text, value, precision, flagged
):
    body = f"Officials met in Paris on 6 January 2026.\n{sentence}"
    snap = snapshot(
        body,
        dates=[date(body, "6 January 2026", D(2026, 1, 6)), date(body, text, value, precision)],
    )
    assert bool(findings(snap, "DATE_VS_PUBLICATION")) is flagged


def test_it_names_the_title_whose_interval_bounds_the_window():
    # Biden is "former" only from 20 January 2025, which is where the window starts; Starmer's
    # own error (not PM on the event date) is ROLE_AT_DATE's, not this one's.
    body = (
        "Talks opened on 6 January 2024.\n"
        "UK Prime Minister Keir Starmer thanked former President Joe Biden."
    )
    snap = snapshot(
        body,
        mentions=[
            title(body, "UK Prime Minister", "Keir Starmer", K.STARMER, K.UK_PM),
            title(body, "former President", "Joe Biden", K.BIDEN, K.US_PRESIDENT, "former"),
        ],
        dates=[date(body, "6 January 2024", D(2024, 1, 6))],
    )
    [finding] = findings(snap, "TEMPORAL_COHERENCE")
    assert finding.message.startswith("The title “former President Joe Biden” bounds")
    assert "from 20 January 2025 on" in finding.message and "6 January 2024" in finding.message
    assert [s["exact"] for s in finding.spans] == ["former President Joe Biden"]


def test_it_does_not_restate_one_titles_role_at_date_error():
    body = (
        "Talks opened on 6 January 2024.\n"
        "UK Prime Minister Keir Starmer thanked French President Emmanuel Macron."
    )
    snap = snapshot(
        body,
        mentions=[
            title(body, "UK Prime Minister", "Keir Starmer", K.STARMER, K.UK_PM),
            title(body, "French President", "Emmanuel Macron", K.MACRON, K.FR_PRESIDENT),
        ],
        dates=[date(body, "6 January 2024", D(2024, 1, 6))],
    )
    assert findings(snap, "TEMPORAL_COHERENCE") == []
    assert [f.key.split(":")[1] for f in findings(snap, "ROLE_AT_DATE")] == ["at_date"]


def test_a_courtesy_title_in_a_quoted_signature_binds_no_dates():
    body = (
        "Talks opened on 6 January 2024.\n"
        "The letter was signed “Yours, former President Joe Biden”. Ukrainian President "
        "Volodymyr Zelensky replied."
    )
    signature = "“Yours, former President Joe Biden”"
    start = body.index(signature)
    parts = {
        "mentions": [
            title(body, "former President", "Joe Biden", K.BIDEN, K.US_PRESIDENT, "former"),
            title(body, "Ukrainian President", "Volodymyr Zelensky", K.ZELENSKY, K.UA_PRESIDENT),
        ],
        "dates": [date(body, "6 January 2024", D(2024, 1, 6))],
    }
    quoted = snapshot(
        body,
        published=D(2024, 1, 7),
        quotes=[QuoteSnap(uuid="q", start=start, end=start + len(signature), exact=signature)],
        **parts,
    )
    assert findings(quoted, "TEMPORAL_COHERENCE") == []
    [role] = findings(quoted, "ROLE_AT_DATE")
    assert role.severity == "warning"
    # The same words outside a quote are the article's own claim.
    plain = snapshot(body, published=D(2024, 1, 7), **parts)
    assert [f.severity for f in findings(plain, "ROLE_AT_DATE")] == ["error"]
