"""The free-text half of the query language, parsed once into a small tree that each backend compiles.

Syntax (search.query documents it for users): words; "a phrase"; -word or -"a phrase" to exclude;
`or` between two items to accept either. Items are ANDed; `or` binds tighter than the implied AND
("wifi or router drops" = (wifi OR router) AND drops), as PostgreSQL's websearch_to_tsquery reads it.
An `or` beside an exclusion, or at either end, is just a stop word. Anything else (brackets, `*`,
field:, `+`, other punctuation) is not syntax: it splits words, as the indexes split the text.

Words: each whitespace-separated token is split as the index splits text (search.analysis: runs of
letters and digits, "192.168.1.1" kept whole), lower-cased. A word that is a stop word of EITHER
backend (Whoosh's list or PostgreSQL's 'english' list, STOP_WORDS, plus what is left of a
contraction) or shorter than two letters drops out, so "my bill is too high" means bill AND high on
both backends. A token that splits into several words ("wi-fi", "e-mail") is searched as the phrase
of its words. Phrases keep their inner stop words (each backend matches them with its own
positions) but lose them at either end. An item left with no word drops out; a query with no item
left matches everything its filters allow.

Relaxation (search.backends.*): when all items find fewer than RELAX_BELOW threads, the search is run
again needing only most of the plain word items (minimum_matches); phrases, exclusions and OR groups
holding a phrase are still required. Hits are ranked by how many items they match, then by text score.
Both modes multiply the text score by boost(): more when query words are in the title, and when the
words appear together as a phrase.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from whoosh.analysis import STOP_WORDS as WHOOSH_STOP_WORDS

from forum.core.i18n import N_

# PostgreSQL's 'english' stop words (tsearch_data/english.stop), so both backends drop the same words.
POSTGRES_STOP_WORDS = frozenset(
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers "
    "herself it its itself they them their theirs themselves what which who whom this that these those am is are "
    "was were be been being have has had having do does did doing a an the and but if or because as until while "
    "of at by for with about against between into through during before after above below to from up down in "
    "out on off over under again further then once here there when where why how all any both each few more most "
    "other some such no nor not only own same so than too very s t can will just don should now".split()
)
# What is left of a contraction split at its apostrophe ("didn't" → didn, t): never what a question is about.
CONTRACTIONS = frozenset("aren couldn didn doesn hadn hasn haven isn mightn mustn needn shan shouldn wasn weren won "
                         "wouldn ll re ve".split())
STOP_WORDS = frozenset(WHOOSH_STOP_WORDS) | POSTGRES_STOP_WORDS | CONTRACTIONS
MIN_WORD_CHARS = 2
WORD = re.compile(r"\w+(?:\.?\w+)*")  # search.analysis.ANALYZER's tokenizer
ALPHANUMERIC = re.compile(r"[^\W_]")
OR = "or"  # the one operator word, in any case
TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')

# Fewer strict hits than this and the search relaxes: one or two threads are usually the wrong ones
# when a long natural question ("my bill is too high") says more than any thread does; three or more
# strict hits mean the words were specific, and padding them with partial matches would add noise.
RELAX_BELOW = 3
TITLE_BOOST = 0.5  # x(1 + 0.5 x share of the query's items found in the title)
PHRASE_BOOST = 1.5  # x1.5 when all the plain words appear together, in order
# Notices are shown translated: whoever appends one writes _(RELAXED_NOTICE).
RELAXED_NOTICE = N_("Showing results matching most of your words.")
UNSEARCHABLE = N_("Your search has no words to look for: very common words such as “the” are left out.")


@dataclass(frozen=True)
class Item:
    """One searchable unit: a word or phrase (text: its words joined by spaces, punctuation gone)."""

    text: str
    words: tuple[str, ...]  # the words that count (no stop words); never empty
    phrase: bool = False
    negated: bool = False

    @property
    def is_phrase(self) -> bool:
        """Searched as a phrase: typed in quotes, or a token that splits into several words."""
        return self.phrase or len(self.text.split()) > 1


@dataclass
class TextQuery:
    """The parsed free text: clauses ANDed, each clause items ORed; exclusions are one-item clauses."""

    clauses: list[tuple[Item, ...]] = field(default_factory=list)
    typed: str = ""  # the plain words as typed, stop words inside kept, for the phrase boost
    unsearchable: bool = False  # text was typed but not one word of it can be searched: nothing matches

    @property
    def positive(self) -> list[tuple[Item, ...]]:
        return [clause for clause in self.clauses if not clause[0].negated]

    @property
    def negations(self) -> list[Item]:
        return [clause[0] for clause in self.clauses if clause[0].negated]

    @property
    def relaxable(self) -> list[tuple[Item, ...]]:
        """Positive clauses of plain words only: the ones a relaxed search may leave unmatched."""
        return [clause for clause in self.positive if not any(item.phrase for item in clause)]

    @property
    def required(self) -> list[tuple[Item, ...]]:
        """Positive clauses a relaxed search still needs: those holding a typed phrase."""
        return [clause for clause in self.positive if any(item.phrase for item in clause)]

    def can_relax(self) -> bool:
        return minimum_matches(len(self.relaxable)) < len(self.relaxable)

    def phrase_text(self) -> str | None:
        """The query as typed, for the phrase boost: only for two or more plain words and no operator."""
        plain = all(len(clause) == 1 and not clause[0].phrase for clause in self.clauses)
        if not plain or len(self.clauses) < 2 or self.negations:
            return None
        return self.typed or None


def minimum_matches(count: int) -> int:
    """How many of count plain word items a relaxed search needs: ceil(2n/3), but one of two.

    Two thirds keeps the query's meaning (a third of a long question is usually filler: "why",
    "still", "again"); with two words "most" can only be one, and ranking by matched items puts
    the threads with both first.
    """
    if count <= 1:
        return count
    if count == 2:
        return 1
    return math.ceil(2 * count / 3)


def boost(score: float, title_matches: int, items: int, phrase: bool) -> float:
    """The text score with the title and phrase boosts (the same on both backends)."""
    share = title_matches / items if items else 0.0
    return score * (1 + TITLE_BOOST * share) * (PHRASE_BOOST if phrase else 1.0)


def _words(text: str) -> list[str]:
    """The index's words of text; runs of underscores alone are no word on PostgreSQL, so none here."""
    return [word for word in WORD.findall(text.lower()) if ALPHANUMERIC.search(word)]


