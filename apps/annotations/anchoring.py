"""Finding a span again after the body changed (pure functions, no database).

The old and new bodies are compared once per edit (`body_diff`): the common prefix and suffix,
then the middle aligned sentence by sentence (difflib on pieces, not characters, so it stays fast
on long articles), then each changed gap trimmed to its own common prefix/suffix. The result is a
list of equal blocks: stretches of text that are the same in both bodies.

Each span is then looked for, cheapest and surest first (`Reanchorer.locate`):
1. position: the span lies inside an equal block, so its text is untouched and it only shifts;
2. quote: the exact text occurs in the new body (TextQuoteSelector); the occurrence whose
   prefix/suffix context matches best, then the one nearest the expected position, wins. A short
   text needs its context (or to be where it was): a name mentioned elsewhere, even in the next
   sentence, is not the same mention;
3. fuzzy: the text where the diff says the span went, and the most similar text in a bounded
   window around the expected position (difflib ratio >= FUZZY_MIN_RATIO); the text found may
   differ from the old `exact`. The cost of one search is bounded by the window and by
   FUZZY_MAX_LENGTH, whatever the length of the article.
None means the span is gone (an orphan): when in doubt a span is orphaned, which people see and
review, rather than moved onto other words silently."""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass
from typing import Literal

FUZZY_MIN_RATIO = 0.75
FUZZY_MIN_LENGTH = 8  # shorter texts are not recognised once changed
FUZZY_WINDOW = 400  # code points searched on each side of the expected position
# Longer spans are only compared where the diff put them, never searched for in a window
# (a search costs O(window x length)).
FUZZY_MAX_LENGTH = 1000
# An exact text at least this long is distinctive: taken near the expected position (NEAR), or
# anywhere when it occurs once, whatever its context.
DISTINCTIVE_LENGTH = 16
NEAR = FUZZY_WINDOW
# A shorter one needs half of its stored prefix + suffix around it, or CONTEXT_MIN_SIDE code
# points of one of them, or to be inside the new text that replaced the stretch it was in.
CONTEXT_MIN_SHARE = 0.5
CONTEXT_MIN_SIDE = 10
MAX_OCCURRENCES = 1000

# Diff unit: a sentence-ish piece, up to . ! ? or a newline and the whitespace after it.
_PIECE = re.compile(r"[^.!?\n]*(?:[.!?\n]+\s*|$)")

Method = Literal["position", "quote", "fuzzy"]


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    method: Method
    ratio: float = 1.0


