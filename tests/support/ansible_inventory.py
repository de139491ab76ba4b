"""A SimpleInventory folder (as the mock fleet writes it) rewritten as the Ansible inventory a team
would keep: hosts.yaml with the groups and `ansible_host`/`ansible_port`, group_vars/ and host_vars/
holding the variables (`site`, `fleetreg`, `platform`), and a Nornir config naming nornir-ansible."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def variables(element: dict[str, Any]) -> dict[str, Any]:
    """An element's variables as Ansible writes them: data's keys at the top, Nornir's attributes beside."""
    found: dict[str, Any] = dict(element.get("data") or {})
    for key in ("platform", "connection_options"):
        if key in element:
            found[key] = element[key]
    return found


def write_ansible_inventory(simple: Path, folder: Path) -> Path:
    """The Ansible project for the inventory in `simple`; returns its config.yaml (absolute paths)."""
    hosts = yaml.safe_load((simple / "hosts.yaml").read_text()) or {}
    groups = yaml.safe_load((simple / "groups.yaml").read_text()) or {}
    defaults = yaml.safe_load((simple / "defaults.yaml").read_text()) or {}
    (folder / "group_vars").mkdir(parents=True)
    (folder / "host_vars").mkdir()
    children: dict[str, Any] = {name: {"hosts": {}} for name in groups}
    for name, group in groups.items():
        (folder / "group_vars" / f"{name}.yml").write_text(yaml.safe_dump(variables(group or {})))
    for name, host in hosts.items():
        for group in host.get("groups", []):
            children[group]["hosts"][name] = None
        inline = {"ansible_host": host["hostname"], "ansible_port": host.get("port", 22)}
        children[host["groups"][0]]["hosts"][name] = inline
        (folder / "host_vars" / f"{name}.yml").write_text(yaml.safe_dump(variables(host)))
    (folder / "group_vars" / "all.yml").write_text(yaml.safe_dump(variables(defaults)))
    (folder / "hosts.yaml").write_text(yaml.safe_dump({"all": {"children": children}}, sort_keys=False))
    config = folder / "config.yaml"
    config.write_text(
        yaml.safe_dump(
            {"inventory": {"plugin": "AnsibleInventory", "options": {"hostsfile": str(folder / "hosts.yaml")}}}
        )
    )
    return config
