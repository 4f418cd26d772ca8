"""API: openapi."""

from __future__ import annotations
