"""The fleet as fleetreg sees it once an inventory is loaded and validated: hosts with their
resolved settings, groups, and the problems found. Pure data; loading is fleetreg.shell.inventory
(validation: fleetreg.core.inventory_checks and inventory_resolve)."""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable, Mapping, Sequence
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
    # the host's `data` with what it inherits (groups, defaults), merged key by key: for --filter
    data: Mapping[str, object] = field(default_factory=dict, compare=False, repr=False)

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
        data: Iterable[str] | None = None,
    ) -> Inventory:
        """Hosts matching every given criterion (any of the values within one). Names are
        globs (`sw-ams-*`, `site_[ab]*`); `data` takes `KEY=VALUE` items, KEY a dotted path
        into the host's inventory data (`role=access`, `fleetreg.virtual_account=Corp*`), VALUE
        a glob over its text. A name or glob that matches nothing raises InventoryError naming
        the closest one, so a typo never silently selects nothing."""
        selected = list(self.hosts)
        if hosts is not None:
            match = self._matcher("host", hosts, [h.name for h in self.hosts])
            selected = [h for h in selected if match(h.name)]
        if groups is not None:
            match = self._matcher("group", groups, self.groups)
            selected = [h for h in selected if any(match(g) for g in self.member_groups(h))]
        if sites is not None:
            match = self._matcher("site", sites, self.sites())
            selected = [h for h in selected if h.site is not None and match(h.site)]
        for item in data or ():
            key, value = parse_data_filter(item)
            known = sorted({k for h in self.hosts for k in dotted_keys(h.data)})
            if key not in known:
                raise InventoryError(
                    f"no host has inventory data {key!r}{did_you_mean(key, known)}",
                    file=str(self.directory),
                    field="--filter",
                )
            selected = [h for h in selected if data_matches(h.data, key, value)]
        return Inventory(
            self.directory, tuple(selected), self.groups, self.group_parents, self.login_defaults, self.hosts_source
        )

    def _matcher(self, what: str, patterns: Iterable[str], known: Sequence[str]) -> NameMatch:
        match = NameMatch(patterns)
        unknown = match.unmatched(known)
        if unknown:
            names = ", ".join(repr(n) for n in unknown)
            raise InventoryError(
                f"unknown {what} {names}{did_you_mean(unknown[0], known)}",
                file=str(self.directory),
                field=OPTION_OF[what],
            )
        return match


GLOB_CHARS = frozenset("*?[")
OPTION_OF = {"host": "--hosts", "group": "--group", "site": "--site"}


class NameMatch:
    """Names given on the command line: exact names (a set lookup) and globs (fnmatch, case
    sensitive as the inventory is)."""

    def __init__(self, patterns: Iterable[str]) -> None:
        given = list(dict.fromkeys(patterns))
        self.globs = [p for p in given if GLOB_CHARS & set(p)]
        self.exact = frozenset(p for p in given if p not in self.globs)
        self.given = given

    def __call__(self, name: str) -> bool:
        return name in self.exact or any(fnmatch.fnmatchcase(name, glob) for glob in self.globs)

    def unmatched(self, known: Iterable[str]) -> list[str]:
        """The names and globs that match none of `known`."""
        names = list(known)
        present = set(names)
        return [
            p
            for p in self.given
            if not (p in present if p in self.exact else any(fnmatch.fnmatchcase(n, p) for n in names))
        ]


def parse_data_filter(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key.strip() or key.strip() != key or any(not part for part in key.split(".")):
        raise InventoryError(f"--filter takes KEY=VALUE (e.g. role=access, fleetreg.wave=2), not {item!r}")
    return key, value


def dotted_keys(data: Mapping[str, object], prefix: str = "") -> Iterable[str]:
    for key, value in data.items():
        path = f"{prefix}{key}"
        yield path
        if isinstance(value, Mapping):
            yield from dotted_keys(value, f"{path}.")


def data_value(data: Mapping[str, object], key: str) -> tuple[bool, object]:
    value: object = data
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return False, None
        value = value[part]
    return True, value


def data_text(value: object) -> str:
    """A data value as the filter compares it: YAML's spelling for true/false/null, lists as
    their items (any item may match)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def data_matches(data: Mapping[str, object], key: str, pattern: str) -> bool:
    found, value = data_value(data, key)
    if not found:
        return False
    items = value if isinstance(value, list | tuple) else [value]
    return any(fnmatch.fnmatchcase(data_text(item), pattern) for item in items)


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
    """` (did you mean 'x'?)`, or nothing when no known name is close. For a glob, the closest
    glob: its literal start replaced by the closest start of a known name (`sw-par-*` ->
    `sw-ams-*`)."""
    names = [str(k) for k in known]
    cut = min((name.index(c) for c in GLOB_CHARS if c in name), default=None)
    if cut is not None and cut > 0:
        starts = sorted({n[:cut] for n in names})
        close = difflib.get_close_matches(name[:cut], starts, n=1, cutoff=0.6)
        return f" (did you mean {close[0] + name[cut:]!r}?)" if close else ""
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
