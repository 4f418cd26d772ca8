"""Importing one Stack Exchange site's data dump: users, questions, answers, accepted answers, comments, links.

The steps run in that order over the dump's files, streamed (dump_reader), in batches of batch_size
rows; each batch commits with the mapping of what it made (ImportedRecord), so the mapping is the
progress record: a run that stops halfway keeps every committed batch, and the next run skips what
is mapped and goes on. Running twice adds nothing. Tags come with their questions; Badges.xml is not
imported (Horseshoe's badges are earned here) nor are votes beyond their counts (voters are
anonymised in dumps; downvotes are ignored, as Horseshoe has none).

stop_after_batches makes a run stop, as a crash would, after that many committed batches: it lets
tests (and an operator trying a big dump) check that a resumed run ends where an uninterrupted one does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlalchemy import select

from forum.core.extensions import db
from forum.importing import people, posts
from forum.importing.dump_reader import ANSWER, QUESTION, Dump, DumpError, check, number
from forum.models import Category, CategoryKind
from forum.services.posting import slugify

BATCH = 200
STEPS = ("users", "questions", "answers", "accepted", "comments", "links")

Progress = Callable[[str, int], object]


class Interrupted(RuntimeError):
    """The run stopped after the batches it was allowed (stop_after_batches): committed work stays."""


@dataclass
class Summary:
    """What a run added, and what it found already imported or could not place."""

    source: str
    added: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    in_dump: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        names = ("users", "questions", "answers", "comments", "accepted answers", "duplicates", "link lines")
        return [f"{name}: {self.added[name]} added" + (f", {self.skipped[name]} skipped" if self.skipped[name] else "")
                for name in names]


@dataclass
class _Run:
    dump: Dump
    summary: Summary
    batch_size: int
    progress: Progress
    stop_after_batches: int | None
    batches: int = 0

    def commit(self, step: str, rows: int) -> None:
        db.session.commit()
        self.progress(step, rows)
        self.batches += 1
        if self.stop_after_batches is not None and self.batches >= self.stop_after_batches:
            raise Interrupted(f"stopped after {self.batches} batches")


def normalize_site(site_url: str) -> str:
    """"conlang.meta.stackexchange.com/" → "https://conlang.meta.stackexchange.com"."""
    site = site_url.strip().rstrip("/")
    return site if "://" in site else f"https://{site}"


def step_sizes(directory: str | Path) -> dict[str, int]:
    """Rows each step reads (for progress bars)."""
    dump = check(directory)
    kinds = Counter(row.get("PostTypeId") for row in dump.rows("Posts.xml"))
    return {"users": dump.count("Users.xml") + 1, "questions": kinds[QUESTION], "answers": kinds[ANSWER],
            "accepted": kinds[QUESTION], "comments": dump.count("Comments.xml"), "links": dump.count("PostLinks.xml")}


def _batches(rows: Iterable[dict[str, str]], size: int) -> Iterator[list[dict[str, str]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _category(source: str, slug: str | None) -> Category:
    """The category imported threads go in: the one named, else one named after the site (made once).

    DumpError for an ideas category: it holds ideas only, and a dump holds questions.
    """
    name = source.split("://", 1)[-1]
    slug = slug or slugify(name)[:64]
    category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is not None and category.kind == CategoryKind.IDEAS.value:
        # Imported questions would become threads on the ideas board, without the idea each needs there.
        raise DumpError(f"{slug} is an ideas category: import into a category for questions.")
    if category is None:
        description = f"Imported from {source}"  # i18n: ok (stored once, like any text an admin writes)
        category = Category(slug=slug, name=name[:80], description=description, position=0)
        db.session.add(category)
        db.session.commit()
    return category


def import_dump(directory: str | Path, site_url: str, *, category_slug: str | None = None, batch_size: int = BATCH,
                progress: Progress = lambda _step, _n: None, stop_after_batches: int | None = None) -> Summary:
    """Import (or finish importing) the dump in directory as the site site_url; returns the run's summary."""
    source = normalize_site(site_url)
    run = _Run(check(directory), Summary(source), batch_size, progress, stop_after_batches)
    target = posts.Target(source, _category(source, category_slug), dict(run.dump.upvotes()))
    _import_users(run, source)
    accepted = _import_posts(run, target)
    run.summary.added["accepted answers"] = posts.accept_answers(target, accepted)
    run.commit("accepted", len(accepted))
    _import_comments(run, target)
    _import_links(run, target)
    return run.summary


def _import_users(run: _Run, source: str) -> None:
    rows = [people.deleted_user_row()]
    for batch in _batches([*rows, *run.dump.rows("Users.xml")], run.batch_size):
        added = people.add_users(source, batch)
        run.summary.added["users"] += added
        run.summary.skipped["users"] += len(batch) - added
        run.commit("users", len(batch))


def _import_posts(run: _Run, target: posts.Target) -> dict[int, int]:
    """Questions, then answers (two passes: an answer needs its question); returns the accepted answer ids."""
    accepted: dict[int, int] = {}
    questions = (row for row in run.dump.rows("Posts.xml") if row.get("PostTypeId") == QUESTION)
    for batch in _batches(questions, run.batch_size):
        accepted.update((number(row, "Id"), number(row, "AcceptedAnswerId")) for row in batch
                        if row.get("AcceptedAnswerId"))
        added = posts.add_questions(target, batch)
        run.summary.added["questions"] += added
        run.summary.skipped["questions"] += len(batch) - added
        run.commit("questions", len(batch))
    answers = (row for row in run.dump.rows("Posts.xml") if row.get("PostTypeId") == ANSWER)
    for batch in _batches(answers, run.batch_size):
        added, orphans = posts.add_answers(target, batch)
        run.summary.added["answers"] += added
        run.summary.skipped["answers"] += len(batch) - added
        run.summary.in_dump["orphan answers"] += orphans
        run.commit("answers", len(batch))
    return accepted


def _import_comments(run: _Run, target: posts.Target) -> None:
    for batch in _batches(run.dump.rows("Comments.xml"), run.batch_size):
        added, _orphans = posts.add_comments(target, batch)
        run.summary.added["comments"] += added
        run.summary.skipped["comments"] += len(batch) - added
        run.commit("comments", len(batch))


def _import_links(run: _Run, target: posts.Target) -> None:
    for batch in _batches(run.dump.rows("PostLinks.xml"), run.batch_size):
        duplicates, lines = posts.add_links(target, batch)
        run.summary.added["duplicates"] += duplicates
        run.summary.added["link lines"] += lines
        run.summary.skipped["links"] += len(batch) - duplicates - lines
        run.commit("links", len(batch))
