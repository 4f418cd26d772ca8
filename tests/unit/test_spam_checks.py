"""New-user link limits and the spam score, through policies.review() and end to end through posting."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.core import clock
from forum.core.errors import Invalid
from forum.models import Visibility
from forum.services import policies, posting
from moderation.models import ReviewItem, ReviewKind
from moderation.services import spam

LINK = "Try the guide at https://help.example.com/router for this."


def review(author, body: str, title: str | None = None, kind: str = "reply", post_id=None) -> policies.Review:
    return policies.review(policies.Draft(author, kind, body, title, post_id=post_id))


def test_a_new_members_post_with_a_link_is_held(make):
    result = review(make.make_user(), LINK)
    assert result.held and "new member's post with links" in result.hold_reasons[0]


def test_posts_without_links_are_published(make):
    assert not review(make.make_user(), "Restart the router and wait a minute.").held


def test_new_members_may_not_post_images(make):
    with pytest.raises(Invalid) as refused:
        review(make.make_user(), "Look: ![screenshot](https://img.example.com/a.png)")
    assert "can't post images yet" in refused.value.errors["body"][0]


def test_new_members_may_post_at_most_two_links(make):
    member = make.make_user()
    assert review(member, "See example.com and www.example.org").held
    with pytest.raises(Invalid) as refused:
        review(member, "See example.com, www.example.org and [this](https://a.example.com)")
    assert "at most 2 links" in refused.value.errors["body"][0]


def test_links_in_titles_count(make):
    with pytest.raises(Invalid):
        review(make.make_user(), "See example.com and example.net", "Visit example.org now", kind="thread")


def test_mentions_and_code_are_not_links(make):
    assert spam.count_links("Ask @helper1 or see `https://example.com`") == spam.LinkCount(0, 0)


def test_after_two_approved_posts_with_links_the_rest_are_published(make):
    member = make.make_user()
    thread = make.make_thread()
    for _ in range(2):
        post = posting.reply_to_thread(member, thread, LINK)
        assert post.visibility == Visibility.PENDING.value
        post.visibility = Visibility.PUBLIC.value  # a moderator approves it
    assert not review(member, "Also https://help.example.com/wifi helps.").held


def test_the_link_privilege_lifts_every_limit(make, clock_at):
    reputable = make.make_user(reputation=10)
    assert not review(reputable, "See a.example.com and b.example.com ![x](https://img.example.com/x.png)").held
    veteran = make.make_user()
    thread = make.make_thread()
    for n in range(3):
        posting.reply_to_thread(veteran, thread, f"Plain advice number {n}, no links at all.")
    clock_at.advance(days=4)
    assert not review(veteran, LINK).held


def test_a_typo_fix_in_a_published_post_with_links_is_not_held_again(make):
    member = make.make_user()
    post = posting.reply_to_thread(member, make.make_thread(), LINK)
    post.visibility = Visibility.PUBLIC.value
    assert not review(member, LINK.replace("for this", "for that"), kind="edit", post_id=post.id).held
    assert review(member, LINK + " And example.org too.", kind="edit", post_id=post.id).held


def test_spam_phrases_from_a_brand_new_account_are_held(make):
    result = review(make.make_user(), "Best offer: buy now and save!")
    assert result.held
    assert result.hold_reasons == (
        "Held by the spam filter (score 4: a brand-new account, known spam phrase “buy now”).",)


def test_one_signal_alone_does_not_hold(make, clock_at):
    member = make.make_user()
    clock_at.advance(days=2)
    assert not review(member, "Should I click here or there?").held  # a spam phrase, nothing else


def test_the_same_text_again_with_links_is_held(make):
    member = make.make_user(reputation=10)  # may post links: only the score decides
    text = "Great deals on routers at deals.example.com and shop.example.com every day"
    posting.reply_to_thread(member, make.make_thread(), text)
    result = review(member, text)
    assert result.held and "the same text was posted recently" in result.hold_reasons[0]


def test_short_repeated_thanks_are_fine(make):
    member = make.make_user()
    posting.reply_to_thread(member, make.make_thread(), "Thanks, that worked!")
    assert spam.score(member, "Thanks, that worked!").signals == ("a brand-new account",)


def test_the_score_explains_its_signals(make):
    member = make.make_user()
    posting.reply_to_thread(member, make.make_thread(), "Free stuff, click here, really the best")
    score = spam.score(member, "free stuff, CLICK HERE,   really the best", title="visit a.example.com")
    assert score.signals == ("1 link", "the same text was posted recently", "a brand-new account",
                             "known spam phrase “click here”")
    assert (score.points, score.suspicious) == (1 + 2 + 1 + 3, True)


def test_old_duplicates_do_not_count(make, clock_at):
    member = make.make_user()
    text = "Have you tried switching the channel to eleven?"
    posting.reply_to_thread(member, make.make_thread(), text)
    clock_at.advance(days=2)
    assert "the same text was posted recently" not in spam.score(member, text).signals


@pytest.mark.parametrize("role", ["advocate", "moderator", "agent", "admin"])
def test_staff_and_advocates_are_not_scored(make, role):
    trusted = make.make_user(role=role)
    assert not review(trusted, "Buy now: free money at a.example.com, b.example.com and c.example.com").held


def test_held_replies_stay_out_of_sight_until_approved(make, client, db):
    thread = make.make_thread()
    post = posting.reply_to_thread(make.make_user(), thread, LINK)
    assert post.visibility == Visibility.PENDING.value
    assert thread.reply_count == 0
    page = client.get(f"/t/{thread.id}/{thread.slug}").get_data(as_text=True)
    assert "help.example.com/router" not in page
    item = db.session.scalar(db.select(ReviewItem).where(ReviewItem.post_id == post.id))
    assert item.kind == ReviewKind.APPROVAL.value and "new member's post with links" in item.reason


def test_held_threads_are_not_listed(make, client):
    author = make.make_user()
    thread = make.make_thread(author=author, title="Cheap deals for everyone", body="Buy now at deals.example.com")
    assert thread.visibility == Visibility.PENDING.value
    assert client.get(f"/t/{thread.id}/{thread.slug}").status_code == 404
    assert clock.now() - author.created_at < timedelta(days=1)
