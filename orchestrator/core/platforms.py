"""The platform names Nornir inventories give IOS-XE switches, and the Netmiko device type
fleetreg opens each as. Pure data."""

from __future__ import annotations

DEFAULT_PLATFORM = "cisco_xe"
# Netmiko's and scrapli's names, NAPALM's and Ansible's short forms, and the slugs NetBox
# platforms are commonly given (nornir-netbox with `use_platform_slug: true`).
PLATFORM_ALIASES = {
    "cisco_xe": "cisco_xe",
    "iosxe": "cisco_xe",
    "ios": "cisco_ios",
    "cisco_ios": "cisco_ios",
    "cisco-ios-xe": "cisco_xe",
    "ios-xe": "cisco_xe",
    "cisco-ios": "cisco_ios",
}
SUPPORTED_PLATFORMS = tuple(PLATFORM_ALIASES)


def device_type(platform: str) -> str:
    """The Netmiko device type a platform name opens as (the name itself when it is not an alias)."""
    return PLATFORM_ALIASES.get(platform, platform)


def platform_problem(value: object) -> str | None:
    if value in PLATFORM_ALIASES:
        return None
    hint = ""
    if isinstance(value, str) and " " in value:
        hint = "; a NetBox platform's name: set `use_platform_slug: true` in config.yaml's inventory options"
    return f"unsupported platform {value!r} (fleetreg drives IOS-XE: {', '.join(SUPPORTED_PLATFORMS)}{hint})"
