"""Load and validate a Nornir SimpleInventory folder (hosts.yaml, groups.yaml, defaults.yaml)
into typed models, reporting every problem at once as one line naming file, line, host and field.

Inheritance follows Nornir: host > groups (in the host's order, each group followed by its
parent groups, the first listed wins) > defaults. Migration settings under `data.fleetreg`
merge field by field across those layers (`merge_layers`); `data.site`, `hostname`, `port`,
`platform` and netmiko extras resolve the same way.

Shape: `_read_document` is the I/O shell (files -> line-annotated dicts); `_analyse`
is pure (documents -> hosts + problems); the secrets check runs last, and only reads the
environment and the secrets file."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from fleetreg.core.cli_text import CONTROL_CHARS, control_problem
from fleetreg.core.errors import SecretError
from fleetreg.core.inventory_model import (
    HOSTS_FILE,
    HostEntry,
    Inventory,
    InventoryProblem,
    InventoryProblems,
    did_you_mean,
    extended_groups,
)
from fleetreg.core.settings import SETTINGS_KEY, MigrationSettings, merge_layers
from fleetreg.shell.secrets import (
    SECRETS_FILE_ENV,
    resolve_ref,
    resolve_token,
    secrets_file_exposure,
    secrets_file_path,
    token_ref_scheme,
)
from pydantic import ValidationError

GROUPS_FILE = "groups.yaml"
DEFAULTS_FILE = "defaults.yaml"
DEFAULT_PORT = 22
DEFAULT_PLATFORM = "cisco_xe"
# The names Nornir inventories give IOS-XE switches (NAPALM's, Netmiko's, scrapli's, Ansible's
# short form) -> the Netmiko device type fleetreg opens them with.
PLATFORM_ALIASES = {"cisco_xe": "cisco_xe", "iosxe": "cisco_xe", "ios": "cisco_ios", "cisco_ios": "cisco_ios"}
SUPPORTED_PLATFORMS = tuple(PLATFORM_ALIASES)
SITE_KEY = "site"
ELEMENT_KEYS = (
    "hostname",
    "port",
    "username",
    "password",
    "platform",
    "groups",
    "data",
    "connection_options",
)
# Netmiko ConnectHandler arguments an inventory may set under connection_options.netmiko.extras.
NETMIKO_EXTRAS = frozenset(
    {
        "verbose", "global_delay_factor", "global_cmd_verify", "use_keys", "key_file", "allow_agent",
        "disabled_algorithms", "disable_sha2_fix", "ssh_strict", "system_host_keys", "alt_host_keys",
        "alt_key_file", "conn_timeout", "auth_timeout", "banner_timeout",
        "blocking_timeout", "timeout", "session_timeout", "read_timeout_override", "keepalive",
        "fast_cli", "session_log", "session_log_record_writes",
        "session_log_file_mode", "allow_auto_change", "auto_connect", "delay_factor_compat",
        "disable_lf_normalization",
    }
)  # fmt: skip
EXTRAS_SET_ELSEWHERE = {
    "host": "set `hostname` on the host",
    "ip": "set `hostname` on the host",
    "port": "set `port` on the host, a group or defaults",
    "device_type": "set `platform`",
    "username": "set FLEETREG_USERNAME (or `username` in defaults.yaml)",
    "password": "set FLEETREG_PASSWORD; secrets do not belong in the inventory",
    "secret": "set FLEETREG_ENABLE_SECRET (or `secret` in defaults.yaml extras for a lab)",
    "passphrase": "secrets do not belong in the inventory",
    "pkey": "use `key_file`",
    # typed after every line, or a ProxyCommand run at login: text fleetreg does not render
    "default_enter": "fleetreg types IOS's line end itself; nothing else may be typed after a line",
    "response_return": "fleetreg types IOS's line end itself; nothing else may be typed after a line",
    "ssh_config_file": "an OpenSSH config could run any ProxyCommand at login; give hostname and port instead",
    "encoding": "fleetreg types ASCII; another encoding would change the bytes after fleetreg checked them",
}

Kind = Literal["host", "group", "defaults"]


# ---------------------------------------------------------------- public functions


def load_inventory(
    directory: Path,
    *,
    environ: Mapping[str, str] | None = None,
    secrets_file: Path | None = None,
    check_secrets: bool = True,
) -> Inventory:
    """The validated inventory, or InventoryProblems carrying every problem found."""
    inventory, problems = _load(Path(directory), environ, secrets_file, check_secrets)
    if problems or inventory is None:
        raise InventoryProblems(problems)
    return inventory


def check_inventory(
    directory: Path,
    *,
    environ: Mapping[str, str] | None = None,
    secrets_file: Path | None = None,
    check_secrets: bool = True,
) -> list[InventoryProblem]:
    """Every problem in the inventory; empty when it is valid."""
    return _load(Path(directory), environ, secrets_file, check_secrets)[1]


# ---------------------------------------------------------------- YAML with line numbers


class _LinedDict(dict):
    """A mapping from YAML that remembers the line of each key (1-based)."""

    line: int | None = None
    key_lines: dict[Any, int]


# libyaml's parser when PyYAML has it: a 1,000-switch hosts.yaml loads several times faster
_SafeLoader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class InventoryLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader whose mappings remember key lines, and which finds duplicate keys (PyYAML
    silently keeps the last one; an inventory with two `sw-ams-01:` entries must be refused)."""

    def construct_lined_mapping(self, node: yaml.MappingNode) -> Iterator[_LinedDict]:
        data = _LinedDict()
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
class _Document:
    file: str  # as shown to the user
    data: dict | None  # None: missing or unreadable


