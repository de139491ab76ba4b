"""Inventory YAML files read with the line of every key, and repeated keys found (PyYAML silently
keeps the last one; an inventory with two `sw-ams-01:` entries must be refused). Also builds the
elements of a SimpleInventory (hosts, groups, defaults files) from them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from fleetreg.core.cli_text import control_problem
from fleetreg.core.inventory_checks import type_name
from fleetreg.core.inventory_elements import Element, Kind, LinedDict, WrittenIn, key_line
from fleetreg.core.inventory_model import InventoryProblem
from fleetreg.core.inventory_resolve import Elements

# libyaml's parser when PyYAML has it: a 1,000-switch hosts.yaml loads several times faster
_SafeLoader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class InventoryLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader whose mappings remember key lines, and which finds duplicate keys."""

    def construct_lined_mapping(self, node: yaml.MappingNode) -> Iterator[LinedDict]:
        data = LinedDict()
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        yield data
        data.update(self.construct_mapping(node))
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                data.key_lines.setdefault(self.construct_object(key_node), key_node.start_mark.line + 1)

    def duplicate_keys(self, node: yaml.Node) -> Iterator[tuple[tuple[str, ...], str, int, int]]:
        """(path, key, line, first line) for every key repeated within one mapping."""
        seen_nodes: set[int] = set()

        def walk(current: yaml.Node, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str, int, int]]:
            if id(current) in seen_nodes:
                return
            seen_nodes.add(id(current))
            if isinstance(current, yaml.MappingNode):
                first_lines: dict[str, int] = {}
                for key_node, value_node in current.value:
                    if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    key, line = str(key_node.value), key_node.start_mark.line + 1
                    if key in first_lines:
                        yield path, key, line, first_lines[key]
                    else:
                        first_lines[key] = line
                    yield from walk(value_node, (*path, key))
            elif isinstance(current, yaml.SequenceNode):
                for item in current.value:
                    yield from walk(item, path)

        yield from walk(node, ())


InventoryLoader.add_constructor("tag:yaml.org,2002:map", InventoryLoader.construct_lined_mapping)


@dataclass
class Document:
    file: str  # as shown to the user
    data: dict | None  # None: missing or unreadable


def read_document(path: Path, kind: Kind, problems: list[InventoryProblem]) -> Document:
    """One inventory file whose top level maps names to elements (`defaults`: settings to values)."""
    shown = str(path)

    def duplicate(keys: tuple[str, ...], key: str, line: int, first: int) -> InventoryProblem:
        return _duplicate_problem(shown, kind, keys, key, line, first)

    read = read_yaml(path, problems, duplicate=duplicate)
    if read.status != "ok":
        return Document(shown, None)
    if read.data is None:
        return Document(shown, LinedDict())
    if not isinstance(read.data, dict):
        what = {"host": "host name -> host", "group": "group name -> group"}.get(kind, "setting -> value")
        message = f"expected a mapping of {what}, got a {type_name(read.data)}"
        problems.append(InventoryProblem(shown, None, None, message, 1))
        return Document(shown, None)
    return Document(shown, read.data)


DuplicateProblem = Callable[[tuple[str, ...], str, int, int], InventoryProblem]  # (path, key, line, first line)


@dataclass(frozen=True)
class YamlRead:
    status: Literal["ok", "missing", "unreadable"]
    data: Any = None  # the document (mappings are LinedDicts) when ok


def read_yaml(path: Path, problems: list[InventoryProblem], *, duplicate: DuplicateProblem | None = None) -> YamlRead:
    """The YAML document in `path`, its mappings remembering their key lines. `missing`: no such
    file; `unreadable`: cannot be read or parsed (the problem appended, with its line). A repeated
    key is a problem too: `duplicate` makes it (default: the file, the key path, the line)."""
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return YamlRead("missing")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        problems.append(InventoryProblem(shown, None, None, f"cannot read file: {reason}"))
        return YamlRead("unreadable")
    loader = InventoryLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlRead("ok")
        for keys, key, line, first in loader.duplicate_keys(node):
            if duplicate is not None:
                problems.append(duplicate(keys, key, line, first))
            else:
                message = f"duplicate key {key!r} (first at line {first})"
                problems.append(InventoryProblem(shown, None, ".".join((*keys, key)), message, line))
        return YamlRead("ok", loader.construct_document(node))
    except yaml.MarkedYAMLError as exc:
        # problem + line only: the snippet in str(exc) could show a password
        mark = exc.problem_mark or exc.context_mark
        context = f" ({exc.context})" if exc.context else ""
        message = f"YAML syntax error: {exc.problem}{context}"
        problems.append(InventoryProblem(shown, None, None, message, mark.line + 1 if mark else None))
        return YamlRead("unreadable")
    except yaml.YAMLError as exc:
        problems.append(InventoryProblem(shown, None, None, f"YAML error: {type(exc).__name__}"))
        return YamlRead("unreadable")
    finally:
        loader.dispose()


