"""What one save changed: two texts compared line by line, with the words that changed inside a changed line.

The article history (forum.knowledge.history) and a post's edit history (post_diffs) show the same view.
The result is data, never HTML: templates/_partials/diff.html renders it with <ins>/<del> and the words
"added" and "removed" for screen readers, and autoescapes every piece of text, so nothing a member wrote
is ever marked safe.

What it may cost is bounded, since difflib.SequenceMatcher is quadratic (worse in odd cases) and a body
may hold 64 KB:
- lines both texts share at the start and the end are set aside first (linear), so an edit in a long
  text compares only the part around it;
- the part left is compared line by line (autojunk on: lines repeated everywhere don't anchor the match)
  only while each side has at most MAX_COMPARED_LINES lines; a bigger changed part is shown whole, as
  removed lines then added lines (Diff.compared_whole says so);
- words are compared inside a pair of changed lines only while both are at most MAX_WORD_DIFF_CHARS long
  and the diff's budget of WORD_PAIR_BUDGET lasts (words of one line times words of the other, the
  matcher's worst case, summed over the pairs); past that the lines are shown whole, unmarked;
- unchanged lines further than CONTEXT_LINES from a change fold into one "skipped" row, and at most
  MAX_SHOWN_LINES rows are returned (Diff.cut counts the rows left out).
The worst 64 KB inputs tried (thousands of distinct or repeated lines, one huge line, long lines of one
repeated word) took under half a second each on a busy two-core machine; ordinary edits a few milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from forum.models import Post, PostRevision, RevisionField

SAME, ADDED, REMOVED, SKIPPED = "same", "added", "removed", "skipped"
CONTEXT_LINES = 3
MAX_COMPARED_LINES = 2000
MAX_WORD_DIFF_CHARS = 2000
WORD_PAIR_BUDGET = 2_000_000  # words of the old line times words of the new, summed over the compared pairs
MAX_SHOWN_LINES = 1500
SIMILAR_ENOUGH = 0.5  # below this share of equal words, a pair of lines reads better as one removed, one added
_WORDS = re.compile(r"\w+|\s+|[^\w\s]")  # words, runs of spaces, and each other mark


@dataclass(frozen=True)
class Segment:
    """A run of text in one line: unchanged (same), or the words this save removed or added."""

    text: str
    change: str


@dataclass(frozen=True)
class DiffLine:
    """One row: an unchanged, removed or added line (with its numbers in the old and new text), or a fold
    of `skipped` unchanged lines."""

    change: str
    old_number: int | None = None
    new_number: int | None = None
    segments: tuple[Segment, ...] = ()
    skipped: int = 0

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)

    @property
    def marks_words(self) -> bool:
        """True when only some words of this removed or added line changed (they are marked inside it)."""
        return len(self.segments) > 1


@dataclass(frozen=True)
class Diff:
    """The rows to show, how many lines were added and removed, and whether a bound was reached."""

    lines: tuple[DiffLine, ...] = ()
    added: int = 0
    removed: int = 0
    compared_whole: bool = False
    cut: int = 0

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)

    def __iter__(self) -> Iterator[DiffLine]:
        return iter(self.lines)

    def __len__(self) -> int:
        return len(self.lines)


@dataclass
class _Budget:
    """What is left of WORD_PAIR_BUDGET, and whether a changed part was too big to compare."""

    word_pairs: int = WORD_PAIR_BUDGET
    compared_whole: bool = False


@dataclass
class _Rows:
    """The rows being built, numbering lines in the old and the new text and counting the changes."""

    rows: list[DiffLine] = field(default_factory=list)
    old_number: int = 0
    new_number: int = 0
    added: int = 0
    removed: int = 0
    left_out: int = 0  # changed lines past what can be shown, counted but never built

    def same(self, text: str) -> None:
        self.old_number += 1
        self.new_number += 1
        self.rows.append(DiffLine(SAME, self.old_number, self.new_number, (Segment(text, SAME),)))

    def unchanged(self, lines: list[str], *, keep_first: int = 0, keep_last: int = 0) -> None:
        """Unchanged lines, building rows only for the first keep_first and last keep_last (the context
        a change beside them needs); the ones between are one skipped row."""
        if len(lines) <= keep_first + keep_last:
            for line in lines:
                self.same(line)
            return
        for line in lines[:keep_first]:
            self.same(line)
        folded = len(lines) - keep_first - keep_last
        self.old_number, self.new_number = self.old_number + folded, self.new_number + folded
        self.rows.append(DiffLine(SKIPPED, skipped=folded))
        for line in lines[len(lines) - keep_last:]:
            self.same(line)

    def removed_line(self, segments: tuple[Segment, ...]) -> None:
        self.old_number += 1
        self.removed += 1
        self.rows.append(DiffLine(REMOVED, self.old_number, None, segments))

    def added_line(self, segments: tuple[Segment, ...]) -> None:
        self.new_number += 1
        self.added += 1
        self.rows.append(DiffLine(ADDED, None, self.new_number, segments))

    def whole(self, before: list[str], after: list[str]) -> None:
        """before removed and after added, each whole; only as many rows as can be shown are built."""
        for line in before[:MAX_SHOWN_LINES]:
            self.removed_line((Segment(line, REMOVED),))
        for line in after[:MAX_SHOWN_LINES]:
            self.added_line((Segment(line, ADDED),))
        unbuilt_old, unbuilt_new = max(0, len(before) - MAX_SHOWN_LINES), max(0, len(after) - MAX_SHOWN_LINES)
        self.old_number, self.removed = self.old_number + unbuilt_old, self.removed + unbuilt_old
        self.new_number, self.added = self.new_number + unbuilt_new, self.added + unbuilt_new
        self.left_out += unbuilt_old + unbuilt_new


def diff(old: str | None, new: str | None, *, context: int = CONTEXT_LINES) -> Diff:
    """The rows that show how new differs from old (empty, and false, when nothing changed)."""
    before, after = (old or "").splitlines(), (new or "").splitlines()
    head = _common_head(before, after)
    tail = _common_tail(before[head:], after[head:])
    rows, budget = _Rows(), _Budget()
    rows.unchanged(before[:head], keep_last=context)
    _compare_middle(rows, before[head:len(before) - tail], after[head:len(after) - tail], budget)
    rows.unchanged(before[len(before) - tail:], keep_first=context)
    if not (rows.added or rows.removed):
        return Diff()
    shown = _fold_unchanged(rows.rows, context)
    return Diff(tuple(shown[:MAX_SHOWN_LINES]), rows.added, rows.removed, budget.compared_whole,
                max(0, len(shown) - MAX_SHOWN_LINES) + rows.left_out)


def _common_head(before: list[str], after: list[str]) -> int:
    count = 0
    for old_line, new_line in zip(before, after, strict=False):
        if old_line != new_line:
            break
        count += 1
    return count


def _common_tail(before: list[str], after: list[str]) -> int:
    count = 0
    for old_line, new_line in zip(reversed(before), reversed(after), strict=False):
        if old_line != new_line:
            break
        count += 1
    return count


def _compare_middle(rows: _Rows, before: list[str], after: list[str], budget: _Budget) -> None:
    """The changed part: matched line by line when small enough, else shown whole."""
    if len(before) > MAX_COMPARED_LINES or len(after) > MAX_COMPARED_LINES:
        budget.compared_whole = True
        rows.whole(before, after)
        return
    matcher = SequenceMatcher(None, before, after, autojunk=True)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            for line in before[old_start:old_end]:
                rows.same(line)
        else:
            _changed_block(rows, before[old_start:old_end], after[new_start:new_end], budget)


def _changed_block(rows: _Rows, before: list[str], after: list[str], budget: _Budget) -> None:
    """Removed lines, then added ones; a removed line paired with a similar added one marks its words."""
    pairs = [_word_marks(old_line, new_line, budget) for old_line, new_line in zip(before, after, strict=False)]
    for index, line in enumerate(before):
        marked = pairs[index] if index < len(pairs) else None
        rows.removed_line(marked[0] if marked else (Segment(line, REMOVED),))
    for index, line in enumerate(after):
        marked = pairs[index] if index < len(pairs) else None
        rows.added_line(marked[1] if marked else (Segment(line, ADDED),))


def _word_marks(old_line: str, new_line: str,
                budget: _Budget) -> tuple[tuple[Segment, ...], tuple[Segment, ...]] | None:
    """The old and the new line as segments with the changed words marked; None when the lines are too
    long, the budget is spent, or they share too little to read as one line changed."""
    if max(len(old_line), len(new_line)) > MAX_WORD_DIFF_CHARS:
        return None
    old_words, new_words = _WORDS.findall(old_line), _WORDS.findall(new_line)
    cost = len(old_words) * len(new_words)
    if cost > budget.word_pairs:
        return None
    budget.word_pairs -= cost
    matcher = SequenceMatcher(None, old_words, new_words, autojunk=True)
    if matcher.ratio() < SIMILAR_ENOUGH:
        return None
    old_segments: list[Segment] = []
    new_segments: list[Segment] = []
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        old_text, new_text = "".join(old_words[old_start:old_end]), "".join(new_words[new_start:new_end])
        _append(old_segments, old_text, SAME if tag == "equal" else REMOVED)
        _append(new_segments, new_text, SAME if tag == "equal" else ADDED)
    return _close_gaps(old_segments), _close_gaps(new_segments)


def _close_gaps(segments: list[Segment]) -> tuple[Segment, ...]:
    """One mark for "a week" → "three days", not two: spaces alone between two changes join them."""
    closed: list[Segment] = []
    for index, segment in enumerate(segments):
        between_changes = (segment.change == SAME and not segment.text.strip() and 0 < index < len(segments) - 1
                           and closed and closed[-1].change == segments[index + 1].change != SAME)
        _append(closed, segment.text, closed[-1].change if between_changes else segment.change)
    return tuple(closed)


def _append(segments: list[Segment], text: str, change: str) -> None:
    """Add text to the segments, joining it to the last one when both are the same kind of change."""
    if not text:
        return
    if segments and segments[-1].change == change:
        segments[-1] = Segment(segments[-1].text + text, change)
    else:
        segments.append(Segment(text, change))


def _fold_unchanged(rows: list[DiffLine], context: int) -> list[DiffLine]:
    """Keep context unchanged lines around each change; fold longer unchanged runs into one skipped row."""
    changed = [index for index, row in enumerate(rows) if row.change in (ADDED, REMOVED)]
    keep = [False] * len(rows)
    for index in changed:
        for near in range(max(0, index - context), min(len(rows), index + context + 1)):
            keep[near] = True
    shown: list[DiffLine] = []
    run = 0
    for index, row in enumerate(rows):
        if keep[index] and row.change != SKIPPED:
            if run:
                shown.append(DiffLine(SKIPPED, skipped=run))
                run = 0
            shown.append(row)
        else:
            run += row.skipped if row.change == SKIPPED else 1
    if run:
        shown.append(DiffLine(SKIPPED, skipped=run))
    return shown


def post_diffs(post: Post, revisions: list[PostRevision]) -> dict[int, Diff]:
    """For each body and title revision of a post (oldest first), what the edit after it changed.

    A revision keeps a field's value from before one edit, so that edit's result is the next revision of
    the same field, or the post's current text (for a title: its thread's) when none follows. Tag and
    category changes are short enough to read as "changed from" and have no diff.
    """
    following = {RevisionField.BODY.value: post.body, RevisionField.TITLE.value: post.thread.title}
    diffs: dict[int, Diff] = {}
    for revision in reversed(revisions):
        if revision.field in following:
            diffs[revision.id] = diff(revision.body, following[revision.field])
            following[revision.field] = revision.body
    return diffs
