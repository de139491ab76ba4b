"""NetBox through a Nornir config naming nornir-netbox's NetBoxInventory2, against NetBox API answers
(tests/fixtures/netbox, shaped as NetBox 3.7 and 4.1 answer) served on 127.0.0.1: fleetreg's
settings from the devices' config context and their `fleetreg` custom field, groups and defaults
from the plugin's files; a problem names the device's NetBox URL."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fleetreg.core.inventory_model import InventoryProblem
from fleetreg.shell.inventory import check_inventory, load_inventory
from netbox_api import TOKEN, NetBoxApi, netbox_api, recorded_pages

TOKENS = {
    "FLEETREG_TOKEN_CORPORATE": "VGVzdFRva2VuT25lLWZsZWV0cmVnLXVuaXQtdGVzdHMtMDAwMQ%3D%3D%0A",
    "FLEETREG_TOKEN_PUBLIC": "VGVzdFRva2VuVHdvLWZsZWV0cmVnLXVuaXQtdGVzdHMtMDAwMg%3D%3D%0A",
}
DEFAULTS = """\
data:
  fleetreg:
    satellite_url: https://ssm-onprem.example.net/Transportgateway/services/DeviceRequestHandler
    source_interface: Vlan781
"""
GROUPS = """\
site__fra:
  data:
    fleetreg:
      source_interface: Vlan910
