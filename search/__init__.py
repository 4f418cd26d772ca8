"""Search: a Whoosh index written only by the worker, queried by id and re-checked in the DB (issue 7)."""
