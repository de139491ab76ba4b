"""One host, group or the defaults of a Nornir inventory, as fleetreg validates it, whatever
plugin loaded it: the values (`raw`, in SimpleInventory's shape: hostname, port, platform, groups,
data, connection_options...) and where each value was written (`where`), so every problem is one
line naming file and line (or, for NetBox, the device's URL). Pure data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from fleetreg.core.inventory_model import InventoryProblem
from fleetreg.core.settings import SETTINGS_KEY

Kind = Literal["host", "group", "defaults"]


class LinedDict(dict):
    """A mapping read from YAML that remembers the line of each key (1-based)."""

    line: int | None = None
    key_lines: dict[Any, int]


def key_line(mapping: Any, key: Any) -> int | None:
    return getattr(mapping, "key_lines", {}).get(key)


@dataclass(frozen=True)
class Location:
    """Where a value was written: a file and line, or a URL (line None)."""

    file: str
    line: int | None = None


class Locator(Protocol):
    def locate(self, keys: tuple[str, ...]) -> Location:
        """Where the value at `keys` (a path into the element's raw values) was written; the
        element itself when that value was not written there (missing: inherited or a default)."""
        ...


@dataclass(frozen=True)
class WrittenIn:
    """An element written as one mapping in one YAML file (SimpleInventory's hosts/groups/defaults)."""

    file: str
    mapping: Mapping
    line: int | None = None  # the line of the element's name

    def locate(self, keys: tuple[str, ...]) -> Location:
        return Location(self.file, deepest_line(self.mapping, keys, self.line))


def deepest_line(mapping: Any, keys: tuple[str, ...], line: int | None) -> int | None:
    """Line of the deepest of `keys` present in `mapping` (`line` when none is)."""
    value = mapping
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            break
        line = key_line(value, key) or line
        value = value[key]
    return line


@dataclass(frozen=True)
class At:
    """An element whose values all come from one place without lines (a NetBox device's URL)."""

    location: Location

    def locate(self, keys: tuple[str, ...]) -> Location:
        return self.location


@dataclass
class Element:
    """One host, group or the defaults, as the inventory source wrote it (not what it inherits)."""

    kind: Kind
    name: str | None
    raw: dict
    where: Locator

    @property
    def label(self) -> str:
        return {"host": "host", "group": f"group {self.name}", "defaults": "defaults"}[self.kind]

    def get(self, *keys: str) -> Any:
        value: Any = self.raw
        for key in keys:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    def location(self, *keys: str) -> Location:
        return self.where.locate(keys)

    def problem(self, field_name: str | None, message: str, *keys: str) -> InventoryProblem:
        """A problem with the value at `keys` (the element itself when empty), reported where it was written."""
        location = self.location(*keys)
        return InventoryProblem(
            file=location.file,
            host=self.name if self.kind == "host" else None,
            field=field_name,
            message=message,
            line=location.line,
            group=self.name if self.kind == "group" else None,
        )

    def settings(self) -> dict:
        value = self.get("data", SETTINGS_KEY)
        return value if isinstance(value, dict) else {}

    def parents(self) -> tuple[str, ...]:
        value = self.raw.get("groups")
        return tuple(g for g in value if isinstance(g, str)) if isinstance(value, list) else ()

    def extras(self) -> dict:
        value = self.get("connection_options", "netmiko", "extras")
        return value if isinstance(value, dict) else {}
