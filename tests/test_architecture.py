"""The layout stays findable (docs/architecture.md): sizes, imports inside functions only where the
app is composed, and every service module of a domain package covered by the import contracts.

Which package may import which is checked by import-linter (the contracts in pyproject.toml, run
by `make test` and by the test below).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["forum", "moderation", "search"]
DOMAIN_PACKAGES = ["accounts", "analytics", "cases", "conversations", "findability", "incidents", "integrations",
                   "knowledge", "mail", "recognition", "tagging", "uploads", "writing"]
HTTP_MODULE_NAMES = {"pages", "api"}  # a domain package's routes; everything else in it is a service
MAX_MODULES_PER_FOLDER = 25
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return [path for package in PACKAGES for path in (ROOT / package).rglob("*.py")]


def _name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_imports_inside_functions_only_in_the_composition_root(path: Path):
    tree = ast.parse(path.read_text())
    allowed = {"create_app", "init_app"} | {f.name for f in tree.body if isinstance(f, ast.FunctionDef)
                                              and f.name.startswith("configure_")}
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) and function.name not in allowed:
            inner = [n for n in ast.walk(function) if isinstance(n, ast.Import | ast.ImportFrom)]
            assert inner == [], f"{_name(path)}.{function.name} imports inside a function"


def _folders() -> list[Path]:
    return sorted({path.parent for path in _modules()})


@pytest.mark.parametrize("folder", _folders(), ids=lambda folder: str(folder.relative_to(ROOT)))
def test_no_folder_holds_more_than_25_modules(folder: Path):
    modules = [path for path in folder.glob("*.py") if path.name != "__init__.py"]
    assert len(modules) <= MAX_MODULES_PER_FOLDER, f"{folder.relative_to(ROOT)} holds {len(modules)} modules"


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_no_module_is_over_400_lines(path: Path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{_name(path)} has {lines} lines: split it by what it does"


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_no_function_is_over_60_lines(path: Path):
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == [], f"{_name(path)}: {long}"


def _contract(contract_id: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(contract for contract in config["contracts"] if contract.get("id") == contract_id)


def _domain_services() -> list[str]:
    services = []
    for package in DOMAIN_PACKAGES:
        for path in sorted((ROOT / "forum" / package).glob("*.py")):
            if path.stem != "__init__" and path.stem not in HTTP_MODULE_NAMES:
                services.append(f"forum.{package}.{path.stem}")
    return services


@pytest.mark.parametrize("module", _domain_services())
def test_every_service_of_a_domain_package_is_held_to_the_http_free_contract(module: str):
    assert module in _contract("services-http-free")["source_modules"], (
        f"{module} is not a page or API module, so list it in pyproject.toml's services-http-free contract")


def test_the_import_contracts_hold():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is a test dependency (pip install -e '.[test]')"
    result = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:]
