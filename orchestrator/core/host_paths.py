"""Host names as file names: an inventory name is data, never a path."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from fleetreg.core.errors import RunFolderError

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
