"""SSH host keys: trust on first use (default) or strict checking against a known_hosts file.

TOFU keeps one OpenSSH known_hosts file per switch under `<runs>/known_hosts.d/` (one file per
switch, so concurrent sessions never write the same file). Paramiko checks a switch against it
before authenticating: a changed key is refused before any password is sent."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fleetreg.core.host_paths import host_file

TOFU_DIR = "known_hosts.d"
_LEGACY_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")  # how files were named before host_file
HOST_KEYS_EXTRA = "fleetreg_host_keys"  # connection-plugin extra: {"mode": ..., "file": ...}


@dataclass(frozen=True)
class HostKeyPolicy:
    mode: Literal["tofu", "strict"]
    path: Path  # tofu: the folder of per-switch files; strict: the known_hosts file

    @classmethod
    def for_runs(cls, runs_dir: Path, known_hosts: Path | None = None) -> HostKeyPolicy:
        if known_hosts is not None:
            return cls("strict", known_hosts)
        return cls("tofu", runs_dir / TOFU_DIR)

    def file_for(self, host: str) -> Path:
        return self.path if self.mode == "strict" else host_file(self.path, host)

    def connection_options(self, host: str) -> dict[str, Any]:
        """What opening this switch's session needs (tasks.connection.cli_params reads it)."""
        file = self.file_for(host)
        if self.mode == "tofu":
            self._adopt_legacy_file(host, file)
        return {"mode": self.mode, "file": str(file)}

    def _adopt_legacy_file(self, host: str, file: Path) -> None:
        """A key recorded under the name older versions used (`SW1`, now `SW1~<digest>`) stays
        pinned: copied to the new name, never trusted again on first use. Two hosts that
        shared a legacy file both get its key; the wrong one is then refused, not trusted."""
        legacy = self.path / _LEGACY_UNSAFE.sub("_", host)
        if legacy == file or legacy.name in ("", ".", "..") or file.exists() or not legacy.is_file():
            return
        try:
            shutil.copyfile(legacy, file)
            os.chmod(file, 0o600)
        except OSError:
            pass  # no copy: the switch's key is checked as a first use, as before


def known_hosts_name(hostname: str, port: int) -> str:
    return hostname if port == 22 else f"[{hostname}]:{port}"


def fingerprint(key_type: str, key_b64: str) -> str:
    digest = hashlib.sha256(base64.b64decode(key_b64)).digest()
    return f"{key_type} SHA256:{base64.b64encode(digest).decode().rstrip('=')}"


def record_first_use(file: Path, hostname: str, port: int, key_type: str, key_b64: str) -> bool:
    """Write the switch's key if it has none recorded yet; True when it was written now."""
    file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as handle:
        handle.write(f"{known_hosts_name(hostname, port)} {key_type} {key_b64}\n")
    return True