def _read_document(path: Path, kind: Kind, problems: list[InventoryProblem]) -> _Document:
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _Document(shown, None)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        problems.append(InventoryProblem(shown, None, None, f"cannot read file: {reason}"))
        return _Document(shown, None)
    loader = InventoryLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return _Document(shown, _LinedDict())
        for path_keys, key, line, first in loader.duplicate_keys(node):
            problems.append(_duplicate_problem(shown, kind, path_keys, key, line, first))
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        # problem + line only: the snippet in str(exc) could show a password
        mark = exc.problem_mark or exc.context_mark
        context = f" ({exc.context})" if exc.context else ""
        message = f"YAML syntax error: {exc.problem}{context}"
        problems.append(InventoryProblem(shown, None, None, message, mark.line + 1 if mark else None))
        return _Document(shown, None)
    except yaml.YAMLError as exc:
        problems.append(InventoryProblem(shown, None, None, f"YAML error: {type(exc).__name__}"))
        return _Document(shown, None)
    finally:
        loader.dispose()
    if data is None:
        return _Document(shown, _LinedDict())
    if not isinstance(data, dict):
        what = {"host": "host name -> host", "group": "group name -> group"}.get(kind, "setting -> value")
        problems.append(
            InventoryProblem(shown, None, None, f"expected a mapping of {what}, got a {_type_name(data)}", 1)
        )
        return _Document(shown, None)
    return _Document(shown, data)


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
        _field_name((*rest, key)),
        f"duplicate key {key!r} (first at line {first})",
        line,
        owner if kind == "group" else None,
    )


# ---------------------------------------------------------------- elements and their checks


