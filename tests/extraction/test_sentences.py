"""Sentence boundaries, with exact offsets."""

from __future__ import annotations

import pytest

from apps.extraction import sentences

TEXT = (
    "Allied Talks in Paris\n"
    "Gen. Mark Milley met U.S. officials on Jan. 5 in Washington. He said, “We will win. "
    "They will lose.” Dr. Jones agreed! Was it enough? The U.K. and the E.U. signed at 5 p.m. "
    "on Friday.\n"
    "Sen. Smith (R-Ky.) objected, citing No. 10 and the 3.5% rise... Then he left.\n"
    "Commitments and Challenges Ahead\n"
    "Mr. T. Brown, the envoy, arrived.   It rained."
)


def texts(body: str) -> list[str]:
    return [body[s:e] for s, e in sentences.split(body)]


def test_it_keeps_abbreviations_inside_their_sentence():
    result = texts(TEXT)
    assert "Gen. Mark Milley met U.S. officials on Jan. 5 in Washington." in result
    assert "Mr. T. Brown, the envoy, arrived." in result


def test_it_splits_at_sentence_ends():
    result = texts(TEXT)
    assert "Dr. Jones agreed!" in result
    assert "Was it enough?" in result
    assert "It rained." in result


def test_it_keeps_a_heading_without_a_full_stop_on_its_own():
    result = texts(TEXT)
    assert result[0] == "Allied Talks in Paris"
    assert "Commitments and Challenges Ahead" in result


def test_it_keeps_a_quote_that_runs_over_a_sentence_end_in_one_sentence():
    assert "He said, “We will win. They will lose.”" in texts(TEXT)


def test_it_gives_offsets_that_point_at_the_sentence_text():
    spans = sentences.split(TEXT)
    assert all(TEXT[s:e] == TEXT[s:e].strip() and s < e for s, e in spans)
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


# Each case the old "same as stock pysbd" test guarded, as behaviour: where a full stop, a mark
# or an ellipsis does not end the sentence, and where the same thing does.
NOT_AN_END = [
    "He thanked Mr. Smith for the work done.",
    "The U.S. Senate voted on the bill.",
    "The talks began on Jan. 5 in Washington.",
    "J. R. R. Tolkien wrote it in Oxford.",
    "Mr. T. Brown, the envoy, arrived.",
    "Prices rose 3.5 percent in the year.",
    "It cost $4.99 at the market.",
    "He said, “We will win. They will lose.” in a loud voice.",
    "The rise... was small, he said.",
    "He left at 5 p.m. on Friday.",
]
AN_END = [
    ("He thanked Mr. Smith. Then he left.", "He thanked Mr. Smith."),
    ("He moved to the U.S. The move paid off.", "He moved to the U.S."),
    ("It was Jan. Then Feb. came.", "It was Jan."),
    ("He met J. Doe on Monday. She left.", "He met J. Doe on Monday."),
    ("Prices rose 3.5 percent. Wages fell.", "Prices rose 3.5 percent."),
    ("He said, “We will win.” Then he left.", "He said, “We will win.”"),
    ('She said: "It is over." The crowd cheered.', 'She said: "It is over."'),
    ("He paused... Then he left.", "He paused..."),
    ("He left at 5 p.m. The talks ended.", "He left at 5 p.m."),
]


@pytest.mark.parametrize("line", NOT_AN_END)
def test_an_abbreviation_initial_decimal_quote_or_ellipsis_inside_a_sentence_does_not_end_it(
    line,
):
    assert texts(line) == [line]


@pytest.mark.parametrize(("line", "first"), AN_END)
def test_the_same_marks_end_a_sentence_when_a_new_one_follows(line, first):
    result = texts(line)
    assert result == [first, line[len(first) :].strip()]


def test_it_gives_exact_offsets_after_characters_beyond_ascii():
    body = "Café “Ünïon” met. 😀 He left. Élan returned."
    assert texts(body) == ["Café “Ünïon” met.", "😀 He left.", "Élan returned."]


def test_it_returns_nothing_for_blank_text():
    assert sentences.split("  \n\n ") == []
