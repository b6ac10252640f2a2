"""Re-anchoring as pure functions: where a span goes when the body around or inside it changes."""

from __future__ import annotations

import random

import pytest

from apps.annotations.anchoring import Reanchorer, body_diff

BODY = (
    "Officials met in Paris on Tuesday, January 6, 2024. "
    "UK Prime Minister Keir Starmer said the talks were useful. "
    "“We will not retreat from our commitments,” Starmer explained. "
    "The meeting ended late in the evening.\n\n"
    "Former President Donald Trump did not attend. "
    "Analysts expect a second round in March."
)


def _span(body: str, text: str, occurrence: int = 1) -> dict:
    start = -1
    for _ in range(occurrence):
        start = body.index(text, start + 1)
    end = start + len(text)
    return {
        "start": start,
        "end": end,
        "exact": text,
        "prefix": body[max(0, start - 32) : start],
        "suffix": body[end : end + 32],
    }


def _locate(old: str, new: str, text: str, occurrence: int = 1):
    return Reanchorer(old, new).locate(**_span(old, text, occurrence))


def _text(new: str, found) -> str:
    assert found is not None, "the span was orphaned"
    return new[found.start : found.end]


@pytest.mark.parametrize(
    "edit",
    [
        lambda b: b.replace("Officials met", "Senior officials from six countries met"),  # insert
        lambda b: b.replace("Officials met in Paris on Tuesday, ", "Officials met on "),  # delete
        lambda b: "BREAKING: " + b,
    ],
    ids=["insertion", "deletion", "insertion-at-start"],
)
def test_it_shifts_a_span_when_text_before_it_changes(edit):
    new = edit(BODY)
    found = _locate(BODY, new, "Former President Donald Trump")
    assert _text(new, found) == "Former President Donald Trump"
    assert found.start == new.index("Former President Donald Trump")
    assert found.method == "position"


@pytest.mark.parametrize(
    "new",
    [
        BODY.replace("Analysts expect", "Most analysts now expect"),
        BODY.replace(" Analysts expect a second round in March.", ""),
        BODY + "\n\nUpdated at 18:00.",
    ],
    ids=["insertion", "deletion", "appended"],
)
def test_it_keeps_a_span_in_place_when_text_after_it_changes(new):
    found = _locate(BODY, new, "Keir Starmer")
    assert (found.start, found.end) == (BODY.index("Keir Starmer"), BODY.index("Keir Starmer") + 12)
    assert found.method == "position"


def test_it_follows_an_insertion_inside_a_span_with_the_new_text():
    quote = "We will not retreat from our commitments"
    new = BODY.replace("will not retreat", "will never, ever retreat")
    found = _locate(BODY, new, quote)
    assert _text(new, found) == "We will never, ever retreat from our commitments"
    assert found.method == "fuzzy"


def test_it_follows_a_deletion_inside_a_span_with_the_new_text():
    new = BODY.replace("UK Prime Minister Keir Starmer said", "UK Prime Minister Starmer said")
    found = _locate(BODY, new, "UK Prime Minister Keir Starmer said the talks were useful")
    assert _text(new, found) == "UK Prime Minister Starmer said the talks were useful"


def test_it_orphans_a_span_whose_sentence_was_deleted():
    new = BODY.replace("The meeting ended late in the evening.", "")
    assert _locate(BODY, new, "The meeting ended late in the evening.") is None
    assert _locate(BODY, new, "ended late") is None


def test_it_does_not_move_a_deleted_mention_to_the_same_name_far_away():
    body = BODY + "\n\n" + "Markets were calm. " * 40 + "Trump later posted a statement."
    new = body.replace("Former President Donald Trump did not attend. ", "")
    # "Trump" still occurs, 800 characters on and in other words: not the same mention.
    assert _locate(body, new, "Trump") is None


def test_it_does_not_move_a_deleted_mention_to_the_same_name_in_the_next_sentence():
    body = "Trump did not attend the summit. Officials said Trump later posted a statement."
    new = body.replace("Trump did not attend the summit. ", "")
    assert _locate(body, new, "Trump") is None


def test_it_does_not_move_a_deleted_name_to_a_similar_one_nearby():
    body = "Donald Trump did not attend. Later, Donald Tusk spoke first."
    new = body.replace("Donald Trump did not attend. ", "")
    assert _locate(body, new, "Donald Trump") is None


def test_it_follows_a_short_mention_when_its_sentence_is_rewritten_around_it():
    body = "The summit opened. Trump did not attend. Talks went on."
    new = "The summit opened. Notably, the former president Trump was absent. Talks went on."
    found = _locate(body, new, "Trump")
    assert _text(new, found) == "Trump"
    assert found.start == new.index("Trump")


def test_it_orphans_a_span_whose_words_were_replaced():
    new = BODY.replace("in March", "after the summer")
    assert _locate(BODY, new, "in March") is None


def test_it_keeps_a_span_on_its_sentence_when_the_sentence_is_duplicated_after_it():
    sentence = "The meeting ended late in the evening."
    new = BODY.replace(sentence, sentence + " " + sentence)
    found = _locate(BODY, new, sentence)
    assert _text(new, found) == sentence
    assert found.start == BODY.index(sentence)


def test_it_keeps_a_span_on_its_sentence_when_the_sentence_is_duplicated_before_it():
    sentence = "The meeting ended late in the evening."
    new = sentence + " " + BODY
    found = _locate(BODY, new, sentence)
    assert found.start == BODY.index(sentence) + len(sentence) + 1


def test_it_picks_the_occurrence_with_the_same_context_when_a_span_is_edited_around():
    body = "He said yes. She said no. He said yes. They left."
    # The second "He said yes" is annotated; the text between both changes.
    new = "He said yes. After a pause, she said no. He said yes. They left."
    found = _locate(body, new, "He said yes", occurrence=2)
    assert found.start == new.index("He said yes", 1)


