"""Sentence boundaries: pysbd's answer, with exact offsets."""

from __future__ import annotations

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


def test_it_agrees_with_stock_pysbd_line_by_line():
    # The abbreviation pre-filter is only a speed-up: same sentences as pysbd itself, also where
    # pysbd reads an abbreviation as a pattern ("u.s" matches "uks", "e.g" matches "egg").
    odd = (
        "The uks. are here. An egg. was laid. He said i.e. this. Ph.D. students met. No. 5 won. "
        "The U.S. and the uks. agreed. E.g. this egg. goes."
    )
    for line in [*TEXT.split("\n"), odd]:
        assert texts(line) == sentences.split_stock(line)


def test_it_returns_nothing_for_blank_text():
    assert sentences.split("  \n\n ") == []
