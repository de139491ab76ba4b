"""The netmiko transport's default options, importable without loading Netmiko (the CLI
shows and layers them whichever transport a run uses)."""

from __future__ import annotations

from typing import Any

# Netmiko spends most of a default session sleeping. fast_cli shortens its fixed delays and
# lets prompt detection return as soon as the prompt is seen. The round trips Netmiko adds on
# top (measured in bench/README.md) are removed by tasks.netmiko_cli.TunedCiscoXe, which the
# netmiko transport uses for IOS / IOS-XE. No timeouts here: these extras are layered last
# (orchestrator.nornir_setup.netmiko_extras), so they would override --connect-timeout and
# the inventory's own conn_timeout / read_timeout_override (with 200 logins at once on 2
# cores, 10 s was too short: paramiko's "No existing session ... conn_timeout" failures).
DEFAULT_NETMIKO_EXTRAS: dict[str, Any] = {
    "fast_cli": True,
    "keepalive": 30,
}
