"""What every search backend offers, and the startup check of the chosen one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from search.query import ArticleResults, Results

ENV_NAME = "HORSESHOE_SEARCH_BACKEND"
NAMES = ("whoosh", "postgres")


class Unavailable(Exception):  # noqa: N818  (a state, not a programming error)
    """The backend cannot answer right now (index missing or being rebuilt); readers say so."""


class Backend(Protocol):
    name: str

    def search(self, raw: str, highlight_first: int = 20, kind: str | None = None) -> Results:
        """Ranked hits (best first, at most query.CANDIDATES); raises Unavailable when it can't answer.
        kind: "thread" or "idea" alone (ideas share the thread index), None for both (Hit.kind tells them)."""

    def similar(self, title: str, limit: int = 5) -> list[int]:
        """similar_scored()'s thread ids alone, best first."""

    def similar_scored(self, title: str, limit: int = 5, body: str = "", min_votes: int = 3,
                       kind: str = "thread") -> list[tuple[int, float]]:
        """(thread id, text score), best first, of the threads worth suggesting for a draft (solved, answered by
        staff, or with a reply of at least min_votes helpful votes, as the index knows them), scored by
        search.similar_scoring's BM25 on the title and the whole thread; search.similar re-checks them.
        kind="idea": ideas instead, any not declined or merged (search.similar_ideas re-checks them)."""

    def search_articles(self, raw: str) -> ArticleResults:
        """Ranked published articles (best first, at most query.CANDIDATES); raises Unavailable when it can't."""

    def similar_articles(self, title: str, limit: int = 5, body: str = "") -> list[tuple[int, float]]:
        """(article id, text score) of published articles sharing the words of a draft (title, then body)."""

    def update_thread(self, thread_id: int) -> None:
        """Worker only: write one thread's current state, or remove it when no longer searchable."""

    def purge_thread(self, thread_id: int) -> None:
        """Worker only: update_thread, leaving no older copy of the thread's document anywhere the backend keeps one."""

    def update_article(self, article_id: int, purge: bool = False) -> None:
        """Worker only: write one article's current state, or remove it when it is not published; purge: leave
        no older copy of its document anywhere the backend keeps one (as purge_thread)."""

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Worker/CLI only: index every searchable thread and published article, without blocking readers;
        returns how many documents."""

    def ensure(self) -> None:
        """Worker only: rebuild when the index is missing or broken."""

    def document_frequencies(self, words: set[str]) -> tuple[dict[str, int], int]:
        """How many indexed threads hold each (Whoosh-analyzed) word, and how many there are in all."""


def validate(backend_name: str, database_url: str) -> None:
    """Fail at startup, not at the first search, when the chosen backend can't work here."""
    if backend_name not in NAMES:
        raise ValueError(f"{ENV_NAME}={backend_name!r} is not a search backend; choose one of {', '.join(NAMES)}.")
    if backend_name == "postgres" and not database_url.startswith("postgresql"):
        raise ValueError(
            f"{ENV_NAME}=postgres needs a PostgreSQL database (HORSESHOE_DATABASE_URL=postgresql+psycopg://...); "
            "use the whoosh backend with SQLite."
        )
