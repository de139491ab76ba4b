"""A package that installs: `pip install .` (not editable) into a fresh virtualenv, with the
emulator as its own distribution, then `fleetreg demo` from a folder outside the repository.
Nothing of the checkout is importable there: templates come from the installed package data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
NOT_SOURCES = (".git", ".venv", "runs", "build", "*.egg-info", "__pycache__", ".*_cache")


def run(*args: str | Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith("FLEETREG_")
    }
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("venv")
    outside = venv.parent
    created = run(sys.executable, "-m", "venv", venv, cwd=outside)
    assert created.returncode == 0, created.stderr
    # from a copy: building a wheel writes build/ and *.egg-info next to the sources
    source = outside / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*NOT_SOURCES))
    pip = run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", source, source / "mock_devices", cwd=outside)
    assert pip.returncode == 0, pip.stdout[-2000:] + pip.stderr[-3000:]
    return venv


def test_the_installed_package_is_one_import_package_with_its_templates(installed: Path, tmp_path: Path) -> None:
    probe = (
        "import importlib.util, json, fleetreg, fleetreg.templates as t, mock_devices\n"
        "templates = sorted(p.name for p in t.BUNDLED_DIR.rglob('*.*'))\n"
        "top = [n for n in ('orchestrator', 'tasks') if importlib.util.find_spec(n)]\n"
        "mock = mock_devices.__file__\n"
        "print(json.dumps({'fleetreg': fleetreg.__file__, 'templates': templates, 'top': top, 'mock': mock}))"
    )
    result = run(installed / "bin" / "python", "-c", probe, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["fleetreg"].startswith(str(installed)) and found["mock"].startswith(str(installed))
    assert found["top"] == []  # no `orchestrator` or `tasks` package lands in site-packages
    assert {"callhome.j2", "slp.j2", "report.html.j2", "runbook.md.j2", "cisco_xe_show_license_status.textfsm"} <= set(
        found["templates"]
    )


def test_fleetreg_demo_runs_from_the_installed_package(installed: Path, tmp_path: Path) -> None:
    result = run(installed / "bin" / "fleetreg", "demo", "--runs-dir", tmp_path / "runs", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Satellite now lists" in result.stdout
    apply_dir = sorted((tmp_path / "runs").glob("*-apply"))[-1]
    assert (apply_dir / "report.html").is_file() and (apply_dir / "hosts.csv").is_file()
