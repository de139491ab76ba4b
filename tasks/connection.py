"""Opening a switch's CLI session, through the transport the run uses, from its Nornir host."""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path

from fleetreg.core.cli_text import setting_origins
from fleetreg.tasks.cli import CliParams, DeviceCli
from fleetreg.tasks.gated_cli import GatedCli
from fleetreg.tasks.host_keys import HOST_KEYS_EXTRA
from fleetreg.tasks.session_log import SessionLogSpec
from fleetreg.tasks.ssh_cli import SshCli
from nornir.core.inventory import Host

TRANSPORTS = ("asyncssh", "netmiko")
DEFAULT_TRANSPORT = "asyncssh"
TRANSPORT_DATA = "transport"  # host.data key: the transport this host's sessions use
CONNECTION_OPTIONS = "netmiko"  # the Nornir connection options holding the login extras (inventory format)
HOST_NAME_EXTRA = "fleetreg_host"  # the inventory name, for error messages
_NOT_FOR_NETMIKO = frozenset({"secret", "session_log", HOST_KEYS_EXTRA, HOST_NAME_EXTRA})


def transport_of(host: Host) -> str:
    return str(host.data.get(TRANSPORT_DATA, DEFAULT_TRANSPORT))


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
    )


async def open_cli(params: CliParams, transport: str, executor: Executor | None = None) -> DeviceCli:
    """A logged-in session in privileged EXEC, behind the gate every typed line passes.
    `executor`: the threads the netmiko transport runs Netmiko in (one per session at a time)."""
    cli: DeviceCli
    if transport == "netmiko":
        from fleetreg.tasks.netmiko_cli import NetmikoCli  # Netmiko and paramiko load only when used (~0.3 s)

        cli = await NetmikoCli.connect(params, executor)
    else:
        cli = await SshCli.connect(params)
    return GatedCli(cli, params.setting_origins)


async def send(cli: DeviceCli, command: str, *, read_timeout: float) -> str:
    """One exec command, its raw output as text (fleetreg parses with its own templates)."""
    return await cli.send_command(command, read_timeout=read_timeout)