@dataclass
class _Element:
    """One host, group or the defaults, as written."""

    kind: Kind
    name: str | None
    file: str
    raw: dict
    line: int | None = None  # line of the element's name in its file

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

    def line_of(self, *keys: str) -> int | None:
        """Line of the deepest of `keys` written in this element (its own line otherwise)."""
        value: Any = self.raw
        line = self.line
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                break
            line = getattr(value, "key_lines", {}).get(key, line)
            value = value[key]
        return line

    def problem(self, field_name: str | None, message: str, *keys: str) -> InventoryProblem:
        return InventoryProblem(
            file=self.file,
            host=self.name if self.kind == "host" else None,
            field=field_name,
            message=message,
            line=self.line_of(*keys),
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


def _elements(document: _Document, kind: Kind, problems: list[InventoryProblem]) -> list[_Element]:
    elements = []
    for name, raw in (document.data or {}).items():
        if not isinstance(name, str) or not name.strip():
            line = getattr(document.data, "key_lines", {}).get(name)
            problems.append(InventoryProblem(document.file, None, None, f"{kind} name {name!r} must be text", line))
            continue
        if problem := control_problem(name):
            line = getattr(document.data, "key_lines", {}).get(name)
            problems.append(InventoryProblem(document.file, None, None, f"{kind} name {name!r} {problem}", line))
            continue
        if raw is None and kind == "group":
            raw = _LinedDict()
        if not isinstance(raw, dict):
            line = getattr(document.data, "key_lines", {}).get(name)
            expected = "hostname, groups, data..." if kind == "host" else "groups, data..."
            message = f"{kind} entry must be a mapping ({expected}), got {_type_name(raw)}"
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
        if not hasattr(raw, "key_lines"):
            raw = _LinedDict(raw)
            raw.key_lines = {}
        line = getattr(document.data, "key_lines", {}).get(name)
        elements.append(_Element(kind, name, document.file, raw, line))
    return elements


def _check_element(element: _Element, problems: list[InventoryProblem]) -> None:
    """Shape checks on one element as written (values it sets, not what it inherits)."""
    raw = element.raw
    allowed = ELEMENT_KEYS if element.kind != "defaults" else tuple(k for k in ELEMENT_KEYS if k != "groups")
    for key in raw:
        if key not in allowed:
            hint = did_you_mean(str(key), allowed)
            problems.append(element.problem(str(key), f"unknown key {key!r}{hint}", str(key)))
    if "port" in raw and _port(raw["port"]) is None:
        problems.append(element.problem("port", f"bad port {raw['port']!r}: expected an integer 1-65535", "port"))
    if "hostname" in raw and (problem := _hostname_problem(raw["hostname"])):
        problems.append(element.problem("hostname", problem, "hostname"))
    if "platform" in raw and raw["platform"] not in SUPPORTED_PLATFORMS:
        problems.append(
            element.problem(
                "platform",
                f"unsupported platform {raw['platform']!r} (fleetreg drives IOS-XE: {', '.join(SUPPORTED_PLATFORMS)})",
                "platform",
            )
        )
    for key in ("username", "password"):
        if key in raw and element.kind != "defaults":
            problems.append(
                element.problem(
                    key,
                    f"`{key}` is fleet-wide: set FLEETREG_{key.upper()} (or put it in defaults.yaml)",
                    key,
                )
            )
    if "groups" in raw:
        groups = raw["groups"]
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            problems.append(element.problem("groups", "groups must be a list of group names", "groups"))
    _check_data(element, problems)
    _check_connection_options(element, problems)


def _check_data(element: _Element, problems: list[InventoryProblem]) -> None:
    data = element.raw.get("data")
    if data is None:
        return
    if not isinstance(data, dict):
        problems.append(element.problem("data", f"data must be a mapping, got {_type_name(data)}", "data"))
        return
    if SITE_KEY in data and not isinstance(data[SITE_KEY], str | None):
        problems.append(element.problem(SITE_KEY, "site must be a name (text)", "data", SITE_KEY))
    settings = data.get(SETTINGS_KEY)
    if settings is not None and not isinstance(settings, dict):
        problems.append(
            element.problem(
                SETTINGS_KEY,
                f"{SETTINGS_KEY} settings must be a mapping, got {_type_name(settings)}",
                "data",
                SETTINGS_KEY,
            )
        )


def _check_connection_options(element: _Element, problems: list[InventoryProblem]) -> None:
    options = element.raw.get("connection_options")
    if options is None:
        return
    if not isinstance(options, dict):
        problems.append(
            element.problem("connection_options", "connection_options must be a mapping", "connection_options")
        )
        return
    netmiko = options.get("netmiko")
    if netmiko is None:
        return
    path: tuple[str, ...] = ("connection_options", "netmiko")
    if not isinstance(netmiko, dict):
        problems.append(element.problem(".".join(path), "must be a mapping with `extras`", *path))
        return
    for key, value in netmiko.items():
        where = ".".join((*path, str(key)))
        if key == "extras":
            continue
        if key in ("username", "password"):
            message = f"{key!r} does not belong here: {EXTRAS_SET_ELSEWHERE[key]}"
            problems.append(element.problem(where, message, *path, str(key)))
        elif key not in CONNECTION_OVERRIDES:
            message = f"{key!r} is not a Nornir connection option fleetreg reads (hostname, port, platform, extras)"
            problems.append(element.problem(where, message, *path, str(key)))
        elif problem := _override_problem(key, value):
            problems.append(element.problem(where, problem, *path, str(key)))
    extras = netmiko.get("extras")
    if extras is None:
        return
    path = (*path, "extras")
    if not isinstance(extras, dict):
        problems.append(element.problem(".".join(path), "extras must be a mapping of netmiko arguments", *path))
        return
    for key in extras:
        where = ".".join((*path, str(key)))
        if key == "secret" and element.kind == "defaults":  # lab fallback for the enable secret
            if isinstance(extras[key], str) and CONTROL_CHARS.search(extras[key]):
                problems.append(
                    element.problem(where, "holds a control character: it is typed at the switch", *path, key)
                )
            continue
        if key in EXTRAS_SET_ELSEWHERE:
            problems.append(
                element.problem(where, f"{key!r} does not belong here: {EXTRAS_SET_ELSEWHERE[key]}", *path, key)
            )
        elif key not in NETMIKO_EXTRAS:
            hint = did_you_mean(str(key), NETMIKO_EXTRAS)
            problems.append(element.problem(where, f"unknown netmiko option {key!r}{hint}", *path, str(key)))
        elif isinstance(extras[key], str) and (problem := control_problem(extras[key])):
            problems.append(element.problem(where, problem, *path, str(key)))


CONNECTION_OVERRIDES = ("hostname", "port", "platform")  # as Nornir reads them: they win over the host's


def _override_problem(key: str, value: Any) -> str | None:
    if value is None:
        return None
    if key == "port":
        return None if _port(value) is not None else f"port must be a number from 1 to 65535, not {value!r}"
    if key == "platform":
        return None if value in SUPPORTED_PLATFORMS else f"unsupported platform {value!r}"
    return _hostname_problem(value)


def _hostname_problem(value: Any) -> str | None:
    """An SSH address as Nornir takes it (it also names the switch in its known_hosts file)."""
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value) or control_problem(value):
        return f"bad hostname {value!r}: expected an IP address or DNS name"
    return None


