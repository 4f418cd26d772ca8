"""Searching for a synonym of a tag finds the threads filed under the tag (both backends), and a rename or
merge reaches the index through the worker."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum import tagging
from forum.core.extensions import db
from forum.models import Tag
from search import service


def _tag(name: str) -> Tag:
    return db.session.scalar(select(Tag).where(Tag.name == name))


def _found(raw: str = "", **filters) -> set[int]:
    return {item.thread.id for item in service.search_threads(None, raw, filters=filters).items}


@pytest.fixture
def filed(make, search_index):
    admin = make.make_user(role="admin")
    reset = make.make_thread(title="Cannot reset my password", body="The reset mail never comes.",
                             tags=["password"])
    wifi = make.make_thread(title="Router keeps dropping", body="Every evening the wifi drops.", tags=["wifi"])
    tagging.add_synonym(admin, _tag("password"), "pwd")
    search_index()
    return {"admin": admin, "reset": reset, "wifi": wifi, "ix": search_index}


def test_a_synonym_in_a_tag_filter_finds_the_tags_threads(filed):
    assert _found("tag:pwd") == {filed["reset"].id}
    assert _found('reset tag:"PWD"') == {filed["reset"].id}
    assert _found(tag="pwd") == {filed["reset"].id}  # the API's and the page's tag parameter
    assert _found("tag:password") == {filed["reset"].id}
    assert _found("tag:nothing") == set()


def test_after_a_rename_or_merge_old_names_still_find_the_threads(filed):
    tagging.rename(filed["admin"], _tag("password"), "passwords")
    filed["ix"]()
    assert _found("tag:passwords") == _found("tag:password") == _found("tag:pwd") == {filed["reset"].id}
    tagging.merge(filed["admin"], _tag("wifi"), _tag("passwords"))
    filed["ix"]()
    both = {filed["reset"].id, filed["wifi"].id}
    assert _found("tag:wifi") == _found("tag:passwords") == both
