"""The `netmiko` transport: Netmiko's IOS-XE driver, tuned (TunedCiscoXe), behind DeviceCli.

Netmiko is synchronous: every call runs in a thread of the runner's executor, so one switch's
session holds one thread while it waits (the asyncssh transport holds none). Kept for what
Netmiko knows that fleetreg's own driver may not (odd prompts, older platforms)."""

from __future__ import annotations

import asyncio
import io
import os
import re
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any, TypeVar

import paramiko
from netmiko import BaseConnection, ConnectHandler
from netmiko.channel import MAX_BUFFER
from netmiko.cisco.cisco_ios import CiscoIosSSH
from netmiko.exceptions import ConfigInvalidException, ReadException, ReadTimeout
from netmiko.session_log import SessionLog

from orchestrator.host_keys import record_first_use
from tasks.cli import IOS_XE, CliParams, ConfigLineRejected, step_name
from tasks.device_errors import device_errors, register_translator
from tasks.netmiko_errors import netmiko_translate
from tasks.session_guard import ClosedAwareChannel, abort, make_ready
from tasks.session_log import MaskedLog, SessionLogSpec, unlogged, unlogged_note

T = TypeVar("T")

register_translator(netmiko_translate)  # Netmiko's and paramiko's exceptions, once this transport is loaded

# Netmiko's ConfigInvalidException text, naming the refused line and the error line
FAILED_COMMAND_RE = re.compile(r"at command: (?P<cmd>.*), matched error: (?P<err>.*)")


# How long one read waits for the switch before giving Netmiko's loop an empty answer, and how
# often an idle SSH session's paramiko thread wakes up (paramiko's default: every 0.1 s).
READ_WAIT_S = 0.5
TRANSPORT_WAKE_S = 1.0


class WaitingChannel(ClosedAwareChannel):
    """A read that finds nothing waits for the switch's next bytes (up to READ_WAIT_S).

    Netmiko's read loops poll every 10-25 ms; with a few hundred sessions waiting 150+ ms per
    command those wakeups (and the GIL hand-offs they cause) were most of fleetreg's CPU.
    Here a waiting thread sleeps in paramiko's buffer until data arrives: same answers, same
    timeouts (they are checked by the loops between reads), far fewer wakeups."""

    def read_channel(self) -> str:
        output = super().read_channel()
        chan = self.remote_conn
        if output or chan is None:
            return output
        previous = chan.gettimeout()
        chan.settimeout(READ_WAIT_S)
        try:
            data = chan.recv(MAX_BUFFER)
        except TimeoutError:
            return ""
        finally:
            chan.settimeout(previous)
        if not data:
            raise ReadException("Channel stream closed by remote device.")
        return data.decode(self.encoding, "ignore") + super().read_channel()


# FLEETREG_NETMIKO_DRIVER=stock: plain Netmiko drivers (the escape hatch, and the A/B switch
# of bench/fleet_bench.py). Anything else: TunedCiscoXe for the platforms below.
DRIVER_ENV = "FLEETREG_NETMIKO_DRIVER"
TUNED_PLATFORMS = frozenset({"cisco_xe", "cisco_ios"})
# A prompt line: the hostname Netmiko learned at login (cut at 16 characters, as IOS does in
# config mode), the rest of the name and any (config-...) mode, then > or #, and nothing after.
PROMPT_LINE = r"^{base}\S*[>#][ \t]*$"
CONFIG_PROMPT_END = re.compile(r"\)#[ \t]*$")
GREETING_WAIT_S = 5.0  # IOS prints its prompt when the shell opens; press Enter only if it did not


