"""Tags: descriptions, renames, merges and synonyms, kept by admins; tag pages for members.

lookups (a name or synonym to its tag, counts, the tag index), service (describe, rename, synonyms)
and merging (one tag into another) are its services; pages (/admin/tags) holds the admin routes. The
public tag pages (/tags, /tags/<name>) are forum.web.tags. Input maps synonyms in
forum.services.posting, search in search.service (both by the TagSynonym table).
Callers outside the package use the names re-exported here.
"""

from __future__ import annotations

from flask import Flask

from forum.models import Tag, TagSynonym
from forum.tagging.lookups import (
    MAX_LISTED,
    TagRow,
    canonical_name,
    canonical_names,
    find_tag,
    follower_count,
    get_tag_by_id,
    synonyms_of,
    tag_rows,
)
from forum.tagging.merging import merge
from forum.tagging.service import MAX_DESCRIPTION_CHARS, add_synonym, describe, remove_synonym, rename

__all__ = [
    "MAX_DESCRIPTION_CHARS", "MAX_LISTED", "Tag", "TagRow", "TagSynonym", "add_synonym", "canonical_name",
    "canonical_names", "describe", "find_tag", "follower_count", "get_tag_by_id", "merge", "remove_synonym",
    "rename", "synonyms_of", "tag_rows",
]


def init_app(app: Flask) -> None:
    """The admin pages (/admin/tags)."""
    from forum.tagging import pages

    pages.init_app(app)
