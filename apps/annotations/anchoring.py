"""Finding a span again after the body changed (pure functions, no database).

Order, cheapest and surest first:
1. position: the edit (common prefix / common suffix of old and new body) did not touch the span,
   so it stays or shifts by the edit's length difference;
2. quote: the exact text occurs in the new body; the occurrence whose prefix/suffix context
   matches best, then the one nearest the expected position, wins;
3. fuzzy: a bounded window around the expected position is searched for the most similar text
   (difflib ratio >= FUZZY_MIN_RATIO); found text may differ from the old `exact`.
None means the span is gone (an orphan)."""

from __future__ import annotations

import difflib
import os

FUZZY_MIN_RATIO = 0.75
FUZZY_WINDOW = 400  # code points searched on each side of the expected position


def _edit_region(old: str, new: str) -> tuple[int, int, int]:
    """(common prefix length, end of the edit in old, end of the edit in new)."""
    prefix = len(os.path.commonprefix([old, new]))
    limit = min(len(old), len(new)) - prefix
    suffix = 0
    while suffix < limit and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    return prefix, len(old) - suffix, len(new) - suffix


def _context_score(new: str, start: int, end: int, prefix: str, suffix: str) -> int:
    before = new[max(0, start - len(prefix)) : start]
    after = new[end : end + len(suffix)]
    score = 0
    for a, b in zip(reversed(before), reversed(prefix), strict=False):
        if a != b:
            break
        score += 1
    for a, b in zip(after, suffix, strict=False):
        if a != b:
            break
        score += 1
    return score


def reanchor(
    *,
    old_body: str,
    new_body: str,
    start: int,
    end: int,
    exact: str,
    prefix: str = "",
    suffix: str = "",
) -> tuple[int, int] | None:
    if old_body == new_body and new_body[start:end] == exact:
        return start, end
    edit_start, old_edit_end, new_edit_end = _edit_region(old_body, new_body)
    delta = new_edit_end - old_edit_end
    # 1. untouched by the edit
    if end <= edit_start and new_body[start:end] == exact:
        return start, end
    if start >= old_edit_end and new_body[start + delta : end + delta] == exact:
        return start + delta, end + delta
    expected = (
        start if start < edit_start else start + delta if start >= old_edit_end else edit_start
    )
    # 2. the exact text elsewhere, best context first, then nearest
    candidates: list[tuple[int, int, int]] = []
    position = new_body.find(exact)
    while position >= 0 and len(candidates) < 1000:
        score = _context_score(new_body, position, position + len(exact), prefix, suffix)
        candidates.append((-score, abs(position - expected), position))
        position = new_body.find(exact, position + 1)
    if candidates:
        _, _, best = min(candidates)
        return best, best + len(exact)
    # 3. fuzzy, near where it should be
    return _fuzzy(new_body, exact, expected)


def _fuzzy(body: str, exact: str, expected: int) -> tuple[int, int] | None:
    length = len(exact)
    if length < 8:
        return None  # too short to recognise once changed
    lo = max(0, expected - FUZZY_WINDOW)
    hi = min(len(body), expected + length + FUZZY_WINDOW)
    window = body[lo:hi]
    matcher = difflib.SequenceMatcher(None, window, exact, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if not blocks:
        return None
    # Align the window on the longest common block, then try the lengths around the old one.
    anchor = max(blocks, key=lambda b: b.size)
    guess = anchor.a - anchor.b
    best: tuple[float, int, int] | None = None
    slack = max(4, length // 4)
    for s in range(max(0, guess - slack), min(len(window), guess + slack) + 1):
        for e in range(max(s + 1, s + length - slack), min(len(window), s + length + slack) + 1):
            ratio = difflib.SequenceMatcher(None, window[s:e], exact, autojunk=False).quick_ratio()
            if best is None or ratio > best[0]:
                if ratio >= FUZZY_MIN_RATIO:
                    ratio = difflib.SequenceMatcher(
                        None, window[s:e], exact, autojunk=False
                    ).ratio()
                if best is None or ratio > best[0]:
                    best = (ratio, s, e)
    if best is None or best[0] < FUZZY_MIN_RATIO:
        return None
    _, s, e = best
    # Do not start or end inside whitespace.
    while s < e and window[s].isspace():
        s += 1
    while e > s and window[e - 1].isspace():
        e -= 1
    return (lo + s, lo + e) if e > s else None
