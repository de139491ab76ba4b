"""How fleetreg talks to a switch: Netmiko connection options, error translation, and the
one helper every task uses to get its (reused) connection."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import paramiko
from netmiko import BaseConnection
from netmiko.channel import MAX_BUFFER
from netmiko.cisco.cisco_ios import CiscoIosSSH
from netmiko.exceptions import (
    ConfigInvalidException,
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadException,
    ReadTimeout,
)
from netmiko.session_log import SessionLog
from nornir.core.configuration import Config
from nornir.core.inventory import Host
from nornir.core.task import Task
from nornir_netmiko.connections import Netmiko
from paramiko.ssh_exception import SSHException

from orchestrator.errors import (
    AuthError,
    CommandError,
    CommandTimeout,
    ConnectError,
    DeviceError,
    FleetregError,
    HostKeyError,
    UnknownHostKeyError,
)
from orchestrator.host_keys import HOST_KEYS_EXTRA, fingerprint, record_first_use
from tasks.cli import IOS_XE, ConfigLineRejected, DeviceCli
from tasks.session_guard import ClosedAwareChannel, abort, make_ready
from tasks.session_log import MaskedLog, SessionLogSpec
from tasks.ssh_cli import HostKeyPolicy, SshCli

# Netmiko spends most of a default session sleeping. fast_cli shortens its fixed delays and
# lets prompt detection return as soon as the prompt is seen. The round trips Netmiko adds on
# top (measured in bench/README.md) are removed by TunedCiscoXe below, which the "netmiko"
# connection plugin uses for IOS / IOS-XE. No timeouts here: these extras are layered last
# (orchestrator.nornir_setup.netmiko_extras), so they would override --connect-timeout and
# the inventory's own conn_timeout / read_timeout_override (with 200 logins at once on 2
# cores, 10 s was too short: paramiko's "No existing session ... conn_timeout" failures).
DEFAULT_NETMIKO_EXTRAS: dict[str, Any] = {
    "fast_cli": True,
    "keepalive": 30,
}

# Netmiko's ConfigInvalidException text, naming the refused line and the error line
FAILED_COMMAND_RE = re.compile(r"at command: (?P<cmd>.*), matched error: (?P<err>.*)")
HOST_NAME_EXTRA = "fleetreg_host"  # the inventory name, for error messages


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


def host_key_parameters(policy: dict[str, str] | None) -> dict[str, Any]:
    """Netmiko's host-key options for fleetreg's policy: paramiko checks the recorded key
    (tofu) or the given known_hosts (strict) before authenticating."""
    if not policy:
        return {}
    return {"alt_host_keys": True, "alt_key_file": policy["file"], "ssh_strict": policy["mode"] == "strict"}


def record_host_key(conn: BaseConnection, policy: dict[str, str] | None, hostname: str, port: int) -> None:
    if not policy or policy["mode"] != "tofu":
        return
    chan = conn.remote_conn
    transport = chan.get_transport() if isinstance(chan, paramiko.Channel) else None
    if transport is None:
        return
    key = transport.get_remote_server_key()
    record_first_use(Path(policy["file"]), hostname, port, key.get_name(), key.get_base64())


class NetmikoCli:
    """DeviceCli over a Netmiko connection (the `netmiko` transport). Netmiko's and paramiko's
    exceptions leave it as fleetreg errors, as the asyncssh transport's do."""

    def __init__(self, conn: BaseConnection, host: str) -> None:
        self.conn = conn
        self.host = host

    def send_command(self, command: str, *, read_timeout: float) -> str:
        with device_errors(self.host, command.split(" idtoken ")[0]):
            return str(self.conn.send_command(command, read_timeout=read_timeout))

    def send_config(self, lines: Sequence[str], *, read_timeout: float, enter: bool = True, leave: bool = True) -> str:
        with device_errors(self.host, "configure"):
            try:
                return str(
                    self.conn.send_config_set(
                        list(lines),
                        enter_config_mode=enter,
                        exit_config_mode=leave,
                        error_pattern=IOS_XE.error_line.pattern,
                        read_timeout=read_timeout,
                    )
                )
            except ConfigInvalidException as exc:
                match = FAILED_COMMAND_RE.search(str(exc))
                line, error = (match["cmd"].strip(), match["err"].strip()) if match else ("?", str(exc))
                raise ConfigLineRejected(line, error) from None

    def exchange(self, line: str, pattern: str, *, read_timeout: float) -> str:
        # Netmiko first waits for the line's echo, so a prompt left over cannot satisfy `pattern`
        with device_errors(self.host, line):
            output = self.conn.send_command(
                line, expect_string=pattern, strip_prompt=False, strip_command=False, read_timeout=read_timeout
            )
        return str(output)

    def write_lines(self, lines: Sequence[str]) -> None:
        with device_errors(self.host, "write"):
            for line in lines:
                self.conn.write_channel(line + self.conn.RETURN)

    def exit_config_mode(self) -> None:
        with device_errors(self.host, "configure"):
            self.conn.exit_config_mode()

    def close(self) -> None:
        self.conn.disconnect()

    def abort(self) -> None:
        abort(self.conn)


