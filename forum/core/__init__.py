"""The ground floor every package stands on: extensions, database, settings, clock, domain errors,
pagination, domain events, and the job outbox, registry and worker. It imports no domain package.
"""
