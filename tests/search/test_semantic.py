"""The optional semantic signal for similar questions (search.semantic_similar): off by default; on, meaning
lifts a question that shares few words with the draft; without its package, BM25's order stands and the log
says why once. The model is the real one, read from the installed `wordllama` wheel (the test extra)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from forum.services import community_settings
from search import semantic

ROOT = Path(__file__).resolve().parents[2]

# A real case from the SemEval-2016 dev set (bench/similar_quality.py), question Q306, "Nursing license
# requirements?": BM25 over the titles (the bench's plain BM25, scores as it gave them) puts a visa question
# first on the shared word "requirements"; people judged the nursing questions relevant, and no visa one.
NURSING_DRAFT = "Nursing license requirements?"
BM25_ORDER = [(1, 7.23, "Business Visa Requirements"), (2, 6.60, "Nurses salary"),
              (3, 5.84, "Prometric Exam For Nurses"), (4, 5.84, "Nurse Trainee in Qatar"),
              (5, 5.64, "Driving License"), (6, 4.99, "International Driving License"),
              (7, 4.99, "Driving license Validity")]
NURSING = {2, 3, 4}


def turn_on(value: bool = True) -> None:
    community_settings.update_settings_from_console({semantic.SETTING: value})


@pytest.fixture
def fresh_process(monkeypatch):
    """The module as a new worker process has it: no model loaded yet, nothing logged."""
    monkeypatch.setattr(semantic, "_loader", semantic.ModelLoader())


def test_meaning_puts_a_nursing_question_first_where_bm25_put_a_visa_one(db):
    turn_on()
    fused = semantic.rerank(NURSING_DRAFT, BM25_ORDER)
    assert BM25_ORDER[0][0] not in NURSING
    assert fused[0][0] in NURSING
    assert [thread_id for thread_id, _score in fused[:3]] != [1, 2, 3]  # the visa question left the top
    assert sorted(thread_id for thread_id, _score in fused) == list(range(1, 8))  # reordered, none lost or added
    # BM25's scores, best first, handed down the new order: merged with articles on the scale they had
    assert [score for _id, score in fused] == sorted((score for _id, score, _title in BM25_ORDER), reverse=True)


def test_the_setting_is_off_by_default_and_then_bm25_order_stands(db):
    assert community_settings.get_setting(semantic.SETTING) is False
    assert semantic.rerank(NURSING_DRAFT, BM25_ORDER) is None
    turn_on()
    turn_on(False)
    assert semantic.rerank(NURSING_DRAFT, BM25_ORDER) is None


def test_nothing_to_weigh_leaves_bm25_order(db):
    turn_on()
    assert semantic.rerank(NURSING_DRAFT, []) is None
    assert semantic.rerank("   ", BM25_ORDER) is None
    with_blank_title = semantic.rerank(NURSING_DRAFT, [*BM25_ORDER, (8, 4.0, "")])
    assert with_blank_title[0][0] in NURSING and len(with_blank_title) == 8  # an empty title weighs nothing, no NaN


def test_without_the_package_bm25_order_stands_and_the_log_says_so_once(db, fresh_process, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "wordllama", None)  # what `import wordllama` meets when it is not installed
    turn_on()
    with caplog.at_level(logging.WARNING, logger=semantic.__name__):
        assert semantic.rerank(NURSING_DRAFT, BM25_ORDER) is None
        assert semantic.rerank(NURSING_DRAFT, BM25_ORDER) is None
    warnings = [r for r in caplog.records if r.name == semantic.__name__]
    assert len(warnings) == 1
    assert "wordllama package is not installed" in warnings[0].getMessage()


def test_threads_asking_at_once_load_the_model_once(fresh_process):
    models: list[object] = []
    askers = [threading.Thread(target=lambda: models.append(semantic._loader.model())) for _ in range(4)]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join()
    assert len(models) == 4 and models[0] is not None and all(model is models[0] for model in models)


def test_the_model_loads_from_the_package_without_the_network(tmp_path):
    """No download at run time: in a process whose sockets refuse to open and with an empty home (no
    ~/.cache/wordllama), the model still loads and embeds."""
    script = (
        "import socket\n"
        "def refuse(*args, **kwargs): raise OSError('network used')\n"
        "socket.socket.connect = refuse; socket.create_connection = refuse; socket.getaddrinfo = refuse\n"
        "from search import semantic\n"
        "model = semantic.ModelLoader().model()\n"
        "assert model is not None, 'model did not load'\n"
        "print(model.embed(['cell phone will not charge']).shape)\n"
    )
    env = {**os.environ, "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "(1, 256)" in result.stdout
    assert not (tmp_path / ".cache").exists()