def _counted(words: list[str]) -> tuple[str, ...]:
    return tuple(word for word in words if word not in STOP_WORDS and len(word) >= MIN_WORD_CHARS)


def _trimmed(words: list[str]) -> list[str]:
    """A phrase's words without stop words at either end (they only match on one backend)."""
    counted = [i for i, word in enumerate(words) if _counted([word])]
    return words[counted[0]: counted[-1] + 1] if counted else []


def _item(text: str, phrase: bool, negated: bool) -> Item | None:
    words = _trimmed(_words(text))
    if not words:
        return None
    return Item(text=" ".join(words), words=_counted(words), phrase=phrase, negated=negated)


def _parts(text: str) -> list[Item | str]:
    """Items and the `or` operator, in order; tokens with no counted word are gone."""
    parts: list[Item | str] = []
    for match in TOKEN.finditer(text):
        minus, quoted, bare = match.groups()
        if bare is not None and bare.lower() == OR:
            parts.append(OR)
            continue
        negated = bool(minus) or (bare is not None and bare.startswith("-"))
        item = _item(quoted if bare is None else bare.lstrip("-"), phrase=bare is None, negated=negated)
        if item is not None:
            parts.append(item)
    return parts


def parse_text(text: str) -> TextQuery:
    """The free text (filters already taken out, quotes balanced) as a TextQuery."""
    parts = _parts(text or "")
    query = TextQuery(typed=" ".join(_trimmed(_words(text or ""))))
    joining = False
    for part in parts:
        if part == OR:
            joining = bool(query.clauses) and not query.clauses[-1][0].negated
            continue
        if joining and not part.negated:
            query.clauses[-1] = (*query.clauses[-1], part)
        elif (part,) not in query.clauses:  # a repeated word counts once ("modem modem")
            query.clauses.append((part,))
        joining = False
    if OR in parts:
        query.typed = ""
    query.unsearchable = bool((text or "").strip()) and not query.clauses
    return query
