"""Search finds what customers mean, shows only what they may see, and never errors (on both backends)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import delete

from forum.core import outbox
from forum.core.extensions import db
from forum.services import posting, qa, reading
from search import jobs, service
from search.backends.whoosh import index
from search.models import SearchDocument
from tests.search.helpers import WHOOSH_ONLY
from tests.search.helpers import ids as _ids


@pytest.fixture
def community(make, search_index):
    billing = make.make_category(name="Billing", slug="billing")
    devices = make.make_category(name="Devices", slug="devices")
    ana = make.make_user(username="ana")
    refund = make.make_thread(author=ana, category=billing, title="How do I get a refund for a double charge?",
                              body="I was charged twice for my monthly plan.", tags=["invoice"])
    router = make.make_thread(category=devices, title="Router keeps dropping connections",
                              body="The wireless connection drops every evening.", tags=["wifi"])
    printer = make.make_thread(category=devices, title="Printer prints blank pages",
                               body="New cartridge, still blank pages.")
    fix = make.make_reply(router, body="Change the channel to 11 and update the firmware.")
    qa.accept_solution(router.author, router, fix)
    return {"refund": refund, "router": router, "printer": printer, "ix": search_index}


def test_stemming_finds_other_word_forms(community):
    ix = community["ix"]()
    assert _ids(ix, "dropped connection") == [community["router"].id]
    assert _ids(ix, "charges") == [community["refund"].id]


def test_phrases_match_exact_word_order(community):
    ix = community["ix"]()
    assert _ids(ix, '"blank pages"') == [community["printer"].id]
    assert _ids(ix, '"pages blank"') == []


def test_accepted_answer_text_is_searchable(community):
    assert _ids(community["ix"](), "firmware") == [community["router"].id]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("category:devices", {"router", "printer"}),
        ("tag:wifi", {"router"}),
        ("is:solved", {"router"}),
        ("is:unsolved", {"refund", "printer"}),
        ("is:unanswered", {"refund", "printer"}),
        ("author:ana", {"refund"}),
        ("after:2000-01-01 category:billing", {"refund"}),
        ("before:2000-01-01", set()),
    ],
)
def test_every_filter(community, raw, expected):
    names = {v.id: k for k, v in community.items() if k != "ix"}
    assert {names[i] for i in _ids(community["ix"](), raw)} == expected


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_typos_get_a_did_you_mean(community):
    results = community["ix"]().search("ruoter")
    assert results.hits == [] and results.suggestion == "router"


def test_typos_find_nothing_and_postgres_suggests_nothing(community, search_backend):
    results = community["ix"]().search("ruoter")
    assert results.hits == []
    if search_backend.name == "postgres":  # documented: did-you-mean is Whoosh-only
        assert results.suggestion is None


@pytest.mark.parametrize("raw", ['"unbalanced quote', "title:secret", "foo:bar router", "x" * 5000, "AND OR NOT",
                                 "*", "(((", "is:everything", "before:yesterday", "\x00"])
def test_malformed_queries_give_results_or_notices_never_errors(community, raw):
    results = community["ix"]().search(raw)
    assert isinstance(results.hits, list)
    if raw == "x" * 5000:
        assert any("shortened" in notice for notice in results.notices)


def test_unknown_filters_are_searched_as_text_with_a_notice(community):
    results = community["ix"]().search("router:dropping")
    assert any("not a filter" in notice for notice in results.notices)
    assert [hit.thread_id for hit in results.hits] == [community["router"].id]  # "router dropping" as text


def test_unmatched_quotes_and_bad_filter_values_are_explained(community):
    results = community["ix"]().search('"blank pages is:everything before:yesterday')
    assert [hit.thread_id for hit in results.hits] == [community["printer"].id]
    assert any("unmatched quote" in notice for notice in results.notices)
    assert any("is:everything" in notice for notice in results.notices)
    assert any("needs a date" in notice for notice in results.notices)


def test_facets_count_the_candidates(community):
    facets = community["ix"]().search("category:devices").facets
    assert facets["category"] == {"devices": 2}
    assert facets["status"] == {"solved": 1, "open": 1} and facets["tag"] == {"wifi": 1}


def test_solved_threads_rank_first(make, search_index):
    category = make.make_category()
    open_one = make.make_thread(category=category, title="Voicemail greeting will not save")
    solved = make.make_thread(category=category, title="Voicemail greeting resets after reboot")
    qa.accept_solution(solved.author, solved, make.make_reply(solved))
    assert _ids(search_index(), "voicemail greeting") == [solved.id, open_one.id]


def test_edits_and_deletes_reach_the_index(community, make):
    router = community["router"]
    question = reading.question_post(router)
    posting.edit_post(router.author, question, "Now the ethernet port is dead too.")
    ix = community["ix"]()
    assert _ids(ix, "ethernet") == [router.id]
    posting.delete_post(router.author, question)
    assert _ids(community["ix"](), "ethernet") == []


def test_highlights_escape_user_text(make, search_index):
    make.make_thread(title="Escaping in search snippets", body="<script>alert(1)</script> snippet words")
    [hit] = search_index().search("snippet").hits
    assert "<script>" not in hit.highlight and "<mark" in hit.highlight
    assert hit.highlight.count("<mark>") == hit.highlight.count("</mark>") == 1


def test_marker_characters_in_user_text_never_become_markup(make, search_index):
    make.make_thread(title="Odd characters in a post", body="\ue000 \ue001 \ue002 <b>bold</b> snippet words")
    [hit] = search_index().search("snippet").hits
    assert hit.highlight.count("<mark>") == 1 and "<b>" not in hit.highlight


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_missing_or_truncated_index_is_rebuilt_by_the_writer(community):
    router = community["router"]
    live = Path(index.root() / (index.root() / index.POINTER).read_text().strip())
    for segment in live.glob("*.seg"):
        segment.write_bytes(b"")
    for toc in live.glob("*.toc"):
        toc.write_bytes(toc.read_bytes()[:10])
    page = service.search_threads(None, "router")  # readers notice, say so, and never error
    assert page.items == [] and service.REBUILDING in page.notices
    assert index.open_index() is None
    index.update_thread(router.id)
    assert _ids(community["ix"](), "router") == [router.id]


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_rebuild_swaps_in_a_new_directory_while_the_old_one_still_answers(community):
    community["ix"]()
    with index.open_index().searcher() as searcher:
        assert index.rebuild() == 3
        assert searcher.doc_count() == 3  # an open searcher keeps working across the swap
    assert len(list(index.root().glob("index-*"))) == 1
    assert _ids(community["ix"](), "printer") == [community["printer"].id]


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_a_deleted_index_directory_is_rebuilt_by_the_worker(community, app, run_jobs):
    shutil.rmtree(index.root())
    assert index.open_index() is None
    page = service.search_threads(None, "router")
    assert page.items == [] and service.REBUILDING in page.notices  # readers never write: they say so
    outbox.enqueue(jobs.ENSURE_INDEX_JOB, {})
    run_jobs()
    assert [found.thread.id for found in service.search_threads(None, "router").items] == [community["router"].id]


def test_similar_questions_ignore_words_every_question_has(make, search_index):
    solved = make.make_thread(title="My router keeps rebooting itself")
    qa.accept_solution(solved.author, solved, make.make_reply(solved))
    make.make_thread(title="My router reboots at night too")  # not solved: never suggested
    backend = search_index()
    assert backend.similar("How do I change my invoice address?") == []
    assert backend.similar("Why does my router reboot at night?") == [solved.id]


def test_the_ensure_job_fills_an_empty_index(community, search_backend, run_jobs):
    community["ix"]()
    if search_backend.name == "whoosh":
        shutil.rmtree(index.root())
    else:
        db.session.execute(delete(SearchDocument))
    assert service.search_threads(None, "router").items == []
    outbox.enqueue(jobs.ENSURE_INDEX_JOB, {})
    run_jobs()
    assert [found.thread.id for found in service.search_threads(None, "router").items] == [community["router"].id]
