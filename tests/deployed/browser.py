"""Clients of the deployed site over real HTTP: a browser-like visitor and an API caller.

The visitor keeps cookies and submits forms as a browser does: it loads the page, takes the
form's hidden fields (the CSRF token among them) and posts them with what the person typed.
Nothing here reaches into the app: what the tests see is what a person or a client would.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests

TIMEOUT_S = 30
THREAD_PATH = re.compile(r"/t/(\d+)")
POST_ANCHOR = re.compile(r"#p(\d+)")


class Forms(HTMLParser):
    """The post forms of a page: action (a path) → their hidden fields."""

    def __init__(self, page_path: str) -> None:
        super().__init__()
        self.page_path = page_path
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {key: value or "" for key, value in attrs}
        if tag == "form" and named.get("method", "get").lower() == "post":
            self._current = {}
            action = urlsplit(named.get("action") or self.page_path)
            self.forms.append((action.path, self._current))
        elif tag == "input" and self._current is not None and named.get("type") == "hidden" and "name" in named:
            self._current[named["name"]] = named.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def hidden_fields(page: str, page_path: str, action: str) -> dict[str, str]:
    """The hidden fields of the page's post form that goes to action; fails if there is none."""
    parser = Forms(page_path)
    parser.feed(page)
    for form_action, fields in parser.forms:
        if form_action == action:
            return dict(fields)
    raise AssertionError(f"no form posting to {action} on {page_path}; forms: {[a for a, _ in parser.forms]}")


class Visitor:
    """A person with a browser: cookies, pages, forms (answers are not followed, to read Location)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def get(self, path: str, **params) -> requests.Response:
        return self.http.get(urljoin(self.base_url, path), params=params or None, timeout=TIMEOUT_S)

    def page(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, f"GET {path}: {response.status_code}\n{response.text[:2000]}"
        return response.text

    def submit(self, page_path: str, data: dict, action: str | None = None) -> requests.Response:
        """Fill in the form of page_path that posts to action (the page itself by default) and send it."""
        target = action or urlsplit(page_path).path
        fields = hidden_fields(self.page(page_path), urlsplit(page_path).path, target)
        fields.update(data)
        return self.http.post(urljoin(self.base_url, target), data=fields, allow_redirects=False, timeout=TIMEOUT_S)

    def sign_up(self, username: str, password: str) -> None:
        answer = self.submit("/auth/register", {"username": username, "email": f"{username}@example.org",
                                                "password": password})
        assert answer.status_code == 302, f"sign-up refused ({answer.status_code}):\n{answer.text[:3000]}"
        assert f"Welcome to the community, {username}" in self.page(answer.headers["Location"])

    def sign_in(self, username: str, password: str) -> None:
        answer = self.submit("/auth/login", {"email": f"{username}@example.org", "password": password})
        assert answer.status_code == 302, f"sign-in refused ({answer.status_code}):\n{answer.text[:3000]}"

    def ask(self, category_id: int, title: str, body: str) -> int:
        """Ask a question on /ask; if similar solved questions are shown, post it anyway. The thread's id."""
        data = {"category_id": str(category_id), "kind": "question", "title": title, "body": body, "tags": ""}
        answer = self.submit("/ask", data)
        if answer.status_code == 200 and "Post my question anyway" in answer.text:
            answer = self.submit_again("/ask", answer.text, data)
        assert answer.status_code == 302, f"question refused ({answer.status_code}):\n{answer.text[:3000]}"
        return int(THREAD_PATH.search(answer.headers["Location"]).group(1))

    def submit_again(self, path: str, page: str, data: dict) -> requests.Response:
        """Send a form the site answered with a next step (its hidden fields now set) once more."""
        fields = hidden_fields(page, path, path)
        fields.update({key: value for key, value in data.items() if key not in fields})
        return self.http.post(urljoin(self.base_url, path), data=fields, allow_redirects=False, timeout=TIMEOUT_S)

    def reply(self, thread_id: int, body: str) -> int:
        """Reply from the thread page's form; the new post's id (from the #p anchor it lands on)."""
        answer = self.submit(f"/t/{thread_id}", {"body": body}, action=f"/t/{thread_id}/reply")
        assert answer.status_code == 302, f"reply refused ({answer.status_code}):\n{answer.text[:3000]}"
        return int(POST_ANCHOR.search(answer.headers["Location"]).group(1))

    def press(self, page_path: str, action: str, **data: str) -> str:
        """Press a button (a post form) on page_path and return the page it leads to."""
        answer = self.submit(page_path, data, action=action)
        assert answer.status_code in (302, 303), f"POST {action}: {answer.status_code}\n{answer.text[:3000]}"
        return self.page(answer.headers["Location"])


class Api:
    """An API client; signed in once it has a token from POST /api/v1/tokens."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.http.headers["Accept"] = "application/json"

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, f"{self.base_url}/api/v1{path}", timeout=TIMEOUT_S, **kwargs)

    def sign_up(self, username: str, password: str) -> Api:
        answer = self.call("POST", "/users", json={"username": username, "email": f"{username}@example.org",
                                                   "password": password})
        assert answer.status_code == 201, answer.text
        return self.sign_in(username, password)

    def sign_in(self, username: str, password: str) -> Api:
        answer = self.call("POST", "/tokens", json={"email": f"{username}@example.org", "password": password})
        assert answer.status_code == 201, answer.text
        self.http.headers["Authorization"] = f"Bearer {answer.json()['token']}"
        return self

    def ask(self, category_id: int, title: str, body: str) -> int:
        answer = self.call("POST", "/threads", json={"category_id": category_id, "title": title, "body": body,
                                                     "tags": [], "kind": "question"})
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    def reply(self, thread_id: int, body: str) -> int:
        answer = self.call("POST", f"/threads/{thread_id}/posts", json={"body": body})
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    def search(self, query: str) -> requests.Response:
        return self.call("GET", "/search", params={"q": query})

    def found_thread_ids(self, query: str) -> list[int]:
        answer = self.search(query)
        assert answer.status_code == 200, f"{answer.status_code}: {answer.text[:2000]}"
        return [item["thread"]["id"] for item in answer.json()["items"]]
