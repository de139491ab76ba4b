"""A switch's CLI session for a Nornir task: opened through the Nornir connection plugin of the
host's transport, adapted to DeviceCli once, behind the gate every typed line passes.

    cli = device_cli(task)          # inside any Nornir task: opens on first use, then reuses

Transports (host.data["transport"], default `netmiko`):
- `netmiko`: stock Netmiko through nornir-netmiko's `netmiko` plugin, with the options fleetreg
  computes from the inventory's `connection_options.netmiko` (`tasks.netmiko_cli.netmiko_arguments`).
- `asyncssh`: the opt-in fast path, fleetreg's own driver (`tasks.asyncssh_plugin`)."""

from __future__ import annotations

import contextlib
import threading
import weakref
from pathlib import Path
from typing import Any

from fleetreg.core.cli_text import setting_origins
from fleetreg.tasks.asyncssh_plugin import PLUGIN_NAME as ASYNCSSH_PLUGIN
from fleetreg.tasks.asyncssh_plugin import SyncSshCli
from fleetreg.tasks.cli import CliParams, DeviceCli
from fleetreg.tasks.device_errors import translate
from fleetreg.tasks.gated_cli import GatedCli
from fleetreg.tasks.host_keys import HOST_KEYS_EXTRA
from fleetreg.tasks.session_log import SessionLogSpec
from nornir.core.inventory import Host
from nornir.core.plugins.connections import ConnectionPluginRegister
from nornir.core.task import Task

TRANSPORTS = ("netmiko", "asyncssh")
DEFAULT_TRANSPORT = "netmiko"
PLUGINS = {"netmiko": "netmiko", "asyncssh": ASYNCSSH_PLUGIN}  # transport -> Nornir connection plugin
TRANSPORT_DATA = "transport"  # host.data key: the transport this host's sessions use
TYPEAHEAD_DATA = "typeahead"  # host.data key: True lets the asyncssh transport type ahead (--typeahead)
SESSION_LOG_DATA = "fleetreg_session_log"  # host.data key: SessionLogSpec for the next session opened
CONNECTION_OPTIONS = "netmiko"  # the Nornir connection options holding the login extras (inventory format)
HOST_NAME_EXTRA = "fleetreg_host"  # the inventory name, for error messages
_NOT_FOR_NETMIKO = frozenset({"secret", "session_log", HOST_KEYS_EXTRA, HOST_NAME_EXTRA})

# The DeviceCli adapting each open connection object (made once per connection: login-time work
# such as enable and host-key recording happens there).
_ADAPTED: weakref.WeakKeyDictionary[Any, DeviceCli] = weakref.WeakKeyDictionary()
_ADAPTING = threading.Lock()


def transport_of(host: Host) -> str:
    return str(host.data.get(TRANSPORT_DATA, DEFAULT_TRANSPORT))


def plugin_of(host: Host) -> str:
    return PLUGINS[transport_of(host)]


def cli_params(host: Host, *, session_log: SessionLogSpec | None = None) -> CliParams:
    """What either transport needs to log in to `host` (credentials from Nornir's defaults)."""
    options = host.get_connection_parameters(CONNECTION_OPTIONS)
    extras = dict(options.extras or {})
    policy = extras.get(HOST_KEYS_EXTRA) or {}
    return CliParams(
        host=host.name,
        hostname=options.hostname or host.name,
        port=options.port or 22,
        username=options.username or "",
        password=options.password or "",
        secret=extras.get("secret"),
        platform=options.platform or "cisco_xe",
        connect_timeout=float(extras.get("conn_timeout") or 15),
        host_key_mode=policy.get("mode"),
        host_key_file=Path(policy["file"]) if policy.get("file") else None,
        session_log=session_log,
        netmiko_extras={k: v for k, v in extras.items() if k not in _NOT_FOR_NETMIKO},
        setting_origins=setting_origins(host.data.get("settings")),
        typeahead=bool(host.data.get(TYPEAHEAD_DATA)),
    )


