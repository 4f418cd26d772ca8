"""The ideas board's pages as members see them: the board (most voted first, filters, the votes-left banner,
vote buttons), posting an idea, staff's status form, the roadmap, an ideas category's /c/ address, and
the same number of statements whether the board holds 3 ideas or 12."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest

from forum.core.extensions import db
from forum.ideas import change_status, vote
from forum.models import Idea, IdeaStatus

ROW_TITLE = re.compile(r'class="idea-row-title"><a href="[^"]+">([^<]+)</a>')


def _titles(html: str) -> list[str]:
    return ROW_TITLE.findall(html)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _voted_idea(make, category, title: str, votes: int) -> Idea:
    idea = make.make_idea(category=category, title=title)
    for _ in range(votes):
        vote(make.make_user(), idea)
    return idea


@pytest.fixture
def member(make):
    return make.make_user(username="vera")


def test_the_board_lists_ideas_most_voted_first_and_newest_with_sort_latest(client, make, ideas_category, clock_at):
    _voted_idea(make, ideas_category, "Dark mode for the app", 1)
    clock_at.advance(minutes=5)
    _voted_idea(make, ideas_category, "Export usage to CSV", 3)
    clock_at.advance(minutes=5)
    _voted_idea(make, ideas_category, "Alerts before the data cap", 0)
    page = client.get("/ideas")
    assert page.status_code == 200
    assert _titles(_text(page)) == ["Export usage to CSV", "Dark mode for the app", "Alerts before the data cap"]
    assert _titles(_text(client.get("/ideas?sort=latest"))) == [
        "Alerts before the data cap", "Export usage to CSV", "Dark mode for the app"]


def test_the_status_and_category_filters_narrow_the_board(client, make, ideas_category, staff):
    planned = make.make_idea(category=ideas_category, title="Schedule Wi-Fi off at night")
    make.make_idea(category=ideas_category, title="Show planned maintenance")
    other = make.make_ideas_category(name="App ideas", slug="app-ideas")
    make.make_idea(category=other, title="Widget for the home screen")
    change_status(staff, planned, IdeaStatus.PLANNED.value, note="Next quarter")
    assert _titles(_text(client.get("/ideas?status=planned"))) == ["Schedule Wi-Fi off at night"]
    assert _titles(_text(client.get("/ideas?category=app-ideas"))) == ["Widget for the home screen"]
    assert sorted(_titles(_text(client.get("/ideas")))) == [
        "Schedule Wi-Fi off at night", "Show planned maintenance", "Widget for the home screen"]
    # A status the board does not have shows the whole board rather than an error.
    assert client.get("/ideas?status=bogus&sort=bogus").status_code == 200


def test_a_merged_duplicate_leaves_the_board_but_has_its_own_tab(client, make, ideas_category, staff):
    kept = make.make_idea(category=ideas_category, title="Dark mode for the app")
    merged = make.make_idea(category=ideas_category, title="Night theme please")
    change_status(staff, merged, IdeaStatus.DUPLICATE.value, duplicate_of=kept.thread_id)
    assert _titles(_text(client.get("/ideas"))) == ["Dark mode for the app"]
    assert _titles(_text(client.get("/ideas?status=duplicate"))) == ["Night theme please"]


def test_signed_in_members_see_their_votes_left_and_visitors_an_invitation(client, login_as, make, idea, member):
    assert "Votes left" not in _text(client.get("/ideas"))
    assert "to post ideas and vote" in _text(client.get("/ideas"))
    vote(member, idea)
    page = _text(login_as(member).get("/ideas"))
    assert "Votes left: 9." in page
    assert "Remove my vote" in page


def test_the_vote_form_counts_the_vote_and_comes_back_to_the_board(login_as, make, idea, member):
    client = login_as(member)
    answer = client.post(f"/ideas/{idea.thread_id}/vote", data={"next": "/ideas?sort=latest"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/ideas?sort=latest"
    db.session.refresh(idea)
    assert idea.vote_count == 1
    page = _text(client.get("/ideas"))
    assert "Your vote is counted. Votes left: 9." in page and "Votes left: 9." in page
    answer = client.post(f"/ideas/{idea.thread_id}/unvote", data={"next": "https://evil.example/"})
    assert answer.status_code == 302 and answer.headers["Location"].startswith(f"/t/{idea.thread_id}/")
    db.session.refresh(idea)
    assert idea.vote_count == 0


def test_no_votes_left_is_a_flash_message_not_an_error_page(login_as, make, ideas_category, member):
    ideas = [make.make_idea(category=ideas_category) for _ in range(11)]
    for spent in ideas[:10]:
        vote(member, spent)
    client = login_as(member)
    answer = client.post(f"/ideas/{ideas[10].thread_id}/vote", data={"next": "/ideas"})
    assert answer.status_code == 302
    assert "You have used all your votes" in _text(client.get("/ideas"))
    db.session.refresh(ideas[10])
    assert ideas[10].vote_count == 0


def test_the_author_sees_no_vote_button_and_cannot_vote_for_their_own_idea(login_as, idea, idea_author):
    client = login_as(idea_author)
    assert 'class="inline-form vote-form"' not in _text(client.get("/ideas"))
    assert 'class="inline-form vote-form"' not in _text(client.get(f"/t/{idea.thread_id}/{idea.thread.slug}"))
    assert client.post(f"/ideas/{idea.thread_id}/vote").status_code == 403


def test_staff_change_the_status_from_the_idea_panel_and_members_are_refused(login_as, make, idea, staff, member):
    thread_page = f"/t/{idea.thread_id}/{idea.thread.slug}"
    assert "Change the status" not in _text(login_as(member).get(thread_page))
    assert login_as(member).post(f"/ideas/{idea.thread_id}/status",
                                 data={"status": "planned", "note": "Mine"}).status_code == 403
    client = login_as(staff)
    assert "Change the status" in _text(client.get(thread_page))
    answer = client.post(f"/ideas/{idea.thread_id}/status", data={"status": "planned", "note": "Coming in May",
                                                                  "next": thread_page})
    assert answer.status_code == 302
    db.session.refresh(idea)
    assert idea.status == "planned" and idea.status_note == "Coming in May"
    page = _text(client.get(thread_page))
    assert "Coming in May" in page and "Status history" in page


def test_a_bad_status_change_is_a_flash_on_the_thread_page(login_as, idea, staff):
    client = login_as(staff)
    answer = client.post(f"/ideas/{idea.thread_id}/status", data={"status": "duplicate"})
    assert answer.status_code == 302
    assert "duplicates" in _text(client.get(answer.headers["Location"]))
    answer = client.post(f"/ideas/{idea.thread_id}/status", data={"status": "duplicate", "duplicate_of": "999999"})
    assert answer.status_code == 302
    db.session.refresh(idea)
    assert idea.status == "new"


def test_the_idea_thread_page_shows_the_panel_and_no_question_controls(client, login_as, idea, member):
    page = _text(login_as(member).get(f"/t/{idea.thread_id}/{idea.thread.slug}"))
    assert 'class="idea-panel"' in page and ">Vote<" in page
    assert "I have this question too" not in page and "Ask the asker for more information" not in page
    assert "support team" not in page


def test_posting_an_idea_redirects_to_its_thread_page(login_as, member, ideas_category, db):
    client = login_as(member)
    assert client.get("/ideas/new").status_code == 200
    answer = client.post("/ideas/new", data={"category_id": ideas_category.id, "title": "Pay by bank transfer",
                                             "body": "Cards cost me a fee every month.", "tags": "billing"})
    assert answer.status_code == 302
    assert re.fullmatch(r"/t/\d+/pay-by-bank-transfer", answer.headers["Location"])
    idea = db.session.query(Idea).order_by(Idea.thread_id.desc()).first()
    assert idea.thread.title == "Pay by bank transfer" and idea.status == "new"


def test_the_new_idea_form_offers_only_ideas_categories(login_as, make, member, ideas_category):
    questions = make.make_category(name="Billing questions", slug="billing-questions")
    client = login_as(member)
    page = _text(client.get("/ideas/new"))
    assert "Feature ideas" in page and "Billing questions" not in page
    answer = client.post("/ideas/new", data={"category_id": questions.id, "title": "Pay by bank transfer",
                                             "body": "Cards cost me a fee."})
    assert answer.status_code == 422


def test_an_empty_title_shows_the_form_again_with_the_error(login_as, member, ideas_category):
    answer = login_as(member).post("/ideas/new", data={"category_id": ideas_category.id, "title": "",
                                                       "body": "Something"})
    assert answer.status_code == 422 and 'aria-invalid="true"' in _text(answer)


def test_the_roadmap_shows_its_four_columns_most_voted_first(client, make, ideas_category, staff):
    few = _voted_idea(make, ideas_category, "Dark mode for the app", 1)
    many = _voted_idea(make, ideas_category, "Export usage to CSV", 2)
    shipped = make.make_idea(category=ideas_category, title="Usage widget")
    make.make_idea(category=ideas_category, title="Still new idea")
    for planned in (few, many):
        change_status(staff, planned, IdeaStatus.PLANNED.value)
    change_status(staff, shipped, IdeaStatus.SHIPPED.value, note="In app 6.0")
    page = _text(client.get("/roadmap"))
    for heading in ("Under review", "Planned", "In progress", "Shipped"):
        assert f">{heading} <" in page
    planned_column = page.split('id="roadmap-planned"')[1].split("</section>")[0]
    assert planned_column.index("Export usage to CSV") < planned_column.index("Dark mode for the app")
    shipped_column = page.split('id="roadmap-shipped"')[1].split("</section>")[0]
    assert "Usage widget" in shipped_column and "In app 6.0" in shipped_column
    assert "Still new idea" not in page


def test_an_ideas_category_address_leads_to_the_board(client, ideas_category):
    answer = client.get("/c/feature-ideas")
    assert answer.status_code == 302 and answer.headers["Location"] == "/ideas?category=feature-ideas"


def test_the_nav_links_to_the_board_and_the_board_to_the_roadmap(client):
    page = _text(client.get("/ideas"))
    assert 'href="/ideas"' in page and 'href="/roadmap"' in page


def _ideas(make, category, staff, count: int) -> None:
    voters = [make.make_user() for _ in range(2)]
    for n in range(count):
        idea = make.make_idea(category=category, title=f"Idea number {n}", tags=["app"])
        for voter in voters[: n % 3]:
            vote(voter, idea)
        if n % 4 == 1:
            change_status(staff, idea, (IdeaStatus.PLANNED, IdeaStatus.SHIPPED, IdeaStatus.UNDER_REVIEW)[n % 3].value)


@pytest.mark.parametrize("caller", ["anonymous", "member"])
def test_board_and_roadmap_cost_the_same_for_3_and_12_ideas(make, login_as, count_queries: Callable, staff, caller):
    few, many = make.make_ideas_category(slug="few"), make.make_ideas_category(slug="many")
    _ideas(make, few, staff, 3)
    _ideas(make, many, staff, 12)
    if caller == "member":
        login_as(make.make_user())
    assert count_queries("/ideas?category=few") == count_queries("/ideas?category=many")
    before = count_queries("/roadmap")
    _ideas(make, many, staff, 9)
    assert count_queries("/roadmap") == before


@pytest.mark.parametrize("caller", ["anonymous", "member", "moderator"])
def test_an_idea_thread_page_costs_the_same_however_many_replies_and_votes(make, login_as, count_queries: Callable,
                                                                         ideas_category, staff, caller):
    quiet = make.make_idea(category=ideas_category, title="Dark mode for the app")
    busy = make.make_idea(category=ideas_category, title="Export usage to CSV")
    for _ in range(8):
        make.make_reply(busy.thread)
        vote(make.make_user(), busy)
    change_status(staff, busy, IdeaStatus.PLANNED.value, note="Soon")
    change_status(staff, busy, IdeaStatus.IN_PROGRESS.value, note="Now")
    if caller != "anonymous":
        login_as(make.make_user(role=caller))
    assert count_queries(f"/t/{quiet.thread_id}/{quiet.thread.slug}") == count_queries(
        f"/t/{busy.thread_id}/{busy.thread.slug}")


def test_visitors_are_sent_to_sign_in_and_suspended_members_refused(client, login_as, make, clock_at, idea):
    for path in ("/ideas/new", f"/ideas/{idea.thread_id}/vote"):
        answer = client.get(path) if path.endswith("new") else client.post(path)
        assert answer.status_code == 302 and "/auth/login" in answer.headers["Location"]
    suspended = make.make_user(suspended_until=clock_at.now + timedelta(days=3), suspension_reason="spam")
    client = login_as(suspended)
    assert client.get("/ideas/new").status_code == 403
    assert client.post(f"/ideas/{idea.thread_id}/vote").status_code == 403
    assert 'class="inline-form vote-form"' not in _text(client.get("/ideas"))