class TunedCiscoXe(CiscoIosSSH):
    """Netmiko's cisco_xe driver without the round trips it adds to find a prompt it knows.

    Measured against the mock at 150-200 ms per command (bench/README.md), stock Netmiko
    4.8 sends four extra Enters before every send_command (find_prompt with fast_cli's short
    sleeps: each Enter is another prompt the switch must answer first), two in session
    preparation, two config-mode checks around each config session and one more at
    disconnect. Here the prompt learned at login is matched as a whole line at the end of
    the output instead, and entering / leaving config mode is checked on the prompt the
    switch answers with. Commands, echo checks and error patterns are Netmiko's own."""

    _login_prompt: str | None = None  # the prompt printed at login, until check_enable_mode used it

    def establish_connection(self, width: int = 511, height: int = 1000) -> None:
        super().establish_connection(width, height)
        chan = self.remote_conn
        if isinstance(chan, paramiko.Channel):
            self.channel = WaitingChannel(chan, encoding=self.encoding)
            sock = getattr(chan.get_transport(), "sock", None)
            if isinstance(sock, socket.socket):
                sock.settimeout(TRANSPORT_WAKE_S)  # its recv loop only checks "closed?" on timeouts

    def read_channel(self) -> str:
        # Netmiko keeps what followed a matched pattern in _read_buffer and prepends it after
        # reading the channel; hand it over first, so a WaitingChannel read does not wait for
        # bytes that already came.
        if self._read_buffer:
            output, self._read_buffer = self._read_buffer, ""
            return output
        return super().read_channel()

    def _try_session_preparation(self, force_data: bool = True) -> None:
        super()._try_session_preparation(force_data=False)

    def session_preparation(self) -> None:
        try:
            greeting = self.read_until_pattern(pattern=r"[>#][ \t]*$", read_timeout=GREETING_WAIT_S)
        except ReadTimeout:
            self.write_channel(self.RETURN)
            greeting = self.read_until_pattern(pattern=r"[>#][ \t]*$", read_timeout=20)
        prompt = greeting.strip().splitlines()[-1].strip()
        if len(prompt) < 2:
            raise ValueError(f"Router prompt not found: {prompt!r}")
        self.base_prompt = prompt[:-1][:16]
        self.send_command("terminal width 511")
        lines = str(self.send_command("terminal length 0", strip_prompt=False)).strip().splitlines()
        self._login_prompt = lines[-1].strip() if lines else None

    def check_enable_mode(self, check_string: str = "#") -> bool:
        # Right after login the prompt just printed tells (switch# or switch>); later, ask.
        prompt, self._login_prompt = self._login_prompt, None
        if prompt is not None and prompt.startswith(self.base_prompt):
            return prompt.endswith(check_string)
        return super().check_enable_mode(check_string)

    def prompt_pattern(self) -> str:
        return PROMPT_LINE.format(base=re.escape(self.base_prompt))

    def _prompt_handler(self, auto_find_prompt: bool) -> str:
        return "(?m)" + self.prompt_pattern()

    def _read_prompt(self, command: str) -> str:
        self.write_channel(self.normalize_cmd(command))
        return self.read_until_pattern(pattern=self.prompt_pattern(), re_flags=re.M)

    def config_mode(self, config_command: str = "configure terminal", pattern: str = "", re_flags: int = 0) -> str:
        output = self._read_prompt(config_command)
        if not CONFIG_PROMPT_END.search(output.rstrip("\r\n")):
            if error := IOS_XE.error_in(output):  # e.g. refused by command authorization: as a refused line
                raise ConfigInvalidException(
                    f"Invalid input detected at command: {config_command}, matched error: {error}"
                )
            raise ValueError("Failed to enter configuration mode.")
        return output

    def exit_config_mode(self, exit_config: str = "end", pattern: str = r"#.*") -> str:
        output = self._read_prompt(exit_config)
        if CONFIG_PROMPT_END.search(output.rstrip("\r\n")):
            raise ValueError("Failed to exit configuration mode")
        return output

    def cleanup(self, command: str = "exit") -> None:
        # fleetreg's tasks leave config mode themselves (configure does, even on errors), so
        # no round trip to check it: type exit and let the channel close.
        if self.session_log:
            self.session_log.fin = True
        self.write_channel(command + self.RETURN)


class MaskedLogSink(io.BufferedIOBase):
    """Where Netmiko's SessionLog writes (its documented `buffered_io`): fleetreg's MaskedLog,
    which flushes every complete line at once and can leave a command's output out (`hold`)."""

    def __init__(self, spec: SessionLogSpec) -> None:
        super().__init__()
        self.log = MaskedLog(spec)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.log.write(bytes(data).decode("utf-8", "replace"))
        return len(data)

    def close(self) -> None:
        self.log.close()
        super().close()


def host_key_parameters(params: CliParams) -> dict[str, Any]:
    """Netmiko's host-key options for fleetreg's policy: paramiko checks the recorded key
    (tofu) or the given known_hosts (strict) before authenticating."""
    if params.host_key_file is None:
        return {}
    return {
        "alt_host_keys": True,
        "alt_key_file": str(params.host_key_file),
        "ssh_strict": params.host_key_mode == "strict",
    }


def record_host_key(conn: BaseConnection, params: CliParams) -> None:
    if params.host_key_mode != "tofu" or params.host_key_file is None:
        return
    chan = conn.remote_conn
    transport = chan.get_transport() if isinstance(chan, paramiko.Channel) else None
    if transport is None:
        return
    key = transport.get_remote_server_key()
    record_first_use(params.host_key_file, params.hostname, params.port, key.get_name(), key.get_base64())


