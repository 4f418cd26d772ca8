"""forum.tagging: describe, rename, merge and synonyms keep one meaning per name, move everything once, and audit."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from forum import tagging
from forum.core.errors import Forbidden, Invalid, NotFound
from forum.core.extensions import db
from forum.models import AuditEntry, Job, Subscription, Tag, TagSynonym
from forum.models.content import thread_tag
from forum.services import posting, subscriptions


def _tag(name: str) -> Tag:
    return db.session.scalar(select(Tag).where(Tag.name == name))


def _synonyms() -> dict[str, str]:
    return dict(db.session.execute(select(TagSynonym.name, Tag.name).join(Tag, TagSynonym.tag_id == Tag.id)).all())


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _index_jobs() -> set[int]:
    rows = db.session.scalars(select(Job.payload_json).where(Job.name == "search.index_thread"))
    return {json.loads(row)["thread_id"] for row in rows}


def _drop_index_jobs() -> None:
    db.session.execute(Job.__table__.delete().where(Job.name == "search.index_thread"))
    db.session.commit()


@pytest.fixture
def admin(make):
    return make.make_user(role="admin", username="boss")


# --- describe -------------------------------------------------------------------------------------------------


def test_a_description_is_rendered_once_as_sanitized_html_and_audited(make, admin):
    make.make_thread(tags=["password"])
    tag = _tag("password")
    assert tagging.describe(admin, tag, "Signing in: **resets** <script>alert(1)</script>")
    assert "<strong>resets</strong>" in tag.description_html and "<script" not in tag.description_html
    assert not tagging.describe(admin, tag, "Signing in: **resets** <script>alert(1)</script>")
    entry, = _audit("tag.describe")
    assert entry.actor_id == admin.id and json.loads(entry.after_json)["description"].startswith("Signing in")
    assert json.loads(entry.before_json) == {"description": ""}


def test_a_description_has_a_length_limit(make, admin):
    make.make_thread(tags=["password"])
    with pytest.raises(Invalid) as refused:
        tagging.describe(admin, _tag("password"), "x" * (tagging.MAX_DESCRIPTION_CHARS + 1))
    assert "description" in refused.value.errors and _tag("password").description == ""


@pytest.mark.parametrize("role", ["member", "moderator", "advocate"])
def test_only_admins_manage_tags(make, role):
    make.make_thread(tags=["password"])
    someone = make.make_user(role=role)
    tag = _tag("password")
    for change in (lambda: tagging.describe(someone, tag, "x"), lambda: tagging.rename(someone, tag, "pass"),
                   lambda: tagging.add_synonym(someone, tag, "pwd")):
        with pytest.raises(Forbidden):
            change()
    assert _audit("tag.describe") == [] and _synonyms() == {} and _tag("password") is not None


# --- rename ---------------------------------------------------------------------------------------------------


def test_a_rename_keeps_the_old_name_as_a_synonym_and_reindexes_the_tags_threads(make, admin):
    first = make.make_thread(tags=["passwd"])
    second = make.make_thread(tags=["passwd", "wifi"])
    make.make_thread(tags=["wifi"])
    _drop_index_jobs()
    assert tagging.rename(admin, _tag("passwd"), "  Password ")
    assert _tag("passwd") is None and _synonyms() == {"passwd": "password"}
    assert [tag.name for tag in db.session.get(type(first), first.id).tags] == ["password"]
    assert _index_jobs() == {first.id, second.id}
    entry, = _audit("tag.rename")
    assert (json.loads(entry.before_json), json.loads(entry.after_json)) == ({"name": "passwd"}, {"name": "password"})
    assert not tagging.rename(admin, _tag("password"), "password")


def test_renaming_onto_another_tag_is_refused_with_the_advice_to_merge(make, admin):
    make.make_thread(tags=["passwd", "password"])
    with pytest.raises(Invalid) as refused:
        tagging.rename(admin, _tag("passwd"), "password")
    assert "merge" in refused.value.errors["name"][0]
    assert _tag("passwd") is not None and _synonyms() == {} and _audit("tag.rename") == []


@pytest.mark.parametrize("bad", ["", "not valid", "-dash", "x" * 33])
def test_a_rename_is_validated_like_tags_on_questions(make, admin, bad):
    make.make_thread(tags=["passwd"])
    with pytest.raises(Invalid) as refused:
        tagging.rename(admin, _tag("passwd"), bad)
    assert "name" in refused.value.errors and _tag("passwd") is not None


def test_a_tag_renamed_to_its_own_synonym_swaps_them_and_another_tags_synonym_is_refused(make, admin):
    make.make_thread(tags=["password", "wifi"])
    tagging.add_synonym(admin, _tag("password"), "pwd")
    tagging.add_synonym(admin, _tag("wifi"), "wlan")
    tagging.rename(admin, _tag("password"), "pwd")
    assert _synonyms() == {"password": "pwd", "wlan": "wifi"}
    with pytest.raises(Invalid) as refused:
        tagging.rename(admin, _tag("pwd"), "wlan")
    assert "synonym of “wifi”" in refused.value.errors["name"][0]


# --- synonyms -------------------------------------------------------------------------------------------------


def test_synonyms_may_not_be_a_tag_name_or_another_synonym(make, admin):
    make.make_thread(tags=["password", "wifi"])
    password = _tag("password")
    row = tagging.add_synonym(admin, password, "PWD")
    assert row.name == "pwd"
    for name, message in [("wifi", "a tag of its own"), ("password", "own name"), ("pwd", "already a synonym"),
                          ("no spaces", "not a valid tag")]:
        with pytest.raises(Invalid) as refused:
            tagging.add_synonym(admin, _tag("wifi") if name == "pwd" else password, name)
        assert message in refused.value.errors["synonym"][0], name
    assert _synonyms() == {"pwd": "password"}
    entry, = _audit("tag.synonym_add")
    assert json.loads(entry.after_json) == {"synonyms": ["pwd"]} and json.loads(entry.before_json) == {"synonyms": []}


def test_removing_a_synonym_frees_the_name_and_is_audited(make, admin):
    make.make_thread(tags=["password", "wifi"])
    row = tagging.add_synonym(admin, _tag("password"), "pwd")
    with pytest.raises(NotFound):
        tagging.remove_synonym(admin, _tag("wifi"), row.id)
    tagging.remove_synonym(admin, _tag("password"), row.id)
    assert _synonyms() == {}
    entry, = _audit("tag.synonym_remove")
    assert json.loads(entry.before_json) == {"synonyms": ["pwd"]} and json.loads(entry.after_json) == {"synonyms": []}
    tagging.add_synonym(admin, _tag("wifi"), "pwd")
    assert _synonyms() == {"pwd": "wifi"}


# --- merge ----------------------------------------------------------------------------------------------------


def test_a_merge_moves_threads_without_duplicates_and_leaves_the_name_as_a_synonym(make, admin):
    only_source = make.make_thread(tags=["passwd"])
    both = make.make_thread(tags=["passwd", "password"])
    only_target = make.make_thread(tags=["password"])
    tagging.add_synonym(admin, _tag("passwd"), "pw")
    _drop_index_jobs()
    source_id = _tag("passwd").id
    target = tagging.merge(admin, _tag("passwd"), _tag("password"))
    assert target.name == "password" and db.session.get(Tag, source_id) is None
    links = db.session.execute(select(thread_tag.c.thread_id, func.count()).where(thread_tag.c.tag_id == target.id)
                               .group_by(thread_tag.c.thread_id)).all()
    assert dict(links) == {only_source.id: 1, both.id: 1, only_target.id: 1}
    assert db.session.scalar(select(func.count()).select_from(thread_tag).where(thread_tag.c.tag_id == source_id)) == 0
    assert _synonyms() == {"pw": "password", "passwd": "password"}
    assert _index_jobs() == {only_source.id, both.id}
    entry, = _audit("tag.merge")
    assert entry.target_id == source_id and json.loads(entry.after_json)["into"] == "password"
    assert json.loads(entry.before_json)["threads"] == 2


def test_a_merge_moves_followers_once_and_keeps_each_members_own_choice_about_the_target(make, admin):
    make.make_thread(tags=["passwd", "password"])
    source, target = _tag("passwd"), _tag("password")
    follows_source, follows_both, muted_target, unfollowed_source = (make.make_user() for _ in range(4))
    subscriptions.watch(follows_source, source)
    subscriptions.watch(follows_both, source)
    subscriptions.watch(follows_both, target)
    subscriptions.watch(muted_target, source)
    subscriptions.mute(muted_target, target)
    subscriptions.mute(unfollowed_source, source)
    source_id = source.id
    tagging.merge(admin, source, target)
    rows = dict(db.session.execute(select(Subscription.user_id, Subscription.muted)
                                   .where(Subscription.tag_id == target.id)).all())
    assert rows == {follows_source.id: False, follows_both.id: False, muted_target.id: True,
                    unfollowed_source.id: True}
    assert tagging.follower_count(target) == 2
    left = select(func.count()).select_from(Subscription).where(Subscription.tag_id == source_id)
    assert db.session.scalar(left) == 0


def test_a_tag_cannot_be_merged_into_itself(make, admin):
    make.make_thread(tags=["password"])
    with pytest.raises(Invalid):
        tagging.merge(admin, _tag("password"), _tag("password"))
    assert _tag("password") is not None and _audit("tag.merge") == []


# --- input mapping (forum.services.posting) -------------------------------------------------------------------


def test_synonyms_map_to_their_tag_on_input_case_insensitively_and_count_once(make, admin):
    make.make_thread(tags=["password"])
    tagging.add_synonym(admin, _tag("password"), "pwd")
    thread = make.make_thread(tags=["PWD", "password", "wifi"])
    assert [tag.name for tag in thread.tags] == ["password", "wifi"]
    edited = posting.update_thread(thread.author, thread, posting.ThreadChange(tags=["Pwd", "router"]))
    assert [tag.name for tag in edited.tags] == ["password", "router"]
    assert db.session.scalar(select(func.count()).select_from(Tag).where(Tag.name == "pwd")) == 0
    six = ["pwd", "password", "a1", "b2", "c3", "d4"]  # five tags once the synonym is mapped
    assert [tag.name for tag in make.make_thread(tags=six).tags] == ["a1", "b2", "c3", "d4", "password"]
