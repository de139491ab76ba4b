"""An Ansible inventory through a Nornir config naming nornir-ansible's AnsibleInventory: loaded by
the plugin, fleetreg's settings (the variable `fleetreg`) checked on top, each problem at the file
and line that wrote it: the inventory file (YAML or INI), group_vars/ or host_vars/."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from fleetreg.core.inventory_model import InventoryProblem
from fleetreg.shell.inventory import check_inventory, load_inventory

REPO = Path(__file__).resolve().parents[2]
ANSIBLE = REPO / "tests" / "fixtures" / "inventories" / "ansible"
TOKENS = {
    "FLEETREG_TOKEN_CORPORATE": "VGVzdFRva2VuT25lLWZsZWV0cmVnLXVuaXQtdGVzdHMtMDAwMQ%3D%3D%0A",
    "FLEETREG_TOKEN_PUBLIC": "VGVzdFRva2VuVHdvLWZsZWV0cmVnLXVuaXQtdGVzdHMtMDAwMg%3D%3D%0A",
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the Ansible project, as the current folder (paths in config.yaml are Nornir's: relative to it)."""
    folder = tmp_path / "project"
    shutil.copytree(ANSIBLE, folder)
    monkeypatch.chdir(folder)
    return folder


def lines(found: list[InventoryProblem]) -> list[str]:
    return [p.one_line() for p in found]


def test_the_plugin_loads_the_inventory_and_fleetreg_reads_its_settings(project: Path) -> None:
    inventory = load_inventory(Path("config.yaml"), environ=TOKENS)
    assert [h.name for h in inventory.hosts] == ["sw-ams-core-01", "sw-ams-acc-01", "sw-ams-guest-01"]
    core = inventory.by_name("sw-ams-core-01")
    assert (core.hostname, core.port, core.platform, core.site) == ("192.0.2.11", 22, "cisco_ios", "AMS")
    assert core.groups == ("site_ams", "va_corporate")  # nornir-ansible sorts a host's groups
    assert core.settings.canary is True  # inline in the inventory file
    assert core.settings.virtual_account == "Corporate Network Devices"  # group_vars/va_corporate.yml
    assert core.settings.source_interface == "Vlan781"  # group_vars/all.yml: the defaults
    acc = inventory.by_name("sw-ams-acc-01")
    assert acc.settings.register_timeout_s == 1800  # host_vars/sw-ams-acc-01.yml
    assert acc.setting_sources["register_timeout_s"] == "host"
    assert acc.setting_sources["virtual_account"] == "group va_corporate"
    guest = inventory.by_name("sw-ams-guest-01")
    assert (guest.settings.virtual_account, guest.settings.token_ref) == (
        "Public Network Devices",
        "env:FLEETREG_TOKEN_PUBLIC",
    )
    assert inventory.groups == ("va_corporate", "va_public", "site_ams")


def test_a_broken_value_in_group_vars_names_its_file_and_line(project: Path) -> None:
    (project / "group_vars" / "va_corporate.yml").write_text(
        "fleetreg:\n  virtual_account: Corporate Network Devices\n  token_ref: env:FLEETREG_TOKEN_CORPORATE\n"
        "  transport: csl\n"
    )
    assert lines(check_inventory(Path("config.yaml"), environ=TOKENS)) == [
        "group_vars/va_corporate.yml:4: group va_corporate, field fleetreg.transport: "
        "unknown transport 'csl' (expected auto, callhome or cslu)"
    ]


def test_a_broken_value_written_inline_names_the_inventory_file_line(project: Path) -> None:
    text = (project / "hosts.yaml").read_text().replace("ansible_host: 192.0.2.41", "ansible_host: 192.0.2.41\n"
                                                        "          ansible_port: 70000")  # fmt: skip
    (project / "hosts.yaml").write_text(text)
    assert lines(check_inventory(Path("config.yaml"), environ=TOKENS)) == [
        "hosts.yaml:21: host sw-ams-guest-01, field port: bad port 70000: expected an integer 1-65535"
    ]


