"""Builders shared by the orchestrator tests: inventory entries and sample-based discover outputs."""

from __future__ import annotations

from pathlib import Path

from fleetreg.core.inventory_model import HostEntry
from fleetreg.core.settings import MigrationSettings

SATELLITE = "https://ssm.example.net/Transportgateway/services/DeviceRequestHandler"


def entry(name: str = "sw1", **settings: object) -> HostEntry:
    values: dict = {
        "satellite_url": SATELLITE,
        "virtual_account": "Corporate Network Devices",
        "token_ref": "env:FLEETREG_TOKEN_CORPORATE",
        "source_interface": "Vlan781",
        "cslu_tenant": "SA-Example",
    }
    values.update(settings)
    return HostEntry(
        name=name,
        hostname="192.0.2.10",
        port=22,
        platform="cisco_xe",
        groups=("va_corporate",),
        site="AMS",
        settings=MigrationSettings(**values),
        connection_options={},
    )


def slp_version(samples: Path) -> str:
    text = (samples / "sver_ntc_c9500_16.9.3.txt").read_text()
    text = text.replace("Version 16.09.03", "Version 17.06.05").replace("Version 16.9.3,", "Version 17.6.5,")
    return "\n".join(line for line in text.splitlines() if not line.startswith("Smart Licensing Status"))


def outputs(
    samples: Path,
    *,
    version: str | None = None,
    status: str,
    running: str | None = None,
) -> dict[str, str]:
    return {
        "show version": version or (samples / "sver_ntc_c9500_16.9.3.txt").read_text(),
        "show license status": (samples / status).read_text(),
        "show running-config": running or (samples / "runcfg_libgr_c9200l_17.6_full.txt").read_text(),
    }
