"""Session logs: what a switch printed during fleetreg's session, secrets masked, per switch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MASK = "********"
MAX_PENDING = 8192  # a "line" longer than this is written without waiting for its end


@dataclass(frozen=True)
class SessionLogSpec:
    """Where a session's log goes and what it must never contain; each transport opens its own
    writer from it (Netmiko: its SessionLog with no_log; asyncssh: MaskedLog)."""

    path: Path
    secrets: tuple[str, ...]


class MaskedLog:
    """Appends what the switch printed. Complete lines are written with every secret replaced;
    the last, unfinished line waits for its end, since a secret can arrive in two reads (secrets
    never hold a line break). Masking per line, not per read: cheap at hundreds of sessions."""

    def __init__(self, spec: SessionLogSpec) -> None:
        self._secrets = sorted({s for s in spec.secrets if s}, key=len, reverse=True)
        self._keep = max((len(s) for s in self._secrets), default=1) - 1
        self._file = spec.path.open("a", encoding="utf-8")
        self._pending = ""

    def write(self, data: str) -> None:
        text = self._pending + data
        cut = text.rfind("\n") + 1
        if not cut and len(text) > MAX_PENDING:
            cut = len(text) - self._keep
        self._pending = text[cut:]
        if cut:
            self._file.write(self._mask(text[:cut]))

    def close(self) -> None:
        if self._file.closed:
            return
        if self._pending:
            self._file.write(self._mask(self._pending))
            self._pending = ""
        self._file.close()

    def _mask(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text
