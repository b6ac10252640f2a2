"""The workspace body: a boundary sweep, not string replacement (pure function, no database)."""

from __future__ import annotations

import html
import re

from apps.articles.workspace import Mark, body_html


def visible_text(rendered: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


def test_it_cuts_overlapping_spans_at_every_boundary():
    body = "abcdefghijklmnopqrst"
    rendered = body_html(body, [Mark(0, 10, "claim", "claim/A"), Mark(5, 15, "quote", "quote/B")])
    assert rendered == (
        '<mark class="hl t-claim" data-ids="claim/A">abcde</mark>'
        '<mark class="hl t-claim t-quote" data-ids="claim/A quote/B">fghij</mark>'
        '<mark class="hl t-quote" data-ids="quote/B">klmno</mark>'
        "pqrst"
    )


def test_it_lists_the_innermost_span_first_when_nested():
    body = "Keir Starmer met allies."
    rendered = body_html(
        body,
        [
            Mark(0, len(body), "claim", "claim/S"),
            Mark(0, 12, "mention", "mention/K"),
            Mark(0, 12, "date", "date/D"),  # same extent, both listed
        ],
    )
    assert rendered.startswith(
        '<mark class="hl t-claim t-date t-mention" data-ids="date/D mention/K claim/S">Keir Starmer</mark>'
    )
    assert rendered.endswith('<mark class="hl t-claim" data-ids="claim/S"> met allies.</mark>')


def test_it_escapes_the_text_and_keeps_it_exactly():
    body = 'He wrote <b>"x"</b> & left 😀.\n\nNext <script>.'
    marks = [
        Mark(3, 8, "claim", "claim/A"),
        Mark(9, 20, "quote", "quote/B"),
        Mark(27, 30, "date", "date/C"),
    ]
    rendered = body_html(body, marks)
    assert "<b>" not in rendered and "<script>" not in rendered
    assert visible_text(rendered) == body


def test_it_skips_marks_whose_offsets_do_not_fit_the_body():
    body = "short text"
    rendered = body_html(body, [Mark(5, 50, "claim", "claim/A"), Mark(-1, 3, "date", "date/B")])
    assert rendered == "short text"


def test_it_renders_a_body_with_no_marks_as_plain_escaped_text():
    assert body_html("a < b", []) == "a &lt; b"
