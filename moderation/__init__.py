"""Moderation: flags, the review queue, spam defences, suspensions and the audit log (issue 5)."""
