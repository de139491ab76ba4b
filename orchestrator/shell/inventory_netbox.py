"""NetBox devices, as nornir-netbox's NetBoxInventory2 loads them (the device's API answer as the
host's data), in fleetreg's terms: the site's slug as `data.site`, and the `fleetreg` settings
from the device's config context (NetBox merges the contexts assigned by site, role, platform,
tag... and the device's local context) under its JSON custom field `fleetreg`, field by field.
A problem names the device's NetBox URL (which holds its id), and which of the two set the value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fleetreg.core.inventory_checks import SITE_KEY
from fleetreg.core.inventory_elements import Location
from fleetreg.core.settings import SETTINGS_KEY, merge_layers
from fleetreg.shell.nornir_inventory import element_values
from nornir.core.inventory import Host

CONFIG_CONTEXT = "config_context"
CUSTOM_FIELDS = "custom_fields"


@dataclass(frozen=True)
class NetBoxDevice:
    """Where a device's values live in NetBox: its page, and which settings each source set."""

    url: str
    from_custom_field: frozenset[str] = frozenset()
    from_config_context: frozenset[str] = frozenset()

    def locate(self, keys: tuple[str, ...]) -> Location:
        if keys[:2] == ("data", SETTINGS_KEY) and len(keys) > 2:
            if keys[2] in self.from_custom_field:
                return Location(f"{self.url} (custom field {SETTINGS_KEY})")
            if keys[2] in self.from_config_context:
                return Location(f"{self.url} (config context)")
        return Location(self.url)


def device_values(host: Host) -> dict:
    """The host's own values with its data in fleetreg's terms: `site` and `fleetreg` only."""
    raw = element_values(host)
    device = raw.pop("data", {})
    data: dict = {}
    site = device.get("site")
    if isinstance(site, Mapping) and site.get("slug") is not None:
        data[SITE_KEY] = site["slug"]
    settings = _settings(_context_settings(device), _custom_field(device))
    if settings is not None:
        data[SETTINGS_KEY] = settings
    if data:
        raw["data"] = data
    return raw


def device_where(host: Host, nb_url: str) -> NetBoxDevice:
    device = host.data
    context, custom = _context_settings(device), _custom_field(device)
    return NetBoxDevice(
        url=device_url(device, nb_url),
        from_custom_field=frozenset(custom) if isinstance(custom, Mapping) else frozenset(),
        from_config_context=frozenset(context) if isinstance(context, Mapping) else frozenset(),
    )


def device_url(device: Mapping[str, Any], nb_url: str) -> str:
    """The device's page in NetBox's web UI (4.x gives it; 3.x gives the API URL, which maps to it)."""
    if isinstance(device.get("display_url"), str):
        return str(device["display_url"])
    url = device.get("url")
    if isinstance(url, str) and "/api/" in url:
        return url.replace("/api/", "/", 1)
    return f"{nb_url.rstrip('/')}/dcim/devices/{device.get('id')}/"


def _context_settings(device: Mapping[str, Any]) -> Any:
    context = device.get(CONFIG_CONTEXT)
    return context.get(SETTINGS_KEY) if isinstance(context, Mapping) else None


def _custom_field(device: Mapping[str, Any]) -> Any:
    """The JSON custom field `fleetreg` (at the top of the data with flatten_custom_fields: true)."""
    fields = device.get(CUSTOM_FIELDS)
    if isinstance(fields, Mapping):
        return fields.get(SETTINGS_KEY)
    return device.get(SETTINGS_KEY)


def _settings(context: Any, custom: Any) -> Any:
    """The custom field over the config context, field by field (a value that is not a mapping is
    kept as it is, for the checks to name)."""
    if isinstance(context, Mapping) and isinstance(custom, Mapping):
        return merge_layers(dict(context), dict(custom))
    return custom if custom is not None else context
