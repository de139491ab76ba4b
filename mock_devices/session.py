"""One CLI session (vty line) on a switch: mode stack, dialogues (enable password, copy
destination, yes/no confirmations), pipes, faults. Implements interface.Session."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mock_devices.cli_tree import CliError, Match, kw, match, render_error, rest
from mock_devices.config import filter_begin, filter_count, filter_include, filter_section
from mock_devices.interface import Reply
from mock_devices.modes import MODES, prompt_for, tree_for

if TYPE_CHECKING:
    from mock_devices.switch import Switch

CTRL_Z = "\x1a"
DEFAULT_LENGTH = 24  # lines per page of a vty (`terminal length`)
DEFAULT_WIDTH = 80  # columns of a vty (`terminal width`)

_PIPE_TREE = (
    kw("begin", rest("regex", action="begin")),
    kw("count", rest("regex", action="count")),
    kw("exclude", rest("regex", action="exclude")),
    kw("include", rest("regex", action="include")),
    kw("section", rest("regex", action="section")),
)

Dialogue = Callable[[str], Reply]


@dataclass
class Frame:
    mode: str
    context: str | None = None  # profile / trustpoint / interface name of a submode


class CliSession:
    """Implements interface.Session."""

    def __init__(self, switch: Switch, *, seed: int = 0, vty: int = 0) -> None:
        self.switch = switch
        self.vty = vty  # its line: vty0, vty1, ...
        self.terminal_length = DEFAULT_LENGTH
        self.terminal_width = DEFAULT_WIDTH
        self.monitor = switch.faults.monitor_at_login
        self.stack: list[Frame] = [Frame("user" if switch.faults.user_mode_login else "exec")]
        self.dialogue: Dialogue | None = None
        self.commands_seen = 0
        self.config_commands_seen = 0
        self._rng = random.Random(seed)
        self._logs: list[str] = []
        self._log_listener: Callable[[], None] | None = None

    # --- interface.Session ------------------------------------------------------------------

    def banner(self) -> str:
        text = self.switch.faults.banner
        if not text:
            return ""
        return text if text.endswith("\n") else text + "\n"

    def prompt(self) -> str:
        return prompt_for(self.switch.hostname, self.mode)

    @property
    def scrolls_long_lines(self) -> bool:
        return self.switch.faults.scroll_long_lines

    @property
    def logging_synchronous(self) -> bool:
        return not self.switch.faults.no_logging_synchronous

    def set_log_listener(self, listener: Callable[[], None] | None) -> None:
        self._log_listener = listener

    def take_logs(self) -> list[str]:
        self.switch.tick()  # messages whose time has come reach every monitoring session
        lines, self._logs = self._logs, []
        return lines

    def next_log_in(self) -> float | None:
        if not self.monitor:
            return None
        if self._logs:
            return 0.0
        due = self.switch.next_log_due()
        return None if due is None else max(0.0, due - self.switch.clock.now())

    # --- log messages (`terminal monitor`) ----------------------------------------------------

    def set_monitor(self, on: bool) -> None:
        self.monitor = on
        if not on:
            self._logs.clear()
        self.wake()

    def receive_logs(self, lines: Sequence[str]) -> None:
        """Log messages from the switch; shown only while `terminal monitor` is on."""
        if self.monitor and lines:
            self._logs.extend(lines)
            self.wake()

    def wake(self) -> None:
        """Tell the front end to look for log messages (now, or when the next one is due)."""
        if self._log_listener is not None:
            self._log_listener()

    def handle_line(self, line: str) -> Reply:
        reply = self._handle(line)
        delay = self._delay_s() + reply.delay_s
        if delay and not (reply.drop or reply.hang):
            reply = Reply(
                reply.output, reply.prompt, reply.echo_next, reply.paginate, delay, reply.hang, reply.drop, reply.close
            )
        return reply

    # --- state helpers ------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self.stack[-1].mode

    @property
    def context(self) -> str:
        return self.stack[-1].context or ""

    @property
    def in_config(self) -> bool:
        return MODES[self.mode].is_config

    def enter(self, mode: str, context: str | None = None) -> None:
        self.stack.append(Frame(mode, context))

    def exit_mode(self) -> bool:
        """Leave the current mode; True when the session ends (exit from exec)."""
        if len(self.stack) == 1:
            return True
        leaving = self.in_config
        self.stack.pop()
        if leaving and not self.in_config:
            self.switch.config_exited(self)
        return False

    def end_config(self) -> None:
        leaving = self.in_config
        while self.in_config:
            self.stack.pop()
        if leaving:
            self.switch.config_exited(self)

    def reply(self, output: str = "", **flags: bool) -> Reply:
        return Reply(output, self.prompt(), **flags)

    def ask(self, output: str, question: str, dialogue: Dialogue, *, echo: bool = True) -> Reply:
        self.dialogue = dialogue
        return Reply(output, question, echo_next=echo, paginate=False)

    def _delay_s(self) -> float:
        faults = self.switch.faults
        if not faults.latency_ms and not faults.jitter_ms:
            return 0.0
        return (faults.latency_ms + self._rng.uniform(0.0, faults.jitter_ms)) / 1000.0

    # --- line handling ----------------------------------------------------------------------

    def _handle(self, line: str) -> Reply:
        if self.dialogue is not None:
            dialogue, self.dialogue = self.dialogue, None
            return dialogue(line)
        if line.strip() == CTRL_Z:
            line = "end" if self.in_config else ""
        if not line.strip():
            return self.reply()
        self.commands_seen += 1
        faults = self.switch.faults
        if faults.drop_after_commands is not None and self.commands_seen > faults.drop_after_commands:
            return Reply("", "", drop=True)
        if self.in_config:
            self.config_commands_seen += 1
            if faults.drop_in_config_after is not None and self.config_commands_seen > faults.drop_in_config_after:
                return Reply("", "", drop=True)
        command, pipe = self._split_pipe(line)
        result = self._match(command)
        if isinstance(result, CliError):
            return self.reply(render_error(result, self.prompt()))
        if pipe is not None and not result.action.startswith("show_"):
            return self.reply(render_error(CliError("invalid", len(command) + 1), self.prompt()))
        if faults.hang_command and result.command.startswith(faults.hang_command):
            return Reply("", "", hang=True)
        if faults.authorization_refuse and (refusal := self.switch.authorization_refusal(line, result.command)):
            return self.reply(refusal + "\n")
        reply = self._run(result, pipe, command)
        if faults.drop_after_line and " ".join(line.split()).startswith(faults.drop_after_line):
            return Reply("", "", drop=True)
        return reply

    def _split_pipe(self, line: str) -> tuple[str, str | None]:
        if "|" not in line or self.mode not in ("exec", "user"):
            return line, None
        command, _, pipe = line.partition("|")
        return command.rstrip(), pipe

    def _match(self, command: str) -> Match | CliError:
        slp = self.switch.hardware.slp
        result = match(tree_for(self.mode, slp), command)
        if isinstance(result, Match) or not self.in_config:
            return result
        # IOS runs a line the submode does not know in the enclosing modes, leaving the submode
        for depth in range(len(self.stack) - 2, -1, -1):
            ancestor = self.stack[depth].mode
            if not MODES[ancestor].is_config:
                break
            found = match(tree_for(ancestor, slp), command)
            if isinstance(found, Match):
                del self.stack[depth + 1 :]
                return found
        return result

    def _run(self, found: Match, pipe: str | None, command: str) -> Reply:
        from mock_devices.commands import HANDLERS

        handler = HANDLERS[found.action]
        reply = handler(self, found)
        if pipe is None or reply.close or reply.prompt != self.prompt():
            return reply
        filtered = self._apply_pipe(reply.output, pipe, len(command) + 1)
        return Reply(filtered, reply.prompt, paginate=reply.paginate)

    def _apply_pipe(self, output: str, pipe: str, offset: int) -> str:
        found = match(_PIPE_TREE, pipe)
        if isinstance(found, CliError):
            shifted = CliError(found.kind, found.column + offset, found.text)
            return render_error(shifted, self.prompt())
        regex = found.args["regex"]
        if found.action == "include":
            return filter_include(output, regex)
        if found.action == "exclude":
            return filter_include(output, regex, exclude=True)
        if found.action == "begin":
            return filter_begin(output, regex)
        if found.action == "count":
            return filter_count(output, regex)
        return filter_section(output, regex)

    def run_exec_line(self, command: str) -> Reply:
        """`do <command>` from a config mode: run an exec command without leaving the mode."""
        line, pipe = (
            (command.partition("|")[0].rstrip(), command.partition("|")[2]) if "|" in command else (command, None)
        )
        found = match(tree_for("exec", self.switch.hardware.slp), line)
        if isinstance(found, CliError):
            shifted = CliError(found.kind, found.column + len("do "), found.text)
            return self.reply(render_error(shifted, self.prompt()))
        if found.action in ("configure_terminal", "exit", "disable"):
            return self.reply()
        faults = self.switch.faults
        if faults.authorization_refuse and (refusal := self.switch.authorization_refusal(line, found.command)):
            return self.reply(refusal + "\n")  # authorized as the exec command it runs
        return self._run(found, pipe, "do " + line)
