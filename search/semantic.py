"""The optional semantic signal for similar questions (issue 26): word meaning fused with BM25's order.

BM25 finds questions that share words with a draft; "cell phone won't charge" and "mobile battery not
charging" share almost none. A small static embedding model (WordLlama's default, 256 dimensions, its 16 MB
of weights inside the `wordllama` wheel: `pip install 'horseshoe[semantic]'`) places them close, and
reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009, k = 60) merges its order with BM25's
without calibrating two kinds of score against each other.

Off unless an administrator turns on `search.semantic_similar`; BM25 alone is the default. When it is on but
the package is missing or its model does not load, BM25's order stands and the log says why, once per
process. The model loads on first use, once per process (about 0.6 s plus the import, about 100 MB of memory
with numpy and tokenizers), and never touches the network: its files are read from the installed package.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from forum.services import community_settings

SETTING = "search.semantic_similar"
PACKAGE = "wordllama"
RRF_K = 60  # the constant of Cormack et al. 2009; not tuned on the bench's 50 questions

log = logging.getLogger(__name__)


def rerank(query_text: str, candidates: list[tuple[int, float, str]]) -> list[tuple[int, float]] | None:
    """(thread id, score) best first in the fused order, or None when the semantic signal is off or unavailable.

    candidates: (thread id, BM25 score, title), best first in BM25's order. The order is reciprocal rank
    fusion's (ties keep BM25's); the n-th thread in it gets the n-th best BM25 score, because fused scores
    (sums of 1 / (k + rank), all close to 2 / k) would crowd articles out where search.service.merged sets
    the two kinds against each other by their scores over the best.
    """
    if not candidates or not (query_text or "").strip() or not community_settings.cached_setting(SETTING):
        return None
    model = _loader.model()
    if model is None:
        return None
    query_vector = _unit(model.embed([query_text]))[0]  # apart: short titles are not padded to a long draft
    if not query_vector.any():  # nothing in the query the model knows: no meaning to weigh
        return None
    cosines = _unit(model.embed([title or "" for _id, _score, title in candidates])) @ query_vector
    by_meaning = sorted(range(len(candidates)), key=lambda n: (-float(cosines[n]), n))
    fused = reciprocal_rank_fusion([list(range(len(candidates))), by_meaning])
    scale = sorted((score for _id, score, _title in candidates), reverse=True)
    return [(candidates[n][0], scale[rank]) for rank, (n, _fused) in enumerate(fused)]


def _unit(vectors: Any) -> Any:
    """Rows scaled to length 1; a text without a word the model knows stays all zeros (cosine 0), where the
    package's own norm=True would divide by zero."""
    lengths = (vectors * vectors).sum(axis=1, keepdims=True) ** 0.5
    return vectors / lengths.clip(min=1e-12)


def enable(on: bool = True) -> bool:
    """Turn the signal on (or off) as an operator's `flask settings set` does, and load the model now rather
    than on the next question (benches, warm-up); True when it is on and its model is there to use."""
    community_settings.update_settings_from_console({SETTING: on})
    return on and _loader.model() is not None


def reciprocal_rank_fusion(orders: list[list[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Items of several best-first orders by the sum of 1 / (k + rank); ties go to the first order's."""
    scores: dict[int, float] = {}
    for order in orders:
        for rank, item in enumerate(order, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    first = {item: n for n, item in enumerate(orders[0])} if orders else {}
    return sorted(scores.items(), key=lambda pair: (-pair[1], first.get(pair[0], len(first))))


class ModelLoader:
    """The model, loaded on first use by one thread while the others wait; a failure is logged and kept,
    so a process without the package says so once instead of on every question."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model: Any = None
        self._failed = False

    def model(self) -> Any:
        if self._model is not None or self._failed:
            return self._model
        with self._lock:
            if self._model is None and not self._failed:
                self._model = self._load()
                self._failed = self._model is None
        return self._model

    @staticmethod
    def _load() -> Any:
        started = time.perf_counter()
        try:
            with _root_logging_kept():
                # Imported here, by name, not at the top: the package is optional, and importing it costs
                # numpy and tokenizers (about 1.5 s and 60 MB) that a site with the setting off never pays.
                wordllama = importlib.import_module(PACKAGE)
            # The wheel keeps the default model's tokenizer in tokenizers/, where load() looks only under a
            # cache directory: the package directory is that cache, and downloads stay disabled.
            model = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
        except ImportError:
            log.warning("search.semantic_similar is on but the %s package is not installed "
                        "(pip install 'horseshoe[semantic]'): similar questions use BM25 alone", PACKAGE)
            return None
        except Exception:  # a changed or damaged package must cost the semantic signal, not the ask page
            log.exception("search.semantic_similar is on but the %s model did not load: similar questions "
                          "use BM25 alone", PACKAGE)
            return None
        log.info("semantic model for similar questions loaded in %.0f ms", 1000 * (time.perf_counter() - started))
        return model


@contextmanager
def _root_logging_kept():
    """wordllama calls logging.basicConfig(level=INFO) on import; the app's logging is not its to change."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


_loader = ModelLoader()