class FleetregNetmiko(Netmiko):
    """The "netmiko" transport's Nornir connection plugin: TunedCiscoXe for IOS / IOS-XE, with
    fleetreg's host-key policy, made ready (privileged EXEC) and seen through NetmikoCli."""

    def open(
        self,
        hostname: str | None,
        username: str | None,
        password: str | None,
        port: int | None,
        platform: str | None,
        extras: dict[str, Any] | None = None,
        configuration: Config | None = None,
    ) -> None:
        extras = dict(extras or {})
        policy = extras.pop(HOST_KEYS_EXTRA, None)
        host = extras.pop(HOST_NAME_EXTRA, None) or hostname or ""
        log = extras.get("session_log")
        if isinstance(log, SessionLogSpec):
            secrets = {f"secret{i}": s for i, s in enumerate(log.secrets)}
            extras["session_log"] = SessionLog(file_name=str(log.path), file_mode="append", no_log=secrets)
        extras.update(host_key_parameters(policy))
        if platform not in TUNED_PLATFORMS or os.environ.get(DRIVER_ENV, "tuned") == "stock":
            super().open(hostname, username, password, port, platform, extras, configuration)
            conn: BaseConnection = self.connection  # type: ignore[has-type]
        else:
            parameters: dict[str, Any] = {"host": hostname, "username": username, "password": password, "port": port}
            ssh_config = getattr(getattr(configuration, "ssh", None), "config_file", None)
            if ssh_config:
                parameters["ssh_config_file"] = ssh_config
            parameters["device_type"] = platform
            parameters.update(extras)
            conn = TunedCiscoXe(**parameters)
        record_host_key(conn, policy, hostname or "", port or 22)
        try:
            make_ready(conn, host=host)
        except BaseException:
            abort(conn)
            raise
        self.connection = NetmikoCli(conn, host)

    def close(self) -> None:
        cli = self.connection
        cli.close() if isinstance(cli, NetmikoCli) else super().close()


class FleetregSsh:
    """The "asyncssh" transport's Nornir connection plugin (tasks.ssh_cli). It reads the
    connection extras it understands: conn_timeout, secret, session_log (a SessionLogSpec) and
    fleetreg's host-key policy. No SSH keepalive: every wait on a switch has its own read
    timeout, and a keepalive timer re-armed on every packet cost 5 % of apply's CPU."""

    def __init__(self) -> None:
        self.connection: SshCli | None = None

    def open(
        self,
        hostname: str | None,
        username: str | None,
        password: str | None,
        port: int | None,
        platform: str | None,
        extras: dict[str, Any] | None = None,
        configuration: Config | None = None,
    ) -> None:
        extras = dict(extras or {})
        policy = extras.get(HOST_KEYS_EXTRA)
        log = extras.get("session_log")
        self.connection = SshCli.open(
            host=extras.get(HOST_NAME_EXTRA) or hostname or "",
            hostname=hostname or "",
            port=port or 22,
            username=username or "",
            password=password or "",
            secret=extras.get("secret"),
            connect_timeout=float(extras.get("conn_timeout") or 15),
            host_keys=HostKeyPolicy(policy["mode"], Path(policy["file"])) if policy else None,
            session_log=MaskedLog(log) if isinstance(log, SessionLogSpec) else None,
        )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


