"""`python bench/patched_cli.py ARGS...`: `fleetreg ARGS...` with module constants overridden
from $FLEETREG_BENCH_PATCH ("module:NAME=value,..."), for A/B runs of one tuning at a time, e.g.
FLEETREG_BENCH_PATCH="fleetreg.tasks.connection:READ_WAIT_S=0,fleetreg.tasks.connection:TRANSPORT_WAKE_S=0.1"
gives Netmiko's own polling reads back. Used by fleet_bench.py --patch; not part of fleetreg."""

from __future__ import annotations

import ast
import importlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def apply_patches(spec: str) -> None:
    for item in filter(None, (part.strip() for part in spec.split(","))):
        target, _, value = item.partition("=")
        module_name, _, name = target.partition(":")
        module = importlib.import_module(module_name)
        if not hasattr(module, name):
            raise SystemExit(f"patched_cli: {module_name} has no {name}")
        setattr(module, name, ast.literal_eval(value))


if __name__ == "__main__":
    apply_patches(os.environ.get("FLEETREG_BENCH_PATCH", ""))
    from fleetreg.cli.main import main

    sys.exit(main(sys.argv[1:]))
