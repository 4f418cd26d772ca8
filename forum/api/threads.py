"""API: threads."""

from __future__ import annotations
