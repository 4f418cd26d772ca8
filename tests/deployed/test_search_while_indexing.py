"""Search keeps answering while the worker indexes: people search on every gunicorn worker while new
questions are posted and the separate worker process commits them to the index, one after another.

Each commit makes the cached searchers of the web processes out of date, so every search after it
refreshes one; no search may answer 5xx meanwhile, and each new question is found soon after it is posted.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
import requests

from tests.deployed.browser import Api, Visitor
from tests.deployed.site import Site

pytestmark = [pytest.mark.deployed, pytest.mark.real_clock]

PASSWORD = "Plenty-of-letters-2026"
FOUND_TIMEOUT_S = 30
WRITERS = ("eli_writes", "fay_writes")
THREADS_EACH = 3  # a new account may start 3 threads on its first day (the deployed limit)


class Searches:
    """Searchers on their own threads, hitting /search and GET /api/v1/search until stopped."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.failures: list[str] = []
        self.stopped = threading.Event()
        self.searchers = [threading.Thread(target=self._run, args=(run,), daemon=True)
                          for run in (self._page, self._page, self._api)]

    def _page(self, visitor: Visitor, query: str) -> tuple[str, requests.Response]:
        return "/search", visitor.get("/search", q=query)

    def _api(self, visitor: Visitor, query: str) -> tuple[str, requests.Response]:
        return "/api/v1/search", Api(self.site.base_url).search(query)

    def _run(self, search: Callable[[Visitor, str], tuple[str, requests.Response]]) -> None:
        visitor = Visitor(self.site.base_url)
        while not self.stopped.is_set():
            for query in ("thermostat", "schedule", "heating"):
                try:
                    route, answer = search(visitor, query)
                except requests.RequestException as exc:
                    self.failures.append(f"{search.__name__}: {exc!r}")
                    continue
                self.statuses[route, answer.status_code] += 1
                if answer.status_code >= 500:
                    self.failures.append(f"{route}?q={query}: {answer.status_code} {problem(answer)}")
                time.sleep(0.02)  # many searches a second, leaving the 2 gunicorn workers room for the writers

    def __enter__(self) -> Searches:
        for searcher in self.searchers:
            searcher.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopped.set()
        for searcher in self.searchers:
            searcher.join(timeout=60)


def problem(answer: requests.Response) -> str:
    """The problem+json detail of an API error; the error page itself says nothing more than its status."""
    if answer.headers.get("Content-Type", "").startswith("application/problem+json"):
        return answer.text[:300]
    return ""


def found_soon(api: Api, word: str, thread_id: int, searches: Searches) -> bool:
    """Poll the API until the thread is found by its own word (False on timeout or once searches fail)."""
    deadline = time.monotonic() + FOUND_TIMEOUT_S
    while time.monotonic() < deadline and not searches.failures:
        answer = api.search(word)
        if answer.status_code >= 500:
            searches.failures.append(f"/api/v1/search?q={word}: {answer.status_code} {problem(answer)}")
        elif answer.status_code == 200 and thread_id in [i["thread"]["id"] for i in answer.json()["items"]]:
            return True
        time.sleep(0.1)
    return False


def test_searches_never_fail_while_the_worker_indexes_new_questions(site: Site, category_id):
    writers = [Api(site.base_url).sign_up(name, PASSWORD) for name in WRITERS]
    reader = Api(site.base_url)
    missing = []
    with Searches(site) as searches:
        for n in range(THREADS_EACH * len(writers)):
            word = f"zone{n}x"
            thread_id = writers[n % len(writers)].ask(
                category_id, f"Heating zone {n} thermostat schedule question",
                f"Room {word} does not follow the thermostat schedule for the heating; it keeps the day temperature.",
            )
            if not found_soon(reader, word, thread_id, searches):
                missing.append(word)
                break
    tally = f"{len(searches.failures)} of {sum(searches.statuses.values())} searches failed ({dict(searches.statuses)})"
    assert searches.failures == [], tally + ":\n" + "\n".join(searches.failures[:5])
    assert missing == [], f"never found: {missing}"
    assert searches.statuses["/search", 200] and searches.statuses["/api/v1/search", 200]