def _check_group_graph(groups: Mapping[str, _Element], problems: list[InventoryProblem]) -> None:
    for element in groups.values():
        for parent in element.parents():
            if parent not in groups:
                hint = did_you_mean(parent, groups)
                problems.append(element.problem("groups", f"unknown parent group {parent!r}{hint}", "groups"))
    reported: set[frozenset[str]] = set()
    for cycle in _cycles({name: el.parents() for name, el in groups.items()}):
        if frozenset(cycle) in reported:
            continue
        reported.add(frozenset(cycle))
        first = groups[cycle[0]]
        problems.append(first.problem("groups", f"group cycle: {' -> '.join((*cycle, cycle[0]))}", "groups"))


def _cycles(parents: Mapping[str, tuple[str, ...]]) -> Iterator[tuple[str, ...]]:
    """Each cycle in the parent graph, as the groups along it (depth-first, stable order)."""
    done: set[str] = set()

    def walk(name: str, stack: list[str]) -> Iterator[tuple[str, ...]]:
        if name in stack:
            yield tuple(stack[stack.index(name) :])
            return
        if name in done or name not in parents:
            return
        stack.append(name)
        for parent in parents[name]:
            yield from walk(parent, stack)
        stack.pop()
        done.add(name)

    for name in parents:
        yield from walk(name, [])


