"""The transport seam: what fleetreg's tasks need from a switch's CLI session.

Two transports implement it (`tasks.ssh_cli` over asyncssh, the default; `tasks.connection`'s
Netmiko adapter, which runs Netmiko in threads), opened by `tasks.connection.open_cli`. Tasks
only see `DeviceCli`, so a step reads the same whichever transport carries it. IOS-XE's CLI
facts the transports share (prompts, paging, config mode, error lines) are data here."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tasks.session_log import SessionLogSpec


@dataclass(frozen=True)
class CliParams:
    """How to reach and log in to one switch, for either transport."""

    host: str  # the inventory name (errors, logs)
    hostname: str
    port: int
    username: str
    password: str = field(repr=False)
    secret: str | None = field(repr=False)
    platform: str
    connect_timeout: float
    host_key_mode: str | None = None  # "tofu" (record at first use) or "strict"; None: accept any key
    host_key_file: Path | None = None
    session_log: SessionLogSpec | None = None
    netmiko_extras: Mapping[str, Any] = field(default_factory=dict)  # the netmiko transport's options


def step_name(command: str) -> str:
    """A command as the step named in errors: never with its token (`register idtoken ...`)."""
    return command.split(" idtoken ")[0].strip()


class ConfigLineRejected(Exception):
    """The switch answered a config line with an error line (`% Invalid input ...`).
    The session is still usable; it may still be in config mode (see `exit_config_mode`)."""

    def __init__(self, line: str, error: str) -> None:
        super().__init__(f"{line!r}: {error}")
        self.line = line
        self.error = error


class DeviceCli(Protocol):
    """One logged-in, privileged-EXEC CLI session on one switch. Every method is a coroutine
    on the runner's event loop; errors are fleetreg errors (orchestrator.errors), except
    ConfigLineRejected, which leaves the session usable."""

    host: str  # the inventory name, for error messages

    async def send_command(self, command: str, *, read_timeout: float) -> str:
        """Run an exec command; its output without the echo and the final prompt."""
        ...

    async def send_config(
        self, lines: Sequence[str], *, read_timeout: float, enter: bool = True, leave: bool = True
    ) -> str:
        """Type `lines` in config mode (entered first unless `enter` is False, left after unless
        `leave` is False), one after the other; the first line answered by an error line raises
        ConfigLineRejected and stops typing. Returns the transcript."""
        ...

    async def exchange(self, line: str, pattern: str, *, read_timeout: float) -> str:
        """Type one line and read until `pattern` (a multi-line regex) shows in what follows its
        echo: dialogues whose questions are not prompts. Returns the text read."""
        ...

    async def write_lines(self, lines: Sequence[str]) -> None:
        """Type lines without waiting for anything (pasting a PEM into a dialogue)."""
        ...

    async def exit_config_mode(self) -> None:
        """Back to privileged EXEC (`end`) when in config mode."""
        ...

    async def close(self) -> None:
        """Log out politely (`exit`)."""
        ...

    async def abort(self) -> None:
        """Drop the session at once: it is in an unknown state (lost, hung, timed out)."""
        ...


@dataclass(frozen=True)
class CliPlatform:
    """A platform's CLI conventions, as data (scrapli's idea)."""

    any_prompt: re.Pattern[str]  # a prompt line, before the hostname is known
    prompt_line: str  # a prompt line of this switch: format with base=re.escape(hostname)
    config_prompt_end: re.Pattern[str]
    session_setup: tuple[str, ...]  # typed once after login (paging off, wide lines)
    enable_command: str
    enable_password_prompt: re.Pattern[str]
    config_enter: str
    config_exit: str
    logout: str
    error_line: re.Pattern[str]  # an error answer to a command or config line
    hostname_width: int  # IOS cuts the hostname in prompts to this many characters in config mode

    def prompt_re(self, hostname: str) -> re.Pattern[str]:
        return re.compile(self.prompt_line.format(base=re.escape(hostname[: self.hostname_width])))

    def error_in(self, output: str) -> str | None:
        found = self.error_line.search(output)
        return found.group(0).strip() if found else None


IOS_XE = CliPlatform(
    any_prompt=re.compile(r"(?:^|\n)[\w.\-@/:()]+[>#][ \t]*\Z"),
    # the hostname learned at login, the rest of the name and any (config-...) mode, > or #, nothing after
    prompt_line=r"^{base}\S*[>#][ \t]*$",
    config_prompt_end=re.compile(r"\)#[ \t]*$"),
    session_setup=("terminal width 511", "terminal length 0"),
    enable_command="enable",
    enable_password_prompt=re.compile(r"[Pp]assword:\s*$"),
    config_enter="configure terminal",
    config_exit="end",
    logout="exit",
    error_line=re.compile(r"^\s*%\s*\S.*$", re.MULTILINE),
    hostname_width=16,
)
