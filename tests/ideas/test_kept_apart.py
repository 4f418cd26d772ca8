"""Ideas live on their own board: thread lists, the latest and tag feeds and thread-only actions leave them out.

An idea and a question share a tag in most tests, so a list that forgot to leave ideas out would show both.
"""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from forum import cases
from forum.core.errors import Conflict, Invalid
from forum.core.extensions import db
from forum.importing import stackexchange
from forum.importing.dump_reader import DumpError
from forum.models import Category, IdeaStatusChange, Thread
from forum.services import categories, reading
from moderation.services import actions, duplicates
from tests.api.support import assert_problem
from tests.web.findability_helpers import json_ld

DUMP = Path(__file__).parent.parent / "fixtures" / "stackexchange" / "conlang.meta.stackexchange.com"
QUESTION = "How do I download my invoices?"
IDEA = "Export invoices as CSV"


@pytest.fixture
def question(make, idea_author) -> Thread:
    return make.make_thread(author=idea_author, title=QUESTION, tags=["invoices"])


@pytest.fixture
def tagged_idea(make, ideas_category, idea_author, question):
    """Posted after the question, so it would top any "latest" list that let it in."""
    return make.make_idea(author=idea_author, category=ideas_category, title=IDEA, tags=["invoices"])


def _feed(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def _titles(feed) -> list[str]:
    return [entry.title for entry in feed.entries]


# --- lists and feeds -------------------------------------------------------------------------------------------


def test_the_threads_api_lists_questions_but_never_ideas(api_client, question, tagged_idea, staff):
    for caller in (None, staff):
        listed = api_client(caller).get("/api/v1/threads?sort=latest").get_json()["items"]
        assert [item["id"] for item in listed] == [question.id]
        tagged = api_client(caller).get("/api/v1/threads?tag=invoices").get_json()["items"]
        assert [item["id"] for item in tagged] == [question.id]
    in_category = api_client().get(f"/api/v1/threads?category={tagged_idea.thread.category_id}")
    assert in_category.status_code == 200 and in_category.get_json()["items"] == []


def test_the_list_service_takes_ideas_only_when_asked(db, question, tagged_idea):
    assert [t.id for t in reading.list_threads(None, reading.ThreadQuery(), 10).items] == [question.id]
    both = reading.list_threads(None, reading.ThreadQuery(ideas=True, sort="latest"), 10).items
    assert [t.id for t in both] == [tagged_idea.thread_id, question.id]


@pytest.mark.parametrize("path", ["/", "/tags/invoices", "/u/owner"])
def test_home_tag_and_profile_thread_lists_show_the_question_but_not_the_idea(client, login_as, staff, question,
                                                                             tagged_idea, path):
    for viewer in (None, staff):
        if viewer is not None:
            login_as(viewer)
        page = client.get(path)
        assert page.status_code == 200
        # A profile's recent activity names the idea (posting it is what its author did); its threads do not.
        html = page.get_data(as_text=True).split('id="threads-heading"')[-1]
        assert QUESTION in html and IDEA not in html


def test_a_category_page_leaves_ideas_out_even_when_one_was_moved_there_by_hand(client, make, question,
                                                                                 tagged_idea):
    # Only a broken database puts an idea among questions: the lists still never show it.
    db.session.execute(Thread.__table__.update().where(Thread.id == tagged_idea.thread_id)
                       .values(category_id=question.category_id))
    db.session.commit()
    html = client.get(f"/c/{question.category.slug}").get_data(as_text=True)
    assert QUESTION in html and IDEA not in html


def test_the_latest_and_tag_feeds_leave_ideas_out(client, question, tagged_idea):
    assert _titles(_feed(client, "/feeds/latest.atom")) == [QUESTION]
    assert _titles(_feed(client, "/tags/invoices/feed.atom")) == [QUESTION]


def test_the_ideas_feed_lists_the_newest_ideas(client, make, clock_at, ideas_category, question, tagged_idea):
    clock_at.advance(hours=1)
    make.make_idea(category=ideas_category, title="Dark mode for the dashboard")
    feed = _feed(client, "/feeds/ideas.atom")
    assert _titles(feed) == ["Dark mode for the dashboard", IDEA]
    assert feed.entries[1].link == f"http://localhost/t/{tagged_idea.thread_id}/{tagged_idea.thread.slug}"
    assert "accounting tool" in feed.entries[1].content[0].value  # the idea's text travels with it


def test_the_roadmap_feed_lists_status_changes_newest_first_with_their_notes(client, clock_at, staff, make,
                                                                              ideas_category, tagged_idea):
    hidden = make.make_idea(category=ideas_category, title="Secret idea")
    hidden.thread.visibility = "hidden"
    for idea, to_status, note in ((tagged_idea, "under_review", "We are looking at it."),
                                  (tagged_idea, "planned", "Planned for the spring release & more."),
                                  (hidden, "planned", "Nobody may read this.")):
        clock_at.advance(hours=1)
        db.session.add(IdeaStatusChange(idea_id=idea.thread_id, from_status=None, to_status=to_status, note=note,
                                        actor_id=staff.id, created_at=clock_at.now))
    db.session.commit()
    feed = _feed(client, "/feeds/roadmap.atom")
    assert _titles(feed) == [f"Planned: {IDEA}", f"Under review: {IDEA}"]
    assert feed.entries[0].content[0].value == "Planned for the spring release & more."
    assert feed.entries[0].link == f"http://localhost/t/{tagged_idea.thread_id}/{tagged_idea.thread.slug}"
    assert feed.entries[0].id != feed.entries[1].id
    assert feed.entries[0].author == staff.name


def test_the_board_and_the_roadmap_announce_their_feeds(client, tagged_idea):
    announced = {"/ideas": ["/feeds/ideas.atom", "/feeds/roadmap.atom"], "/roadmap": ["/feeds/roadmap.atom"]}
    for path, feeds in announced.items():
        html = client.get(path).get_data(as_text=True)
        for feed in feeds:
            assert f'href="{feed}"' in html.split("</head>")[0], (path, feed)


def test_an_empty_roadmap_feed_is_still_a_valid_feed(client, db):
    assert _titles(_feed(client, "/feeds/roadmap.atom")) == []
    assert _titles(_feed(client, "/feeds/ideas.atom")) == []


# --- posting and moving -----------------------------------------------------------------------------------------


def test_a_question_posted_through_the_api_into_an_ideas_category_is_refused(api_client, make, ideas_category):
    response = api_client(make.make_user()).post("/api/v1/threads", json={
        "category_id": ideas_category.id, "title": "How do I export invoices?", "body": "Where is the button?"})
    assert_problem(response, 422, "category_id")
    assert db.session.query(Thread).count() == 0


def test_moving_across_category_kinds_is_refused_through_the_api(api_client, staff, make, ideas_category, question,
                                                                  tagged_idea):
    client = api_client(staff)
    other_ideas = make.make_ideas_category()
    assert_problem(client.patch(f"/api/v1/threads/{question.id}", json={"category_id": ideas_category.id}),
                   422, "category_id")
    assert_problem(client.patch(f"/api/v1/threads/{tagged_idea.thread_id}",
                                json={"category_id": question.category_id}), 422, "category_id")
    db.session.expire_all()
    assert db.session.get(Thread, question.id).category_id == question.category_id
    assert db.session.get(Thread, tagged_idea.thread_id).category_id == ideas_category.id
    moved = client.patch(f"/api/v1/threads/{tagged_idea.thread_id}", json={"category_id": other_ideas.id})
    assert moved.status_code == 200 and moved.get_json()["category_id"] == other_ideas.id


def test_a_moderator_move_across_kinds_is_refused_and_the_move_form_offers_only_its_kind(
    client, login_as, staff, make, ideas_category, question, tagged_idea
):
    with pytest.raises(Invalid) as refused:
        actions.move_thread(staff, question, ideas_category.id, "Belongs on the board")
    assert "category_id" in refused.value.errors
    db.session.rollback()
    login_as(staff)
    response = client.post(f"/moderation/threads/{question.id}/move",
                           data={"move-category_id": ideas_category.id, "move-reason": "board"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Thread, question.id).category_id == question.category_id
    page = client.get(f"/t/{question.id}/{question.slug}").get_data(as_text=True)
    assert f'value="{question.category_id}"' in page and f'<option value="{ideas_category.id}"' not in page


# --- moderation and escalation ------------------------------------------------------------------------------------


def test_merging_or_marking_a_duplicate_with_an_idea_is_refused(api_client, staff, make, question, tagged_idea):
    client = api_client(staff)
    other = make.make_thread(title="Where are my invoices?")
    for source, target in ((tagged_idea.thread_id, question.id), (question.id, tagged_idea.thread_id)):
        merge = client.post(f"/api/v1/threads/{source}/merge", json={"target_id": target, "reason": "same"})
        assert "duplicate status" in assert_problem(merge, 422, "target_id")["errors"]["target_id"][0]
        duplicate = client.post(f"/api/v1/threads/{source}/duplicate", json={"target_id": target})
        assert_problem(duplicate, 422, "target_id")
    with pytest.raises(Invalid):
        duplicates.mark_duplicate(staff, tagged_idea.thread, other.id)
    db.session.rollback()
    db.session.expire_all()
    idea_thread = db.session.get(Thread, tagged_idea.thread_id)
    assert idea_thread.deleted_at is None and idea_thread.duplicate_of_id is None
    assert db.session.get(Thread, question.id).duplicate_of_id is None


def test_splitting_an_idea_is_refused(staff, make, tagged_idea):
    reply = make.make_reply(tagged_idea.thread)
    with pytest.raises(Invalid) as refused:
        actions.split_thread(staff, tagged_idea.thread, [reply.id], "A new idea", "off topic")
    assert "post_ids" in refused.value.errors


def test_escalating_an_idea_is_refused_for_its_author_and_for_staff(api_client, staff, idea_author, tagged_idea):
    for caller in (idea_author, staff):
        response = api_client(caller).post(f"/api/v1/threads/{tagged_idea.thread_id}/escalations",
                                           json={"reason": "Please build it"})
        assert_problem(response, 422)
    with pytest.raises(Invalid):
        cases.escalate_thread(staff, tagged_idea.thread, "Please build it")
    db.session.rollback()
    assert cases.open_case_for(tagged_idea.thread) is None


# --- categories -------------------------------------------------------------------------------------------------


def test_a_category_with_threads_keeps_its_kind(make, question, ideas_category, tagged_idea):
    admin = make.make_user(role="admin")
    for category, kind in ((question.category, "ideas"), (ideas_category, "threads")):
        with pytest.raises(Conflict) as refused:
            categories.update_category(admin, category, categories.CategoryInput(
                slug=category.slug, name=category.name, kind=kind))
        assert "kind" in refused.value.errors
        db.session.rollback()
    empty = make.make_category()
    categories.update_category(admin, empty, categories.CategoryInput(slug=empty.slug, name=empty.name,
                                                                       kind="ideas"))
    assert db.session.get(Category, empty.id).kind == "ideas"


def test_an_ideas_category_takes_no_email_address(make):
    admin = make.make_user(role="admin")
    with pytest.raises(Invalid) as refused:
        categories.create_category(admin, categories.CategoryInput(
            slug="ideas", name="Ideas", kind="ideas", email_address="ideas@example.com"))
    assert "email_address" in refused.value.errors
    db.session.rollback()
    with_address = make.make_category()
    categories.update_category(admin, with_address, categories.CategoryInput(
        slug=with_address.slug, name=with_address.name, email_address="help@example.com"))
    with pytest.raises(Invalid):
        categories.update_category(admin, with_address, categories.CategoryInput(
            slug=with_address.slug, name=with_address.name, kind="ideas"))


def test_the_api_creates_an_ideas_category_and_serves_kind(api_client, make):
    client = api_client(make.make_user(role="admin"))
    created = client.post("/api/v1/categories", json={"slug": "feature-ideas", "name": "Feature ideas",
                                                      "kind": "ideas"})
    assert created.status_code == 201 and created.get_json()["kind"] == "ideas"
    plain = client.post("/api/v1/categories", json={"slug": "billing", "name": "Billing"})
    assert plain.get_json()["kind"] == "threads"
    assert_problem(client.post("/api/v1/categories", json={"slug": "x", "name": "X", "kind": "polls"}), 422, "kind")
    listed = {c["slug"]: c["kind"] for c in api_client().get("/api/v1/categories").get_json()["items"]}
    assert listed == {"feature-ideas": "ideas", "billing": "threads"}


def test_the_admin_form_creates_an_ideas_category_and_refuses_changing_a_used_kind(client, login_as, make,
                                                                                    question):
    login_as(make.make_user(role="admin"))
    response = client.post("/admin/categories", data={"name": "Feature ideas", "slug": "feature-ideas",
                                                      "description": "", "position": 0, "kind": "ideas"})
    assert response.status_code == 302
    listing = client.get("/admin/categories").get_data(as_text=True)
    assert "Feature ideas" in listing and "Ideas" in listing
    category = question.category
    edit = client.post(f"/admin/categories/{category.id}/edit", data={
        "name": category.name, "slug": category.slug, "description": "", "position": 0, "kind": "ideas"})
    assert edit.status_code == 422 and "can&#39;t change" in edit.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Category, category.id).kind == "threads"


# --- how an idea answers as a thread ------------------------------------------------------------------------------


def test_get_thread_of_an_idea_answers_as_a_discussion_with_its_idea(api_client, tagged_idea, question):
    body = api_client().get(f"/api/v1/threads/{tagged_idea.thread_id}").get_json()
    assert body["kind"] == "discussion"
    assert body["idea"] == {"status": "new", "vote_count": 0}
    assert "idea" not in api_client().get(f"/api/v1/threads/{question.id}").get_json()


def test_an_idea_page_describes_itself_as_a_discussion_posting(client, make, tagged_idea):
    make.make_reply(tagged_idea.thread, body="Yes please, we need this for our accountant.")
    html = client.get(f"/t/{tagged_idea.thread_id}/{tagged_idea.thread.slug}").data
    [block] = json_ld(html)
    assert block["@type"] == "DiscussionForumPosting" and block["headline"] == IDEA
    assert [comment["text"] for comment in block["comment"]] == ["Yes please, we need this for our accountant."]


def test_a_dump_is_never_imported_into_an_ideas_category(ideas_category):
    with pytest.raises(DumpError, match="ideas category"):
        stackexchange.import_dump(DUMP, "https://conlang.meta.stackexchange.com", category_slug=ideas_category.slug)
    assert db.session.query(Thread).count() == 0


def test_mail_to_a_category_address_never_opens_an_idea(make, ideas_category):
    """An ideas category has no address, so forum.mail.questions never routes mail to one."""
    admin = make.make_user(role="admin")
    with pytest.raises(Invalid):
        categories.update_category(admin, ideas_category, categories.CategoryInput(
            slug=ideas_category.slug, name=ideas_category.name, email_address="ideas@example.com"))
    db.session.rollback()
    assert db.session.get(Category, ideas_category.id).email_address is None
