"""How text becomes search words, for every backend and for the incident detector.

Words are stemmed ("routers" finds "router"), stop words dropped and two-letter words kept (tv,
5g). The Whoosh index stores words made this way; the incident detector compares questions with
the same words whichever backend is chosen (PostgreSQL re-stems each with its 'english' setup).
"""

from __future__ import annotations

from whoosh.analysis import StemmingAnalyzer

ANALYZER = StemmingAnalyzer(minsize=2)


def words(text: str) -> list[str]:
    """The stemmed search words of text, in order."""
    return [token.text for token in ANALYZER(text)]
