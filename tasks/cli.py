"""The transport seam: what fleetreg's tasks need from a switch's CLI session.

Two transports implement it, each opened as a Nornir connection plugin: stock Netmiko through
nornir-netmiko (`netmiko`, the default; `tasks.netmiko_cli` adapts it) and fleetreg's own
asyncssh driver (`fleetreg_asyncssh`, opt-in; `tasks.asyncssh_plugin`). Tasks only see
`DeviceCli` (`tasks.connection.device_cli`), so a step reads the same whichever transport
carries it. IOS-XE's CLI
facts the transports share (prompts, paging, config mode, error lines) are data here."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from fleetreg.core.errors import CommandError, DeviceError
from fleetreg.tasks.session_log import SessionLogSpec


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
    setting_origins: Mapping[str, str] = field(default_factory=dict)  # value -> setting, for refused lines
    typeahead: bool = False  # asyncssh: type a section's settings without waiting for each echo


def step_name(command: str) -> str:
    """A command as the step named in errors: never with its token (`register idtoken ...`)."""
    return command.split(" idtoken ")[0].strip()


class ConfigLineRejected(Exception):
    """The switch answered config lines with error lines (`% Invalid input ...`, an authorization
    refusal). `rejected`: each refused line with its error, in order (`line`, `error`: the first);
    `typed`: how many of the lines given to `send_config` the switch received (typing stops after
    the batch of the first refused line, see `config_batches`; 0 when `configure terminal` itself
    was refused). The session is still usable; it may still be in config
    mode (see `exit_config_mode`)."""

    def __init__(self, rejected: Sequence[tuple[str, str]], typed: int) -> None:
        line, error = rejected[0]
        super().__init__(f"{line!r}: {error}")
        self.line = line
        self.error = error
        self.rejected = tuple(rejected)
        self.typed = typed


SECTION_EXITS = ("exit", "end")


def config_batches(lines: Sequence[str]) -> list[list[str]]:
    """Group indented config lines into what may be typed without waiting for each prompt: the
    settings of one section, up to the line that changes the mode. A batch ends after a top-level
    line (it may open a section, or ask a question), after `exit`, after a line whose section
    follows (deeper indentation next), and before a change of depth. So every line that changes
    the mode has been answered, without an error, before anything typed in that mode is sent; a
    refused setting can only be followed by its siblings in the same section. Lines come back
    stripped; unindented input gives one line per batch (typed one at a time)."""
    batches: list[list[str]] = []
    current: list[str] = []
    items = [(len(line) - len(line.lstrip()), line.strip()) for line in lines if line.strip()]
    for index, (depth, text) in enumerate(items):
        current.append(text)
        following = items[index + 1][0] if index + 1 < len(items) else None
        if depth == 0 or text in SECTION_EXITS or following != depth:
            batches.append(current)
            current = []
    return batches


class DeviceCli(Protocol):
    """One logged-in, privileged-EXEC CLI session on one switch. Methods block until the switch
    answered (Nornir tasks run them in worker threads); errors are fleetreg errors
    (fleetreg.core.errors), except ConfigLineRejected, which leaves the session usable."""

    host: str  # the inventory name, for error messages

    def send_command(self, command: str, *, read_timeout: float) -> str:
        """Run an exec command; its output without the echo and the final prompt. A command
        refused by per-command authorization raises CommandError (`CliPlatform.check_authorized`)."""
        ...

    def send_config(self, lines: Sequence[str], *, read_timeout: float, enter: bool = True, leave: bool = True) -> str:
        """Type `lines` (indented as in a running config) in config mode, entered first unless
        `enter` is False, left after unless `leave` is False. A transport may type each batch of
        `config_batches` at once; an error line raises ConfigLineRejected after the batch that
        holds it, and nothing more is typed. Returns the transcript."""
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
    prompt_head: str  # this switch's prompt at the start of a line: format with base=re.escape(hostname)
    config_prompt_end: re.Pattern[str]
    session_setup: tuple[str, ...]  # typed once after login (paging off, wide lines)
    enable_command: str
    enable_password_prompt: re.Pattern[str]
    config_enter: str
    config_exit: str
    logout: str
    error_line: re.Pattern[str]  # an error answer to a command or config line (authorization refusals included)
    refusal_line: re.Pattern[str]  # per-command authorization (AAA, TACACS+) refused the command: no `%` needed
    hostname_width: int  # IOS cuts the hostname in prompts to this many characters in config mode

    def prompt_re(self, hostname: str) -> re.Pattern[str]:
        """A prompt line of this switch, alone at the end of what was read."""
        return re.compile(self._head(hostname) + r"$")

    def prompt_head_re(self, hostname: str) -> re.Pattern[str]:
        """This switch's prompt at the start of any line, whatever is typed after it."""
        return re.compile(self._head(hostname), re.MULTILINE)

    def _head(self, hostname: str) -> str:
        return self.prompt_head.format(base=re.escape(hostname[: self.hostname_width]))

    def error_in(self, output: str) -> str | None:
        """The first error line in a command's or config line's answer, or None."""
        found = self.error_line.search(output)
        return found.group(0).strip() if found else None

    def refused(self, error: str) -> bool:
        """`error` (an answer's error line) is an authorization refusal, not a syntax or state error."""
        return self.refusal_line.search(error) is not None

    def refusal_in(self, output: str) -> str | None:
        """The authorization refusal an exec command was answered with instead of its output (its
        first line), or None. Only the first line counts: a config shown later may hold any text."""
        first = next((line.strip() for line in output.splitlines() if line.strip()), "")
        return first if self.refusal_line.fullmatch(first) else None

    def check_setup_answer(self, output: str | CommandError, *, host: str, command: str) -> None:
        """A session-setup command (`session_setup`) must be accepted: a switch that refuses
        `terminal width 511` would scroll long echoed lines with `$`, one that refuses `terminal
        no monitor` would interleave syslog with answers. `output`: its answer, or the refusal
        it raised. DeviceError (step `connect`) naming the command."""
        error = output.message.rsplit(": ", 1)[-1] if isinstance(output, CommandError) else self.error_in(output)
        if error:
            raise DeviceError(f"{command!r} refused at login: {error}", host=host, step="connect")

    def check_authorized(self, output: str, *, host: str, command: str) -> None:
        """Both transports' check of an exec command's answer: CommandError (the session stays
        usable) when per-command authorization refused `command`. Names the command without its
        token (`step_name`)."""
        refusal = self.refusal_in(output)
        if refusal is not None:
            name = step_name(command)
            raise CommandError(f"{name!r} refused by the switch: {refusal}", host=host, step=name)