def device_cli(task: Task) -> DeviceCli:
    """The task's host's session (opened now if it is not open): logged in, privileged EXEC,
    gated. Failures to connect are fleetreg errors (step `connect`)."""
    host = task.host
    name = plugin_of(host)
    try:
        if name not in ConnectionPluginRegister.available:
            ConnectionPluginRegister.auto_register()  # installed plugins (nornir-netmiko's `netmiko`)
        if name not in host.connections:
            _open(host, name, task)
        conn = host.connections[name].connection
        with _ADAPTING:
            cli = _ADAPTED.get(conn)
        if cli is None:
            cli = _adapt(host, conn)
            with _ADAPTING:
                _ADAPTED[conn] = cli
    except Exception as exc:
        close_cli(host, politely=False)
        raise translate(exc, host=host.name, step="connect") from None
    return cli


def _open(host: Host, name: str, task: Task) -> None:
    params = cli_params(host, session_log=host.data.get(SESSION_LOG_DATA))
    extras: dict[str, Any]
    if name == ASYNCSSH_PLUGIN:
        extras = {"params": params}
    else:
        from fleetreg.tasks.netmiko_cli import MaskedLogSink, netmiko_arguments

        sink = MaskedLogSink(params.session_log) if params.session_log is not None else None
        extras = {**netmiko_arguments(params, sink), "ssh_config_file": None}
        host.data[_SINK_DATA] = sink
    host.open_connection(
        name,
        task.nornir.config,
        hostname=params.hostname,
        username=params.username,
        password=params.password,
        port=params.port,
        platform=params.platform,
        extras=extras,
    )


_SINK_DATA = "fleetreg_session_log_sink"  # host.data: the netmiko session's log writer, closed with it


def _adapt(host: Host, conn: Any) -> DeviceCli:
    params = cli_params(host)
    if isinstance(conn, SyncSshCli):
        return GatedCli(conn, params.setting_origins)
    from fleetreg.tasks.netmiko_cli import NetmikoCli

    return GatedCli(NetmikoCli.adopt(conn, params, host.data.pop(_SINK_DATA, None)), params.setting_origins)


def open_cli(params: CliParams, transport: str) -> DeviceCli:
    """A session outside Nornir (tests, tools): the same transports and the same gate."""
    if transport == "asyncssh":
        return GatedCli(SyncSshCli.connect(params), params.setting_origins)
    from fleetreg.tasks.netmiko_cli import MaskedLogSink, NetmikoCli, connect_netmiko

    sink = MaskedLogSink(params.session_log) if params.session_log is not None else None
    try:
        conn = connect_netmiko(params, sink)
    except BaseException:
        if sink is not None:
            sink.close()
        raise
    return GatedCli(NetmikoCli.adopt(conn, params, sink), params.setting_origins)


def close_cli(host: Host, *, politely: bool = True) -> None:
    """End the host's session, if one is open: `exit` when `politely`, else dropped at once
    (its state is unknown: lost, hung, timed out). Never raises."""
    name = plugin_of(host)
    if name not in host.connections:
        return
    conn = host.connections[name].connection
    with _ADAPTING:
        cli = _ADAPTED.pop(conn, None) if conn is not None else None
    with contextlib.suppress(Exception):
        if cli is not None and politely:
            cli.close()
        elif cli is not None:
            cli.abort()
    with contextlib.suppress(Exception):
        host.close_connection(name)
    host.connections.pop(name, None)  # also when the plugin's close failed: never reused
    sink = host.data.pop(_SINK_DATA, None)
    if sink is not None:
        sink.close()


def send(cli: DeviceCli, command: str, *, read_timeout: float) -> str:
    """One exec command, its raw output as text (fleetreg parses with its own templates)."""
    return cli.send_command(command, read_timeout=read_timeout)
