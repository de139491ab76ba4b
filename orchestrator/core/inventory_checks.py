"""Checks on each host, group and the defaults as written (the values it sets, not what it
inherits), and on the group graph. Pure: elements in, problems appended."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from fleetreg.core.cli_text import CONTROL_CHARS, control_problem
from fleetreg.core.inventory_elements import Element
from fleetreg.core.inventory_model import InventoryProblem, did_you_mean
from fleetreg.core.platforms import platform_problem
from fleetreg.core.settings import SETTINGS_KEY

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
CONNECTION_OVERRIDES = ("hostname", "port", "platform")  # as Nornir reads them: they win over the host's


def check_element(element: Element, problems: list[InventoryProblem]) -> None:
    """Every check on one element as written (values it sets, not what it inherits)."""
    check_shape(element, problems)
    check_values(element, problems)


def check_shape(element: Element, problems: list[InventoryProblem]) -> None:
    """Keys an inventory element may have, and its groups as a list of names: what a plugin drops or
    stumbles on when it loads the file."""
    raw = element.raw
    if element.name is not None and (problem := _name_problem(element.name)):
        problems.append(element.problem(None, f"{element.kind} name {element.name!r} {problem}"))
    allowed = ELEMENT_KEYS if element.kind != "defaults" else tuple(k for k in ELEMENT_KEYS if k != "groups")
    for key in raw:
        if key not in allowed:
            hint = did_you_mean(str(key), allowed)
            problems.append(element.problem(str(key), f"unknown key {key!r}{hint}", str(key)))
    if "groups" in raw:
        groups = raw["groups"]
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            problems.append(element.problem("groups", "groups must be a list of group names", "groups"))


def _name_problem(name: str) -> str | None:
    """A host or group name as a plugin gave it (a YAML file's names are checked as it is read)."""
    return "must not be empty" if not name.strip() else control_problem(name)


def check_values(element: Element, problems: list[InventoryProblem]) -> None:
    """The values one element sets: address, port, platform, no credentials, data, connection options."""
    raw = element.raw
    if "port" in raw and port_number(raw["port"]) is None:
        problems.append(element.problem("port", f"bad port {raw['port']!r}: expected an integer 1-65535", "port"))
    if "hostname" in raw and (problem := hostname_problem(raw["hostname"])):
        problems.append(element.problem("hostname", problem, "hostname"))
    if "platform" in raw and (problem := platform_problem(raw["platform"])):
        problems.append(element.problem("platform", problem, "platform"))
    for key in ("username", "password"):
        if key in raw and element.kind != "defaults":
            problems.append(
                element.problem(
                    key,
                    f"`{key}` is fleet-wide: set FLEETREG_{key.upper()} (or put it in defaults.yaml)",
                    key,
                )
            )
    _check_data(element, problems)
    _check_connection_options(element, problems)


def _check_data(element: Element, problems: list[InventoryProblem]) -> None:
    data = element.raw.get("data")
    if data is None:
        return
    if not isinstance(data, dict):
        problems.append(element.problem("data", f"data must be a mapping, got {type_name(data)}", "data"))
        return
    if SITE_KEY in data and not isinstance(data[SITE_KEY], str | None):
        problems.append(element.problem(SITE_KEY, "site must be a name (text)", "data", SITE_KEY))
    settings = data.get(SETTINGS_KEY)
    if settings is not None and not isinstance(settings, dict):
        problems.append(
            element.problem(
                SETTINGS_KEY,
                f"{SETTINGS_KEY} settings must be a mapping, got {type_name(settings)}",
                "data",
                SETTINGS_KEY,
            )
        )


def _check_connection_options(element: Element, problems: list[InventoryProblem]) -> None:
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


def _override_problem(key: str, value: Any) -> str | None:
    if value is None:
        return None
    if key == "port":
        return None if port_number(value) is not None else f"port must be a number from 1 to 65535, not {value!r}"
    if key == "platform":
        return platform_problem(value)
    return hostname_problem(value)


def hostname_problem(value: Any) -> str | None:
    """An SSH address as Nornir takes it (it also names the switch in its known_hosts file)."""
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value) or control_problem(value):
        return f"bad hostname {value!r}: expected an IP address or DNS name"
    return None


def check_structure(
    defaults: Element, groups: Mapping[str, Element], hosts: Sequence[Element], problems: list[InventoryProblem]
) -> None:
    """What must hold before a plugin can load the inventory at all: each element's shape, groups
    that exist, no cycle among them."""
    for element in (defaults, *groups.values(), *hosts):
        check_shape(element, problems)
    check_group_graph(groups, problems)
    for host in hosts:
        check_host_groups(host, groups, problems)


def check_host_groups(host: Element, groups: Mapping[str, Element], problems: list[InventoryProblem]) -> None:
    for group in host.parents():
        if group not in groups:
            problems.append(host.problem("groups", f"unknown group {group!r}{did_you_mean(group, groups)}", "groups"))


def check_group_graph(groups: Mapping[str, Element], problems: list[InventoryProblem]) -> None:
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


def port_number(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        return None
    return value


def type_name(value: Any) -> str:
    return {
        list: "list",
        str: "text",
        int: "number",
        float: "number",
        bool: "boolean",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)
