"""The one gate where text becomes a CLI line: `GatedCli` wraps whichever transport a session
uses, and every line it is asked to type (exec commands, config lines, dialogue answers, pasted
text) passes `orchestrator.cli_text.gate_line` first. A refused line is never sent, not even in
part: the whole call is checked before the transport sees it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fleetreg.core.cli_text import gate_line
from fleetreg.tasks.cli import DeviceCli


class GatedCli:
    """A DeviceCli that refuses control characters (and IOS's `?`) in anything it types."""

    def __init__(self, inner: DeviceCli, origins: Mapping[str, str] | None = None) -> None:
        self.inner = inner
        self.host = inner.host
        self.origins = dict(origins or {})

    def _checked(self, lines: Sequence[str]) -> None:
        for line in lines:
            gate_line(line, host=self.host, origins=self.origins)

    def send_command(self, command: str, *, read_timeout: float) -> str:
        self._checked((command,))
        return self.inner.send_command(command, read_timeout=read_timeout)

    def send_config(self, lines: Sequence[str], *, read_timeout: float, enter: bool = True, leave: bool = True) -> str:
        self._checked(lines)
        return self.inner.send_config(lines, read_timeout=read_timeout, enter=enter, leave=leave)

    def exchange(self, line: str, pattern: str, *, read_timeout: float) -> str:
        self._checked((line,))
        return self.inner.exchange(line, pattern, read_timeout=read_timeout)

    def write_lines(self, lines: Sequence[str]) -> None:
        self._checked(lines)
        self.inner.write_lines(lines)

    def exit_config_mode(self) -> None:
        self.inner.exit_config_mode()

    def close(self) -> None:
        self.inner.close()

    def abort(self) -> None:
        self.inner.abort()
