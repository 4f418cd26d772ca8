"""The diff between two saves: added, removed and changed lines, the words that changed, nothing unescaped,
and bounded work on the biggest texts a body may hold."""

from __future__ import annotations

from flask import render_template_string

from forum.writing import diffs
from forum.writing.diffs import ADDED, REMOVED, SAME, SKIPPED

RENDER = '{% from "_partials/diff.html" import diff_table %}{{ diff_table(diff, "Changes") }}'


def _rows(diff: diffs.Diff) -> list[tuple[str, str]]:
    return [(line.change, line.text) for line in diff]


def test_identical_texts_have_no_changes():
    diff = diffs.diff("one\ntwo", "one\ntwo\n")
    assert not diff and diff.added == diff.removed == 0 and list(diff) == []


def test_an_added_line_and_a_removed_line_are_told_apart_with_their_numbers():
    diff = diffs.diff("alpha\nbeta\ngamma", "alpha\ngamma\ndelta")
    assert _rows(diff) == [(SAME, "alpha"), (REMOVED, "beta"), (SAME, "gamma"), (ADDED, "delta")]
    assert [(line.old_number, line.new_number) for line in diff] == [(1, 1), (2, None), (3, 2), (None, 3)]
    assert (diff.added, diff.removed) == (1, 1)


def test_a_changed_line_marks_only_the_words_that_changed():
    diff = diffs.diff("Switch the router to channel 6.", "Switch the router to channel 11.")
    removed, added = list(diff)
    assert removed.change == REMOVED and added.change == ADDED
    assert [(s.change, s.text) for s in removed.segments] == [(SAME, "Switch the router to channel "),
                                                              (REMOVED, "6"), (SAME, ".")]
    assert [(s.change, s.text) for s in added.segments] == [(SAME, "Switch the router to channel "),
                                                            (ADDED, "11"), (SAME, ".")]
    assert removed.marks_words and added.marks_words


def test_lines_with_little_in_common_are_shown_whole_rather_than_word_by_word():
    removed, added = list(diffs.diff("Restart the modem", "Call support on weekdays"))
    assert not removed.marks_words and not added.marks_words
    assert removed.segments[0].change == REMOVED and added.segments[0].change == ADDED


def test_long_unchanged_stretches_fold_into_one_row_with_context_kept():
    old = "\n".join(f"line {n}" for n in range(1, 41))
    new = old.replace("line 20", "line twenty")
    diff = diffs.diff(old, new)
    assert [line.change for line in diff] == [SKIPPED, SAME, SAME, SAME, REMOVED, ADDED, SAME, SAME, SAME, SKIPPED]
    assert [line.skipped for line in diff if line.change == SKIPPED] == [16, 17]


def test_the_page_macro_escapes_script_and_labels_changes_in_words(app):
    diff = diffs.diff("Restart the router, then wait a minute.",
                      "Restart the router <script>alert(1)</script>, then wait a minute.")
    with app.test_request_context():
        html = render_template_string(RENDER, diff=diff)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<ins>" in html and "[added: </span>" in html
    assert '<span class="visually-hidden">removed</span>' in html
    assert '<span class="visually-hidden">added</span>' in html


def test_a_64_kb_rewrite_is_bounded_and_says_it_was_shown_whole_and_cut():
    old = "\n".join(f"old line {n}" for n in range(6000))
    new = "\n".join(f"new line {n}" for n in range(6000))
    diff = diffs.diff(old, new)
    assert diff.compared_whole and (diff.added, diff.removed) == (6000, 6000)
    assert len(diff) == diffs.MAX_SHOWN_LINES and diff.cut == 12000 - diffs.MAX_SHOWN_LINES
    assert all(not line.marks_words for line in diff)


def test_an_edit_inside_a_huge_text_still_shows_exactly_that_edit():
    lines = [f"paragraph {n} about routers" for n in range(5000)]
    edited = [*lines[:2500], "paragraph 2500 about modems", *lines[2501:]]
    diff = diffs.diff("\n".join(lines), "\n".join(edited))
    assert not diff.compared_whole and diff.cut == 0 and (diff.added, diff.removed) == (1, 1)
    changed = [line for line in diff if line.change in (ADDED, REMOVED)]
    assert [line.old_number or line.new_number for line in changed] == [2501, 2501]


def test_word_marks_stop_when_their_budget_is_spent_but_every_line_is_still_shown():
    words = " ".join(["a"] * 150)
    old = "\n".join(f"{words} x{n}" for n in range(400))
    new = "\n".join(f"{words} y{n}" for n in range(400))
    diff = diffs.diff(old, new)
    assert (diff.added, diff.removed) == (400, 400)
    marked = [line for line in diff if line.marks_words]
    assert 0 < len(marked) < 800
