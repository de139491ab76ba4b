"""The `netmiko` transport: Netmiko's own IOS-XE driver, as shipped, behind DeviceCli.

Only Netmiko's public calls and options are used (`send_command` with `expect_string` and
`read_timeout`, `send_config_set` with `error_pattern`, its documented `SessionLog`); its
options from the inventory (`fast_cli`, timeouts...) are passed through unchanged.

Nornir opens the connection (nornir-netmiko's `netmiko` plugin, with `netmiko_arguments` as its
extras); `NetmikoCli.adopt` makes it fit for fleetreg once (host key recorded, privileged EXEC)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import paramiko
from fleetreg.core.errors import CommandError
from fleetreg.tasks.cli import IOS_XE, CliParams, ConfigLineRejected, step_name
from fleetreg.tasks.device_errors import device_errors, register_translator
from fleetreg.tasks.host_keys import record_first_use
from fleetreg.tasks.netmiko_errors import netmiko_translate
from fleetreg.tasks.session_guard import abort, make_ready
from fleetreg.tasks.session_log import MaskedLog, SessionLogSpec, unlogged, unlogged_note
from netmiko import BaseConnection, ConnectHandler
from netmiko.exceptions import ConfigInvalidException
from netmiko.session_log import SessionLog

T = TypeVar("T")

register_translator(netmiko_translate)  # Netmiko's and paramiko's exceptions, once this transport is loaded

# Netmiko's ConfigInvalidException text, naming the refused line and the error line
FAILED_COMMAND_RE = re.compile(r"at command: (?P<cmd>.*), matched error: (?P<err>.*)")


# A prompt line of this session: the prompt Netmiko learned at login (`base_prompt`, cut at 16
# characters as IOS does in config mode), the rest of the name and any (config-...) mode, then >
# or #, alone on its line. Given to Netmiko as `expect_string`, it ends a command's output
# without the extra Enter (find_prompt) stock send_command would type before every command.
PROMPT_LINE = r"(?m)^{base}\S*[>#][ \t]*$"
CONFIG_PROMPT_END = re.compile(r"\)#[ \t]*$")


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


def netmiko_arguments(params: CliParams, sink: MaskedLogSink | None = None) -> dict[str, Any]:
    """Netmiko's ConnectHandler options for this session, beyond host, port, credentials and
    device type: the inventory's extras, host-key checking, the enable secret, the masked
    session log. nornir-netmiko passes them through as the connection's extras."""
    arguments: dict[str, Any] = {
        **params.netmiko_extras,
        **host_key_parameters(params),
        "conn_timeout": params.netmiko_extras.get("conn_timeout", params.connect_timeout),
    }
    if params.secret:
        arguments["secret"] = params.secret
    if sink is not None and params.session_log is not None:
        secrets = {f"secret{i}": s for i, s in enumerate(params.session_log.secrets)}
        arguments["session_log"] = SessionLog(buffered_io=sink, no_log=secrets)
    return arguments


def connect_netmiko(params: CliParams, sink: MaskedLogSink | None = None) -> BaseConnection:
    """Log in with Netmiko's driver for the platform, outside Nornir (tests, tools): the same
    options nornir-netmiko would pass."""
    with device_errors(params.host, "connect"):
        return ConnectHandler(
            **netmiko_arguments(params, sink),
            host=params.hostname,
            port=params.port,
            username=params.username,
            password=params.password,
            device_type=params.platform,
        )


