"""build_nornir: in-memory Nornir hosts with the right connection options per transport (no network)."""

from __future__ import annotations

from pathlib import Path

from fleetreg.shell.inventory import load_inventory
from fleetreg.shell.nornir_setup import build_nornir, settings_of
from fleetreg.shell.secrets import Credentials
from fleetreg.tasks.connection import transport_of
from nornir.core.filter import F

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inventories"
CREDENTIALS = Credentials("netops", "pa55-word", "en-s3cret")


def test_hosts_carry_connection_options_settings_and_credentials() -> None:
    inventory = load_inventory(FIXTURES / "precedence", check_secrets=False)
    nr = build_nornir(
        inventory, CREDENTIALS, workers=7, connect_timeout=12.5, extras={"session_log": "s.log"}, transport="netmiko"
    )
    assert sorted(nr.inventory.hosts) == ["h_both", "h_defaults_only", "h_second_first"]
    host = nr.inventory.hosts["h_both"]
    params = host.get_connection_parameters("netmiko")
    assert (params.hostname, params.port, params.username, params.password, params.platform) == (
        "127.0.0.11",
        2022,
        "netops",
        "pa55-word",
        "cisco_xe",
    )
    assert params.extras == {
        "conn_timeout": 40,  # the inventory's group beats fleetreg's default
        "auth_timeout": 12.5,
        "banner_timeout": 12.5,
        "fast_cli": False,
        "read_timeout_override": 90,
        "session_log": "s.log",
        "secret": "en-s3cret",
        "fleetreg_host": "h_both",  # for error messages; the plugin takes it out before Netmiko
    }
    assert settings_of(host).source_interface == "Vlan10"
    assert host.data["site"] == "FIRST"
    assert host.data["entry"].name == "h_both"
    assert nr.runner.num_workers == 7  # type: ignore[union-attr]
    assert nr.config.logging.enabled is False


def test_groups_and_parents_are_usable_in_nornir_filters() -> None:
    inventory = load_inventory(FIXTURES / "precedence", check_secrets=False)
    nr = build_nornir(inventory, CREDENTIALS)
    assert sorted(nr.filter(F(groups__contains="g_second")).inventory.hosts) == ["h_both", "h_second_first"]
    assert sorted(h.name for h in nr.inventory.children_of_group("g_parent")) == ["h_both", "h_second_first"]


def test_no_enable_secret_means_no_secret_extra_and_nothing_secret_in_host_data() -> None:
    inventory = load_inventory(FIXTURES / "precedence", check_secrets=False)
    nr = build_nornir(inventory, Credentials("netops", "pa55-word"), extras={"secret": "from-caller"})
    host = nr.inventory.hosts["h_defaults_only"]
    assert transport_of(host) == "netmiko"  # the default transport
    params = host.get_connection_parameters("netmiko")  # the login options, whichever transport
    assert "secret" not in (params.extras or {})
    assert params.extras["fleetreg_host"] == "h_defaults_only"  # type: ignore[index]  # names errors
    assert params.port == 2200
    assert params.extras["read_timeout_override"] == 120  # type: ignore[index]
    assert "pa55-word" not in repr(host.data)


def test_the_inventory_s_netmiko_options_win_over_fleetreg_s_defaults() -> None:
    """`fast_cli: false` written by a Nornir user stays false (fleetreg's default is true)."""
    inventory = load_inventory(FIXTURES / "precedence", check_secrets=False)
    nr = build_nornir(inventory, CREDENTIALS, extras={"fast_cli": True, "keepalive": 30}, transport="netmiko")
    params = nr.inventory.hosts["h_both"].get_connection_parameters("netmiko")
    assert params.extras["fast_cli"] is False  # type: ignore[index]  # set in the inventory
    assert params.extras["keepalive"] == 30  # type: ignore[index]  # fleetreg's default, not set there
