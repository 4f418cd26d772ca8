"""The similar-questions engine (search.similar, issue 26): what it suggests to someone asking, on every backend.

Threads worth suggesting are solved ones and unsolved ones a staff member or a well-voted reply answered;
never a duplicate-marked, hidden, pending or merged thread; knowledge-base articles rank with them.
"""

from __future__ import annotations

from sqlalchemy import select

from forum.core.extensions import db
from forum.models import Article, ArticleStatus, Post, Thread
from forum.services import moderation_state, qa
from search import similar
from tests.knowledge.conftest import make_article, staff  # noqa: F401 - the knowledge base's builders
from tests.queries import count_statements
from tests.search.conftest import search_backend, search_index  # noqa: F401 - the index the engine reads


def _solved(make, title: str, body: str = "It happens every day.", answer: str = "Here is what fixed it.") -> Thread:
    thread = make.make_thread(title=title, body=body)
    qa.accept_solution(thread.author, thread, make.make_reply(thread, body=answer))
    return thread


def _ids(items) -> list[int]:
    return [item.id for item in items]


def test_a_reworded_question_finds_its_solved_thread(make, search_index):  # noqa: F811
    wanted = _solved(make, "Printer stopped printing after the Windows update",
                     body="Since the latest Windows update my printer shows offline.",
                     answer="Reinstall the printer driver from the maker's site.")
    _solved(make, "How do I change my billing address?", body="I moved house last month.")
    search_index()
    found = similar.similar(None, "My printer no longer prints since updating Windows")
    assert _ids(found)[:1] == [wanted.id]


def test_unsolved_threads_with_a_staff_or_well_voted_answer_are_suggested(make, staff, search_index):  # noqa: F811
    by_staff = make.make_thread(title="Voicemail greeting resets itself")
    make.make_reply(by_staff, author=staff, body="A known fault; a fix ships on Friday.")
    well_voted = make.make_thread(title="Voicemail greeting vanished after a restart")
    voted = make.make_reply(well_voted, body="Record it again from the web portal.")
    for _ in range(3):  # search.suggest_answer_votes' default
        qa.vote_helpful(make.make_user(), voted)
    below = make.make_thread(title="Voicemail greeting is silent for callers")
    short = make.make_reply(below, body="Same here.")
    for _ in range(2):
        qa.vote_helpful(make.make_user(), short)
    search_index()
    found = _ids(similar.similar(None, "Voicemail greeting keeps disappearing"))
    assert by_staff.id in found and well_voted.id in found
    assert below.id not in found


def test_a_staff_answer_hidden_since_indexing_no_longer_qualifies(make, staff, search_index):  # noqa: F811
    thread = make.make_thread(title="Roaming data will not switch on abroad")
    answer = make.make_reply(thread, author=staff, body="Turn on data roaming in the settings.")
    search_index()
    assert _ids(similar.similar(None, "Roaming data does not work abroad")) == [thread.id]
    moderation_state.hide_post(answer, staff, "wrong advice")
    db.session.commit()  # the worker has not run: the index still says staff answered
    assert similar.similar(None, "Roaming data does not work abroad") == []


def test_a_duplicate_is_never_suggested_its_target_is(make, search_index):  # noqa: F811
    target = _solved(make, "Router lights blink orange all night")
    duplicate = _solved(make, "Router light blinking orange again")
    search_index()
    duplicate.duplicate_of_id = target.id
    db.session.commit()
    found = _ids(similar.similar(None, "Router light blinking orange"))
    assert target.id in found and duplicate.id not in found
    assert found.count(target.id) == 1


def test_a_duplicate_alone_brings_its_target(make, search_index):  # noqa: F811
    target = _solved(make, "Cannot log in to the customer portal")
    duplicate = _solved(make, "Blinking orange router light")
    search_index()
    duplicate.duplicate_of_id = target.id
    db.session.commit()
    assert _ids(similar.similar(None, "Router light blinking orange")) == [target.id]


