"""Build a Nornir object from a validated Inventory, in memory (no SimpleInventory files read
again, no nornir.log written). Tasks find the resolved settings on each Nornir host:

    host.data["settings"]  MigrationSettings   (also: settings_of(host))
    host.data["entry"]     HostEntry
    host.data["site"]      str | None

Credentials go on the Nornir defaults only; the enable secret goes into the netmiko extras at
connection time, so neither appears in HostEntry, host.data or any report."""

from __future__ import annotations

from fleetreg.core.inventory_model import HostEntry, Inventory
from fleetreg.core.settings import MigrationSettings
from fleetreg.shell.secrets import Credentials
from fleetreg.tasks.connection import (
    CONNECTION_OPTIONS,
    DEFAULT_TRANSPORT,
    HOST_NAME_EXTRA,
    TRANSPORT_DATA,
    TYPEAHEAD_DATA,
)
from fleetreg.tasks.host_keys import HOST_KEYS_EXTRA, HostKeyPolicy
from nornir.core import Nornir
from nornir.core.configuration import Config, LoggingConfig, RunnerConfig
from nornir.core.inventory import ConnectionOptions, Defaults, Group, Groups, Host, Hosts, ParentGroups
from nornir.core.inventory import Inventory as NornirInventory
from nornir.plugins.runners import ThreadedRunner


def netmiko_extras(
    entry: HostEntry, credentials: Credentials, *, connect_timeout: float, extras: dict | None = None
) -> dict:
    """ConnectHandler arguments beyond host/port/username/password/device_type.

    Layering: fleetreg's timeouts < the caller's `extras` (fleetreg's defaults) < the inventory's
    extras, as a Nornir user wrote them (`fast_cli: false` stays false); the enable secret always
    comes from the credentials."""
    options: dict = {
        "conn_timeout": connect_timeout,
        "auth_timeout": connect_timeout,
        "banner_timeout": connect_timeout,
        "fast_cli": False,
    }
    options.update(extras or {})
    options.update(entry.connection_options)
    options.pop("secret", None)
    if credentials.enable_secret:
        options["secret"] = credentials.enable_secret
    return options


def build_nornir(
    inventory: Inventory,
    credentials: Credentials,
    *,
    workers: int = 20,
    connect_timeout: float = 15,
    extras: dict | None = None,
    host_keys: HostKeyPolicy | None = None,
    transport: str = DEFAULT_TRANSPORT,
    typeahead: bool = False,
) -> Nornir:
    """`host_keys`: check switches' SSH host keys (trust on first use, or strict); None: accept any.
    `transport`: how sessions are opened (tasks.connection.TRANSPORTS); both read the login
    options from the same connection options (the asyncssh transport only those it understands).
    `typeahead`: the asyncssh transport types a config section's settings without waiting for
    each line's answer (--typeahead)."""
    defaults = Defaults(username=credentials.username, password=credentials.password)
    groups = Groups({name: Group(name=name, defaults=defaults) for name in inventory.groups})
    for name, group in groups.items():
        parents = inventory.group_parents.get(name, ())
        group.groups = ParentGroups([groups[p] for p in parents if p in groups])
    hosts = Hosts()
    for entry in inventory.hosts:
        hosts[entry.name] = Host(
            name=entry.name,
            hostname=entry.hostname,
            port=entry.port,
            platform=entry.platform,
            groups=ParentGroups([groups[g] for g in entry.groups if g in groups]),
            data={
                "settings": entry.settings,
                "entry": entry,
                "site": entry.site,
                TRANSPORT_DATA: transport,
                TYPEAHEAD_DATA: typeahead,
            },
            connection_options={
                CONNECTION_OPTIONS: ConnectionOptions(
                    platform=entry.platform,
                    extras={
                        **netmiko_extras(entry, credentials, connect_timeout=connect_timeout, extras=extras),
                        **({HOST_KEYS_EXTRA: host_keys.connection_options(entry.name)} if host_keys else {}),
                        HOST_NAME_EXTRA: entry.name,
                    },
                )
            },
            defaults=defaults,
        )
    config = Config(
        logging=LoggingConfig(enabled=False),
        runner=RunnerConfig(plugin="threaded", options={"num_workers": workers}),
    )
    return Nornir(
        inventory=NornirInventory(hosts=hosts, groups=groups, defaults=defaults),
        runner=ThreadedRunner(num_workers=workers),
        config=config,
    )


def settings_of(host: Host) -> MigrationSettings:
    settings = host.data["settings"]
    assert isinstance(settings, MigrationSettings)
    return settings