def _common_prefix_len(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    step = 256
    while i < n:
        j = min(i + step, n)
        if a[i:j] != b[i:j]:
            while a[i] == b[i]:
                i += 1
            return i
        i = j
    return n


def _common_suffix_len(a: str, b: str, limit: int) -> int:
    """Length of the common suffix, at most `limit`."""
    n = min(len(a), len(b), limit)
    i = 0
    step = 256
    while i < n:
        j = min(i + step, n)
        if a[len(a) - j : len(a) - i] != b[len(b) - j : len(b) - i]:
            while a[len(a) - 1 - i] == b[len(b) - 1 - i]:
                i += 1
            return i
        i = j
    return n


def _pieces(text: str) -> list[str]:
    return [piece for piece in _PIECE.findall(text) if piece]


def _offsets(pieces: list[str]) -> list[int]:
    offsets = [0]
    for piece in pieces:
        offsets.append(offsets[-1] + len(piece))
    return offsets


@dataclass(frozen=True)
class BodyDiff:
    """Equal blocks (old_start, new_start, length), increasing in both bodies."""

    blocks: tuple[tuple[int, int, int], ...]
    old_len: int
    new_len: int
    starts: tuple[int, ...]  # old_start of each block, for bisect
    ends: tuple[int, ...]  # old end of each block

    def _block_before(self, position: int) -> int:
        """Index of the last block starting at or before `position` (-1 if none)."""
        return bisect.bisect_right(self.starts, position) - 1

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """New offsets of [start, end) if it lies inside one equal block, else None."""
        index = self._block_before(start)
        if index < 0:
            return None
        old_start, new_start, length = self.blocks[index]
        if end <= old_start + length:
            shift = new_start - old_start
            return start + shift, end + shift
        return None

    def changed_region(self, start: int, end: int) -> tuple[int, int]:
        """The stretch of the new body that replaced the changed text around old [start, end):
        from the end of the last equal block before it to the start of the first one after."""
        before = bisect.bisect_right(self.ends, start) - 1
        after = bisect.bisect_left(self.starts, end)
        lo = self.blocks[before][1] + self.blocks[before][2] if before >= 0 else 0
        hi = self.blocks[after][1] if after < len(self.blocks) else self.new_len
        return lo, hi

    def point(self, position: int, *, is_end: bool = False) -> int:
        """Where an old position went. Inside a changed gap: the same distance into the gap's
        new text, clipped to it."""
        index = self._block_before(position - 1 if is_end else position)
        if index >= 0:
            old_start, new_start, length = self.blocks[index]
            if position < old_start + length or (is_end and position == old_start + length):
                return position + new_start - old_start
            gap_old, gap_new = old_start + length, new_start + length
        else:
            gap_old = gap_new = 0
        following = self.blocks[index + 1] if index + 1 < len(self.blocks) else None
        gap_new_end = following[1] if following else self.new_len
        return gap_new + min(max(0, position - gap_old), gap_new_end - gap_new)


def body_diff(old: str, new: str) -> BodyDiff:
    """Equal blocks between two bodies. Linear in their length plus difflib over the sentences of
    the changed middle (no character-level alignment of long texts)."""
    prefix = _common_prefix_len(old, new)
    suffix = _common_suffix_len(old, new, min(len(old), len(new)) - prefix)
    blocks: list[tuple[int, int, int]] = []

    def add(old_start: int, new_start: int, length: int) -> None:
        if length <= 0:
            return
        if blocks:
            last_old, last_new, last_len = blocks[-1]
            if last_old + last_len == old_start and last_new + last_len == new_start:
                blocks[-1] = (last_old, last_new, last_len + length)
                return
        blocks.append((old_start, new_start, length))

    def add_gap(old_start: int, old_end: int, new_start: int, new_end: int) -> None:
        """A changed stretch: keep what it starts and ends with in common."""
        a, b = old[old_start:old_end], new[new_start:new_end]
        head = _common_prefix_len(a, b)
        tail = _common_suffix_len(a, b, min(len(a), len(b)) - head)
        add(old_start, new_start, head)
        add(old_end - tail, new_end - tail, tail)

    add(0, 0, prefix)
    old_mid_end, new_mid_end = len(old) - suffix, len(new) - suffix
    a_pieces = _pieces(old[prefix:old_mid_end])
    b_pieces = _pieces(new[prefix:new_mid_end])
    if len(a_pieces) > 1 and len(b_pieces) > 1:
        a_off, b_off = _offsets(a_pieces), _offsets(b_pieces)
        matcher = difflib.SequenceMatcher(None, a_pieces, b_pieces)
        prev_a = prev_b = 0
        for match in matcher.get_matching_blocks():
            add_gap(
                prefix + a_off[prev_a],
                prefix + a_off[match.a],
                prefix + b_off[prev_b],
                prefix + b_off[match.b],
            )
            if match.size:
                length = a_off[match.a + match.size] - a_off[match.a]
                add(prefix + a_off[match.a], prefix + b_off[match.b], length)
            prev_a, prev_b = match.a + match.size, match.b + match.size
    # (a middle of one piece or less was already trimmed by the common prefix/suffix)
    add(old_mid_end, new_mid_end, suffix)
    return BodyDiff(
        blocks=tuple(blocks),
        old_len=len(old),
        new_len=len(new),
        starts=tuple(block[0] for block in blocks),
        ends=tuple(block[0] + block[2] for block in blocks),
    )


def _context_match(body: str, start: int, end: int, prefix: str, suffix: str) -> tuple[int, int]:
    """How many code points of the stored prefix (read backwards) and suffix still surround
    body[start:end]."""
    before = body[max(0, start - len(prefix)) : start]
    after = body[end : end + len(suffix)]
    matched_before = matched_after = 0
    for a, b in zip(reversed(before), reversed(prefix), strict=False):
        if a != b:
            break
        matched_before += 1
    for a, b in zip(after, suffix, strict=False):
        if a != b:
            break
        matched_after += 1
    return matched_before, matched_after


def _context_supports(matched: tuple[int, int], prefix: str, suffix: str) -> bool:
    total = len(prefix) + len(suffix)
    return (total > 0 and sum(matched) / total >= CONTEXT_MIN_SHARE) or max(
        matched
    ) >= CONTEXT_MIN_SIDE


def _ratio(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < FUZZY_MIN_RATIO or matcher.quick_ratio() < FUZZY_MIN_RATIO:
        return 0.0
    return matcher.ratio()


def _trim(body: str, start: int, end: int) -> tuple[int, int]:
    """Do not start or end a span inside whitespace."""
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return start, end


def _word_edges(text: str, position: int, reach: int) -> list[int]:
    """`position` and the nearest word boundaries within `reach` on either side."""
    edges = {position}
    for step in (-1, 1):
        p = position
        for _ in range(reach):
            p += step
            if p <= 0 or p >= len(text):
                edges.add(max(0, min(p, len(text))))
                break
            if text[p - 1].isspace() != text[p].isspace():
                edges.add(p)
                break
    return sorted(edges)


class Reanchorer:
    """Re-anchors the spans of one body edit; the diff is computed once for all of them."""

    def __init__(self, old_body: str, new_body: str) -> None:
        self.old = old_body
        self.new = new_body
        self.diff = body_diff(old_body, new_body)

    def locate(
        self, *, start: int, end: int, exact: str, prefix: str = "", suffix: str = ""
    ) -> Anchor | None:
        if not exact:
            return None
        text_was_there = 0 <= start < end <= len(self.old) and self.old[start:end] == exact
        # 1. untouched by the edit
        if text_was_there:
            moved = self.diff.span(start, end)
            if moved is not None:
                return Anchor(moved[0], moved[1], "position")
        expected = self.diff.point(min(max(start, 0), len(self.old)))
        # 2. the exact text elsewhere, best context first, then nearest
        region = self.diff.changed_region(start, end) if text_was_there else None
        found = self._quote(exact, prefix, suffix, expected, region)
        if found is not None:
            return found
        # 3. fuzzy, where the diff put it and near there
        return self._fuzzy(start, end, exact, prefix, suffix, expected, text_was_there)

    def _quote(
        self,
        exact: str,
        prefix: str,
        suffix: str,
        expected: int,
        region: tuple[int, int] | None,
    ) -> Anchor | None:
        """`region`: the new text that replaced the changed stretch the span was in; the same
        words inside it are the span itself, rewritten around."""
        body = self.new
        candidates: list[tuple[tuple[int, int], int, int]] = []
        position = body.find(exact)
        while position >= 0 and len(candidates) < MAX_OCCURRENCES:
            matched = _context_match(body, position, position + len(exact), prefix, suffix)
            candidates.append((matched, abs(position - expected), position))
            position = body.find(exact, position + 1)
        distinctive = len(exact) >= DISTINCTIVE_LENGTH
        unique = len(candidates) == 1
        accepted = [
            (sum(matched), distance, position)
            for matched, distance, position in candidates
            if (region is not None and region[0] <= position <= region[1] - len(exact))
            or _context_supports(matched, prefix, suffix)
            or (distinctive and (unique or distance <= NEAR))
        ]
        if not accepted:
            return None
        _, _, best = min(accepted, key=lambda c: (-c[0], c[1], c[2]))
        return Anchor(best, best + len(exact), "quote")

    def _fuzzy(
        self,
        start: int,
        end: int,
        exact: str,
        prefix: str,
        suffix: str,
        expected: int,
        text_was_there: bool,
    ) -> Anchor | None:
        if len(exact.strip()) < FUZZY_MIN_LENGTH:
            return None
        body = self.new
        options: list[tuple[int, int]] = []
        if text_was_there:
            # Where the diff says the span's ends went: an edit inside the span lands here.
            options.append(
                (self.diff.point(start), self.diff.point(end, is_end=True)),
            )
        mapped = len(options)
        if len(exact) <= FUZZY_MAX_LENGTH:
            options.extend(self._window_candidates(exact, expected))
        best: tuple[float, int, int] | None = None
        seen: set[tuple[int, int]] = set()
        for index, (s, e) in enumerate(options):
            s, e = _trim(body, s, e)
            if e <= s or (s, e) in seen:
                continue
            seen.add((s, e))
            if (
                index >= mapped
                and len(exact) < DISTINCTIVE_LENGTH
                and not _context_supports(
                    _context_match(body, s, e, prefix, suffix), prefix, suffix
                )
            ):
                continue  # similar short words found by searching are not enough on their own
            ratio = _ratio(body[s:e], exact)
            if ratio >= FUZZY_MIN_RATIO and (best is None or ratio > best[0]):
                best = (ratio, s, e)
        if best is None:
            return None
        ratio, s, e = best
        return Anchor(s, e, "fuzzy", ratio)

    def _window_candidates(self, exact: str, expected: int) -> list[tuple[int, int]]:
        """Align `exact` on the most similar stretch of a bounded window around `expected`."""
        length = len(exact)
        lo = max(0, expected - FUZZY_WINDOW)
        hi = min(len(self.new), expected + length + FUZZY_WINDOW)
        window = self.new[lo:hi]
        matcher = difflib.SequenceMatcher(None, window, exact, autojunk=False)
        blocks = [block for block in matcher.get_matching_blocks() if block.size]
        if not blocks:
            return []
        # The longest common stretch fixes the alignment; matches far off that diagonal are
        # chance (a common word elsewhere in the window) and are ignored.
        anchor = max(blocks, key=lambda block: block.size)
        if anchor.size < 3:
            return []
        diagonal = anchor.a - anchor.b
        slack = max(8, length // 4)
        kept = [block for block in blocks if abs((block.a - block.b) - diagonal) <= slack]
        first, last = kept[0], kept[-1]
        s = max(0, first.a - first.b)
        e = min(len(window), last.a + last.size + (length - last.b - last.size))
        if e <= s:
            return []
        reach = max(4, length // 8)
        return [
            (lo + s2, lo + e2)
            for s2 in _word_edges(window, s, reach)
            for e2 in _word_edges(window, e, reach)
            if e2 > s2
        ]


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
    """One span; for many spans of the same edit use Reanchorer (the diff is computed once)."""
    found = Reanchorer(old_body, new_body).locate(
        start=start, end=end, exact=exact, prefix=prefix, suffix=suffix
    )
    return None if found is None else (found.start, found.end)
