"""The default transport: every switch's SSH session on the runner's asyncio loop (asyncssh).

Why not Netmiko here (measured, bench/README.md): with paramiko each session has its own
transport thread and Netmiko's read loops run in a worker thread per switch, so at 100-200
sessions a migration cost 150-200 ms of CPU per switch and each round trip queued for the GIL.
Here one thread does everything: a step awaits the switch's answer, and the loop serves the
other switches meanwhile. No thread per session, no polling.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import asyncssh
from fleetreg.core.errors import (
    AuthError,
    CommandError,
    CommandTimeout,
    ConnectError,
    DeviceError,
    HostKeyError,
    UnknownHostKeyError,
)
from fleetreg.tasks.cli import IOS_XE, CliParams, CliPlatform, ConfigLineRejected, config_batches, step_name
from fleetreg.tasks.host_keys import fingerprint, record_first_use
from fleetreg.tasks.session_log import MaskedLog, unlogged, unlogged_note

T = TypeVar("T")
Matcher = Callable[[str], int | None]  # end of the wanted text in what was read, or None: read on

# Cheap algorithms first (all in IOS-XE's lists); the rest stay available for older switches.
KEX_ALGS = (
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group14-sha1",
)
ENCRYPTION_ALGS = (
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
    "chacha20-poly1305@openssh.com",
    "aes128-cbc",
    "aes256-cbc",
)
GREETING_WAIT_S = 5.0  # IOS prints its prompt when the shell opens; press Enter only if it did not
CLOSE_WAIT_S = 2.0


# ------------------------------------------------------------------ host keys
class _Client(asyncssh.SSHClient):
    """Checks the switch's host key against the run's policy before any password is sent:
    tofu (the switch's own known_hosts file, written at first use) or strict (the operator's
    known_hosts; a switch not in it is refused). No file: any key is accepted."""

    def __init__(self, params: CliParams) -> None:
        self.params = params
        self.problem: HostKeyError | None = None

    def validate_host_public_key(self, host: str, addr: str, port: int, key: asyncssh.SSHKey) -> bool:
        file, hostname, switch_port = self.params.host_key_file, self.params.hostname, self.params.port
        if file is None:
            return True
        got = _key_text(key)
        known = _known_keys(file, hostname, addr, switch_port)
        if any(k == got for k in known):
            return True
        if known:
            expected = fingerprint(*known[0])
            self.problem = HostKeyError(
                f"expected {expected}, got {fingerprint(*got)} "
                "(if the switch was replaced, delete its known_hosts entry)"
            )
            return False
        if self.params.host_key_mode == "strict":
            self.problem = UnknownHostKeyError("not in the --known-hosts file (strict checking)")
            return False
        record_first_use(file, hostname, switch_port, *got)
        return True


def _key_text(key: asyncssh.SSHKey) -> tuple[str, str]:
    algorithm, b64 = key.export_public_key("openssh").decode().split()[:2]
    return algorithm, b64


def _known_keys(file: Path, hostname: str, addr: str, port: int) -> list[tuple[str, str]]:
    if not file.exists():
        return []
    try:
        keys = asyncssh.read_known_hosts(str(file)).match(hostname, addr, port)[0]
    except (OSError, ValueError, asyncssh.KeyImportError):
        return []
    return [_key_text(k) for k in keys]


# ------------------------------------------------------------------ one shell, on the loop
class _Shell(asyncssh.SSHClientSession[str]):
    """The interactive shell's byte stream. One wait at a time: a matcher over what was read
    since the last wait ended, and the answer a worker thread waits for."""

    def __init__(self, session_log: MaskedLog | None) -> None:
        self.text = ""
        self.chan: asyncssh.SSHClientChannel[str] | None = None
        self.session_log = session_log
        self.lost: str | None = None
        self._matcher: Matcher | None = None
        self._answer: asyncio.Future[str] | None = None
        self._unlogged: str | None = None  # the command whose answer the log leaves out

    def connection_made(self, chan: asyncssh.SSHClientChannel[str]) -> None:
        self.chan = chan

    def data_received(self, data: str, datatype: asyncssh.DataType) -> None:
        self.text += data
        if self.session_log is not None:
            self.session_log.write(data)
        self._check()

    def eof_received(self) -> bool:
        self._lose("the switch closed the session")
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._lose(f"SSH session lost: {exc}" if exc else "the switch closed the session")

    def begin(
        self, write: str | None, matcher: Matcher, answer: asyncio.Future[str], *, unlogged: str | None = None
    ) -> None:
        """Write `write`, then wait for `matcher`. `unlogged`: a command whose answer (its echo,
        output and prompt) the session log replaces with one line (tasks.session_log)."""
        if self.lost is not None:
            answer.set_exception(ConnectError(self.lost))
            return
        self._matcher, self._answer = matcher, answer
        if unlogged is not None and self.session_log is not None:
            self._unlogged = unlogged
            self.session_log.hold()
        if write is not None and self.chan is not None:
            self.chan.write(write)
        self._check()

    def cancel(self, answer: asyncio.Future[str]) -> None:
        if self._answer is answer:
            self._matcher = self._answer = None
            self._end_unlogged(None)

    def _check(self) -> None:
        if self._matcher is None or self._answer is None:
            return
        end = self._matcher(self.text)
        if end is None:
            return
        wanted, self.text = self.text[:end], self.text[end:]
        answer, self._matcher, self._answer = self._answer, None, None
        self._end_unlogged(wanted)
        if not answer.done():
            answer.set_result(wanted)

    def _end_unlogged(self, wanted: str | None) -> None:
        """Log again after an unlogged command: its echo, one line instead of its output, its
        prompt, then whatever was read after (it belongs to what comes next)."""
        command, self._unlogged = self._unlogged, None
        if command is None or self.session_log is None:
            return
        if wanted is None:  # timed out or lost: the rest of the output may still come; none of it is logged
            self.session_log.release(f"{command}\n{unlogged_note(command, None)}")
            self.session_log.hold()
            return
        lines = wanted.split("\n")
        note = unlogged_note(command, max(len(lines) - 2, 0))
        self.session_log.release(f"{lines[0]}\n{note}{lines[-1] if len(lines) > 1 else ''}{self.text}")

    def _lose(self, reason: str) -> None:
        if self.lost is None:
            self.lost = reason
        self._end_unlogged(None)
        answer, self._matcher, self._answer = self._answer, None, None
        if answer is not None and not answer.done():
            answer.set_exception(ConnectError(self.lost))


# ------------------------------------------------------------------ matchers (pure)
def after_echo(text: str) -> int | None:
    """Where the output starts: after the echo of the typed line (its first line break)."""
    newline = text.find("\n")
    return None if newline < 0 else newline + 1


def prompt_matcher(prompt: re.Pattern[str], *, echo: bool = True) -> Matcher:
    """The text ends with a prompt line (after the echo of the typed line, if `echo`)."""

    def match(text: str) -> int | None:
        start = after_echo(text) if echo else 0
        if start is None:
            return None
        line_start = text.rfind("\n", max(start - 1, 0)) + 1
        return len(text) if prompt.search(text[line_start:].rstrip("\r")) else None

    return match


def pattern_matcher(pattern: re.Pattern[str], *, echo: bool = True) -> Matcher:
    def match(text: str) -> int | None:
        start = after_echo(text) if echo else 0
        if start is None:
            return None
        found = pattern.search(text, start)
        return found.end() if found else None

    return match


def find_echo(text: str, head: re.Pattern[str], line: str, start: int) -> tuple[int, int] | None:
    """Where `line`, typed after a prompt (`head`), is echoed from `start` on: the start of the
    typed text and the end of its line break; None if not yet read."""
    for prompt in head.finditer(text, start):
        typed, end = prompt.end(), prompt.end() + len(line)
        if text.startswith(line, typed) and text.startswith(("\r\n", "\n"), end):
            return typed, end + (2 if text.startswith("\r", end) else 1)
    return None


def echo_spans(text: str, head: re.Pattern[str], later_lines: Sequence[str]) -> list[tuple[int, int]] | None:
    """For lines typed at once: where each line after the first is echoed (after the prompt that
    answered the line before), as (start of the typed text, end of its line break); None until
    all of them were read."""
    position = after_echo(text)
    spans = []
    for line in later_lines:
        echo = None if position is None else find_echo(text, head, line, position)
        if echo is None:
            return None
        spans.append(echo)
        position = echo[1]
    return spans if position is not None else None


def batch_matcher(head: re.Pattern[str], later_lines: Sequence[str], prompt: re.Pattern[str]) -> Matcher:
    """Lines typed at once: complete when every echo was read and the prompt after the last line."""
    last_prompt = prompt_matcher(prompt)

    def match(text: str) -> int | None:
        spans = echo_spans(text, head, later_lines)
        if spans is None:
            return None
        start = spans[-1][0] if spans else 0
        end = last_prompt(text[start:])
        return None if end is None else start + end

    return match


def split_answers(text: str, head: re.Pattern[str], later_lines: Sequence[str]) -> list[str]:
    """What `batch_matcher` read, cut into each line's answer: its echo, output and prompt."""
    spans = echo_spans(text, head, later_lines)
    assert spans is not None  # batch_matcher saw every echo
    starts = [0, *(typed for typed, _ in spans)]
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def clean_output(text: str, *, prompt_included: bool = True) -> str:
    """What Netmiko's send_command returns: line breaks normalised, echo and final prompt cut."""
    lines = text.replace("\r\n", "\n").replace("\r", "").split("\n")
    body = lines[1:]  # the echo
    if prompt_included and body:
        body = body[:-1]
    return "\n".join(body)


