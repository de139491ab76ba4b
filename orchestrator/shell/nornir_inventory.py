"""A Nornir config file (`config.yaml`) and the inventory it names, loaded through Nornir's public
API (`InitNornir(config_file=...)`): whatever inventory plugin is installed, with its options and
transform function, so fleetreg sees the hosts a team's own Nornir scripts see. Every failure is
one problem naming the config file (a plugin's own exception is shown by type and first line, never
a YAML snippet: it could hold a password)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fleetreg.core.errors import one_line_text
from fleetreg.core.inventory_checks import type_name
from fleetreg.core.inventory_elements import Element, Kind, Locator, deepest_line, key_line
from fleetreg.core.inventory_model import InventoryProblem
from fleetreg.core.inventory_resolve import Elements
from fleetreg.shell.inventory_yaml import read_yaml
from nornir import InitNornir
from nornir.core.configuration import Config
from nornir.core.exceptions import PluginNotRegistered
from nornir.core.inventory import Defaults, Host
from nornir.core.inventory import Inventory as NornirInventory

# The plugins fleetreg is tested with, and the extra that installs each.
PLUGIN_EXTRAS = {
    "AnsibleInventory": "pip install 'fleetreg[ansible]' (nornir-ansible)",
    "NetBoxInventory2": "pip install 'fleetreg[netbox]' (nornir-netbox)",
}
# An option that would hold a secret: the inventory names where secrets live, never holds them.
SECRET_OPTION = re.compile(r"token|password|secret|passphrase|api_key", re.IGNORECASE)
SECRET_OPTION_HINT = {"nb_token": "set NB_TOKEN in the environment (nornir-netbox reads it)"}
ATTRIBUTES = ("hostname", "port", "username", "password", "platform")


@dataclass(frozen=True)
class NornirConfig:
    """A Nornir config file as Nornir resolves it (its NORNIR_* environment variables included)."""

    path: Path
    plugin: str
    options: Mapping[str, Any]
    has_transform: bool

    @property
    def shown(self) -> str:
        return str(self.path)

    def option_path(self, name: str, default: str) -> Path:
        """A file option, as the plugin opens it (relative to the current folder, as in Nornir)."""
        value = self.options.get(name, default)
        return Path(str(value)).expanduser()


def read_config(path: Path, problems: list[InventoryProblem]) -> NornirConfig | None:
    """The config file, checked as written (YAML with lines, the `inventory` section's shape, no
    secret among the options), then resolved by Nornir. None when it cannot be used."""
    shown = str(path)
    read = read_yaml(path, problems)
    if read.status == "missing":
        problems.append(InventoryProblem(shown, None, None, "Nornir config file not found"))
        return None
    if read.status == "unreadable":
        return None
    document = read.data if read.data is not None else {}
    if not isinstance(document, dict):
        problems.append(
            InventoryProblem(shown, None, None, f"a Nornir config is a mapping, got {type_name(document)}", 1)
        )
        return None
    inventory = document.get("inventory", {})
    if not isinstance(inventory, dict):
        line = key_line(document, "inventory")
        problems.append(InventoryProblem(shown, None, "inventory", "must be a mapping (plugin, options)", line))
        return None
    options = inventory.get("options", {})
    if options is not None and not isinstance(options, dict):
        line = deepest_line(document, ("inventory", "options"), None)
        problems.append(InventoryProblem(shown, None, "inventory.options", "must be a mapping", line))
        return None
    found = len(problems)
    for key in options or {}:
        if SECRET_OPTION.search(str(key)):
            hint = SECRET_OPTION_HINT.get(str(key), "give it to the plugin through its environment variable")
            message = f"a secret does not belong in the inventory's config: {hint}"
            line = deepest_line(document, ("inventory", "options", str(key)), None)
            problems.append(InventoryProblem(shown, None, f"inventory.options.{key}", message, line))
    if len(problems) > found:
        return None
    try:
        config = Config.from_file(str(path), logging={"enabled": False})
    except Exception as exc:  # Nornir's own check of the sections (an unknown key is a TypeError)
        problems.append(InventoryProblem(shown, None, None, f"not a Nornir config: {failure_text(exc)}"))
        return None
    return NornirConfig(
        path=path,
        plugin=str(config.inventory.plugin),
        options=dict(config.inventory.options or {}),
        has_transform=bool(config.inventory.transform_function),
    )


def load_nornir_inventory(config: NornirConfig, problems: list[InventoryProblem]) -> NornirInventory | None:
    """The inventory the config's plugin loads (and its transform function changes), through InitNornir."""
    try:
        nornir = InitNornir(config_file=str(config.path), logging={"enabled": False})
    except PluginNotRegistered:
        install = PLUGIN_EXTRAS.get(config.plugin, "install the package that provides it")
        message = f"inventory plugin {config.plugin!r} is not installed: {install}"
        problems.append(InventoryProblem(config.shown, None, "inventory.plugin", message))
        return None
    except Exception as exc:  # whatever the plugin raises: one line, the config named
        message = f"inventory plugin {config.plugin} could not load the inventory: {failure_text(exc)}"
        if config.plugin.startswith("NetBox") and not os.environ.get("NB_TOKEN"):
            message += " (NB_TOKEN is not set)"
        problems.append(InventoryProblem(config.shown, None, None, message))
        return None
    return nornir.inventory


def failure_text(exc: BaseException) -> str:
    """An exception as one short line; a YAML library's error by its type only (its text quotes the source)."""
    if type(exc).__module__.split(".")[0] in ("ruamel", "yaml"):
        return f"{type(exc).__name__} (the YAML of a file it reads)"
    text = " ".join(one_line_text(str(exc)).split())
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def element_values(element: Host | Defaults) -> dict:
    """What one Nornir host, group or defaults sets itself (not what it inherits), in SimpleInventory's
    shape, without the attributes it leaves unset."""
    written = element.dict()
    raw: dict = {key: written[key] for key in ATTRIBUTES if written.get(key) is not None}
    if written.get("groups"):
        raw["groups"] = list(written["groups"])
    if written.get("data"):
        raw["data"] = dict(written["data"])
    options = {}
    for name, values in (written.get("connection_options") or {}).items():
        kept = {key: value for key, value in (values or {}).items() if value is not None}
        if kept:
            options[name] = kept
    if options:
        raw["connection_options"] = options
    return raw


LocatorFor = Callable[[Kind, "str | None"], Locator]
HostValues = Callable[[Host], dict]


def nornir_elements(
    inventory: NornirInventory, locator_for: LocatorFor, host_values: HostValues = element_values
) -> Elements:
    """The loaded inventory as elements: each one's own values, and where the source wrote them."""
    defaults = Element("defaults", None, element_values(inventory.defaults), locator_for("defaults", None))
    groups = {
        name: Element("group", name, element_values(group), locator_for("group", name))
        for name, group in inventory.groups.items()
    }
    hosts = [
        Element("host", name, host_values(host), locator_for("host", name)) for name, host in inventory.hosts.items()
    ]
    return Elements(defaults, groups, hosts)