# ---------------------------------------------------------------- resolving one host


@dataclass
class _Resolved:
    entry: HostEntry | None
    token_source: _Element | None = None  # who set token_ref (for reporting secrets once)


def _resolve_host(
    host: _Element,
    groups: Mapping[str, _Element],
    defaults: _Element,
    problems: list[InventoryProblem],
) -> _Resolved:
    for group in host.parents():
        if group not in groups:
            problems.append(host.problem("groups", f"unknown group {group!r}{did_you_mean(group, groups)}", "groups"))
    parents = {name: el.parents() for name, el in groups.items()}
    chain = [host, *(groups[g] for g in extended_groups(host.parents(), parents)), defaults]

    def inherited(*keys: str) -> Any:
        for element in chain:
            value = element.get(*keys)
            if value is not None:
                return value
        return None

    def connection(key: str) -> Any:
        """As Nornir resolves it: connection_options.netmiko.<key> wins over the host's <key>."""
        override = inherited("connection_options", "netmiko", key)
        return override if override is not None else inherited(key)

    hostname = connection("hostname")
    if hostname is None:
        problems.append(host.problem("hostname", "missing hostname (IP address or DNS name to connect to)"))
    port = _port(connection("port") if connection("port") is not None else DEFAULT_PORT)
    platform = connection("platform") or DEFAULT_PLATFORM
    site = inherited("data", SITE_KEY)

    layers = list(reversed(chain))  # defaults first, host last: later wins
    merged = merge_layers(*(el.settings() for el in layers))
    sources = _sources(layers)
    extras: dict = {}
    for element in layers:
        extras.update({k: v for k, v in element.extras().items() if k not in EXTRAS_SET_ELSEWHERE})

    try:
        settings = MigrationSettings.model_validate(merged)
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(_settings_problem(error, host, sources))
        return _Resolved(None)
    token_source = sources.get("token_ref")
    if settings.token_ref is None and settings.transport != "cslu" and not settings.uses_api_tokens:
        problems.append(
            host.problem(
                f"{SETTINGS_KEY}.token_ref",
                f"missing token_ref: where the registration token for virtual account "
                f"{settings.virtual_account!r} lives (env:VARIABLE or secrets:KEY)",
            )
        )
        return _Resolved(None)
    if not isinstance(hostname, str) or port is None or not isinstance(site, str | None):
        return _Resolved(None)  # already reported where it was written
    entry = HostEntry(
        name=str(host.name),
        hostname=hostname,
        port=port,
        platform=PLATFORM_ALIASES.get(str(platform), str(platform)),
        groups=host.parents(),
        site=site,
        settings=settings,
        connection_options=extras,
        setting_sources={key: el.label for key, el in sources.items()},
    )
    return _Resolved(entry, token_source)


def _sources(layers: list[_Element]) -> dict[str, _Element]:
    """Which element set each settings field (and `trustpoint.x` sub-field), as merge_layers merges."""
    sources: dict[str, _Element] = {}
    current: dict = {}
    for element in layers:
        for key, value in element.settings().items():
            nested = isinstance(value, dict) and isinstance(current.get(key), dict)
            if not nested:
                for stale in [k for k in sources if k.startswith(f"{key}.")]:
                    del sources[stale]
            sources[key] = element
            if isinstance(value, dict):
                for sub in value:
                    sources[f"{key}.{sub}"] = element
        current = merge_layers(current, element.settings())
    return sources


