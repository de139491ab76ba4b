"""The fleet as fleetreg sees it once an inventory is loaded and validated: hosts with their
resolved settings, groups, and the problems found. Pure data; loading is fleetreg.shell.inventory
(validation: fleetreg.core.inventory_checks and inventory_resolve)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from fleetreg.core.errors import InventoryError, one_line_text
from fleetreg.core.settings import MigrationSettings

HOSTS_FILE = "hosts.yaml"


@dataclass(frozen=True)
class InventoryProblem:
    """One thing wrong with the inventory, printable as one line."""

    file: str
    host: str | None
    field: str | None
    message: str
    line: int | None = None
    group: str | None = None

    def one_line(self) -> str:
        where = f"{one_line_text(self.file)}:{self.line}" if self.line else one_line_text(self.file)
        context = []
        if self.host:
            context.append(f"host {one_line_text(self.host)}")
        if self.group:
            context.append(f"group {one_line_text(self.group)}")
        if self.field:
            context.append(f"field {one_line_text(self.field)}")
        message = " ".join(self.message.split())
        if context:
            return f"{where}: {', '.join(context)}: {message}"
        return f"{where}: {message}"


class InventoryProblems(InventoryError):
    """Every problem found in an inventory. `one_line()` gives one line per problem."""

    def __init__(self, problems: Iterable[InventoryProblem]) -> None:
        self.problems = list(problems)
        first = self.problems[0] if self.problems else None
        super().__init__(
            f"{len(self.problems)} inventory problem(s)",
            file=first.file if first else None,
            host=first.host if first else None,
            field=first.field if first else None,
            line=first.line if first else None,
        )

    def one_line(self) -> str:
        return "\n".join(problem.one_line() for problem in self.problems) or self.message


@dataclass(frozen=True)
class HostEntry:
    """One switch with everything inherited resolved. Holds no secrets."""

    name: str
    hostname: str
    port: int
    platform: str
    groups: tuple[str, ...]  # as listed on the host (parents are in Inventory.group_parents)
    site: str | None
    settings: MigrationSettings
    connection_options: dict  # netmiko extras (fast_cli, read_timeout_override, ...), no secrets
    # where each settings field came from: "defaults", "group <name>" or "host"
    setting_sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    # and where it was written: (file or URL, line or None), for messages about the value
    setting_locations: Mapping[str, tuple[str, int | None]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def virtual_account(self) -> str:
        return self.settings.virtual_account


@dataclass(frozen=True)
class Inventory:
    directory: Path  # where it was loaded from: a SimpleInventory folder or a Nornir config file
    hosts: tuple[HostEntry, ...]
    groups: tuple[str, ...]
    group_parents: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    # username / password / enable_secret from defaults.yaml, for credentials_from_env (lab use)
    login_defaults: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    # what to name when a host is not found (default: the folder's hosts.yaml)
    hosts_source: str | None = field(default=None, compare=False)

    @cached_property
    def _index(self) -> dict[str, HostEntry]:
        return {host.name: host for host in self.hosts}

    def by_name(self, name: str) -> HostEntry:
        if name in self._index:
            return self._index[name]
        raise InventoryError(
            f"no host {name!r} in the inventory{did_you_mean(name, [h.name for h in self.hosts])}",
            file=self.hosts_source or str(self.directory / HOSTS_FILE),
            host=name,
        )

    def sites(self) -> tuple[str, ...]:
        return tuple(sorted({h.site for h in self.hosts if h.site}))

    def member_groups(self, host: HostEntry) -> tuple[str, ...]:
        """The host's groups with their parents, in Nornir's inheritance order."""
        return extended_groups(host.groups, self.group_parents)

    def filter(
        self,
        hosts: Iterable[str] | None = None,
        groups: Iterable[str] | None = None,
        sites: Iterable[str] | None = None,
    ) -> Inventory:
        """Hosts matching every given criterion (any of the values within one). Unknown names
        raise InventoryError, so a typo never silently selects nothing."""
        selected = list(self.hosts)
        if hosts is not None:
            wanted = set(hosts)
            self._refuse_unknown("host", wanted, {h.name for h in self.hosts})
            selected = [h for h in selected if h.name in wanted]
        if groups is not None:
            wanted = set(groups)
            self._refuse_unknown("group", wanted, set(self.groups))
            selected = [h for h in selected if wanted & set(self.member_groups(h))]
        if sites is not None:
            wanted = set(sites)
            self._refuse_unknown("site", wanted, set(self.sites()))
            selected = [h for h in selected if h.site in wanted]
        return Inventory(
            self.directory, tuple(selected), self.groups, self.group_parents, self.login_defaults, self.hosts_source
        )

    def _refuse_unknown(self, what: str, wanted: set[str], known: set[str]) -> None:
        unknown = sorted(wanted - known)
        if unknown:
            names = ", ".join(repr(n) for n in unknown)
            raise InventoryError(f"unknown {what} {names}{did_you_mean(unknown[0], known)}", file=str(self.directory))


def extended_groups(direct: Iterable[str], parents: Mapping[str, Iterable[str]]) -> tuple[str, ...]:
    """Nornir's order: each group, then its parents depth first, no repeats; unknown names and
    cycles are skipped (they are reported separately)."""
    order: list[str] = []

    def visit(name: str, path: frozenset[str]) -> None:
        if name in path or name not in parents:
            return
        if name not in order:
            order.append(name)
        for parent in parents[name]:
            visit(parent, path | {name})

    for name in direct:
        visit(name, frozenset())
    return tuple(order)


def did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, [str(k) for k in known], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
