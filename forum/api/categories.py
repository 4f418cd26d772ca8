"""API: categories."""

from __future__ import annotations
