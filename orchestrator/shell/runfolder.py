"""Run folders: `runs/<timestamp>-<kind>/`, owner-only, one per discover/plan/apply run."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fleetreg.core.errors import RunFolderError

DEFAULT_RUNS_DIR = Path("runs")


def _now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")[:-4] + "Z"


def create_run(kind: str, runs_dir: Path = DEFAULT_RUNS_DIR) -> Path:
    try:
        runs_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for attempt in range(100):
            suffix = f"-{attempt}" if attempt else ""
            path = runs_dir / f"{_now_stamp()}-{kind}{suffix}"
            try:
                path.mkdir(mode=0o700)
            except FileExistsError:
                continue
            os.chmod(path, 0o700)
            return path
    except OSError as exc:
        raise RunFolderError(f"cannot create run folder: {exc.strerror or exc}", file=str(runs_dir)) from None
    raise RunFolderError("cannot create a unique run folder", file=str(runs_dir))


@contextmanager
def new_run(kind: str, runs_dir: Path = DEFAULT_RUNS_DIR) -> Iterator[Path]:
    """A run folder that exists only if what fills it succeeds: a failed or interrupted plan or
    discover leaves no half-written folder for `--from` or a reviewer to pick up."""
    path = create_run(kind, runs_dir)
    try:
        yield path
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise


def runs_dir_of(path: Path) -> Path:
    """The runs folder holding a plan or run folder (or a plan.json inside one): where its
    journal is, and where the runs made from it go unless told otherwise."""
    folder = path if path.is_dir() else path.parent
    return folder.resolve().parent


def default_runs_dir(run: str | Path | None, runs_dir: Path | None) -> Path:
    """--runs-dir when given; else the runs folder of a plan or run named by its path; else ./runs."""
    if runs_dir is not None:
        return runs_dir
    if run is not None and Path(run).exists():
        return runs_dir_of(Path(run))
    return DEFAULT_RUNS_DIR


def find_run(run: str, runs_dir: Path = DEFAULT_RUNS_DIR) -> Path:
    """A run named by path or by id (folder name, or a unique prefix of it)."""
    path = Path(run)
    if path.is_dir():
        return path
    candidates = sorted(p for p in runs_dir.glob(f"{run}*") if p.is_dir()) if runs_dir.is_dir() else []
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise RunFolderError(f"unknown run {run!r}", file=str(runs_dir))
    raise RunFolderError(f"run id {run!r} is ambiguous ({len(candidates)} runs match)", file=str(runs_dir))


def write_private(path: Path, text: str) -> Path:
    """Write a file readable by its owner only (run folders hold device state)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise RunFolderError(f"cannot write: {exc.strerror or exc}", file=str(path)) from None
    return path


def write_json(path: Path, data: Any) -> Path:
    return write_private(path, json.dumps(data, indent=2, sort_keys=False) + "\n")