def _settings_problem(error: Mapping[str, Any], host: _Element, sources: Mapping[str, _Element]) -> InventoryProblem:
    """One pydantic error as one line at the element that wrote the value (the host when missing)."""
    loc = tuple(str(part) for part in error["loc"])
    source = next((sources[".".join(loc[:i])] for i in range(len(loc), 0, -1) if ".".join(loc[:i]) in sources), host)
    field_name = ".".join((SETTINGS_KEY, *loc))
    return source.problem(field_name, _settings_message(error, loc), "data", SETTINGS_KEY, *loc)


def _settings_message(error: Mapping[str, Any], loc: tuple[str, ...]) -> str:
    kind = error["type"]
    name = ".".join(loc) or "settings"
    if loc and loc[-1] == "token_ref" and kind != "missing":
        # never echo the value: it may be a token pasted where its reference belongs
        value = error.get("input")
        scheme = token_ref_scheme(value) if isinstance(value, str) else None
        if scheme and scheme not in ("env", "secrets"):
            return f"unknown token reference scheme {scheme!r} (expected env:VARIABLE or secrets:KEY)"
        return (
            "token_ref must name where the token lives, env:FLEETREG_NAME or secrets:KEY (never the token itself; "
            "only FLEETREG_ variables, so no other secret of the environment can be typed)"
        )
    if kind == "missing":
        return f"missing required setting {name} (set it in defaults.yaml, a group or the host)"
    if kind == "extra_forbidden":
        known = MigrationSettings.model_fields if len(loc) == 1 else ("name", "mode", "ca_file")
        return f"unknown settings field {loc[-1]!r}{did_you_mean(loc[-1], known)}"
    if kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", "")).replace("'", "")
        return f"unknown {loc[-1]} {error.get('input')!r} (expected {expected})"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


# ---------------------------------------------------------------- the whole folder


def _load(
    directory: Path,
    environ: Mapping[str, str] | None,
    secrets_file: Path | None,
    check_secrets: bool,
) -> tuple[Inventory | None, list[InventoryProblem]]:
    problems: list[InventoryProblem] = []
    if not directory.is_dir():
        what = "is not a folder" if directory.exists() else "not found"
        return None, [InventoryProblem(str(directory), None, None, f"inventory folder {what}")]
    hosts_doc = _read_document(directory / HOSTS_FILE, "host", problems)
    groups_doc = _read_document(directory / GROUPS_FILE, "group", problems)
    defaults_doc = _read_document(directory / DEFAULTS_FILE, "defaults", problems)
    if hosts_doc.data is None and not (directory / HOSTS_FILE).exists():
        problems.append(
            InventoryProblem(hosts_doc.file, None, None, "hosts file not found (every inventory needs one)")
        )
    unreadable = [doc for doc in (hosts_doc, groups_doc, defaults_doc) if doc.data is None and Path(doc.file).exists()]
    if unreadable:  # judging hosts against a half-read inventory would only add noise
        return None, _unique(problems)
    inventory, resolved = _analyse(directory, hosts_doc, groups_doc, defaults_doc, problems)
    if check_secrets:
        _check_secrets(resolved, environ, secrets_file, problems)
    return (inventory if not problems else None), _unique(problems)


def _analyse(
    directory: Path,
    hosts_doc: _Document,
    groups_doc: _Document,
    defaults_doc: _Document,
    problems: list[InventoryProblem],
) -> tuple[Inventory, list[_Resolved]]:
    """Pure: parsed documents -> inventory (valid hosts only) + problems appended to `problems`."""
    defaults_raw = defaults_doc.data if defaults_doc.data is not None else _LinedDict()
    defaults = _Element("defaults", None, defaults_doc.file, defaults_raw)
    groups = {el.name: el for el in _elements(groups_doc, "group", problems) if el.name}
    hosts = _elements(hosts_doc, "host", problems)
    for element in (defaults, *groups.values(), *hosts):
        _check_element(element, problems)
    _check_group_graph(groups, problems)

    resolved = [_resolve_host(host, groups, defaults, problems) for host in hosts]
    entries = [r.entry for r in resolved if r.entry is not None]
    _check_addresses(entries, {str(h.name): h for h in hosts}, problems)
    login = {k: str(defaults_raw[k]) for k in ("username", "password") if defaults_raw.get(k) is not None}
    if defaults.extras().get("secret") is not None:
        login["enable_secret"] = str(defaults.extras()["secret"])
    inventory = Inventory(
        directory=directory,
        hosts=tuple(entries),
        groups=tuple(groups),
        group_parents={name: el.parents() for name, el in groups.items()},
        login_defaults=login,
    )
    return inventory, resolved


