"""Run folders: `runs/<timestamp>-<kind>/`, owner-only, one per discover/plan/apply run."""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orchestrator.errors import RunFolderError

DEFAULT_RUNS_DIR = Path("runs")

# Host names become file names (session logs, backups, status, raw outputs, known_hosts, configs)
# only through host_file_stem / host_file: an inventory name is data, never a path.
_UNSAFE_CHAR = re.compile(r"[^A-Za-z0-9._-]")
_PLAIN_NAME = re.compile(r"[a-z0-9_-](?:[a-z0-9._-]*[a-z0-9_-])?")  # kept as is: lower case, no dot at either end
_SUFFIX = re.compile(r"[A-Za-z0-9._-]*")
STEM_MAX = 64  # readable part of a file name, before the digest
DIGEST_SEP = "~"  # never in a name kept as is, so a digested name cannot equal a plain one
DIGEST_CHARS = 12  # hex characters of SHA-256 (48 bits)
# Names Windows reserves whatever the extension (a run folder copied there must still open)
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})


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


def host_file_stem(host: str) -> str:
    """A safe, collision-free file name stem for an inventory host name.

    A name made only of lower-case letters, digits, `.`, `_` and `-`, not starting with a dot,
    no dot at either end, at most STEM_MAX characters and not a Windows device name, is kept as it is (`sw-001`).
    Any other name keeps a readable part (every other character replaced by `_`, a leading dot
    too, cut at STEM_MAX) followed by `~` and a digest of the original name: `a/b` becomes
    `a_b~<digest>`, so it never meets `a_b` (kept as is: no `~`) or `a?b`. Upper case always
    adds the digest: on a case-insensitive file system (macOS, Windows) `SW1` and `sw1` would
    otherwise be one file. So distinct names give distinct stems, even after case folding
    (the digest is lower-case hex), and a stem is never empty, `.` or `..`, nor holds `/`."""
    if _PLAIN_NAME.fullmatch(host) and len(host) <= STEM_MAX and host.split(".")[0] not in _RESERVED:
        return host
    readable = _UNSAFE_CHAR.sub("_", host)[:STEM_MAX]
    if readable.startswith("."):
        readable = "_" + readable[1:]
    digest = hashlib.sha256(host.encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST_CHARS]
    return f"{readable}{DIGEST_SEP}{digest}"


def host_file(folder: Path, host: str, suffix: str = "") -> Path:
    """The file for `host` directly inside `folder`: `folder/<host_file_stem(host)><suffix>`.
    `suffix` is fleetreg's own (`.log`, `.before.txt`), never user input."""
    if not _SUFFIX.fullmatch(suffix):
        raise RunFolderError(f"unsafe file suffix {suffix!r}", host=host, file=str(folder))
    path = folder / f"{host_file_stem(host)}{suffix}"
    if path.parent != folder or path.name in ("", ".", ".."):
        raise RunFolderError("a host name would leave the run folder", host=host, file=str(folder))
    return path


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
