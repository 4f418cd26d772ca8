"""Tag pages (description, followers, synonyms, the index, old names redirecting) and /admin/tags per role."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from forum import tagging
from forum.core.extensions import db
from forum.http.page_cache import PageCache, SQLiteStore
from forum.models import AuditEntry, Tag
from tests.web.helpers import FORBIDDEN, OK, SIGN_IN, expect, text


def _tag(name: str) -> Tag:
    return db.session.scalar(select(Tag).where(Tag.name == name))


@pytest.fixture
def password(make, community) -> Tag:
    make.make_thread(author=community.author, category=community.category, title="Reset my password please",
                     tags=["password"])
    return _tag("password")


# --- the public tag pages -------------------------------------------------------------------------------------


def test_a_tag_page_shows_its_description_followers_and_synonyms(act_as, community, password, make):
    tagging.describe(community.admin, password, "Signing in and **resetting** passwords.")
    tagging.add_synonym(community.admin, password, "pwd")
    tagging.add_synonym(community.admin, password, "passwd")
    act_as("other").post("/tags/password/follow")
    act_as("author").post("/tags/password/follow")
    act_as("moderator").post("/tags/password/unfollow")  # a mute: not a follower
    page = text(act_as("anonymous").get("/tags/password"))
    assert "<strong>resetting</strong>" in page
    assert '<span id="tag-followers">2 followers</span>' in page
    assert "also: passwd, pwd" in page
    assert "Edit tag" not in page and "Edit tag" in text(act_as("admin").get("/tags/password"))


def test_a_synonym_or_old_name_redirects_permanently_to_the_tag_page(act_as, community, password):
    tagging.add_synonym(community.admin, password, "pwd")
    response = act_as("anonymous").get("/tags/PWD?sort=votes")
    assert response.status_code == 301 and response.headers["Location"] == "/tags/password?sort=votes"
    tagging.rename(community.admin, password, "passwords")
    response = act_as("anonymous").get("/tags/password")
    assert response.status_code == 301 and response.headers["Location"] == "/tags/passwords"
    assert act_as("anonymous").get("/tags/never-used").status_code == 404


def test_the_tag_index_lists_tags_with_counts_descriptions_and_synonyms(act_as, community, password, make):
    make.make_thread(tags=["password", "wifi"])
    tagging.describe(community.admin, password, "Signing in.")
    tagging.add_synonym(community.admin, password, "pwd")
    page = text(act_as("anonymous").get("/tags"))
    assert page.index(">password</a>") < page.index(">wifi</a>")
    assert "2 threads · 0 followers · also: pwd" in page and "<p>Signing in.</p>" in page


# --- input mapping on the ask form ----------------------------------------------------------------------------


def test_the_ask_form_files_a_synonym_under_its_tag(act_as, community, password):
    tagging.add_synonym(community.admin, password, "pwd")
    client = act_as("author")
    response = client.post("/ask", data={"category_id": str(community.category.id), "kind": "question",
                                         "title": "Forgot my pwd again today", "body": "How do I reset it?",
                                         "tags": "PWD, password, login"})
    assert response.status_code == 302, text(response)[:500]
    page = text(client.get(response.headers["Location"]))
    assert '<a class="tag" href="/tags/password">password</a>' in page and 'href="/tags/pwd"' not in page
    assert _tag("pwd") is None


# --- /admin/tags ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("caller", "outcome"), [("anonymous", SIGN_IN), ("author", FORBIDDEN),
                                                 ("moderator", FORBIDDEN), ("admin", OK)])
def test_only_admins_see_the_tag_admin_pages(act_as, password, caller, outcome):
    client = act_as(caller)
    expect(client.get("/admin/tags"), outcome)
    expect(client.get(f"/admin/tags/{password.id}"), outcome)


@pytest.mark.parametrize(("caller", "outcome"), [("anonymous", SIGN_IN), ("other", FORBIDDEN),
                                                 ("moderator", FORBIDDEN)])
def test_nobody_but_admins_can_change_a_tag(act_as, password, caller, outcome):
    client = act_as(caller)
    expect(client.post(f"/admin/tags/{password.id}/rename", data={"name": "passwords"}), outcome)
    expect(client.post(f"/admin/tags/{password.id}/synonyms", data={"synonym": "pwd"}), outcome)
    expect(client.post(f"/admin/tags/{password.id}/describe", data={"description": "x"}), outcome)
    assert _tag("password") is not None and tagging.synonyms_of(password) == []
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("tag.%"))).all() == []


def test_the_admin_list_shows_threads_followers_and_synonyms_and_is_in_the_admin_nav(act_as, community, password):
    tagging.add_synonym(community.admin, password, "pwd")
    act_as("other").post("/tags/password/follow")
    page = text(act_as("admin").get("/admin/tags"))
    row = page[page.index(f'id="tag-{password.id}"'):]
    row = row[:row.index("</tr>")]
    assert "<td>1</td>" in row and "<td>pwd</td>" in row and f"/admin/tags/{password.id}" in row
    assert 'href="/admin/tags"' in text(act_as("admin").get("/admin"))
    assert "password" not in text(act_as("admin").get("/admin/tags?q=wif"))


def test_an_admin_describes_renames_adds_and_removes_synonyms_and_merges_through_the_forms(act_as, community,
                                                                                          password, make):
    make.make_thread(tags=["login"])
    admin = act_as("admin")
    edit = f"/admin/tags/{password.id}"
    assert admin.post(f"{edit}/describe", data={"description": "All about *passwords*."}).status_code == 302
    assert admin.post(f"{edit}/synonyms", data={"synonym": "pwd"}).status_code == 302
    page = text(admin.get(edit))
    assert "All about *passwords*." in page and ">pwd</span>" in page
    refused = admin.post(f"{edit}/synonyms", data={"synonym": "login"})
    assert refused.status_code == 422 and "a tag of its own" in text(refused)
    refused = admin.post(f"{edit}/rename", data={"name": "login"})
    assert refused.status_code == 422 and "merge" in text(refused)
    synonym = tagging.synonyms_of(password)[0]
    assert admin.post(f"{edit}/synonyms/{synonym.id}/remove").status_code == 302
    assert tagging.synonyms_of(_tag("password")) == []
    assert admin.post(f"{edit}/rename", data={"name": "passwords"}).status_code == 302
    login = _tag("login")
    response = admin.post(f"/admin/tags/{login.id}/merge", data={"target": "password"})  # an old name works too
    assert response.status_code == 302 and response.headers["Location"] == edit
    db.session.expire_all()  # SQLite reuses the removed synonym's id: forget the object this test still holds
    assert _tag("login") is None and [s.name for s in tagging.synonyms_of(_tag("passwords"))] == ["login", "password"]
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("tag.%"))
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["tag.describe", "tag.synonym_add", "tag.synonym_remove", "tag.rename", "tag.merge"]
    merge_entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "tag.merge")).one()
    assert merge_entry.actor_id == community.admin.id and json.loads(merge_entry.after_json)["into"] == "passwords"


def test_merging_into_an_unknown_tag_or_itself_says_so_beside_the_field(act_as, password):
    admin = act_as("admin")
    unknown = admin.post(f"/admin/tags/{password.id}/merge", data={"target": "nothing-here"})
    assert unknown.status_code == 422 and "No thread uses that tag yet." in text(unknown)
    itself = admin.post(f"/admin/tags/{password.id}/merge", data={"target": "password"})
    assert itself.status_code == 422 and "Choose another tag" in text(itself)


# --- the anonymous page cache ---------------------------------------------------------------------------------


def test_a_cached_page_shows_an_admin_rename_at_once(app, community, password, make, tmp_path):
    """Pages signed-out visitors share are retired by any committed write to what they show: tag renames too."""
    cache: PageCache = app.extensions["page_cache"]
    saved = (cache.store, cache.ttl_s)
    cache.store, cache.ttl_s = SQLiteStore(tmp_path / "page_cache.sqlite3"), 60
    try:
        thread = make.make_thread(author=community.author, category=community.category, tags=["password"])
        path = f"/t/{thread.id}/{thread.slug}"  # the thread page shows its tags
        first = app.test_client().get(path)
        assert first.headers["X-Cache"] == "miss" and app.test_client().get(path).headers["X-Cache"] == "hit"
        assert ">password</a>" in text(first)
        tagging.rename(community.admin, password, "passwords")
        after = app.test_client().get(path)
        assert after.headers["X-Cache"] == "miss" and ">passwords</a>" in text(after)
    finally:
        cache.store, cache.ttl_s = saved