# What IOS-XE prints instead of running a command that per-command authorization (`aaa authorization
# commands`, TACACS+) refused; the first has no `%`. Exec commands and config lines alike.
IOS_XE_REFUSAL = r"(?:Command authorization failed\b|%\s*Authorization failed\b|Command rejected:).*"

IOS_XE = CliPlatform(
    any_prompt=re.compile(r"(?:^|\n)[\w.\-@/:()]+[>#][ \t]*\Z"),
    # the hostname learned at login, the rest of the name and any (config-...) mode, up to the first > or #
    prompt_head=r"^{base}\S*?[>#][ \t]*",
    config_prompt_end=re.compile(r"\)#[ \t]*$"),
    # paging off, lines as wide as IOS allows (no `$` scrolling of long echoed lines), no syslog
    # messages interleaved with answers; each answer is checked (tasks.cli.check_session_setup)
    session_setup=("terminal width 511", "terminal length 0", "terminal no monitor"),
    enable_command="enable",
    enable_password_prompt=re.compile(r"[Pp]assword:\s*$"),
    config_enter="configure terminal",
    config_exit="end",
    logout="exit",
    error_line=re.compile(rf"^\s*(?:%\s*\S.*|{IOS_XE_REFUSAL})$", re.MULTILINE),
    refusal_line=re.compile(rf"^\s*{IOS_XE_REFUSAL}$", re.MULTILINE),
    hostname_width=16,
)