def test_it_finds_a_long_sentence_moved_far_away():
    filler = "Nothing else happened that day. " * 30
    sentence = "The central bank raised its main interest rate by half a point."
    body = f"{sentence} {filler}End."
    new = f"{filler}{sentence} End."
    found = _locate(body, new, sentence)
    assert _text(new, found) == sentence
    assert found.method == "quote"


def test_it_handles_several_edits_at_once():
    new = (
        BODY.replace("Officials met", "Senior officials met")
        .replace("said the talks were useful", "said the long talks were useful")
        .replace("ended late in the evening", "ended at midnight")
        .replace("Analysts expect", "Most analysts expect")
    )
    assert _text(new, _locate(BODY, new, "Paris")) == "Paris"
    assert _text(new, _locate(BODY, new, "Former President Donald Trump")) == (
        "Former President Donald Trump"
    )
    assert _text(new, _locate(BODY, new, "Keir Starmer said the talks were useful")) == (
        "Keir Starmer said the long talks were useful"
    )
    assert _locate(BODY, new, "ended late in the evening") is None
    assert _text(new, _locate(BODY, new, "a second round in March")) == "a second round in March"


def test_it_counts_offsets_in_code_points_with_emoji_before_the_span():
    body = "Reaction 👍🏽 was mixed. Keir Starmer spoke."
    new = "🎉🎉 Reaction 👍🏽👍🏽 was mixed. Keir Starmer spoke."
    found = _locate(body, new, "Keir Starmer")
    # 2 astral characters + space, and one more 2-code-point emoji: 5 code points, not 9 UTF-16
    # units or 17 UTF-8 bytes.
    assert found.start == body.index("Keir Starmer") + 5
    assert _text(new, found) == "Keir Starmer"


def test_it_finds_an_edited_span_after_emoji():
    body = "🎉 Fans cheered. “We will not retreat from our commitments,” she said."
    new = "🎉🎉🎉 Fans cheered. “We will never retreat from our commitments,” she said."
    found = _locate(body, new, "We will not retreat from our commitments")
    assert _text(new, found) == "We will never retreat from our commitments"


def test_it_refinds_an_orphan_when_its_text_comes_back():
    """An orphan keeps offsets into an older body: only its text and context are trusted."""
    older = BODY
    current = BODY.replace("The meeting ended late in the evening.", "")
    span = _span(older, "The meeting ended late in the evening.")
    restored = current.replace(
        "Former President", "The meeting ended late in the evening. Former President"
    )
    found = Reanchorer(current, restored).locate(**span)
    assert _text(restored, found) == "The meeting ended late in the evening."


def test_it_leaves_short_texts_that_changed_as_orphans_rather_than_guessing():
    new = BODY.replace("Paris", "Lyon")
    assert _locate(BODY, new, "Paris") is None


def _random_body(rng: random.Random, words: int) -> str:
    vocabulary = (
        "the minister said talks in Paris were useful and analysts expect a vote on Tuesday "
        "while officials from London met 👍 “quote” 2024 former president"
    ).split()
    parts = []
    for i in range(words):
        parts.append(rng.choice(vocabulary))
        if i % 11 == 10:
            parts[-1] += rng.choice([".", ".\n\n", "!", "?"])
    return " ".join(parts)


def _random_edit(rng: random.Random, body: str, lo: int, hi: int) -> tuple[str, int]:
    """One insertion, deletion or replacement inside body[lo:hi]; returns (body, length change)."""
    a = rng.randint(lo, hi)
    b = min(hi, a + rng.randint(0, 40))
    kind = rng.choice(["insert", "delete", "replace"])
    inserted = "" if kind == "delete" else rng.choice(["new words ", "X", "🎉 ", "\n\nA line. "])
    if kind == "insert":
        b = a
    return body[:a] + inserted + body[b:], len(inserted) - (b - a)


@pytest.mark.parametrize("seed", range(300))
def test_it_keeps_a_span_on_the_same_text_whatever_is_edited_away_from_it(seed):
    """Property: edits before and after a span (not touching it) leave it on the same text, at
    the same place shifted by what was inserted or deleted before it."""
    rng = random.Random(seed)
    body = _random_body(rng, rng.randint(40, 200))
    start = rng.randint(0, len(body) - 30)
    end = start + rng.randint(8, 30)
    while body[start].isspace():
        start += 1
    text = body[start:end]
    span = {
        "start": start,
        "end": end,
        "exact": text,
        "prefix": body[max(0, start - 32) : start],
        "suffix": body[end : end + 32],
    }
    new, shift = body, 0
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.5 and start > 1:
            new, delta = _random_edit(rng, new, 0, start + shift - 1)
            shift += delta
        elif end + shift + 1 < len(new):
            new, _ = _random_edit(rng, new, end + shift + 1, len(new))
    found = Reanchorer(body, new).locate(**span)
    assert found is not None
    assert new[found.start : found.end] == text
    assert found.start == start + shift


@pytest.mark.parametrize("seed", range(100))
def test_it_only_reports_stretches_that_are_really_equal(seed):
    rng = random.Random(1000 + seed)
    old = _random_body(rng, rng.randint(20, 120))
    new = old
    for _ in range(rng.randint(1, 5)):
        new, _ = _random_edit(rng, new, 0, len(new))
    diff = body_diff(old, new)
    previous_old = previous_new = 0
    for old_start, new_start, length in diff.blocks:
        assert length > 0
        assert old_start >= previous_old and new_start >= previous_new
        assert old[old_start : old_start + length] == new[new_start : new_start + length]
        previous_old, previous_new = old_start + length, new_start + length