def _check_addresses(entries: list[HostEntry], hosts: Mapping[str, _Element], problems: list[InventoryProblem]) -> None:
    first: dict[tuple[str, int], str] = {}
    for entry in entries:
        address = (entry.hostname.lower(), entry.port)
        if address in first:
            problems.append(
                hosts[entry.name].problem(
                    "hostname",
                    f"duplicate address {entry.hostname}:{entry.port} (also host {first[address]})",
                    "hostname",
                )
            )
        else:
            first[address] = entry.name


def _check_secrets(
    resolved: list[_Resolved],
    environ: Mapping[str, str] | None,
    secrets_file: Path | None,
    problems: list[InventoryProblem],
) -> None:
    env = os.environ if environ is None else environ
    path = secrets_file_path(secrets_file, env)
    checked: set[tuple[str, int]] = set()
    uses_secrets_file = False
    for item in resolved:
        if item.entry is None or item.entry.settings.token_ref is None or item.token_source is None:
            continue
        if item.entry.settings.uses_api_tokens:  # the token comes from the satellite's API at apply time
            continue
        ref, source = item.entry.settings.token_ref, item.token_source
        if (ref, id(source)) in checked:
            continue
        checked.add((ref, id(source)))
        uses_secrets_file |= ref.startswith("secrets:")
        try:
            resolve_token(ref, environ=env, secrets_file=path)
        except SecretError as exc:
            if exc.file:  # a problem with the secrets file itself, reported once
                problems.append(InventoryProblem(exc.file, None, None, exc.message, exc.line))
            else:
                problems.append(
                    source.problem(f"{SETTINGS_KEY}.token_ref", exc.message, "data", SETTINGS_KEY, "token_ref")
                )
    api_refs_checked: set[str] = set()
    for item in resolved:
        api = item.entry.settings.satellite_api if item.entry is not None else None
        if api is None:
            continue
        for field_name in ("client_id_ref", "client_secret_ref"):
            ref = getattr(api, field_name)
            if ref in api_refs_checked:
                continue
            api_refs_checked.add(ref)
            uses_secrets_file |= ref.startswith("secrets:")
            try:
                resolve_ref(ref, field=field_name, environ=env, secrets_file=path)
            except SecretError as exc:
                problems.append(
                    InventoryProblem(
                        exc.file or DEFAULTS_FILE,
                        item.entry.name if item.entry else None,
                        f"{SETTINGS_KEY}.satellite_api.{field_name}",
                        exc.message,
                        exc.line,
                    )
                )
    if path is not None and (uses_secrets_file or secrets_file is not None or SECRETS_FILE_ENV in env):
        if not path.exists():
            problems.append(InventoryProblem(str(path), None, None, "secrets file not found"))
        elif warning := secrets_file_exposure(path):
            problems.append(InventoryProblem(str(path), None, None, warning))


# ---------------------------------------------------------------- small helpers


def _port(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        return None
    return value


def _field_name(keys: tuple[str, ...]) -> str:
    return ".".join(keys[1:] if keys and keys[0] == "data" else keys)


def _type_name(value: Any) -> str:
    return {
        list: "list",
        str: "text",
        int: "number",
        float: "number",
        bool: "boolean",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)


def _unique(problems: list[InventoryProblem]) -> list[InventoryProblem]:
    return list(dict.fromkeys(problems))
