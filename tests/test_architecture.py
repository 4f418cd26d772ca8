"""Import direction (architecture.md): models → nothing; services → models; forum never imports
moderation or search; imports inside functions only in create_app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["forum", "moderation", "search"]


def _modules() -> list[Path]:
    return [path for package in PACKAGES for path in (ROOT / package).rglob("*.py")]


def _imports(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


FORBIDDEN = {
    "forum.models": ("forum.services", "forum.web", "forum.api", "forum.jobs", "forum.cli", "moderation", "search"),
    "forum.services": ("forum.web", "forum.api", "forum.cli", "moderation", "search", "flask_login"),
    "forum": ("moderation", "search"),
}


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_module_imports_follow_the_layering(path: Path):
    module = _name(path)
    if module in {"forum", "forum.__init__"}:
        return  # the composition root (create_app) wires every package together
    imported = _imports(ast.parse(path.read_text()))
    for layer, banned in FORBIDDEN.items():
        if module == layer or module.startswith(layer + "."):
            wrong = [name for name in imported if name.startswith(banned)]
            assert wrong == [], f"{module} must not import {wrong}"


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_imports_inside_functions_only_in_the_composition_root(path: Path):
    tree = ast.parse(path.read_text())
    allowed = {"create_app", "init_app"} | {f.name for f in tree.body if isinstance(f, ast.FunctionDef)
                                              and f.name.startswith("configure_")}
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) and function.name not in allowed:
            inner = [n for n in ast.walk(function) if isinstance(n, ast.Import | ast.ImportFrom)]
            assert inner == [], f"{_name(path)}.{function.name} imports inside a function"