"""


def write_project(folder: Path, api: NetBoxApi, *, use_platform_slug: bool = True) -> Path:
    (folder / "defaults.yaml").write_text(DEFAULTS)
    (folder / "groups.yaml").write_text(GROUPS)
    (folder / "config.yaml").write_text(
        textwrap.dedent(
            f"""\
            inventory:
              plugin: NetBoxInventory2
              options:
                nb_url: {api.url}
                use_platform_slug: {str(use_platform_slug).lower()}
                group_file: groups.yaml
                defaults_file: defaults.yaml
                filter_parameters:
                  role: access-switch
                  status: active
            """
        )
    )
    return folder / "config.yaml"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NB_TOKEN", TOKEN)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    return tmp_path


@pytest.fixture(params=["4.1", "3.7"])
def pages(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return recorded_pages(request.param)


@pytest.fixture
def api(pages: list[dict[str, Any]]) -> Iterator[NetBoxApi]:
    with netbox_api(pages) as served:
        yield served


def device(pages: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(d for page in pages for d in page["results"] if d["name"] == name)


def lines(found: list[InventoryProblem]) -> list[str]:
    return [p.one_line() for p in found]


def test_devices_with_settings_from_config_context_custom_field_groups_and_defaults(
    project: Path, api: NetBoxApi
) -> None:
    inventory = load_inventory(write_project(project, api), environ=TOKENS)
    assert [(h.name, h.hostname, h.platform, h.site) for h in inventory.hosts] == [
        ("sw-ams-core-01", "192.0.2.11", "cisco_xe", "ams"),
        ("sw-ams-acc-01", "192.0.2.21", "cisco_xe", "ams"),
        ("sw-fra-pub-01", "198.51.100.31", "cisco_ios", "fra"),
    ]
    core = inventory.by_name("sw-ams-core-01")
    assert core.settings.virtual_account == "Corporate Network Devices"  # config context
    assert core.settings.canary is True  # custom field `fleetreg`
    assert core.settings.source_interface == "Vlan781"  # defaults_file
    assert inventory.by_name("sw-ams-acc-01").settings.register_timeout_s == 1800  # local context data
    fra = inventory.by_name("sw-fra-pub-01")
    assert fra.settings.source_interface == "Vlan910"  # group_file, group site__fra
    assert fra.setting_sources["source_interface"] == "group site__fra"
    assert fra.settings.token_ref == "env:FLEETREG_TOKEN_PUBLIC"
    assert set(core.groups) == {
        "site__ams",
        "platform__cisco-ios-xe",
        "device_role__access-switch",
        "manufacturer__cisco",
        "device_type__c9300-48p",
    }
    assert inventory.filter(groups=["site__fra"]).hosts == (fra,)


def test_what_the_plugin_asks_netbox(project: Path, api: NetBoxApi, pages: list[dict[str, Any]]) -> None:
    load_inventory(write_project(project, api), environ=TOKENS)
    assert len(api.requests) == len(pages)  # every page, following `next`
    path, query = api.requests[0]
    assert (path, query) == (
        "/api/dcim/devices/",
        {"limit": ["0"], "role": ["access-switch"], "status": ["active"]},
    )


def test_a_broken_value_in_a_custom_field_names_the_device(project: Path, pages: list[dict[str, Any]]) -> None:
    device(pages, "sw-ams-acc-01")["custom_fields"]["fleetreg"] = {"transport": "csl"}
    with netbox_api(pages) as api:
        found = check_inventory(write_project(project, api), environ=TOKENS)
    assert lines(found) == [
        f"{api.url}/dcim/devices/12/ (custom field fleetreg): host sw-ams-acc-01, field fleetreg.transport: "
        "unknown transport 'csl' (expected auto, callhome or cslu)"
    ]


def test_a_broken_value_in_the_config_context_names_the_device(project: Path, pages: list[dict[str, Any]]) -> None:
    device(pages, "sw-fra-pub-01")["config_context"]["fleetreg"]["token_ref"] = "vault:public"
    with netbox_api(pages) as api:
        found = check_inventory(write_project(project, api), environ=TOKENS)
    assert lines(found) == [
        f"{api.url}/dcim/devices/13/ (config context): host sw-fra-pub-01, field fleetreg.token_ref: "
        "unknown token reference scheme 'vault' (expected env:VARIABLE or secrets:KEY)"
    ]


def test_a_device_without_settings_or_address(project: Path, pages: list[dict[str, Any]]) -> None:
    found_device = device(pages, "sw-fra-pub-01")
    found_device["config_context"] = {}
    found_device["primary_ip"] = found_device["primary_ip4"] = None
    found_device["name"] = None  # unnamed: nornir-netbox names it by its id
    with netbox_api(pages) as api:
        found = check_inventory(write_project(project, api), environ=TOKENS)
    assert lines(found) == [
        f"{api.url}/dcim/devices/13/: host 13, field hostname: missing hostname (IP address or DNS name to connect to)",
        f"{api.url}/dcim/devices/13/: host 13, field fleetreg.virtual_account: missing required setting "
        "virtual_account (set it in defaults.yaml, a group or the host)",
    ]


def test_platform_names_need_use_platform_slug(project: Path, api: NetBoxApi) -> None:
    found = check_inventory(write_project(project, api, use_platform_slug=False), environ=TOKENS)
    assert [(p.host, p.field) for p in found] == [
        ("sw-ams-core-01", "platform"),
        ("sw-ams-acc-01", "platform"),
        ("sw-fra-pub-01", "platform"),
    ]
    assert found[0].file == f"{api.url}/dcim/devices/11/"
    assert found[0].message.startswith("unsupported platform 'Cisco IOS-XE'")
    assert "use_platform_slug: true" in found[0].message


def test_a_refused_token_is_one_line_naming_the_config(
    project: Path, api: NetBoxApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NB_TOKEN", "f" * 40)
    config = write_project(project, api)
    assert lines(check_inventory(config, environ=TOKENS)) == [
        f"{config}: inventory plugin NetBoxInventory2 could not load the inventory: "
        f"ValueError: Failed to get data from NetBox instance {api.url}"
    ]
    monkeypatch.delenv("NB_TOKEN")
    assert lines(check_inventory(config, environ=TOKENS))[0].endswith(f"{api.url} (NB_TOKEN is not set)")


def test_the_token_never_goes_in_the_config(project: Path, api: NetBoxApi) -> None:
    config = write_project(project, api)
    config.write_text(config.read_text() + f"    nb_token: {TOKEN}\n")
    found = check_inventory(config, environ=TOKENS)
    assert lines(found) == [
        f"{config}:11: field inventory.options.nb_token: a secret does not belong in the inventory's config: "
        "set NB_TOKEN in the environment (nornir-netbox reads it)"
    ]
    assert api.requests == []