def test_host_vars_win_over_the_inventory_file_and_are_named(project: Path) -> None:
    (project / "host_vars" / "sw-ams-core-01.yaml").write_text("fleetreg:\n  canary: maybe\n")
    problem = check_inventory(Path("config.yaml"), environ=TOKENS)
    assert lines(problem) == [
        "host_vars/sw-ams-core-01.yaml:2: host sw-ams-core-01, field fleetreg.canary: "
        "Input should be a valid boolean, unable to interpret input"
    ]


def test_unsupported_platform_in_the_defaults_and_a_missing_token(project: Path) -> None:
    (project / "group_vars" / "all.yml").write_text(
        (project / "group_vars" / "all.yml").read_text().replace("platform: ios", "platform: junos")
    )
    found = check_inventory(Path("config.yaml"), environ=TOKENS)
    assert [(p.file, p.line, p.field) for p in found] == [("group_vars/all.yml", 2, "platform")]
    assert found[0].message.startswith("unsupported platform 'junos'")
    (project / "group_vars" / "all.yml").write_text((ANSIBLE / "group_vars" / "all.yml").read_text())
    found = check_inventory(
        Path("config.yaml"), environ={"FLEETREG_TOKEN_CORPORATE": TOKENS["FLEETREG_TOKEN_CORPORATE"]}
    )
    assert lines(found) == [
        "hosts.yaml:17: group va_public, field fleetreg.token_ref: environment variable FLEETREG_TOKEN_PUBLIC "
        "is not set (token_ref env:FLEETREG_TOKEN_PUBLIC)"
    ]


def test_a_yaml_error_in_a_vars_file_is_reported_with_its_line_before_the_plugin_reads_it(project: Path) -> None:
    (project / "group_vars" / "va_corporate.yml").write_text("fleetreg:\n  virtual_account: [Corporate\n")
    found = check_inventory(Path("config.yaml"), environ=TOKENS)
    assert [(p.file, p.line) for p in found] == [("group_vars/va_corporate.yml", 3)]
    assert found[0].message.startswith("YAML syntax error:")


def test_a_password_in_host_vars_is_refused_without_showing_it(project: Path) -> None:
    (project / "host_vars" / "sw-ams-guest-01.yml").write_text("ansible_password: Hunter2-Secret\n")
    found = check_inventory(Path("config.yaml"), environ=TOKENS)
    assert lines(found) == [
        "host_vars/sw-ams-guest-01.yml:1: host sw-ams-guest-01, field password: "
        "`password` is fleet-wide: set FLEETREG_PASSWORD (or put it in defaults.yaml)"
    ]
    assert "Hunter2" not in "".join(lines(found))


def test_an_ini_inventory_names_the_line_of_the_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ANSIBLE / "group_vars", tmp_path / "group_vars")
    (tmp_path / "hosts.ini").write_text(
        textwrap.dedent(
            """\
            [va_corporate]
            sw-ams-core-01 ansible_host=192.0.2.11
            sw-ams-acc-01 ansible_host=192.0.2.21 ansible_port=2222

            [site_ams:vars]
            site=AMS

            [site_ams]
            sw-ams-core-01
            sw-ams-acc-01
            """
        )
    )
    (tmp_path / "config.yaml").write_text(
        "inventory:\n  plugin: AnsibleInventory\n  options:\n    hostsfile: hosts.ini\n"
    )
    inventory = load_inventory(Path("config.yaml"), environ=TOKENS)
    assert [(h.name, h.hostname, h.port, h.site) for h in inventory.hosts] == [
        ("sw-ams-core-01", "192.0.2.11", 22, "AMS"),
        ("sw-ams-acc-01", "192.0.2.21", 2222, "AMS"),
    ]
    (tmp_path / "hosts.ini").write_text(
        (tmp_path / "hosts.ini").read_text().replace("ansible_port=2222", "ansible_port=ssh")
    )
    assert lines(check_inventory(Path("config.yaml"), environ=TOKENS)) == [
        "hosts.ini:3: host sw-ams-acc-01, field port: bad port 'ssh': expected an integer 1-65535"
    ]


def test_a_missing_ansible_inventory_file_is_named(project: Path) -> None:
    (project / "config.yaml").write_text(
        "inventory:\n  plugin: AnsibleInventory\n  options:\n    hostsfile: hots.yaml\n"
    )
    assert lines(check_inventory(Path("config.yaml"), environ=TOKENS)) == [
        "hots.yaml: Ansible inventory file not found"
    ]
