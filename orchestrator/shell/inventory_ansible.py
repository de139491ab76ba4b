"""Where nornir-ansible read each value of an Ansible inventory, with its line: the inventory file
(YAML or INI) and the group_vars/ and host_vars/ files beside it, walked in the order
nornir-ansible applies them (a group's vars, then its vars file; each host where it is listed,
then its host_vars file; then the child groups), so the last source that sets a variable is the
one that won. The values themselves are what the plugin loaded; only the places are read here."""

from __future__ import annotations

import configparser
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fleetreg.core.inventory_elements import At, Kind, LinedDict, Location, Locator, deepest_line, key_line
from fleetreg.core.inventory_model import InventoryProblem
from fleetreg.shell.inventory_yaml import read_yaml

VARS_EXTENSIONS = ("", ".ini", ".yml", ".yaml")  # as nornir-ansible looks for vars files
# Nornir attribute -> the Ansible variables nornir-ansible reads it from (in the order it maps them)
VARIABLES = {
    "hostname": ("ansible_host", "hostname"),
    "port": ("ansible_port", "port"),
    "username": ("ansible_user", "username"),
    "password": ("ansible_password", "password"),
}


@dataclass(frozen=True)
class Source:
    """One mapping of variables for an element, in one file."""

    file: str
    variables: Any  # a mapping (LinedDict) of variable -> value
    line: int | None  # where the element is named in that file


@dataclass
class AnsibleSources:
    """Every source of every element, in the order nornir-ansible applies them."""

    sources: dict[tuple[Kind, str | None], list[Source]] = field(default_factory=dict)

    def add(self, kind: Kind, name: str | None, source: Source) -> None:
        self.sources.setdefault((kind, name), []).append(source)

    def locator(self, kind: Kind, name: str | None, fallback: str) -> Locator:
        found = self.sources.get((kind, name))
        return AnsibleLocator(tuple(found)) if found else At(Location(fallback))


@dataclass(frozen=True)
class AnsibleLocator:
    sources: tuple[Source, ...]

    def locate(self, keys: tuple[str, ...]) -> Location:
        first = next((s for s in self.sources if s.line is not None), self.sources[0])
        if not keys:
            return Location(first.file, first.line)
        if keys[0] == "data":
            candidates: tuple[tuple[str, ...], ...] = (keys[1:],)
        else:
            candidates = tuple((name, *keys[1:]) for name in VARIABLES.get(keys[0], (keys[0],)))
        for source in reversed(self.sources):  # the last source that sets it won
            for path in candidates:
                if path and isinstance(source.variables, dict) and path[0] in source.variables:
                    return Location(source.file, deepest_line(source.variables, path, source.line))
        return Location(first.file, first.line)


def ansible_sources(hostsfile: Path, problems: list[InventoryProblem]) -> AnsibleSources | None:
    """The places of an Ansible inventory's values; None (problems appended, with lines) when one of
    its files is not YAML nornir-ansible could read."""
    walker = _Walker(hostsfile.parent, problems)
    document = _read_ini(hostsfile) if _is_ini(hostsfile) else _read_yaml_inventory(hostsfile, problems)
    if document is None:
        return None
    all_group = document.get("all") if isinstance(document, dict) else None
    walker.group(
        "defaults", all_group if isinstance(all_group, dict) else {}, str(hostsfile), key_line(document, "all")
    )
    return None if walker.failed else walker.found


