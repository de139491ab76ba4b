"""The layout is the architecture, checked: import-linter's contracts in pyproject.toml (layers
cli > services > shell > tasks > core; a core without I/O; an emulator without product imports)
over the package as it installs (scripts/package-tree)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture(scope="module")
def package_tree() -> Path:
    out = subprocess.run([str(REPO / "scripts" / "package-tree")], capture_output=True, text=True, check=True)
    return REPO / out.stdout.strip()


def lint_imports(tree: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        cwd=tree,  # lint-imports puts its working directory first on sys.path
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_contracts_hold(package_tree: Path) -> None:
    result = lint_imports(package_tree, REPO / "pyproject.toml")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "3 kept, 0 broken" in result.stdout


def test_the_contracts_see_every_layer(package_tree: Path) -> None:
    """grimp (import-linter's graph) finds every layer in the tree, tasks included, and the
    imports between them. In its own process: this one imported fleetreg from the checkout."""
    probe = textwrap.dedent(
        """
        import json, grimp
        graph = grimp.build_graph("fleetreg", "mock_devices", cache_dir=None)
        print(json.dumps({
            "modules": sorted(graph.modules),
            "scheduler_uses_tasks": graph.direct_import_exists(
                importer="fleetreg.shell.scheduler", imported="fleetreg.tasks.connection"
            ),
        }))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(package_tree)}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=package_tree, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    layers = ("cli.main", "services.apply", "shell.scheduler", "tasks.connection", "core.planner")
    for module in (*(f"fleetreg.{name}" for name in layers), "mock_devices.server"):
        assert module in found["modules"]
    assert found["scheduler_uses_tasks"]


def test_a_core_module_doing_io_breaks_a_contract(package_tree: Path, tmp_path: Path) -> None:
    """The contracts can fail: the same tree plus a core module that opens a socket is refused."""
    tree = tmp_path / "tree"
    shutil.copytree(package_tree, tree, symlinks=False)
    (tree / "fleetreg" / "core" / "sneaky.py").write_text("import socket\nfrom fleetreg.shell import journal\n")
    result = lint_imports(tree, REPO / "pyproject.toml")
    assert result.returncode == 1
    assert "fleetreg.core.sneaky -> socket" in result.stdout
    assert "fleetreg.core.sneaky -> fleetreg.shell.journal" in result.stdout


def test_the_emulator_importing_the_product_breaks_a_contract(package_tree: Path, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(package_tree, tree, symlinks=False)
    (tree / "mock_devices" / "leak.py").write_text(textwrap.dedent("from fleetreg.core import errors\n"))
    result = lint_imports(tree, REPO / "pyproject.toml")
    assert result.returncode == 1
    assert "mock_devices.leak -> fleetreg.core.errors" in result.stdout
