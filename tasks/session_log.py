"""Session logs: what a switch printed during fleetreg's session, secrets masked, per switch."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MASK = "********"
MAX_PENDING = 8192  # a "line" longer than this is written without waiting for its end

# Commands whose output never reaches a session log, in any abbreviation IOS accepts: whole
# configurations hold user hashes, SNMP communities and keys. Both transports ask `unlogged`
# before sending a command; the log then holds one line saying what was left out.
UNLOGGED_COMMANDS: tuple[re.Pattern[str], ...] = (
    re.compile(r"sh(?:o|ow)?\s+run", re.IGNORECASE),  # show running-config [...]
    re.compile(r"sh(?:o|ow)?\s+star", re.IGNORECASE),  # show startup-config
    re.compile(r"sh(?:o|ow)?\s+(?:conf|archive\s+conf)", re.IGNORECASE),
    re.compile(r"sh(?:o|ow)?\s+tec", re.IGNORECASE),  # show tech-support: holds the running config
    re.compile(r"more\s+\S*(?:running|startup)-config", re.IGNORECASE),
)


def unlogged(command: str) -> bool:
    """Is the output of `command` kept out of session logs?"""
    text = command.strip()
    return any(pattern.match(text) for pattern in UNLOGGED_COMMANDS)


def unlogged_note(command: str, lines: int | None) -> str:
    """The line a session log holds instead of the output of an `unlogged` command."""
    count = "its output" if lines is None else f"{lines} lines of output"
    kept = "; --keep-configs keeps a masked copy in the run folder" if command.strip() == "show running-config" else ""
    return f"[{command.strip()}: {count} not logged{kept}]\n"


@dataclass(frozen=True)
class SessionLogSpec:
    """Where a session's log goes and what it must never contain; each transport opens its own
    writer from it (Netmiko: its SessionLog with no_log; asyncssh: MaskedLog)."""

    path: Path
    secrets: tuple[str, ...]


class MaskedLog:
    """Appends what the switch printed. Complete lines are written with every secret replaced;
    the last, unfinished line waits for its end, since a secret can arrive in two reads (secrets
    never hold a line break). Masking per line, not per read: cheap at hundreds of sessions.
    Every write of complete lines is flushed to the OS at once, so a run killed with SIGKILL
    leaves its log complete up to the last line read. Between `hold` and `release` nothing is
    written (the output of an `unlogged` command)."""

    def __init__(self, spec: SessionLogSpec) -> None:
        self._secrets = sorted({s for s in spec.secrets if s}, key=len, reverse=True)
        self._keep = max((len(s) for s in self._secrets), default=1) - 1
        self._file = spec.path.open("a", encoding="utf-8")
        self._pending = ""
        self._holding = False

    def write(self, data: str) -> None:
        if self._holding or self._file.closed:
            return
        text = self._pending + data
        cut = text.rfind("\n") + 1
        if not cut and len(text) > MAX_PENDING:
            cut = len(text) - self._keep
        self._pending = text[cut:]
        if cut:
            self._file.write(self._mask(text[:cut]))
            self._file.flush()

    def hold(self) -> None:
        """Write nothing more until `release` (the unfinished line read so far is kept)."""
        self._holding = True

    def release(self, text: str = "") -> None:
        """Log again, starting with `text` (what stands for the output that was held back)."""
        self._holding = False
        if text:
            self.write(text)

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
