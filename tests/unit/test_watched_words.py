"""Watched words: admins manage them; block, require approval, censor and link, on titles and bodies."""

from __future__ import annotations

import pytest

from forum.core.errors import Conflict, Forbidden, Invalid, NotFound
from forum.models import AuditEntry
from forum.services import markup, policies, posting
from moderation.models import WatchedWord
from moderation.services import watched_words
from moderation.services.watched_words import WatchedWordInput, add_watched_word, delete_watched_word


@pytest.fixture
def admin(make):
    return make.make_user(role="admin")


@pytest.fixture
def watch(admin):
    def add(phrase: str, mode: str, replacement: str = "") -> WatchedWord:
        return add_watched_word(admin, WatchedWordInput(phrase, mode, replacement))

    return add


@pytest.fixture
def writer(make):
    """A member with the link privilege, so only the watched words decide."""
    return make.make_user(reputation=50)


def review(author, body: str, title: str | None = None, kind: str = "thread") -> policies.Review:
    return policies.review(policies.Draft(author, kind, body, title))


def test_blocked_words_are_refused_with_a_message_naming_them(watch, writer):
    watch("scam", "block")
    with pytest.raises(Invalid) as refused:
        review(writer, "This whole company is a SCAM, honestly.", "Need help with my bill")
    assert refused.value.errors["body"] == ["“scam” is not allowed here. Please rephrase and try again."]
    assert "title" not in refused.value.errors


def test_titles_are_checked_too(watch, writer):
    watch("scam", "block")
    with pytest.raises(Invalid) as refused:
        review(writer, "Nothing wrong in here.", "Is this a Scam?")
    assert list(refused.value.errors) == ["title"]


def test_matching_is_whole_words_only(watch, writer):
    watch("ass", "block")
    watch("café", "censor")
    result = review(writer, "My class passed the assessment at the cafés, not the café.", "Bassline trouble")
    assert result.body == "My class passed the assessment at the cafés, not the ■■■."
    assert result.title == "Bassline trouble"


def test_matching_ignores_case_across_scripts_and_spacing(watch, writer):
    watch("Straße Nord", "censor")
    watch("ÉCOLE", "censor")
    result = review(writer, "Meet at straße\n  NORD near the école.")
    assert result.body == "Meet at ■■■ near the ■■■."


def test_censor_rewrites_title_and_body(watch, writer):
    watch("darn", "censor")
    result = review(writer, "Darn router, darn it.", "This darn modem again")
    assert (result.title, result.body) == ("This ■■■ modem again", "■■■ router, ■■■ it.")
    assert not result.held


def test_link_mode_turns_the_phrase_into_a_markdown_link_in_bodies_only(watch, writer):
    watch("refund policy", "link", "https://help.example.com/refunds")
    result = review(writer, "What does the Refund Policy say?", "Refund policy question")
    assert result.body == "What does the [Refund Policy](https://help.example.com/refunds) say?"
    assert result.title == "Refund policy question"
    assert '<a href="https://help.example.com/refunds"' in markup.render_markdown(result.body)


def test_link_mode_leaves_code_links_and_urls_alone(watch, writer):
    watch("refunds", "link", "https://help.example.com/refunds")
    body = "See `refunds` and [our refunds](https://x.example/a) or https://shop.example/refunds/form"
    assert review(writer, body).body == body


def test_require_approval_holds_the_post_with_the_phrase_as_reason(watch, writer, make):
    watch("chargeback", "require_approval")
    result = review(writer, "I will file a chargeback tomorrow.")
    assert result.held
    assert "“chargeback”" in result.hold_reasons[0]
    moderator = make.make_user(role="moderator")
    assert not review(moderator, "I will file a chargeback tomorrow.").held


def test_changes_apply_at_once(watch, writer, admin):
    word = watch("lemon", "block")
    with pytest.raises(Invalid):
        review(writer, "This phone is a lemon.")
    delete_watched_word(admin, word.id)
    assert review(writer, "This phone is a lemon.").body == "This phone is a lemon."


def test_only_admins_manage_watched_words(make):
    moderator = make.make_user(role="moderator")
    with pytest.raises(Forbidden):
        add_watched_word(moderator, WatchedWordInput("spam", "block"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (WatchedWordInput("   ", "block"), "phrase"),
        (WatchedWordInput("!!!", "block"), "phrase"),
        (WatchedWordInput("x" * 101, "block"), "phrase"),
        (WatchedWordInput("word", "shout"), "mode"),
        (WatchedWordInput("word", "link", "javascript:alert(1)"), "replacement"),
        (WatchedWordInput("word", "link", "ftp://files.example.com"), "replacement"),
        (WatchedWordInput("word", "link", ""), "replacement"),
    ],
)
def test_bad_entries_are_refused_per_field(admin, data, field):
    with pytest.raises(Invalid) as refused:
        add_watched_word(admin, data)
    assert field in refused.value.errors


def test_a_phrase_is_watched_once_whatever_its_case(watch):
    watch("Buy  Now", "block")
    with pytest.raises(Conflict):
        watch("buy now", "censor")


def test_adding_and_deleting_are_audited(watch, admin, db):
    word = watch("lemon", "censor")
    delete_watched_word(admin, word.id)
    entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.target_type == "watched_word")).all()
    assert [(e.action, e.actor_id, e.target_id) for e in entries] == [
        ("watched_word.add", admin.id, word.id), ("watched_word.delete", admin.id, word.id)]
    assert '"phrase": "lemon"' in entries[0].after_json and '"mode": "censor"' in entries[1].before_json


def test_deleting_an_unknown_word_is_not_found(admin):
    with pytest.raises(NotFound):
        delete_watched_word(admin, 999999)


def test_pattern_escapes_regex_characters(writer, watch):
    watch("c++ (beta)", "censor")
    assert review(writer, "Is c++ (beta) out?").body == "Is ■■■ out?"
    assert watched_words.pattern_for("a.b").search("axb") is None


def test_renaming_a_thread_goes_through_the_same_checks(watch, writer, make):
    watch("scam", "block")
    watch("darn", "censor")
    watch("lawsuit", "require_approval")
    thread = make.make_thread(author=writer, title="Question about my bill")
    with pytest.raises(Invalid) as refused:
        posting.update_thread(writer, thread, posting.ThreadChange(title="Is this bill a scam?"))
    assert list(refused.value.errors) == ["title"]
    posting.update_thread(writer, thread, posting.ThreadChange(title="This darn bill is wrong"))
    assert thread.title == "This ■■■ bill is wrong"
    posting.update_thread(writer, thread, posting.ThreadChange(title="Bill wrong, lawsuit next"))
    assert thread.visibility == "pending"
