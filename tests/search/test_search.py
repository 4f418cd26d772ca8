"""Search finds what customers mean, shows only what they may see, and never errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from forum.jobs import queue
from forum.services import posting, qa, reading
from search import index, jobs, query, service


def _ids(ix, raw: str) -> list[int]:
    return [hit.thread_id for hit in query.search(ix, raw).hits]


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


def test_typos_get_a_did_you_mean(community):
    results = query.search(community["ix"](), "ruoter")
    assert results.hits == [] and results.suggestion == "router"


@pytest.mark.parametrize("raw", ['"unbalanced quote', "title:secret", "foo:bar router", "x" * 5000, "AND OR NOT",
                                 "*", "(((", "is:everything", "before:yesterday", "\x00"])
def test_malformed_queries_give_results_or_notices_never_errors(community, raw):
    results = query.search(community["ix"](), raw)
    assert isinstance(results.hits, list)


def test_unknown_filters_are_searched_as_text_with_a_notice(community):
    results = query.search(community["ix"](), "color:router")
    assert any("not a filter" in notice for notice in results.notices)


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
    [hit] = query.search(search_index(), "snippet").hits
    assert "<script>" not in hit.highlight and "<mark" in hit.highlight


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
    assert _ids(index.open_index(), "router") == [router.id]


def test_rebuild_swaps_in_a_new_directory_while_the_old_one_still_answers(community):
    ix_before = community["ix"]()
    with ix_before.searcher() as searcher:
        assert index.rebuild() == 3
        assert searcher.doc_count() == 3  # an open searcher keeps working across the swap
    assert len(list(index.root().glob("index-*"))) == 1
    assert _ids(index.open_index(), "printer") == [community["printer"].id]


def test_a_deleted_index_directory_is_rebuilt_by_the_worker(community, app, run_jobs):
    shutil.rmtree(index.root())
    assert index.open_index() is None
    page = service.search_threads(None, "router")
    assert page.items == [] and service.REBUILDING in page.notices  # readers never write: they say so
    queue.enqueue(jobs.ENSURE_INDEX_JOB, {})
    run_jobs()
    assert [found.thread.id for found in service.search_threads(None, "router").items] == [community["router"].id]


def test_similar_questions_ignore_words_every_question_has(make, search_index):
    solved = make.make_thread(title="My router keeps rebooting itself")
    qa.accept_solution(solved.author, solved, make.make_reply(solved))
    ix = search_index()
    assert query.similar(ix, "How do I change my invoice address?") == []
    assert query.similar(ix, "Why does my router reboot at night?") == [solved.id]