class NetmikoCli:
    """DeviceCli over a logged-in Netmiko connection; Netmiko's and paramiko's exceptions
    leave it as fleetreg errors."""

    def __init__(self, conn: BaseConnection, host: str, sink: MaskedLogSink | None = None) -> None:
        self.conn = conn
        self.host = host
        self._sink = sink

    @classmethod
    def adopt(cls, conn: BaseConnection, params: CliParams, sink: MaskedLogSink | None = None) -> NetmikoCli:
        """A fresh connection made fit for fleetreg: its host key recorded at first use, the
        session in privileged EXEC. On failure the connection is dropped."""
        with device_errors(params.host, "connect"):
            try:
                record_host_key(conn, params)
                make_ready(conn, host=params.host)
                cli = cls(conn, params.host, sink)
                for command in IOS_XE.session_setup:  # Netmiko set width and paging; fleetreg checks them
                    answer: str | CommandError
                    try:
                        answer = cli.send_command(command, read_timeout=params.connect_timeout)
                    except CommandError as refused:
                        answer = refused
                    IOS_XE.check_setup_answer(answer, host=params.host, command=command)
            except BaseException:
                abort(conn)
                raise
        return cli

    def _run(self, step: str, call: Callable[[], T]) -> T:
        with device_errors(self.host, step):
            return call()

    def _prompt(self) -> str:
        return PROMPT_LINE.format(base=re.escape(self.conn.base_prompt[: IOS_XE.hostname_width]))

    def _command(self, command: str, read_timeout: float) -> str:
        return str(self.conn.send_command(command, expect_string=self._prompt(), read_timeout=read_timeout))

    def send_command(self, command: str, *, read_timeout: float) -> str:
        log = self._sink.log if self._sink is not None and unlogged(command) else None

        def run() -> str:
            if log is None:
                return self._command(command, read_timeout)
            log.hold()  # its echo, output and prompt: one line in the log instead
            output: str | None = None
            try:
                output = self._command(command, read_timeout)
                return output
            finally:
                lines = None if output is None else len(output.splitlines())
                log.release(f"{command}\n{unlogged_note(command, lines)}")
                if output is None:  # the rest of the output may still come; none of it is logged
                    log.hold()

        output = self._run(step_name(command), run)
        IOS_XE.check_authorized(output, host=self.host, command=command)
        return output

    def send_config(self, lines: Sequence[str], *, read_timeout: float, enter: bool = True, leave: bool = True) -> str:
        typed = [line.strip() for line in lines if line.strip()]  # one at a time: Netmiko's own way

        def type_lines() -> str:
            entered = self._enter_config_mode(read_timeout) if enter else ""
            try:
                return entered + str(
                    self.conn.send_config_set(
                        typed,
                        enter_config_mode=False,
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

        return self._run("configure", type_lines)

    def _enter_config_mode(self, read_timeout: float) -> str:
        """`configure terminal`, its answer read up to the prompt: a refusal (e.g. by command
        authorization) is a refused line, like any other."""
        command = IOS_XE.config_enter
        output = str(
            self.conn.send_command(command, expect_string=self._prompt(), strip_prompt=False, read_timeout=read_timeout)
        )
        if not CONFIG_PROMPT_END.search(output.rstrip("\r\n")):
            raise ConfigLineRejected([(command, IOS_XE.error_in(output) or "no config mode prompt")], 0)
        return output

    def exchange(self, line: str, pattern: str, *, read_timeout: float) -> str:
        # Netmiko first waits for the line's echo, so a prompt left over cannot satisfy `pattern`
        return self._run(
            line,
            lambda: str(
                self.conn.send_command(
                    line, expect_string=pattern, strip_prompt=False, strip_command=False, read_timeout=read_timeout
                )
            ),
        )

    def write_lines(self, lines: Sequence[str]) -> None:
        def write() -> None:
            for line in lines:
                self.conn.write_channel(line + self.conn.RETURN)

        self._run("write", write)

    def exit_config_mode(self) -> None:
        self._run("configure", lambda: self.conn.exit_config_mode())

    def close(self) -> None:
        try:
            self.conn.disconnect()
        except Exception:
            abort(self.conn)
        finally:
            self._close_log()

    def abort(self) -> None:
        try:
            abort(self.conn)
        finally:
            self._close_log()

    def _close_log(self) -> None:
        if self._sink is not None:
            self._sink.close()