def _duplicate_problem(
    file: str, kind: Kind, path: tuple[str, ...], key: str, line: int, first: int
) -> InventoryProblem:
    if not path and kind in ("host", "group"):
        return InventoryProblem(
            file,
            key if kind == "host" else None,
            None,
            f"duplicate {kind} name {key!r} (first defined at line {first})",
            line,
            key if kind == "group" else None,
        )
    if kind == "defaults":
        owner, rest = None, path
    else:
        owner, rest = path[0], path[1:]
    return InventoryProblem(
        file,
        owner if kind == "host" else None,
        field_name((*rest, key)),
        f"duplicate key {key!r} (first at line {first})",
        line,
        owner if kind == "group" else None,
    )


def field_name(keys: tuple[str, ...]) -> str:
    return ".".join(keys[1:] if keys and keys[0] == "data" else keys)


def elements(document: Document, kind: Kind, problems: list[InventoryProblem]) -> list[Element]:
    """The hosts or groups of one file (entries that are not one are reported, and skipped)."""
    found = []
    for name, raw in (document.data or {}).items():
        line = key_line(document.data, name)
        if not isinstance(name, str) or not name.strip():
            problems.append(InventoryProblem(document.file, None, None, f"{kind} name {name!r} must be text", line))
            continue
        if problem := control_problem(name):
            problems.append(InventoryProblem(document.file, None, None, f"{kind} name {name!r} {problem}", line))
            continue
        if raw is None and kind == "group":
            raw = LinedDict()
        if not isinstance(raw, dict):
            expected = "hostname, groups, data..." if kind == "host" else "groups, data..."
            message = f"{kind} entry must be a mapping ({expected}), got {type_name(raw)}"
            problems.append(
                InventoryProblem(
                    document.file,
                    name if kind == "host" else None,
                    None,
                    message,
                    line,
                    name if kind == "group" else None,
                )
            )
            continue
        found.append(Element(kind, name, raw, WrittenIn(document.file, raw, line)))
    return found


@dataclass(frozen=True)
class SimpleFiles:
    """The three files of a SimpleInventory (groups and defaults are optional)."""

    hosts: Path
    groups: Path
    defaults: Path

    @classmethod
    def in_folder(cls, folder: Path) -> SimpleFiles:
        return cls(folder / "hosts.yaml", folder / "groups.yaml", folder / "defaults.yaml")


def read_simple_inventory(files: SimpleFiles, problems: list[InventoryProblem]) -> Elements | None:
    """The elements of a SimpleInventory as written; None (problems appended) when a file cannot
    be read: judging hosts against a half-read inventory would only add noise."""
    hosts_doc = read_document(files.hosts, "host", problems)
    groups_doc = read_document(files.groups, "group", problems)
    defaults_doc = read_document(files.defaults, "defaults", problems)
    if hosts_doc.data is None and not files.hosts.exists():
        problems.append(
            InventoryProblem(hosts_doc.file, None, None, "hosts file not found (every inventory needs one)")
        )
    if any(doc.data is None and Path(doc.file).exists() for doc in (hosts_doc, groups_doc, defaults_doc)):
        return None
    defaults_raw = defaults_doc.data if defaults_doc.data is not None else LinedDict()
    defaults = Element("defaults", None, defaults_raw, WrittenIn(defaults_doc.file, defaults_raw))
    groups = {el.name: el for el in elements(groups_doc, "group", problems) if el.name}
    return Elements(defaults, groups, elements(hosts_doc, "host", problems))
