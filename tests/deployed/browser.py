"""Clients of the deployed site over real HTTP: a browser-like visitor, an API caller, and their mailbox.

The visitor keeps cookies and submits forms as a browser does: it loads the page, takes the
form's hidden fields (the CSRF token among them) and posts them with what the person typed.
Signing up, on the page or through the API, ends as it does for people: the site mails a link
(the worker sends it to the SMTP sink), and following it confirms the address.
Nothing here reaches into the app: what the tests see is what a person or a client would.
"""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests

from tests.support.crash import wait_for
from tests.support.smtp import SmtpSink

TIMEOUT_S = 30
MAIL_TIMEOUT_S = 30  # the worker polls for jobs every second; one mail takes well under that
# The deployed default of accounts.signup_min_seconds is 3: a form sent back sooner is taken for a bot's,
# so the visitor takes as long over the sign-up form as a quick typist.
SIGN_UP_TYPING_S = 3.5
THREAD_PATH = re.compile(r"/t/(\d+)")
POST_ANCHOR = re.compile(r"#p(\d+)")
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/auth/verify/[\w.-]+)")
VERIFY_SUBJECT = "Confirm your email address for Horseshoe"


class Inbox:
    """Every mail a site sent, as its SMTP sink received them."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    def confirmation_link(self, address: str) -> str:
        """The path of the newest confirmation link mailed to address, waiting for the worker to send it."""

        def link() -> str | None:
            for message in reversed(list(self.sink.messages)):
                if message["To"] == address and message["Subject"] == VERIFY_SUBJECT:
                    match = CONFIRM_LINK.search(message.get_body(preferencelist=("plain",)).get_content())
                    assert match, f"the confirmation mail to {address} holds no link"
                    return match.group(1)
            return None

        return wait_for(link, MAIL_TIMEOUT_S, f"the worker to mail {address} its confirmation link")


# base URL of a running site → its mailbox (tests/deployed/conftest.py registers each site it starts),
# so Visitor(site.base_url) and Api(site.base_url) can sign up through the mail like everyone else.
INBOXES: dict[str, Inbox] = {}


def inbox_of(base_url: str) -> Inbox:
    assert base_url in INBOXES, f"no mailbox registered for {base_url}: signing up needs the confirmation mail"
    return INBOXES[base_url]


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

    def submit(self, page_path: str, data: dict, action: str | None = None, typing_s: float = 0) -> requests.Response:
        """Fill in the form of page_path that posts to action (the page itself by default) and send it,
        typing_s seconds after the page was shown."""
        target = action or urlsplit(page_path).path
        fields = hidden_fields(self.page(page_path), urlsplit(page_path).path, target)
        fields.update(data)
        time.sleep(typing_s)
        return self.http.post(urljoin(self.base_url, target), data=fields, allow_redirects=False, timeout=TIMEOUT_S)

    def sign_up(self, username: str, password: str, confirm: bool = True) -> None:
        """Join on the sign-up page, then (unless confirm is False) confirm the address from the mailed link."""
        email = f"{username}@example.org"
        answer = self.submit("/auth/register", {"username": username, "email": email, "password": password},
                             typing_s=SIGN_UP_TYPING_S)
        assert answer.status_code == 302, f"sign-up refused ({answer.status_code}):\n{answer.text[:3000]}"
        welcome = self.page(answer.headers["Location"])
        assert f"Welcome to the community, {username}" in welcome
        assert "Please confirm your email address" in welcome  # until then the account only reads
        if confirm:
            self.confirm_email(email)
            assert "Please confirm your email address" not in self.page("/")

    def confirm_email(self, address: str) -> None:
        """Open the link mailed to address and press its button (opening it alone confirms nothing)."""
        link = inbox_of(self.base_url).confirmation_link(address)
        assert f"{address} is confirmed" in self.press(link, link)

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

    def sign_up(self, username: str, password: str, confirm: bool = True) -> Api:
        """POST /users, confirm the address from the mailed link (in a browser, as a person would), then
        take a token: one taken before confirming may only read."""
        email = f"{username}@example.org"
        answer = self.call("POST", "/users", json={"username": username, "email": email, "password": password})
        assert answer.status_code == 201, answer.text
        if confirm:
            Visitor(self.base_url).confirm_email(email)
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
