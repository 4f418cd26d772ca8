"""Similar ideas while a member types one (issue 29): the provider forum.ideas.similar asks, registered from
search.init_app (forum never imports search).

Ideas share the thread index (kind "idea"), so the backends' similar-questions scoring serves them as it is
(search.similar_scoring's BM25 on the title and the whole thread, the same on Whoosh and PostgreSQL). Unlike
similar questions there is no "worth suggesting" bar: any idea not declined or merged may be what the member
is about to post again, answered or not (the backends' eligibility for kind="idea"). Only ids come back:
forum.ideas.similar re-reads them through visible_ideas, so a hidden idea is never offered, and a stale index
costs at most a missing suggestion.
"""

from __future__ import annotations

from forum.models import User
from search import backends


def similar_idea_ids(_viewer: User | None, title: str, limit: int) -> list[int]:
    """Idea (thread) ids whose text best matches a draft idea's title, best first, at most limit."""
    return [idea_id for idea_id, _score in backends.current().similar_scored(title, limit=limit, kind="idea")]
