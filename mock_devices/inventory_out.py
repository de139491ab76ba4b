"""Writes the Nornir SimpleInventory (hosts/groups/defaults) and fleet.env for a served fleet."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import yaml

from mock_devices.interface import FleetInfo

DEFAULT_PLATFORM = "cisco_xe"
ENV_FILE = "fleet.env"


class HostEntry(Protocol):
    """What the writer reads from fleet.InventoryHost (read-only attributes)."""

    @property
    def name(self) -> str: ...
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def site(self) -> str: ...
    @property
    def virtual_account(self) -> str: ...
    @property
    def source_interface(self) -> str: ...
    @property
    def platform(self) -> str: ...
    @property
    def canary(self) -> bool: ...


def slug(text: str) -> str:
    """'Corporate Network Devices' -> 'corporate_network_devices' (group names, env var suffixes)."""
    value = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    if not value:
        raise ValueError(f"cannot make a group name from {text!r}")
    return value


def token_env_var(virtual_account: str) -> str:
    return f"FLEETREG_TOKEN_{slug(virtual_account).upper()}"


def defaults_document(info: FleetInfo) -> dict[str, Any]:
    return {
        "platform": DEFAULT_PLATFORM,
        "data": {
            "fleetreg": {
                "satellite_url": info.satellite_url,
                "cslu_tenant": info.cslu_tenant,
                "callhome_profile": "SSM-OnPrem",
                "transport": "auto",
                "server_identity_check": "disable",
                "trustpoint": {"name": "SLA-TrustPoint", "mode": "revocation-check-none"},
                "register_timeout_s": 120,
                "poll_interval_s": 1,
            }
        },
    }


def groups_document(hosts: Sequence[HostEntry]) -> dict[str, Any]:
    groups: dict[str, Any] = {}
    for virtual_account in sorted({host.virtual_account for host in hosts}):
        groups[f"va_{slug(virtual_account)}"] = {
            "data": {
                "fleetreg": {
                    "virtual_account": virtual_account,
                    "token_ref": f"env:{token_env_var(virtual_account)}",
                }
            }
        }
    for site in sorted({host.site for host in hosts}):
        groups[f"site_{slug(site)}"] = {"data": {"site": site}}
    return groups


def hosts_document(hosts: Sequence[HostEntry]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for host in hosts:
        if host.name in document:
            raise ValueError(f"duplicate inventory host name {host.name!r}")
        fleetreg: dict[str, Any] = {"source_interface": host.source_interface}
        if host.canary:
            fleetreg["canary"] = True
        entry: dict[str, Any] = {
            "hostname": host.host,
            "port": host.port,
            "groups": [f"va_{slug(host.virtual_account)}", f"site_{slug(host.site)}"],
        }
        if host.platform != DEFAULT_PLATFORM:
            entry["platform"] = host.platform
        entry["data"] = {"fleetreg": fleetreg}
        document[host.name] = entry
    return document


def env_values(info: FleetInfo, hosts: Sequence[HostEntry]) -> dict[str, str]:
    values = {
        "FLEETREG_USERNAME": info.username,
        "FLEETREG_PASSWORD": info.password,
        "FLEETREG_ENABLE_SECRET": info.enable_secret,
    }
    for virtual_account in sorted({host.virtual_account for host in hosts} | set(info.tokens)):
        token = info.tokens.get(virtual_account)
        if token is not None:
            values[token_env_var(virtual_account)] = token
    return values


def env_file_text(values: dict[str, str]) -> str:
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in values.items())


def _write_private(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def _dump(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, default_flow_style=False, width=1000)


def write_inventory(directory: Path, hosts: Sequence[HostEntry], info: FleetInfo) -> dict[str, str]:
    """Write hosts.yaml, groups.yaml, defaults.yaml and fleet.env (0600); return the env values."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "defaults.yaml").write_text(_dump(defaults_document(info)), encoding="utf-8")
    (directory / "groups.yaml").write_text(_dump(groups_document(hosts)), encoding="utf-8")
    (directory / "hosts.yaml").write_text(_dump(hosts_document(hosts)), encoding="utf-8")
    values = env_values(info, hosts)
    _write_private(directory / ENV_FILE, env_file_text(values))
    return values
