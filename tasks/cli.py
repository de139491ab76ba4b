"""The transport seam: what fleetreg's tasks need from a switch's CLI session.

Two transports implement it (`tasks.ssh_cli` over asyncssh, the default; `tasks.connection`'s
Netmiko adapter), each opened by a Nornir connection plugin of the same name. Tasks only see
`DeviceCli`, so a step reads the same whichever transport carries it. IOS-XE's CLI facts the
transports share (prompts, paging, config mode, error lines) are data here, not code."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class ConfigLineRejected(Exception):
    """The switch answered a config line with an error line (`% Invalid input ...`).
    The session is still usable; it may still be in config mode (see `exit_config_mode`)."""

    def __init__(self, line: str, error: str) -> None:
        super().__init__(f"{line!r}: {error}")
        self.line = line
        self.error = error


class DeviceCli(Protocol):
    """One logged-in, privileged-EXEC CLI session on one switch."""

    def send_command(self, command: str, *, read_timeout: float) -> str:
        """Run an exec command; its output without the echo and the final prompt."""
        ...

    def send_config(self, lines: Sequence[str], *, read_timeout: float, enter: bool = True, leave: bool = True) -> str:
        """Type `lines` in config mode (entered first unless `enter` is False, left after unless
        `leave` is False), one after the other; the first line answered by an error line raises
        ConfigLineRejected and stops typing. Returns the transcript."""
        ...

    def exchange(self, line: str, pattern: str, *, read_timeout: float) -> str:
        """Type one line and read until `pattern` (a multi-line regex) shows in what follows its
        echo: dialogues whose questions are not prompts. Returns the text read."""
        ...

    def write_lines(self, lines: Sequence[str]) -> None:
        """Type lines without waiting for anything (pasting a PEM into a dialogue)."""
        ...

    def exit_config_mode(self) -> None:
        """Back to privileged EXEC (`end`) when in config mode."""
        ...

    def close(self) -> None:
        """Log out politely (`exit`)."""
        ...

    def abort(self) -> None:
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