TRANSPORT_PLUGINS: dict[str, type] = {"asyncssh": FleetregSsh, "netmiko": FleetregNetmiko}
DEFAULT_TRANSPORT = "asyncssh"
TRANSPORT_DATA = "transport"  # host.data key: the Nornir connection (transport) this host uses


def transport_of(host: Host) -> str:
    return str(host.data.get(TRANSPORT_DATA, DEFAULT_TRANSPORT))


def connection(task: Task) -> DeviceCli:
    """The host's CLI session (opened at first use, in privileged EXEC), whichever transport."""
    cli: DeviceCli = task.host.get_connection(transport_of(task.host), task.nornir.config)
    return cli


def send(cli: DeviceCli, command: str, *, read_timeout: float) -> str:
    """One exec command, its raw output as text (fleetreg parses with its own templates)."""
    return cli.send_command(command, read_timeout=read_timeout)


def _first_line(text: str) -> str:
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return str(text).strip() or type(text).__name__


def translate(exc: BaseException, *, host: str, step: str) -> FleetregError:
    """Netmiko/paramiko/socket exceptions -> our error tree, one line, no secrets."""
    if isinstance(exc, FleetregError):
        return exc
    if (host_key_error := _host_key_problem(exc, host=host, step=step)) is not None:
        return host_key_error
    if isinstance(exc, NetmikoAuthenticationException):
        return AuthError("authentication failed (check FLEETREG_USERNAME / FLEETREG_PASSWORD)", host=host, step=step)
    if isinstance(exc, ReadTimeout):
        return CommandTimeout(f"no prompt before the read timeout: {_first_line(str(exc))}", host=host, step=step)
    if isinstance(exc, ConfigInvalidException):
        return CommandError(f"switch rejected a config line: {_first_line(str(exc))}", host=host, step=step)
    if isinstance(exc, NetmikoTimeoutException | socket.timeout | TimeoutError):
        return ConnectError(f"connection timed out: {_first_line(str(exc))}", host=host, step=step)
    if isinstance(exc, ConnectionRefusedError):
        return ConnectError("connection refused", host=host, step=step)
    if isinstance(exc, EOFError | SSHException | ReadException | OSError | ConnectionError):
        return ConnectError(f"SSH session lost: {_first_line(str(exc))}", host=host, step=step)
    if isinstance(exc, ValueError) and "prompt" in str(exc).lower():
        return DeviceError(f"unexpected prompt: {_first_line(str(exc))}", host=host, step=step)
    return DeviceError(f"{type(exc).__name__}: {_first_line(str(exc))}", host=host, step=step)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and what it was raised from (Netmiko wraps paramiko's errors)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _host_key_problem(exc: BaseException, *, host: str, step: str) -> HostKeyError | None:
    for cause in _chain(exc):
        if isinstance(cause, paramiko.BadHostKeyException):
            expected = fingerprint(cause.expected_key.get_name(), cause.expected_key.get_base64())
            got = fingerprint(cause.key.get_name(), cause.key.get_base64())
            return HostKeyError(
                f"expected {expected}, got {got} (if the switch was replaced, delete its known_hosts entry)",
                host=host,
                step=step,
            )
        if isinstance(cause, SSHException) and "not found in known_hosts" in str(cause):
            return UnknownHostKeyError("not in the --known-hosts file (strict checking)", host=host, step=step)
    return None


@contextmanager
def device_errors(host: str, step: str) -> Iterator[None]:
    try:
        yield
    except (FleetregError, ConfigLineRejected):
        raise
    except Exception as exc:
        raise translate(exc, host=host, step=step) from None
