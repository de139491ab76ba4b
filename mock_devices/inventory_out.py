"""Writes the Nornir SimpleInventory (hosts/groups/defaults) and fleet.env for a served fleet."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from mock_devices.interface import FleetInfo

DEFAULT_PLATFORM = "cisco_xe"
ENV_FILE = "fleet.env"
CA_FILE = "satellite-ca.pem"  # the satellite's CA certificate (PEM), for trustpoint mode ca-file
IDENTITY_TRUSTPOINT = "FLEETREG-SSM"  # mock_devices.pki.FLEETREG_TRUSTPOINT: where verify fleets hold the CA
CLIENT_ID_ENV = "FLEETREG_SATELLITE_CLIENT_ID"
CLIENT_SECRET_ENV = "FLEETREG_SATELLITE_CLIENT_SECRET"


@dataclass(frozen=True)
class SatelliteApiInfo:
    """The satellite API a served fleet offers: settings go to defaults.yaml, credentials to fleet.env."""

    base_url: str
    account: str
    client_id: str
    client_secret: str = field(repr=False)
    ca_file: str
    token_source: str = "env"

    def settings(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "account": self.account,
            "client_id_ref": f"env:{CLIENT_ID_ENV}",
            "client_secret_ref": f"env:{CLIENT_SECRET_ENV}",
            "ca_file": self.ca_file,
            "token_source": self.token_source,
        }


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


def cloud_token_env_var(virtual_account: str) -> str:
    """Where fleet.env puts the CSSM token that registers this VA's former cloud switches back."""
    return f"FLEETREG_CLOUD_TOKEN_{slug(virtual_account).upper()}"


def trust_settings(info: FleetInfo, ca_file: str | None) -> dict[str, Any]:
    """`verify` fleets: keep the identity check and install the satellite CA from `ca_file`;
    otherwise the common recipe (identity check off, revocation-check none on SLA-TrustPoint)."""
    if info.identity_check == "verify" and ca_file:
        return {
            "server_identity_check": "verify",
            "trustpoint": {"name": IDENTITY_TRUSTPOINT, "mode": "ca-file", "ca_file": ca_file},
        }
    return {
        "server_identity_check": "disable",
        "trustpoint": {"name": "SLA-TrustPoint", "mode": "revocation-check-none"},
    }


def defaults_document(
    info: FleetInfo, satellite_api: SatelliteApiInfo | None = None, *, ca_file: str | None = None
) -> dict[str, Any]:
    trust = trust_settings(info, ca_file)
    document: dict[str, Any] = {
        "platform": DEFAULT_PLATFORM,
        "data": {
            "fleetreg": {
                "satellite_url": info.satellite_url,
                "cslu_tenant": info.cslu_tenant,
                "callhome_profile": "SSM-OnPrem",
                "transport": "auto",
                "server_identity_check": trust["server_identity_check"],
                "trustpoint": trust["trustpoint"],
                "register_timeout_s": 120,
                "poll_interval_s": 1,
            }
        },
    }
    if satellite_api is not None:
        document["data"]["fleetreg"]["satellite_api"] = satellite_api.settings()
    return document


def groups_document(
    hosts: Sequence[HostEntry], tenants: Mapping[str, str] | None = None, *, cloud_tokens: bool = False
) -> dict[str, Any]:
    """One group per virtual account (its name, its token reference, with `cloud_tokens` the
    reference of a CSSM token for rollback and, from `tenants`, the CSLU tenant its SLP switches
    report to: `cslu_tenant`, as the fleet-wide key in defaults.yaml is named) and one per site."""
    groups: dict[str, Any] = {}
    for virtual_account in sorted({host.virtual_account for host in hosts}):
        fleetreg = {"virtual_account": virtual_account, "token_ref": f"env:{token_env_var(virtual_account)}"}
        if cloud_tokens:
            fleetreg["cloud_token_ref"] = f"env:{cloud_token_env_var(virtual_account)}"
        tenant = (tenants or {}).get(virtual_account)
        if tenant:
            fleetreg["cslu_tenant"] = tenant
        groups[f"va_{slug(virtual_account)}"] = {"data": {"fleetreg": fleetreg}}
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
    if info.cloud_token is not None:
        for virtual_account in sorted({host.virtual_account for host in hosts}):
            values[cloud_token_env_var(virtual_account)] = info.cloud_token
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


def write_ca_file(directory: Path, info: FleetInfo, satellite_api: SatelliteApiInfo | None) -> str | None:
    """Write the satellite CA to <directory>/satellite-ca.pem; its absolute path, or None without a CA.
    A served satellite API writes the same file (it presents the satellite's own certificate); that
    file is kept as it is."""
    if info.ca_pem is None:
        return None
    path = (directory / CA_FILE).resolve()
    if satellite_api is not None and Path(satellite_api.ca_file).resolve() == path and path.exists():
        return str(path)
    path.write_text(info.ca_pem, encoding="utf-8")
    return str(path)


def write_inventory(
    directory: Path,
    hosts: Sequence[HostEntry],
    info: FleetInfo,
    *,
    satellite_api: SatelliteApiInfo | None = None,
) -> dict[str, str]:
    """Write hosts.yaml, groups.yaml, defaults.yaml, fleet.env (0600) and the satellite's CA
    (satellite-ca.pem); return the env values."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_file = write_ca_file(directory, info, satellite_api)
    defaults = defaults_document(info, satellite_api, ca_file=ca_file)
    (directory / "defaults.yaml").write_text(_dump(defaults), encoding="utf-8")
    groups = groups_document(hosts, info.cslu_tenants, cloud_tokens=info.cloud_token is not None)
    (directory / "groups.yaml").write_text(_dump(groups), encoding="utf-8")
    (directory / "hosts.yaml").write_text(_dump(hosts_document(hosts)), encoding="utf-8")
    values = env_values(info, hosts)
    if satellite_api is not None:
        values[CLIENT_ID_ENV] = satellite_api.client_id
        values[CLIENT_SECRET_ENV] = satellite_api.client_secret
    _write_private(directory / ENV_FILE, env_file_text(values))
    return values
