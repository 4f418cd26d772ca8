"""What the Whoosh index holds per thread: public text and the fields filters and ranking need."""

from __future__ import annotations

from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from search.analysis import ANALYZER
from search.documents import EXCERPT_CHARS

# 2: body no longer stored, a short stored excerpt feeds highlights.
# 3: one searched field: body holds the title three times, the question, the accepted answer twice and
#    the replies; ranking and facet fields are columns (no stored-field loads per hit).
# 4: title_text, the title alone (stemmed), for title boosts and similar questions; staff_answered and
#    best_reply_votes, for suggesting unsolved threads with a staff or well-voted answer.
# 5: kind ("thread" or "idea"): ideas share this index, each search asks for its kind (issue 29).
SCHEMA_VERSION = 5

# The title's words count three times: its weight, in the one field queries match (see search.query).
TITLE_REPEATS = 3


def build_schema() -> Schema:
    return Schema(
        thread_id=ID(stored=True, unique=True, sortable=True),
        kind=ID(stored=True, sortable=True),
        title=STORED,
        body=TEXT(analyzer=ANALYZER, spelling=True),
        title_text=TEXT(analyzer=ANALYZER),
        excerpt=STORED,
        tags=KEYWORD(commas=True, lowercase=True, scorable=True, stored=True, sortable=True),
        category=ID(stored=True, sortable=True),
        author=ID,
        status=ID(stored=True, sortable=True),
        solved=BOOLEAN,
        answered=BOOLEAN,
        votes=NUMERIC(int, sortable=True, stored=True),
        staff_answered=BOOLEAN,
        best_reply_votes=NUMERIC(int, sortable=True),
        created=DATETIME(sortable=True, stored=True),
        last_activity=DATETIME(sortable=True),
    )


def whoosh_fields(document: dict) -> dict:
    """The Whoosh fields for a neutral search document (search.documents.thread_document)."""
    return {
        "thread_id": str(document["thread_id"]),
        "kind": document.get("kind", "thread"),
        "title": document["title"],
        "body": "\n".join([document["title"]] * TITLE_REPEATS + [document["text"]]),
        "title_text": document["title"],
        "staff_answered": document.get("staff_answered", False),
        "best_reply_votes": document.get("best_reply_votes", 0),
        "excerpt": document["text"][:EXCERPT_CHARS],
        "tags": ",".join(document["tags"]),
        **{name: document[name] for name in ("category", "author", "status", "solved", "answered", "votes",
                                             "created", "last_activity")},
    }
