"""The opt-in fast transport as a Nornir connection plugin, `fleetreg_asyncssh`: fleetreg's own
IOS-XE driver over asyncssh (`tasks.ssh_cli`, public asyncssh API only). Every session lives on
one background event loop (`tasks.event_loop.SESSIONS`); a Nornir task in its worker thread
calls the blocking `SyncSshCli`, which hands each call to that loop and waits. So a waiting
switch holds no thread of its own, only the worker that asked.

Registered with Nornir under `PLUGIN_NAME` (entry point `nornir.plugins.connections` in
pyproject.toml, and on import), so any Nornir script can open it with
`host.get_connection("fleetreg_asyncssh", nr.config)`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fleetreg.tasks.cli import CliParams
from fleetreg.tasks.event_loop import SESSIONS
from fleetreg.tasks.session_log import SessionLogSpec
from fleetreg.tasks.ssh_cli import SshCli
from nornir.core.configuration import Config
from nornir.core.plugins.connections import ConnectionPluginRegister

PLUGIN_NAME = "fleetreg_asyncssh"
DEFAULT_CONNECT_TIMEOUT = 15.0


class SyncSshCli:
    """DeviceCli (blocking) over an SshCli that lives on the background loop."""

    def __init__(self, inner: SshCli) -> None:
        self.inner = inner
        self.host = inner.host
        self.closed = False

    @classmethod
    def connect(cls, params: CliParams) -> SyncSshCli:
        return cls(SESSIONS.call(SshCli.connect(params)))

    def send_command(self, command: str, *, read_timeout: float) -> str:
        return SESSIONS.call(self.inner.send_command(command, read_timeout=read_timeout))

    def send_config(self, lines: Sequence[str], *, read_timeout: float, enter: bool = True, leave: bool = True) -> str:
        return SESSIONS.call(self.inner.send_config(lines, read_timeout=read_timeout, enter=enter, leave=leave))

    def exchange(self, line: str, pattern: str, *, read_timeout: float) -> str:
        return SESSIONS.call(self.inner.exchange(line, pattern, read_timeout=read_timeout))

    def write_lines(self, lines: Sequence[str]) -> None:
        SESSIONS.call(self.inner.write_lines(lines))

    def exit_config_mode(self) -> None:
        SESSIONS.call(self.inner.exit_config_mode())

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            SESSIONS.call(self.inner.close())

    def abort(self) -> None:
        if not self.closed:
            self.closed = True
            SESSIONS.call(self.inner.abort())


def params_from(
    hostname: str | None,
    username: str | None,
    password: str | None,
    port: int | None,
    platform: str | None,
    extras: dict[str, Any] | None,
) -> CliParams:
    """CliParams from what Nornir hands a connection plugin. `extras` (all optional): `params`
    (CliParams fleetreg computed: used as is), `secret`, `conn_timeout`, `fleetreg_host` (the
    inventory name), `host_key_mode` + `host_key_file`, `session_log` (SessionLogSpec)."""
    extras = dict(extras or {})
    given = extras.get("params")
    if isinstance(given, CliParams):
        return given
    key_file = extras.get("host_key_file")
    log = extras.get("session_log")
    return CliParams(
        host=str(extras.get("fleetreg_host") or hostname or ""),
        hostname=hostname or "",
        port=port or 22,
        username=username or "",
        password=password or "",
        secret=extras.get("secret"),
        platform=platform or "cisco_xe",
        connect_timeout=float(extras.get("conn_timeout") or DEFAULT_CONNECT_TIMEOUT),
        host_key_mode=extras.get("host_key_mode"),
        host_key_file=Path(key_file) if key_file else None,
        session_log=log if isinstance(log, SessionLogSpec) else None,
    )


class AsyncsshConnection:
    """Nornir's ConnectionPlugin protocol: `open`, `close`, and the session as `connection`."""

    def __init__(self) -> None:
        self.connection: SyncSshCli | None = None

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
        self.connection = SyncSshCli.connect(params_from(hostname, username, password, port, platform, extras))

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


ConnectionPluginRegister.register(PLUGIN_NAME, AsyncsshConnection)
