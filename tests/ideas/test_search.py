"""Ideas in search (issue 29), on both backends: they share the thread index but each kind finds only its own,
a hidden idea is never shown, similar ideas come up while typing one, and questions are never offered ideas."""

from __future__ import annotations

import pytest

from forum.core.extensions import db
from forum.ideas import similar as idea_suggestions
from forum.models import IdeaStatus, Visibility
from forum.services import qa
from search import service
from search import similar as question_suggestions
from search.backends.whoosh import index
from search.models import SearchDocument
from tests.queries import count_statements
from tests.search.conftest import search_backend, search_index  # noqa: F401  (fixtures: each backend in turn)
from tests.search.helpers import WHOOSH_ONLY


@pytest.fixture
def board(make, search_index, idea, ideas_category, idea_author, staff):  # noqa: F811
    """A question and two ideas about exporting invoices, indexed; the question is solved."""
    billing = make.make_category(name="Billing", slug="billing")
    question = make.make_thread(category=billing, title="How do I export invoices to PDF?",
                                body="I need my invoices as files for my accountant.")
    answer = make.make_reply(question, body="Open Invoices, choose Export and pick PDF.")
    qa.accept_solution(question.author, question, answer)
    pdf = make.make_idea(category=ideas_category, title="Export invoices as PDF in bulk",
                         body="Let me download every invoice of a year as PDF files at once.")
    return {"question": question, "csv": idea, "pdf": pdf, "index": search_index, "staff": staff}


def _found(page) -> set[tuple[str, int]]:
    return {(item.kind, item.idea.thread_id if item.kind == "idea" else item.thread.id) for item in page.items}


def test_each_kind_finds_only_its_own_and_all_finds_both(board):
    board["index"]()
    question, csv_idea, pdf = board["question"].id, board["csv"].thread_id, board["pdf"].thread_id
    assert _found(service.search(None, "export invoices", kind="idea")) == {("idea", csv_idea), ("idea", pdf)}
    assert _found(service.search(None, "export invoices", kind="thread")) == {("thread", question)}
    assert _found(service.search(None, "export invoices")) == {("thread", question)}  # no kind: threads
    assert _found(service.search(None, "export invoices", kind="all")) == {
        ("thread", question), ("idea", csv_idea), ("idea", pdf)}


def test_status_filters_take_an_idea_status(board):
    board["csv"].status = IdeaStatus.PLANNED.value  # a status change alone queues the idea's reindex
    db.session.commit()
    board["index"]()
    csv_idea, pdf = board["csv"].thread_id, board["pdf"].thread_id
    assert _found(service.search(None, "invoices status:planned", kind="idea")) == {("idea", csv_idea)}
    assert _found(service.search(None, "invoices", kind="idea", filters={"status": "new"})) == {("idea", pdf)}
    page = service.search(None, "invoices", kind="idea")
    assert page.facets["status"] == {"planned": 1, "new": 1}
    assert _found(service.search(None, "invoices status:planned", kind="thread")) == set()


def test_a_hidden_idea_is_never_returned_even_from_a_stale_index(board, make):
    board["index"]()
    hidden = board["pdf"]
    hidden.thread.visibility = Visibility.HIDDEN.value
    db.session.commit()  # the index still holds it until the worker runs
    member = make.make_user()
    for viewer in (None, member):
        for kind in ("idea", "all"):
            assert ("idea", hidden.thread_id) not in _found(service.search(viewer, "invoices", kind=kind))
    board["index"]()
    assert _found(service.search(None, "invoices", kind="idea")) == {("idea", board["csv"].thread_id)}


def test_similar_ideas_are_offered_while_typing_one_but_not_declined_ones_or_questions(board):
    board["index"]()
    offered = idea_suggestions.similar_ideas(None, "Export my invoices as PDF files")
    assert [idea.thread_id for idea in offered][:1] == [board["pdf"].thread_id]
    assert board["question"].id not in {idea.thread_id for idea in offered}
    board["pdf"].status = IdeaStatus.DECLINED.value
    db.session.commit()
    board["index"]()
    assert board["pdf"].thread_id not in {
        idea.thread_id for idea in idea_suggestions.similar_ideas(None, "Export my invoices as PDF files")}


def test_questions_are_never_offered_ideas_even_answered_by_staff(board, make):
    make.make_reply(board["pdf"].thread, author=board["staff"], body="Good one: PDF export of invoices in bulk.")
    board["index"]()
    suggested = question_suggestions.similar(None, "Export invoices as PDF in bulk")
    assert [item.id for item in suggested] == [board["question"].id]


def test_a_rebuild_writes_each_documents_kind(board, search_backend):  # noqa: F811
    board["index"]()
    assert search_backend.rebuild() >= 3
    hits = search_backend.search("invoices").hits
    kinds = {hit.thread_id: hit.kind for hit in hits}
    assert kinds == {board["question"].id: "thread", board["csv"].thread_id: "idea", board["pdf"].thread_id: "idea"}
    assert {hit.thread_id for hit in search_backend.search("invoices", kind="idea").hits} == {
        board["csv"].thread_id, board["pdf"].thread_id}
    if search_backend.name == "postgres":
        rows = dict(db.session.execute(db.select(SearchDocument.thread_id, SearchDocument.kind)).all())
        assert rows[board["pdf"].thread_id] == "idea" and rows[board["question"].id] == "thread"


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_an_index_from_before_ideas_is_rebuilt_not_read(board):
    board["index"]()
    live = index.open_index()
    assert live is not None and "kind" in live.schema.names()
    assert index._current_dir().name.startswith(f"index-v{index.SCHEMA_VERSION}-") and index.SCHEMA_VERSION >= 5


def test_the_api_and_the_page_show_ideas_as_ideas(board, api_client, client):
    board["index"]()
    body = api_client().get("/api/v1/search", query_string={"q": "bulk invoices pdf", "kind": "idea"}).get_json()
    assert [item["kind"] for item in body["items"]] == ["idea"]
    item = body["items"][0]
    assert item["idea"]["id"] == board["pdf"].thread_id and item["idea"]["status"] == "new"
    assert "<mark>" in item["highlight"]
    html = client.get("/search", query_string={"q": "bulk invoices pdf", "kind": "idea"}).get_data(as_text=True)
    assert "Export invoices as PDF in bulk" in html and "How do I export invoices to PDF?" not in html
    assert 'href="/search?q=bulk+invoices+pdf&amp;kind=idea" aria-current="page"' in html


def test_an_idea_search_costs_the_same_statements_for_few_ideas_or_many(board, make, api_client, ideas_category):
    board["index"]()
    client = api_client()
    everything = {"q": "invoices", "kind": "all"}
    with count_statements() as few:
        assert len(client.get("/api/v1/search", query_string=everything).get_json()["items"]) == 3
    for n in range(4):
        make.make_idea(category=ideas_category, title=f"Invoices idea number {n}", tags=["billing"])
    board["index"]()
    with count_statements() as many:
        assert len(client.get("/api/v1/search", query_string=everything).get_json()["items"]) == 7
    assert len(many) == len(few)