class _Walker:
    def __init__(self, folder: Path, problems: list[InventoryProblem]) -> None:
        self.folder = folder
        self.problems = problems
        self.found = AnsibleSources()
        self.failed = False

    def group(self, name: str, data: Any, file: str, line: int | None) -> None:
        data = data if isinstance(data, dict) else {}
        kind: Kind = "defaults" if name == "defaults" else "group"
        element = None if kind == "defaults" else name
        variables = data.get("vars")
        self.found.add(kind, element, Source(file, variables if isinstance(variables, dict) else {}, line))
        for vars_file in self._vars_files("group_vars", "all" if kind == "defaults" else name):
            self.found.add(kind, element, vars_file)
        hosts = data.get("hosts")
        for host, host_vars in hosts.items() if isinstance(hosts, dict) else ():
            self.found.add(
                "host", str(host), Source(file, host_vars if isinstance(host_vars, dict) else {}, key_line(hosts, host))
            )
            for vars_file in self._vars_files("host_vars", str(host)):
                self.found.add("host", str(host), vars_file)
        children = data.get("children")
        for child, child_data in children.items() if isinstance(children, dict) else ():
            self.group(str(child), child_data, file, key_line(children, child))

    def _vars_files(self, kind: str, name: str) -> Iterator[Source]:
        """The vars file(s) of one element, in the order their values apply (a later one wins)."""
        base = self.folder / kind / name
        single = next((Path(f"{base}{ext}") for ext in VARS_EXTENSIONS if Path(f"{base}{ext}").is_file()), None)
        if single is not None:
            files = [single]
        elif base.is_dir():  # nornir-ansible keeps the first file's value of a variable: apply them reversed
            files = [p for p in base.rglob("*") if p.suffix in VARS_EXTENSIONS and p.is_file()][::-1]
        else:
            files = []
        for path in files:
            read = read_yaml(path, self.problems)
            if read.status == "unreadable":
                self.failed = True
            elif isinstance(read.data, dict):
                yield Source(str(path), read.data, None)


def _read_yaml_inventory(path: Path, problems: list[InventoryProblem]) -> Any:
    read = read_yaml(path, problems)
    if read.status == "missing":
        problems.append(InventoryProblem(str(path), None, None, "Ansible inventory file not found"))
        return None
    if read.status == "unreadable":
        return None
    return read.data if read.data is not None else {}


def _is_ini(path: Path) -> bool:
    """As nornir-ansible decides: a file configparser reads is an INI inventory."""
    parser = configparser.ConfigParser(interpolation=None, allow_no_value=True, delimiters=" =")
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return False
    return path.is_file()


def _read_ini(path: Path) -> LinedDict:
    """An INI inventory in the YAML inventory's shape, as nornir-ansible normalises it (all ->
    children -> hosts / vars / children), each host, group and variable with its line."""
    parser = configparser.ConfigParser(interpolation=None, allow_no_value=True, delimiters=" =")
    parser.read(path, encoding="utf-8")
    lines = _ini_lines(path)
    groups = _lined()
    all_group = _lined(children=groups)
    document = _lined(all=all_group)
    for name, section in parser.items():
        if name == parser.default_section:
            continue
        header = lines.get((name, None), 1)
        group, _, meta = name.partition(":")
        if meta in ("vars", "children"):
            found = _lined()
            for key, value in section.items():
                found[key] = {} if meta == "children" else value
                found.key_lines[key] = lines.get((name, key), header)
            target = all_group if group == "all" else _group(groups, group, header)
        elif not meta:
            found = _lined()
            for host, options in section.items():
                line = lines.get((name, host), header)
                found[host] = _lined(**{o.partition("=")[0]: o.partition("=")[2] for o in (options or "").split()})
                found[host].key_lines = dict.fromkeys(found[host], line)
                found.key_lines[host] = line
            meta, target = "hosts", _group(groups, group, header)
        else:
            continue
        target[meta] = found
        target.key_lines[meta] = header
    return document


def _ini_lines(path: Path) -> dict[tuple[str, str | None], int]:
    """(section, None) -> the line of its header; (section, key) -> the line of the key (lowercased,
    as configparser reads keys)."""
    lines: dict[tuple[str, str | None], int] = {}
    section: str | None = None
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = text.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
            lines.setdefault((section, None), number)
        elif section is not None and not text[0].isspace():
            key = stripped.replace("=", " ", 1).split()[0].lower()
            lines.setdefault((section, key), number)
    return lines


def _lined(**values: Any) -> LinedDict:
    mapping = LinedDict(values)
    mapping.key_lines = {}
    return mapping


def _group(groups: LinedDict, name: str, line: int) -> LinedDict:
    if name not in groups:
        groups[name] = _lined()
        groups.key_lines[name] = line
    found: LinedDict = groups[name]
    return found
