"""Recognition where people read and write (issue 23, part B): who helped shows on every post, badges are medals
whose shape and colour tell the tier, and a profile shows a member's standing and what they did lately."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from forum.core.extensions import db
from forum.recognition import badges
from forum.services import moderation_state, posting, qa, reading
from tests.web.helpers import text

STAR, DIAMOND = "<polygon points=\"8,0.9 ", "<polygon points=\"8,0.8 15.2,8"


def article(html: str, post_id: int) -> str:
    return html.split(f'id="p{post_id}"')[1].split("</article>")[0]


def author_line(html: str, post_id: int) -> str:
    return article(html, post_id).split('<header class="post-meta">')[1].split("</header>")[0]


def figure(html: str, label: str) -> str:
    """The value shown under a label of the profile's standing figures."""
    found = re.search(rf"<dt>{label}</dt><dd[^>]*>(.*?)</dd>", html, re.S)
    assert found, label
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


@pytest.fixture
def solved(make):
    """A question by an asker, answered by a helper (Expert, Guru badge, the accepted reply) and a newcomer."""
    asker = make.make_user(username="asking_ada")
    helper = make.make_user(username="helpful_hana", reputation=1200)
    newcomer = make.make_user(username="new_nia")
    thread = make.make_thread(author=asker, title="The router drops every evening")
    reply = make.make_reply(thread, author=helper, body="Move it off channel 6.")
    other = make.make_reply(thread, author=newcomer, body="Same here, following.")
    qa.accept_solution(asker, thread, reply)
    badges.grant(helper.id, badges.BY_CODE["first_answer"])
    badges.grant(helper.id, badges.BY_CODE["solutions_250"])
    db.session.commit()
    return thread, reply, other


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_post_shows_its_authors_rank_best_badge_and_solutions(client, login_as, make, solved, signed_in):
    thread, reply, other = solved
    if signed_in:
        login_as(make.make_user())
    html = text(client.get(f"/t/{thread.id}/{thread.slug}"))
    helper = author_line(html, reply.id)
    assert 'class="avatar"' in helper and "helpful_hana</a>" in helper
    assert 'class="rank rank-expert"' in helper and ">Expert</span>" in helper
    assert "Guru</span>" in helper and "(gold badge)" in helper and 'title="Guru: gold badge.' in helper
    assert STAR in helper and "First Answer" not in helper  # only the best badge, with the gold star
    assert "✓ </span>1 solution</span>" in helper
    newcomer = author_line(html, other.id)
    assert ">Newcomer</span>" in newcomer and "rank-newcomer" in newcomer
    assert "solution" not in newcomer and "badge-token" not in newcomer


def test_a_new_badge_or_solution_shows_on_the_next_view(client, make, solved):
    thread, _reply, other = solved
    assert "badge-token" not in author_line(text(client.get(f"/t/{thread.id}/{thread.slug}")), other.id)
    badges.grant(other.author_id, badges.BY_CODE["rescuer"])
    db.session.commit()
    line = author_line(text(client.get(f"/t/{thread.id}/{thread.slug}")), other.id)
    assert "Rescuer</span>" in line and "(silver badge)" in line and DIAMOND in line


@pytest.mark.parametrize(("reputation", "rank"), [(0, "newcomer"), (50, "contributor"), (200, "helper"),
                                                  (1000, "expert"), (5000, "champion")])
def test_each_rank_is_its_own_token_and_still_written(client, make, reputation, rank):
    member = make.make_user(reputation=reputation)
    thread = make.make_thread(author=member)
    line = author_line(text(client.get(f"/t/{thread.id}/{thread.slug}")), reading.question_post(thread).id)
    assert f'<span class="rank rank-{rank}" title="Rank by reputation">{rank.capitalize()}</span>' in line


def test_authors_badges_and_solutions_cost_the_thread_page_no_statement(make, login_as, count_queries):
    login_as(make.make_user())
    plain, decorated = make.make_thread(), make.make_thread()
    for _ in range(4):
        make.make_reply(plain)
    replies = [make.make_reply(decorated) for _ in range(4)]
    qa.accept_solution(decorated.author, decorated, replies[0])
    for reply, code in zip(replies, ("solutions_250", "rescuer", "first_answer", "helpful_25"), strict=True):
        badges.grant(reply.author_id, badges.BY_CODE[code])
    db.session.commit()
    assert count_queries(f"/t/{plain.id}/{plain.slug}") == count_queries(f"/t/{decorated.id}/{decorated.slug}")


def test_the_catalogue_shows_every_badge_as_a_medal_shaped_by_its_tier(client, solved):
    html = text(client.get("/badges"))
    for badge in badges.CATALOGUE:
        token = html.split(f">{badge.name}</span>")[0].rsplit("<a ", 1)[1]
        assert f"badge-{badge.tier.value}" in token and f"medal-{badge.tier.value}" in token, badge.code
        assert (STAR in token) == (badge.tier.value == "gold") and (DIAMOND in token) == (badge.tier.value == "silver")
    assert ' style="' not in html  # the CSP forbids inline styles: colours come from classes
    holders = text(client.get("/badges/solutions_250"))
    assert '<h1 class="badge-heading">' in holders and STAR in holders.split("<h1")[1].split("</h1>")[0]
    assert "helpful_hana</a>" in holders and "rank-expert" in holders