def connect_netmiko(params: CliParams, sink: MaskedLogSink | None = None) -> BaseConnection:
    """Log in (blocking): TunedCiscoXe for IOS / IOS-XE, else Netmiko's own driver; host keys
    checked, the session made ready (privileged EXEC). `sink`: where the session log goes."""
    arguments: dict[str, Any] = {
        **params.netmiko_extras,
        **host_key_parameters(params),
        "host": params.hostname,
        "port": params.port,
        "username": params.username,
        "password": params.password,
        "device_type": params.platform,
        "conn_timeout": params.netmiko_extras.get("conn_timeout", params.connect_timeout),
    }
    if params.secret:
        arguments["secret"] = params.secret
    if sink is not None and params.session_log is not None:
        secrets = {f"secret{i}": s for i, s in enumerate(params.session_log.secrets)}
        arguments["session_log"] = SessionLog(buffered_io=sink, no_log=secrets)
    with device_errors(params.host, "connect"):
        if params.platform not in TUNED_PLATFORMS or os.environ.get(DRIVER_ENV, "tuned") == "stock":
            conn: BaseConnection = ConnectHandler(**arguments)
        else:
            conn = TunedCiscoXe(**arguments)
        record_host_key(conn, params)
        try:
            make_ready(conn, host=params.host)
        except BaseException:
            abort(conn)
            raise
    return conn


class NetmikoCli:
    """DeviceCli over a Netmiko connection: each call runs in a thread of `executor`, and
    Netmiko's and paramiko's exceptions leave it as fleetreg errors."""

    def __init__(
        self, conn: BaseConnection, host: str, executor: Executor | None, sink: MaskedLogSink | None = None
    ) -> None:
        self.conn = conn
        self.host = host
        self._executor = executor
        self._sink = sink

    @classmethod
    async def connect(cls, params: CliParams, executor: Executor | None) -> NetmikoCli:
        sink = MaskedLogSink(params.session_log) if params.session_log is not None else None
        try:
            conn = await asyncio.get_running_loop().run_in_executor(executor, connect_netmiko, params, sink)
        except BaseException:
            if sink is not None:
                sink.close()
            raise
        return cls(conn, params.host, executor, sink)

    async def _run(self, step: str, call: Callable[[], T]) -> T:
        def guarded() -> T:
            with device_errors(self.host, step):
                return call()

        return await asyncio.get_running_loop().run_in_executor(self._executor, guarded)

    async def send_command(self, command: str, *, read_timeout: float) -> str:
        log = self._sink.log if self._sink is not None and unlogged(command) else None

        def run() -> str:
            if log is None:
                return str(self.conn.send_command(command, read_timeout=read_timeout))
            log.hold()  # its echo, output and prompt: one line in the log instead
            output: str | None = None
            try:
                output = str(self.conn.send_command(command, read_timeout=read_timeout))
                return output
            finally:
                lines = None if output is None else len(output.splitlines())
                log.release(f"{command}\n{unlogged_note(command, lines)}")
                if output is None:  # the rest of the output may still come; none of it is logged
                    log.hold()

        output = await self._run(step_name(command), run)
        IOS_XE.check_authorized(output, host=self.host, command=command)
        return output

    async def send_config(
        self, lines: Sequence[str], *, read_timeout: float, enter: bool = True, leave: bool = True
    ) -> str:
        typed = [line.strip() for line in lines if line.strip()]  # one at a time: Netmiko's own way

        def type_lines() -> str:
            try:
                return str(
                    self.conn.send_config_set(
                        typed,
                        enter_config_mode=enter,
                        exit_config_mode=leave,
                        error_pattern=IOS_XE.error_line.pattern,
                        read_timeout=read_timeout,
                    )
                )
            except ConfigInvalidException as exc:
                match = FAILED_COMMAND_RE.search(str(exc))
                line, error = (match["cmd"].strip(), match["err"].strip()) if match else ("?", str(exc))
                # Netmiko stops at the first refused line: the lines before it were accepted
                received = typed.index(line) + 1 if line in typed else 0 if line == IOS_XE.config_enter else len(typed)
                raise ConfigLineRejected([(line, error)], received) from None

        return await self._run("configure", type_lines)

    async def exchange(self, line: str, pattern: str, *, read_timeout: float) -> str:
        # Netmiko first waits for the line's echo, so a prompt left over cannot satisfy `pattern`
        return await self._run(
            line,
            lambda: str(
                self.conn.send_command(
                    line, expect_string=pattern, strip_prompt=False, strip_command=False, read_timeout=read_timeout
                )
            ),
        )

    async def write_lines(self, lines: Sequence[str]) -> None:
        def write() -> None:
            for line in lines:
                self.conn.write_channel(line + self.conn.RETURN)

        await self._run("write", write)

    async def exit_config_mode(self) -> None:
        await self._run("configure", lambda: self.conn.exit_config_mode())

    async def close(self) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._disconnect)
        finally:
            self._close_log()

    async def abort(self) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, abort, self.conn)
        finally:
            self._close_log()

    def _close_log(self) -> None:
        if self._sink is not None:
            self._sink.close()

    def _disconnect(self) -> None:
        try:
            self.conn.disconnect()
        except Exception:
            abort(self.conn)
