"""Moderation's HTTP-free logic: each module one concern, raising forum's DomainErrors."""
