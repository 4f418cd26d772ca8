"""Where the workplace's shared benchmark tools are: taken from the environment, never a machine's path.

The corpus generator and the ceiling app live outside this repository (the team's shared
directory). `HORSESHOE_BENCH_SHARED` names that directory (`make bench` passes its
`BENCH_SHARED` setting, `../shared` unless overridden); `HORSESHOE_BENCH_GEN` and
`HORSESHOE_BENCH_CEILING` override one tool each. Missing either way is a clear error, not a
traceback from deep inside a run.
"""

from __future__ import annotations

import os
from pathlib import Path

SHARED = "HORSESHOE_BENCH_SHARED"


class MissingSharedTool(SystemExit):
    """Raised (and shown as the exit message) when a shared tool cannot be found."""


def shared_path(variable: str, relative: str) -> Path:
    """The tool named by `variable`, else `relative` under the shared directory; it must exist."""
    explicit = os.environ.get(variable, "").strip()
    shared = os.environ.get(SHARED, "").strip()
    if explicit:
        path = Path(explicit)
    elif shared:
        path = Path(shared) / relative
    else:
        raise MissingSharedTool(
            f"bench: set {SHARED} to the shared directory that holds {relative} "
            f"(make bench uses BENCH_SHARED=../shared), or {variable} to the tool itself"
        )
    if not path.exists():
        source = variable if explicit else SHARED
        raise MissingSharedTool(f"bench: {path} does not exist (from {source}); {relative} is needed")
    return path


def gen_corpus() -> Path:
    return shared_path("HORSESHOE_BENCH_GEN", "bench/gen_corpus.py")


def ceiling_dir() -> Path:
    return shared_path("HORSESHOE_BENCH_CEILING", "bench/ceiling_app")
