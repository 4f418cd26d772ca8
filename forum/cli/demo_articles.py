"""The demo's knowledge base: a few articles born from solved demo threads, told on the story's timeline.

An advocate proposes an article from a solved question, a moderator publishes it, and readers open it and
say whether it helped; an agent writes one that is published and read; an older one of theirs is archived
once it is out of date; the advocate's latest proposal waits in review. Each step runs through the
knowledge services at its moment (forum.cli.demo_timeline freezes the clock there), so versions, ledger
rows, notifications, counters and the source thread's "This answer is now an article" carry the story's
dates. A demo too small to have a solved question by a story's moment leaves that article out.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from forum.cli.demo_story import Plot, StoryWriter
from forum.knowledge import articles, feedback, lifecycle
from forum.models import Article, ThreadKind, User

H, D = timedelta(hours=1), timedelta(days=1)
COMMENTS = ("Worked first time, thanks!", "Clear steps. A screenshot of the settings page would help.",
            "This saved me a call to support.")
UNHELPFUL_COMMENT = "My case was different: none of this applied to my setup."


@dataclass(frozen=True)
class ArticleStory:
    """One article: who writes it and when (before now), and what happens to it after."""

    written: timedelta  # how long before now it is proposed
    by: str  # "advocate" or "agent"
    fate: str  # "read" (published, read and rated), "published" (and read), "archived", "in_review"


STORIES: tuple[ArticleStory, ...] = (
    ArticleStory(45 * D, "agent", "archived"),
    ArticleStory(30 * D, "advocate", "read"),
    ArticleStory(20 * D, "agent", "published"),
    ArticleStory(3 * D, "advocate", "in_review"),
)
STEPS = len(STORIES)  # one progress unit per story, told or left out


def article_body(plot: Plot) -> str:
    """How-to text from the thread's subject: where it applies, what one sees, and the fix that worked."""
    issue = plot.issue
    parts = [f"**Applies to:** {issue.setup}", "## What you see", issue.symptom]
    if issue.error:
        parts.append(f"```\n{issue.error}\n```")
    parts += ["## What to do", issue.fix]
    return "\n\n".join(parts)


@dataclass
class ArticleTeller:
    """Schedules STORIES on the writer's timeline; report(1) moves the command's progress bar per story."""

    writer: StoryWriter
    report: Callable[[int], None]
    written: int = 0

    def tell(self) -> None:
        used: set[int] = set()
        for story in STORIES:
            self.writer.timeline.at(self.writer.timeline.anchor - story.written,
                                    lambda story=story: self._write(story, used))

    def _solved_plot(self, used: set[int]) -> Plot | None:
        """A question solved by now that no article came from yet, preferring a category not used so far."""
        solved = [plot for plot in self.writer.plots
                  if plot.thread is not None and plot.thread.accepted_post_id is not None
                  and plot.thread.kind == ThreadKind.QUESTION.value and plot.thread.id not in used
                  and plot.thread.article_id is None]
        categories = {plot.thread.category_id for plot in self.writer.plots
                      if plot.thread is not None and plot.thread.id in used}
        fresh = [plot for plot in solved if plot.thread.category_id not in categories]
        return (fresh or solved or [None])[0]

    def _write(self, story: ArticleStory, used: set[int]) -> None:
        self.report(1)
        plot = self._solved_plot(used)
        if plot is None:
            return
        used.add(plot.thread.id)
        self.written += 1
        cast = self.writer.cast
        author = cast.advocates[0] if story.by == "advocate" else (cast.agents or cast.staff)[0]
        self.writer.timeline.visit(author)
        article = articles.create_article(author, articles.ArticleDraft(
            title=plot.issue.title, body=article_body(plot), category_id=plot.thread.category_id,
            tags=[tag.name for tag in plot.thread.tags], source_thread_id=plot.thread.id))
        if story.fate == "in_review" or story.by == "advocate":
            self.writer.timeline.at(self.writer.timeline.anchor - story.written + 2 * H,
                                    lambda: lifecycle.submit_for_review(author, article))
        if story.fate != "in_review":
            self._publish(article, story)

    def _publish(self, article: Article, story: ArticleStory) -> None:
        """A moderator publishes it the next day; then readers come, and an archived one is retired later."""
        timeline, moderator = self.writer.timeline, self.writer.cast.moderator
        published = timeline.anchor - story.written + D

        def publish() -> None:
            timeline.visit(moderator)
            lifecycle.publish(moderator, article)
        timeline.at(published, publish)
        if story.fate == "archived":
            timeline.at(timeline.anchor - 8 * D, lambda: lifecycle.archive(
                moderator, article, reason="Out of date: the steps changed with the new account pages."))
        readers = self.writer.cast.askers
        rng = random.Random(f"article:{article.title}")  # nosec B311  # seeded demo data
        for day in range(1, 8 if story.fate == "archived" else 15, 2):
            timeline.at(published + day * D + rng.randint(1, 12) * H,
                        lambda count=rng.randint(1, 5): self._views(article, count))
        if story.fate == "read":
            for n, reader in enumerate(readers[:5]):
                helpful = n != 3
                comment = COMMENTS[n] if n < len(COMMENTS) else ("" if helpful else UNHELPFUL_COMMENT)
                timeline.at(published + (n + 1) * D + 3 * H,
                            lambda reader=reader, helpful=helpful, comment=comment: self._rate(
                                reader, article, helpful, comment))

    def _views(self, article: Article, count: int) -> None:
        for _ in range(count):
            feedback.count_view(article)

    def _rate(self, reader: User, article: Article, helpful: bool, comment: str) -> None:
        if reader.id != article.author_id:
            self.writer.timeline.visit(reader)
            feedback.give(reader, article, helpful, comment)
