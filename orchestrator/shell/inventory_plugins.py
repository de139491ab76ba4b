"""Any Nornir inventory named by a config file, as elements for fleetreg's checks: the plugin loads
it (through InitNornir), and a reader per plugin says where each value was written. SimpleInventory
and nornir-ansible's files give file and line, nornir-netbox the device's URL; any other plugin
is named by the config file. Each reader first reads its files as written, so a broken file is
reported with its line before the plugin stumbles on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from fleetreg.core.inventory_checks import check_structure
from fleetreg.core.inventory_elements import At, Element, Kind, Location, Locator, WrittenIn
from fleetreg.core.inventory_model import InventoryProblem
from fleetreg.core.inventory_resolve import Elements, analyse
from fleetreg.shell.inventory_ansible import AnsibleSources, ansible_sources
from fleetreg.shell.inventory_netbox import device_values, device_where
from fleetreg.shell.inventory_yaml import SimpleFiles, read_document, read_simple_inventory
from fleetreg.shell.inventory_yaml import elements as document_elements
from fleetreg.shell.nornir_inventory import (
    NornirConfig,
    load_nornir_inventory,
    nornir_elements,
    read_config,
)
from nornir.core.inventory import Inventory as NornirInventory


class Reader(Protocol):
    def elements(self, loaded: NornirInventory) -> Elements:
        """The loaded inventory's elements, each with where its values were written."""
        ...


def config_elements(path: Path, problems: list[InventoryProblem]) -> Elements | None:
    """The elements of the inventory a Nornir config names; None when it cannot be loaded (problems appended)."""
    config = read_config(path, problems)
    if config is None:
        return None
    prepare = READERS.get(config.plugin, _Generic.prepare)
    reader = prepare(config, problems)
    if reader is None:
        return None
    loaded = load_nornir_inventory(config, problems)
    if loaded is None:
        return None
    return reader.elements(loaded)


@dataclass(frozen=True)
class _Generic:
    """A plugin fleetreg knows nothing of: its values, named by the config file."""

    config: NornirConfig

    @classmethod
    def prepare(cls, config: NornirConfig, problems: list[InventoryProblem]) -> Reader | None:
        return cls(config)

    def elements(self, loaded: NornirInventory) -> Elements:
        where = At(Location(f"{self.config.shown} (inventory plugin {self.config.plugin})"))
        return nornir_elements(loaded, lambda kind, name: where)


@dataclass(frozen=True)
class _Simple:
    """SimpleInventory: its three files are read as written first (lines, repeated keys, keys
    Nornir would drop, unknown groups it would crash on); with such a problem, the files are judged
    as the folder would be. Otherwise what Nornir loaded (the config's transform function applied)
    is checked, each value located in the same files."""

    config: NornirConfig
    written: Elements

    @classmethod
    def prepare(cls, config: NornirConfig, problems: list[InventoryProblem]) -> Reader | None:
        files = SimpleFiles(
            config.option_path("host_file", "hosts.yaml"),
            config.option_path("group_file", "groups.yaml"),
            config.option_path("defaults_file", "defaults.yaml"),
        )
        found = len(problems)
        written = read_simple_inventory(files, problems)
        if written is None:
            return None
        read = len(problems)
        check_structure(written.defaults, written.groups, written.hosts, problems)
        if len(problems) > found:  # judged as the folder is (analyse finds the structure's problems again)
            del problems[read:]
            analyse(config.path, written, problems)
            return None
        return cls(config, written)

    def elements(self, loaded: NornirInventory) -> Elements:
        return nornir_elements(loaded, self._where)

    def _where(self, kind: Kind, name: str | None) -> Locator:
        element: Element | None = self.written.defaults
        if kind == "group":
            element = self.written.groups.get(str(name))
        elif kind == "host":
            element = next((h for h in self.written.hosts if h.name == name), None)
        return element.where if element is not None else At(Location(self.config.shown))


@dataclass(frozen=True)
class _Ansible:
    config: NornirConfig
    sources: AnsibleSources

    @classmethod
    def prepare(cls, config: NornirConfig, problems: list[InventoryProblem]) -> Reader | None:
        sources = ansible_sources(config.option_path("hostsfile", "hosts"), problems)
        return None if sources is None else cls(config, sources)

    def elements(self, loaded: NornirInventory) -> Elements:
        hostsfile = str(self.config.option_path("hostsfile", "hosts"))
        return nornir_elements(loaded, lambda kind, name: self.sources.locator(kind, name, hostsfile))


@dataclass(frozen=True)
class _NetBox:
    """NetBoxInventory2: devices from the API, groups and defaults from its optional files."""

    config: NornirConfig
    written: dict[tuple[Kind, str | None], Locator]

    @classmethod
    def prepare(cls, config: NornirConfig, problems: list[InventoryProblem]) -> Reader | None:
        found = len(problems)
        written: dict[tuple[Kind, str | None], Locator] = {}
        groups = read_document(config.option_path("group_file", "groups.yaml"), "group", problems)
        for group in document_elements(groups, "group", problems):
            written["group", group.name] = group.where
        defaults = read_document(config.option_path("defaults_file", "defaults.yaml"), "defaults", problems)
        if defaults.data is not None:
            written["defaults", None] = WrittenIn(defaults.file, defaults.data)
        return cls(config, written) if len(problems) == found else None

    def elements(self, loaded: NornirInventory) -> Elements:
        nb_url = str(self.config.options.get("nb_url") or "")
        devices = {name: device_where(host, nb_url) for name, host in loaded.hosts.items()}

        def where(kind: Kind, name: str | None) -> Locator:
            if kind == "host":
                return devices[str(name)]
            return self.written.get((kind, name), At(Location(self.config.shown)))

        return nornir_elements(loaded, where, host_values=device_values)


READERS: dict[str, Callable[[NornirConfig, list[InventoryProblem]], Reader | None]] = {
    "SimpleInventory": _Simple.prepare,
    "AnsibleInventory": _Ansible.prepare,
    "NetBoxInventory2": _NetBox.prepare,
}
