"""The netmiko transport's default options, importable without loading Netmiko (the CLI
shows and layers them whichever transport a run uses)."""

from __future__ import annotations

from typing import Any

# Netmiko spends most of a default session sleeping. fast_cli (Netmiko's own option) shortens
# its fixed delays and lets prompt detection return as soon as the prompt is seen; the driver is
# Netmiko's own. These are defaults only: the inventory's connection_options.netmiko.extras win
# (orchestrator.nornir_setup.netmiko_extras), `fast_cli: false` included. No timeouts here: with
# 200 logins at once on 2 cores, 10 s was too short (paramiko's "No existing session").
DEFAULT_NETMIKO_EXTRAS: dict[str, Any] = {
    "fast_cli": True,
    "keepalive": 30,
}
