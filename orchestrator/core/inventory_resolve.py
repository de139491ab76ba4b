"""What each host inherits, resolved and validated: hostname, port, platform, site, netmiko
extras and the `data.fleetreg` settings, merged field by field across host > groups (Nornir's
order) > defaults, each problem reported once, where the value was written. Pure: elements in,
the Inventory (valid hosts only) and problems out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fleetreg.core.inventory_checks import (
    EXTRAS_SET_ELSEWHERE,
    SITE_KEY,
    check_element,
    check_group_graph,
    check_host_groups,
    port_number,
)
from fleetreg.core.inventory_elements import Element
from fleetreg.core.inventory_model import (
    HostEntry,
    Inventory,
    InventoryProblem,
    did_you_mean,
    extended_groups,
)
from fleetreg.core.platforms import DEFAULT_PLATFORM, device_type
from fleetreg.core.settings import SETTINGS_KEY, MigrationSettings, merge_layers, token_ref_scheme
from pydantic import ValidationError

DEFAULT_PORT = 22


@dataclass(frozen=True)
class Elements:
    """An inventory as its source wrote it: the defaults, the groups by name, the hosts in order."""

    defaults: Element
    groups: Mapping[str, Element]
    hosts: Sequence[Element]


@dataclass
class Resolved:
    entry: HostEntry | None
    sources: Mapping[str, Element] = field(default_factory=dict)  # who set each settings field

    def source_of(self, setting: str) -> Element | None:
        return self.sources.get(setting)


def analyse(
    source: Path, elements: Elements, problems: list[InventoryProblem], *, hosts_source: str | None = None
) -> tuple[Inventory, list[Resolved]]:
    """Every element checked, every host resolved: the inventory (valid hosts only), problems appended."""
    defaults, groups, hosts = elements.defaults, elements.groups, elements.hosts
    for element in (defaults, *groups.values(), *hosts):
        check_element(element, problems)
    check_group_graph(groups, problems)
    resolved = []
    for host in hosts:
        check_host_groups(host, groups, problems)
        resolved.append(resolve_host(host, groups, defaults, problems))
    entries = [r.entry for r in resolved if r.entry is not None]
    check_addresses(entries, {str(h.name): h for h in hosts}, problems)
    login = {k: str(defaults.raw[k]) for k in ("username", "password") if defaults.raw.get(k) is not None}
    if defaults.extras().get("secret") is not None:
        login["enable_secret"] = str(defaults.extras()["secret"])
    inventory = Inventory(
        directory=source,
        hosts=tuple(entries),
        groups=tuple(groups),
        group_parents={name: el.parents() for name, el in groups.items()},
        login_defaults=login,
        hosts_source=hosts_source,
    )
    return inventory, resolved


def resolve_host(
    host: Element,
    groups: Mapping[str, Element],
    defaults: Element,
    problems: list[InventoryProblem],
) -> Resolved:
    """What one host inherits, validated (None as its entry when a problem was found)."""
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
    port = port_number(connection("port") if connection("port") is not None else DEFAULT_PORT)
    platform = connection("platform") or DEFAULT_PLATFORM
    site = inherited("data", SITE_KEY)

    layers = list(reversed(chain))  # defaults first, host last: later wins
    merged = merge_layers(*(el.settings() for el in layers))
    sources = setting_sources(layers)
    extras: dict = {}
    for element in layers:
        extras.update({k: v for k, v in element.extras().items() if k not in EXTRAS_SET_ELSEWHERE})

    try:
        settings = MigrationSettings.model_validate(merged)
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(settings_problem(error, host, sources))
        return Resolved(None)
    if settings.token_ref is None and settings.transport != "cslu" and not settings.uses_api_tokens:
        problems.append(
            host.problem(
                f"{SETTINGS_KEY}.token_ref",
                f"missing token_ref: where the registration token for virtual account "
                f"{settings.virtual_account!r} lives (env:VARIABLE or secrets:KEY)",
            )
        )
        return Resolved(None)
    if not isinstance(hostname, str) or port is None or not isinstance(site, str | None):
        return Resolved(None)  # already reported where it was written
    entry = HostEntry(
        name=str(host.name),
        hostname=hostname,
        port=port,
        platform=device_type(str(platform)),
        groups=host.parents(),
        site=site,
        settings=settings,
        connection_options=extras,
        setting_sources={key: el.label for key, el in sources.items()},
        setting_locations={key: _written_at(el, key) for key, el in sources.items()},
        data=merged_data(el.get("data") for el in layers),
    )
    return Resolved(entry, sources)


def merged_data(layers: Iterable[Any]) -> dict[str, Any]:
    """The host's data with what it inherits, merged key by key at every depth (later layers
    win): what `--filter KEY=VALUE` reads."""

    def merge(into: dict[str, Any], layer: Mapping[Any, Any]) -> dict[str, Any]:
        for key, value in layer.items():
            if isinstance(value, Mapping):
                into[str(key)] = merge(dict(into[str(key)]) if isinstance(into.get(str(key)), dict) else {}, value)
            else:
                into[str(key)] = value
        return into

    merged: dict[str, Any] = {}
    for layer in layers:
        if isinstance(layer, Mapping):
            merge(merged, layer)
    return merged


def _written_at(element: Element, setting: str) -> tuple[str, int | None]:
    location = element.location("data", SETTINGS_KEY, *setting.split("."))
    return location.file, location.line


def setting_sources(layers: list[Element]) -> dict[str, Element]:
    """Which element set each settings field (and `trustpoint.x` sub-field), as merge_layers merges."""
    sources: dict[str, Element] = {}
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


def settings_problem(error: Mapping[str, Any], host: Element, sources: Mapping[str, Element]) -> InventoryProblem:
    """One pydantic error as one line at the element that wrote the value (the host when missing)."""
    loc = tuple(str(part) for part in error["loc"])
    source = next((sources[".".join(loc[:i])] for i in range(len(loc), 0, -1) if ".".join(loc[:i]) in sources), host)
    field_name = ".".join((SETTINGS_KEY, *loc))
    return source.problem(field_name, settings_message(error, loc), "data", SETTINGS_KEY, *loc)


def settings_message(error: Mapping[str, Any], loc: tuple[str, ...]) -> str:
    kind = error["type"]
    name = ".".join(loc) or "settings"
    if loc and loc[-1] in ("token_ref", "cloud_token_ref") and kind != "missing":
        # never echo the value: it may be a token pasted where its reference belongs
        value = error.get("input")
        scheme = token_ref_scheme(value) if isinstance(value, str) else None
        if scheme and scheme not in ("env", "secrets"):
            return f"unknown token reference scheme {scheme!r} (expected env:VARIABLE or secrets:KEY)"
        return (
            f"{loc[-1]} must name where the token lives, env:FLEETREG_NAME or secrets:KEY (never the token itself; "
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


def check_addresses(entries: list[HostEntry], hosts: Mapping[str, Element], problems: list[InventoryProblem]) -> None:
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
