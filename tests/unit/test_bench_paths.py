"""The benchmarks find the shared tools through the environment, never through one machine's path."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def shared_tools(monkeypatch):
    for variable in ("HORSESHOE_BENCH_SHARED", "HORSESHOE_BENCH_GEN", "HORSESHOE_BENCH_CEILING"):
        monkeypatch.delenv(variable, raising=False)
    spec = importlib.util.spec_from_file_location("shared_tools", BENCH / "shared_tools.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_bench_file_names_a_machine_specific_path():
    offenders = [f"{path.name}:{number}" for path in sorted(BENCH.iterdir()) if path.suffix in {".py", ".md", ""}
                 and path.is_file() and path.name != "RESULTS.md"
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if re.search(r"(?<![\w.])/(work|home|root|tmp/h\d)/", line)]
    assert offenders == []


def test_without_settings_the_error_names_the_variable_to_set(shared_tools):
    with pytest.raises(SystemExit, match="HORSESHOE_BENCH_SHARED"):
        shared_tools.gen_corpus()
    with pytest.raises(SystemExit, match="HORSESHOE_BENCH_CEILING"):
        shared_tools.ceiling_dir()


def test_a_shared_directory_without_the_tool_is_a_clear_error(shared_tools, monkeypatch, tmp_path):
    monkeypatch.setenv("HORSESHOE_BENCH_SHARED", str(tmp_path))
    with pytest.raises(SystemExit, match="gen_corpus.py does not exist"):
        shared_tools.gen_corpus()


def test_the_tools_come_from_the_shared_directory_or_their_own_variable(shared_tools, monkeypatch, tmp_path):
    (tmp_path / "bench" / "ceiling_app").mkdir(parents=True)
    (tmp_path / "bench" / "gen_corpus.py").write_text("")
    monkeypatch.setenv("HORSESHOE_BENCH_SHARED", str(tmp_path))
    assert shared_tools.ceiling_dir() == tmp_path / "bench" / "ceiling_app"
    own = tmp_path / "my_gen.py"
    own.write_text("")
    monkeypatch.setenv("HORSESHOE_BENCH_GEN", str(own))
    assert shared_tools.gen_corpus() == own