def test_a_profile_shows_the_members_figures_progress_and_badges(client, make, solved):
    thread, reply, _other = solved
    voter = make.make_user()
    qa.vote_helpful(voter, reply)
    make.make_reply(make.make_thread(), author=reply.author)  # a second answer
    own = make.make_thread(author=reply.author, title="Which mesh kit?")  # a question of their own
    gone = make.make_reply(own, author=reply.author)  # replying on your own question is no answer
    posting.delete_post(reply.author, gone)
    db.session.commit()
    html = text(client.get("/u/helpful_hana"))
    assert figure(html, "Answers given") == "2" and figure(html, "Accepted solutions") == "1"
    assert figure(html, "Helpful votes received") == "1" and figure(html, "Questions asked") == "1"
    assert figure(html, "Reputation") == "1,225" and figure(html, "Rank") == "Expert"
    assert figure(html, "Member since") == "20 November 2026"
    assert "1,225 of 5,000 reputation to Champion" in html and 'max="5000" value="1225"' in html
    listed = html.split('id="badges-heading"')[1].split("</section>")[0]
    assert listed.index("Guru") < listed.index("First Answer") and "earned <time" in listed
    assert thread.title in html


@pytest.mark.parametrize(("reputation", "shown"), [
    (120, "120 of 200 reputation to Helper"), (0, "0 of 50 reputation to Contributor"),
    (-15, "-15 of 50 reputation to Contributor"), (5200, "Champion is the top rank"),
])
def test_progress_to_the_next_rank_is_said_in_words(client, make, reputation, shown):
    make.make_user(username="climber", reputation=reputation)
    html = text(client.get("/u/climber"))
    assert shown in html
    assert ("<progress" in html) == (reputation < 5000)


def test_member_since_is_the_day_in_the_viewers_time_zone(client, login_as, make, clock_at):
    clock_at.set(datetime(2026, 3, 5, 23, 30, tzinfo=UTC))
    make.make_user(username="night_owl")
    assert figure(text(client.get("/u/night_owl")), "Member since") == "5 March 2026"
    login_as(make.make_user(time_zone="Asia/Tokyo"))
    assert figure(text(client.get("/u/night_owl")), "Member since") == "6 March 2026"


def _activity(html: str) -> str:
    return html.split('id="activity-heading"')[1].split("</section>")[0]


def test_recent_activity_shows_only_what_the_viewer_may_see(client, login_as, make):
    member, moderator = make.make_user(username="busy_bea"), make.make_user("moderator")
    solved = make.make_thread(title="Solved by Bea")
    answer = make.make_reply(solved, author=member)
    qa.accept_solution(solved.author, solved, answer)
    make.make_reply(make.make_thread(title="Answered by Bea"), author=member)
    make.make_thread(author=member, title="Asked by Bea")
    hidden = make.make_thread(author=member, title="Hidden question of Bea")
    moderation_state.hide_post(reading.question_post(hidden), moderator, "Checking a report")
    removed = make.make_reply(make.make_thread(title="Removed answer thread"), author=member)
    posting.delete_post(member, removed)
    db.session.commit()
    public = _activity(text(client.get("/u/busy_bea")))
    assert "Solved</span>" in public and "Solved by Bea" in public
    assert "Answered</span>" in public and "Answered by Bea" in public
    assert "Asked</span>" in public and "Asked by Bea" in public
    assert "Hidden question of Bea" not in public and "Removed answer thread" not in public
    login_as(moderator)
    staff = _activity(text(client.get("/u/busy_bea")))
    assert "Hidden question of Bea" in staff and "Not public" in staff
    assert "Removed answer thread" in staff and "Deleted" in staff
    login_as(member)
    assert "Hidden question of Bea" in _activity(text(client.get("/u/busy_bea")))  # their own, still theirs


def test_a_profile_costs_the_same_statements_however_much_it_shows(client, make, count_queries):
    quiet, busy = make.make_user(username="quiet_quinn"), make.make_user(username="busy_bo")
    make.make_reply(make.make_thread(), author=quiet)
    badges.grant(quiet.id, badges.BY_CODE["first_answer"])
    for n in range(12):
        thread = make.make_thread(title=f"Question {n} about roaming")
        reply = make.make_reply(thread, author=busy)
        qa.accept_solution(thread.author, thread, reply)
        qa.vote_helpful(make.make_user(), reply)
    for code in ("first_answer", "first_solution", "solutions_10", "rescuer", "champion", "legend"):
        badges.grant(busy.id, badges.BY_CODE[code])
    db.session.commit()
    assert count_queries("/u/quiet_quinn") == count_queries("/u/busy_bo")
    busy = text(client.get("/u/busy_bo"))
    assert _activity(busy).count('<li class="activity') == 10 and figure(busy, "Accepted solutions") == "12"
    assert busy.split('id="badges-heading"')[1].split("</section>")[0].count("earned <time") == 6


def test_a_follow_up_in_ones_own_question_reads_as_a_reply_not_an_answer(client, make):
    asker = make.make_user(username="asker_ann")
    own = make.make_thread(author=asker, title="Ann's own question")
    make.make_reply(own, author=asker, body="Update: it happens on Wi-Fi only.")
    page = text(client.get("/u/asker_ann"))
    activity = _activity(page)
    assert "Replied</span>" in activity and "Answered</span>" not in activity
    assert "Answers given" in page  # the stat beside it counts answers to others' questions, as the label now does