def test_hidden_and_pending_text_never_makes_a_thread_match(make, staff, search_index):  # noqa: F811
    thread = _solved(make, "Bluetooth headset will not pair")
    hidden = make.make_reply(thread, body="zeppelin walrus trampoline")
    moderation_state.hide_post(hidden, staff, "off topic")
    db.session.commit()
    search_index()
    assert similar.similar(None, "zeppelin walrus trampoline") == []
    assert _ids(similar.similar(None, "Bluetooth headset pairing")) == [thread.id]


def test_a_hidden_thread_is_not_suggested_even_to_a_moderator(make, staff, search_index):  # noqa: F811
    thread = _solved(make, "Streaming box freezes on the menu")
    search_index()
    moderation_state.hide_post(_question(thread), staff, "spam")
    db.session.commit()
    assert similar.similar(staff, "Streaming box freezing on menus") == []


def _question(thread: Thread) -> Post:
    return db.session.scalars(select(Post).where(Post.thread_id == thread.id, Post.is_question.is_(True))).one()


def test_limit_ten_returns_ten(make, search_index):  # noqa: F811
    for n in range(12):
        _solved(make, f"Fibre modem loses sync overnight ({n})")
    search_index()
    assert len(similar.similar(None, "Fibre modem loses sync", limit=10)) == 10
    assert len(similar.similar(None, "Fibre modem loses sync", limit=3)) == 3


def test_articles_and_threads_interleave_each_with_its_kind(make, make_article, search_index):  # noqa: F811
    for title in ("Smart plug offline at night", "Smart plug offline", "Smart plug setup"):
        _solved(make, title)
        make_article(status=ArticleStatus.PUBLISHED, title=title, body="Move the plug nearer the router.")
    search_index()
    found = similar.similar(None, "Smart plug offline at night", limit=10)
    kinds = ["article" if isinstance(item, Article) else "thread" for item in found]
    assert sorted(kinds) == ["article"] * 3 + ["thread"] * 3
    assert kinds != sorted(kinds) and kinds != sorted(kinds, reverse=True)  # ranked together, not one kind first


def test_the_api_gives_each_item_its_kind(api_client, make, make_article, search_index):  # noqa: F811
    thread = _solved(make, "Tablet screen flickers when charging")
    article = make_article(status=ArticleStatus.PUBLISHED, title="Screen flicker while charging",
                           body="Use the charger that came with it.")
    search_index()
    items = api_client().get("/api/v1/search/similar", query_string={"title": "Tablet screen flickers"}).get_json()
    assert {(item["kind"], item["id"]) for item in items["items"]} == {("thread", thread.id),
                                                                      ("article", article.id)}


def _set_top_boxes(make, helper, first: int, last: int) -> Thread:
    """Threads first..last-1 about one problem, solved and staff-answered by turns; the last unsolved one."""
    unsolved = None
    for n in range(first, last):
        if n % 2:
            _solved(make, f"Set-top box reboots during films ({n})")
        else:
            unsolved = make.make_thread(title=f"Set-top box reboots during films ({n})")
            make.make_reply(unsolved, author=helper, body="We are looking into it.")
    return unsolved


def test_the_statements_do_not_grow_with_the_candidates(make, staff, search_index):  # noqa: F811
    target = _set_top_boxes(make, staff, 0, 4)
    duplicate = _solved(make, "Set-top box reboots during films (duplicate)")
    duplicate.duplicate_of_id = target.id
    db.session.commit()
    search_index()
    similar.similar(None, "Set-top box reboots")  # the settings are read once per session

    def counted() -> tuple[int, int]:
        with count_statements() as statements:
            found = similar.similar(None, "Set-top box reboots", limit=10)
        return len(found), len(statements)

    few = counted()
    _set_top_boxes(make, staff, 4, 40)
    search_index()
    many = counted()
    assert few[0] == 4 and many[0] == 10
    assert many[1] == few[1]