# ------------------------------------------------------------------ the DeviceCli
class SshCli:
    """A DeviceCli over asyncssh. Open with `await SshCli.connect(...)`."""

    def __init__(
        self,
        conn: asyncssh.SSHClientConnection,
        shell: _Shell,
        *,
        platform: CliPlatform,
        host: str,
        typeahead: bool = False,
    ) -> None:
        self._conn = conn
        self._typeahead = typeahead
        self._shell = shell
        self._platform = platform
        self.host = host
        self.base_prompt = ""
        self._prompt = platform.prompt_re("")
        self._prompt_head = platform.prompt_head_re("")
        self._closed = False

    # ---------------------------------------------------------------- opening
    @classmethod
    async def connect(cls, params: CliParams, *, platform: CliPlatform = IOS_XE) -> SshCli:
        client = _Client(params)
        session_log = MaskedLog(params.session_log) if params.session_log is not None else None
        try:
            async with asyncio.timeout(params.connect_timeout + 5):
                conn, shell = await _connect(client, params, session_log)
        except Exception as exc:
            if session_log is not None:
                session_log.close()
            raise _connect_error(exc, client, params.host) from None
        cli = cls(conn, shell, platform=platform, host=params.host, typeahead=params.typeahead)
        try:
            await cli._prepare(params.secret, params.connect_timeout)
        except BaseException:
            await cli.abort()
            raise
        return cli

    async def _prepare(self, secret: str | None, timeout: float) -> None:
        platform = self._platform
        any_prompt = prompt_matcher(platform.any_prompt, echo=False)
        try:
            greeting = await self._wait(None, any_prompt, GREETING_WAIT_S, step="connect")
        except CommandTimeout:
            greeting = await self._wait("\n", any_prompt, timeout, step="connect")
        prompt = greeting.replace("\r", "").rstrip().split("\n")[-1].strip()
        self.base_prompt = prompt[:-1]
        self._prompt = platform.prompt_re(self.base_prompt)
        self._prompt_head = platform.prompt_head_re(self.base_prompt)
        if prompt.endswith(">"):
            await self._enable(secret, timeout)
        for command in platform.session_setup:
            answer: str | CommandError
            try:
                answer = await self.send_command(command, read_timeout=timeout)
            except CommandError as refused:
                answer = refused
            platform.check_setup_answer(answer, host=self.host, command=command)

    async def _enable(self, secret: str | None, timeout: float) -> None:
        refused = AuthError(
            "could not enter privileged EXEC mode: enable secret refused (check FLEETREG_ENABLE_SECRET)",
            host=self.host,
            step="enable",
        )
        platform = self._platform
        either = _either(platform.enable_password_prompt, self._prompt)
        answer = await self._wait(platform.enable_command + "\n", pattern_matcher(either), timeout, step="enable")
        if platform.enable_password_prompt.search(answer):
            if not secret:
                raise refused
            answer = await self._wait(secret + "\n", pattern_matcher(either, echo=False), timeout, step="enable")
        if not answer.rstrip().endswith("#"):
            raise refused

    # ---------------------------------------------------------------- DeviceCli
    async def send_command(self, command: str, *, read_timeout: float) -> str:
        answer = await self._wait(
            command + "\n",
            prompt_matcher(self._prompt),
            read_timeout,
            step=command,
            unlogged=command if unlogged(command) else None,
        )
        output = clean_output(answer)
        self._platform.check_authorized(output, host=self.host, command=command)
        return output

    async def send_config(
        self, lines: Sequence[str], *, read_timeout: float, enter: bool = True, leave: bool = True
    ) -> str:
        platform = self._platform
        transcript = ""
        if enter:
            answer = await self._raw(platform.config_enter, read_timeout)
            transcript += answer
            if not platform.config_prompt_end.search(answer.rstrip("\r\n")):
                if error := platform.error_in(clean_output(answer)):  # e.g. refused by command authorization
                    raise ConfigLineRejected([(platform.config_enter, error)], 0)
                raise DeviceError("failed to enter configuration mode", host=self.host, step="configure")
        typed = 0
        # one line at a time, each answered before the next is typed, unless typeahead was asked for
        batches = config_batches(lines) if self._typeahead else [[line.strip()] for line in lines if line.strip()]
        for batch in batches:
            answers = await self._batch(batch, read_timeout)
            typed += len(batch)
            transcript += "".join(answers)
            errors = [platform.error_in(clean_output(answer)) for answer in answers]
            rejected = [(line, error) for line, error in zip(batch, errors, strict=True) if error is not None]
            if rejected:
                raise ConfigLineRejected(rejected, typed)
        if leave:
            await self.exit_config_mode()
        return transcript

    async def _batch(self, batch: Sequence[str], timeout: float) -> list[str]:
        """Type `batch` at once; each line's answer (its echo, output and the prompt after it)."""
        text = await self._wait(
            "".join(line + "\n" for line in batch),
            batch_matcher(self._prompt_head, batch[1:], self._prompt),
            timeout,
            step=batch[0],
        )
        return split_answers(text, self._prompt_head, batch[1:])

    async def exchange(self, line: str, pattern: str, *, read_timeout: float) -> str:
        matcher = pattern_matcher(re.compile(pattern, re.MULTILINE))
        return await self._wait(line + "\n", matcher, read_timeout, step=line)

    async def write_lines(self, lines: Sequence[str]) -> None:
        self._write("".join(line + "\n" for line in lines))

    async def exit_config_mode(self) -> None:
        answer = await self._raw(self._platform.config_exit, 30)
        if self._platform.config_prompt_end.search(answer.rstrip("\r\n")):
            raise DeviceError("failed to leave configuration mode", host=self.host, step="configure")

    async def close(self) -> None:
        if not self._closed:
            self._write(self._platform.logout + "\n")
            await self._finish()

    async def abort(self) -> None:
        await self._finish()

    # ---------------------------------------------------------------- internals
    async def _raw(self, line: str, timeout: float) -> str:
        return await self._wait(line + "\n", prompt_matcher(self._prompt), timeout, step=line)

    def _write(self, data: str) -> None:
        if self._shell.chan is not None and self._shell.lost is None:
            self._shell.chan.write(data)

    async def _wait(
        self, write: str | None, matcher: Matcher, timeout: float, *, step: str, unlogged: str | None = None
    ) -> str:
        if self._closed:
            raise ConnectError("session already closed", host=self.host, step=step_name(step))
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[str] = loop.create_future()
        self._shell.begin(write, matcher, answer, unlogged=unlogged)
        # a plain timer on the answer: asyncio.timeout() costs ~4 % of a run's CPU at this rate
        timer = loop.call_later(timeout, _expire, answer)
        try:
            return await answer
        except _ReadTimeout:
            self._shell.cancel(answer)
            raise CommandTimeout(
                f"no prompt before the read timeout ({timeout:g}s)", host=self.host, step=step_name(step)
            ) from None
        except ConnectError as exc:
            raise ConnectError(exc.message, host=self.host, step=step_name(step)) from None
        finally:
            timer.cancel()

    async def _finish(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await _close(self._conn)
        except Exception:
            pass
        finally:
            if self._shell.session_log is not None:
                self._shell.session_log.close()


class _ReadTimeout(Exception):
    """The answer did not come before the read timeout."""


def _expire(answer: asyncio.Future[str]) -> None:
    if not answer.done():
        answer.set_exception(_ReadTimeout())


def _either(*patterns: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.MULTILINE)


async def _connect(
    client: _Client, params: CliParams, session_log: MaskedLog | None
) -> tuple[asyncssh.SSHClientConnection, _Shell]:
    conn = await _open(client, params)
    try:
        _chan, shell = await conn.create_session(
            lambda: _Shell(session_log), term_type="vt100", term_size=(511, 1000), encoding="utf-8"
        )
    except BaseException:
        conn.abort()
        raise
    assert isinstance(shell, _Shell)
    return conn, shell


async def _open(client: _Client, params: CliParams) -> asyncssh.SSHClientConnection:
    timeout = params.connect_timeout
    return await asyncssh.connect(
        params.hostname,
        params.port,
        client_factory=lambda: client,
        username=params.username,
        password=params.password,
        known_hosts=([], [], []),  # every key goes through _Client.validate_host_public_key
        client_keys=None,
        agent_path=None,
        preferred_auth=("password", "keyboard-interactive"),  # password: one exchange fewer
        kex_algs=list(KEX_ALGS),
        encryption_algs=list(ENCRYPTION_ALGS),
        compression_algs=None,
        connect_timeout=timeout,
        login_timeout=timeout,
        keepalive_interval=0,  # every wait has its own timeout; a keepalive timer re-armed per packet cost 5 % CPU
        config=None,
    )


async def _close(conn: asyncssh.SSHClientConnection) -> None:
    conn.close()
    try:
        await asyncio.wait_for(conn.wait_closed(), CLOSE_WAIT_S)
    except TimeoutError:
        conn.abort()


def _connect_error(exc: BaseException, client: _Client, host: str) -> Exception:
    if client.problem is not None:
        problem = client.problem
        return type(problem)(problem.message, host=host, step="connect")
    if isinstance(exc, asyncssh.PermissionDenied):
        return AuthError(
            "authentication failed (check FLEETREG_USERNAME / FLEETREG_PASSWORD)", host=host, step="connect"
        )
    if isinstance(exc, TimeoutError):
        return ConnectError("connection timed out", host=host, step="connect")
    if isinstance(exc, ConnectionRefusedError):
        return ConnectError("connection refused", host=host, step="connect")
    if isinstance(exc, asyncssh.Error):
        return ConnectError(f"SSH session lost: {exc.reason}", host=host, step="connect")
    if isinstance(exc, OSError):
        return ConnectError(f"cannot connect: {exc.strerror or exc}", host=host, step="connect")
    return ConnectError(f"{type(exc).__name__}: {exc}", host=host, step="connect")
