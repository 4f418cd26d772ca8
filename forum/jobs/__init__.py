"""The database-backed job queue and the worker that drains it."""
