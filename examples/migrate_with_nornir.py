"""Migrate classic (call-home) switches to an SSM On-Prem satellite with plain Nornir and
fleetreg's tasks, no fleetreg runner: the steps are ordinary Nornir tasks.

    python examples/migrate_with_nornir.py INVENTORY_DIR [--limit 3]

INVENTORY_DIR is a Nornir SimpleInventory (hosts/groups/defaults.yaml) whose `data.fleetreg`
holds the satellite URL, the call-home profile name, the trustpoint and its CA file, and per
virtual-account group the token reference (`token_ref: env:VAR`); `mock_devices` writes one for
its emulated fleet. Credentials come from FLEETREG_USERNAME / FLEETREG_PASSWORD /
FLEETREG_ENABLE_SECRET. fleetreg's own `plan` + `apply` add what this leaves out on purpose:
review, waves, a journal to resume from, backout, reports."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from fleetreg.core.facts import build_facts
from fleetreg.core.host_flow import readback_problems
from fleetreg.core.pki import ca_fingerprints
from fleetreg.tasks.configure import configure, save_config
from fleetreg.tasks.discover import discover
from fleetreg.tasks.licensing import deregister, register, wait_until_registered
from fleetreg.tasks.trust import install_trust
from fleetreg.tasks.verify import verify
from nornir import InitNornir
from nornir.core.inventory import ConnectionOptions, Host
from nornir.core.task import Result, Task


def setting(host: Host, key: str) -> Any:
    """`data.fleetreg.<key>` as Nornir inherits data: the host, its groups in order, the defaults."""
    layers = [host.data, *(group.data for group in host.extended_groups()), host.defaults.data]
    return next((layer["fleetreg"][key] for layer in layers if key in layer.get("fleetreg", {})), None)


def change_lines(host: Host) -> list[str]:
    """The call-home change, written here as a Nornir user would template it."""
    lines = [
        "call-home",
        ' profile "CiscoTAC-1"',
        "  no active",
        f' profile "{setting(host, "callhome_profile")}"',
        "  reporting smart-licensing-data",
        "  destination transport-method http",
        "  no destination transport-method email",
        f"  destination address http {setting(host, 'satellite_url')}",
        "  destination preferred-msg-format xml",
        "  active",
    ]
    if interface := setting(host, "source_interface"):
        lines.append(f"ip http client source-interface {interface}")
    return lines


def migrate(task: Task) -> Result:
    """One classic switch from the cloud to the satellite, each step a fleetreg task."""
    host = task.host
    facts = build_facts(host.name, task.run(task=discover).result)
    if facts.licensing_mode != "classic":
        return Result(host=host, result="skipped: Smart Licensing Using Policy (use fleetreg plan/apply)")
    trustpoint = setting(host, "trustpoint")
    pem = Path(trustpoint["ca_file"]).read_text()
    task.run(task=install_trust, trustpoint=trustpoint["name"], ca_pem=pem, expected_sha1=ca_fingerprints(pem)[1])
    task.run(task=configure, commands=change_lines(host))
    task.run(task=save_config)
    if (facts.license.registration_status or "").startswith("REGISTERED"):
        task.run(task=deregister)
    token = os.environ[setting(host, "token_ref").removeprefix("env:")]
    task.run(task=register, token=token)
    task.run(task=wait_until_registered, timeout_s=120, poll_interval_s=1)
    task.run(task=save_config)
    _raw, status, callhome = task.run(task=verify, mode="callhome").result
    url, account = setting(host, "satellite_url"), setting(host, "virtual_account")
    problems = readback_problems("callhome", account, url, status, callhome)
    return Result(host=host, result="; ".join(problems) or "migrated", failed=bool(problems))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inventory_dir", type=Path)
    parser.add_argument("--limit", type=int, default=3, help="How many switches (the first in the inventory).")
    args = parser.parse_args()
    folder = args.inventory_dir
    nr = InitNornir(
        runner={"plugin": "threaded", "options": {"num_workers": 10}},
        inventory={
            "plugin": "SimpleInventory",
            "options": {
                "host_file": str(folder / "hosts.yaml"),
                "group_file": str(folder / "groups.yaml"),
                "defaults_file": str(folder / "defaults.yaml"),
            },
        },
        logging={"enabled": False},
    )
    nr.inventory.defaults.username = os.environ["FLEETREG_USERNAME"]
    nr.inventory.defaults.password = os.environ["FLEETREG_PASSWORD"]
    secret = {"secret": os.environ["FLEETREG_ENABLE_SECRET"]}
    nr.inventory.defaults.connection_options["netmiko"] = ConnectionOptions(extras=secret)
    chosen = list(nr.inventory.hosts)[: args.limit]
    results = nr.filter(filter_func=lambda host: host.name in chosen).run(task=migrate)
    for name, multi in results.items():
        outcome = f"failed: {multi.exception}" if multi.failed and multi.exception else multi[0].result
        print(f"{name}: {outcome}")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
