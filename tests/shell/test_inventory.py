"""Inventory loading: inheritance, and one test per kind of problem (file, line, host, field)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from fleetreg.core.errors import InventoryError
from fleetreg.core.inventory_model import InventoryProblem, InventoryProblems, extended_groups
from fleetreg.shell.inventory import check_inventory, load_inventory

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "inventories"
URL = "https://ssm.example.test/Transportgateway/services/DeviceRequestHandler"
TOKEN = "tok-Zm9vYmFyLXNlY3JldA-SW52ZW50b3J5VGVzdFRva2Vu%0A"
ENV = {"FLEETREG_TOK": TOKEN}
TOKEN_ONE = "VGVzdFRva2VuT25lLWZsZWV0cmVnLXVuaXQtdGVzdHMtMDAwMQ%3D%3D%0A"
TOKEN_TWO = "VGVzdFRva2VuVHdvLWZsZWV0cmVnLXVuaXQtdGVzdHMtMDAwMg%3D%3D%0A"

BASE_DEFAULTS = f"""\
data:
  fleetreg:
    satellite_url: {URL}
    token_ref: env:FLEETREG_TOK
"""
BASE_GROUPS = """\
va_corp:
  data:
    fleetreg:
      virtual_account: Corporate Network Devices
"""
ONE_HOST = """\
sw1:
  hostname: 127.0.0.1
  groups: [va_corp]
"""


def write_inventory(
    folder: Path,
    hosts: str = ONE_HOST,
    groups: str | None = BASE_GROUPS,
    defaults: str | None = BASE_DEFAULTS,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hosts.yaml").write_text(textwrap.dedent(hosts))
    if groups is not None:
        (folder / "groups.yaml").write_text(textwrap.dedent(groups))
    if defaults is not None:
        (folder / "defaults.yaml").write_text(textwrap.dedent(defaults))
    return folder


def problems(folder: Path, **kwargs: object) -> list[InventoryProblem]:
    kwargs.setdefault("environ", ENV)
    return check_inventory(folder, **kwargs)  # type: ignore[arg-type]


def only(found: list[InventoryProblem]) -> InventoryProblem:
    assert len(found) == 1, [p.one_line() for p in found]
    return found[0]


# ------------------------------------------------------------------ valid inventories


def test_minimal_inventory_loads_with_defaults(tmp_path: Path) -> None:
    inventory = load_inventory(write_inventory(tmp_path), environ=ENV)
    host = inventory.by_name("sw1")
    assert (host.hostname, host.port, host.platform, host.groups, host.site) == (
        "127.0.0.1",
        22,
        "cisco_xe",
        ("va_corp",),
        None,
    )
    assert host.settings.virtual_account == "Corporate Network Devices"
    assert host.settings.token_ref == "env:FLEETREG_TOK"
    assert host.settings.transport == "auto"
    assert host.connection_options == {}
    assert inventory.groups == ("va_corp",)


def test_precedence_field_by_field_first_group_wins_parents_follow_their_child() -> None:
    environ = {"FLEETREG_TOK_FIRST": "a", "FLEETREG_TOK_SECOND": "b"}
    inventory = load_inventory(FIXTURES / "precedence", environ=environ, check_secrets=False)
    both = inventory.by_name("h_both")
    assert both.settings.register_timeout_s == 300  # host beats groups
    assert both.settings.source_interface == "Vlan10"  # first group beats second
    assert both.settings.virtual_account == "VA First"
    assert both.settings.vrf == "VRF-PARENT"  # g_first's parent comes before g_second (Nornir order)
    assert both.settings.poll_interval_s == 8
    assert both.settings.transport == "callhome"  # only defaults set it
    assert both.settings.trustpoint.name == "TP-DEF"  # trustpoint merges one level deep
    assert both.settings.trustpoint.mode == "revocation-check-none"
    assert both.site == "FIRST"
    assert both.port == 2022  # port inherited from the parent group over defaults
    assert both.connection_options == {"fast_cli": False, "read_timeout_override": 90, "conn_timeout": 40}
    assert both.setting_sources["source_interface"] == "group g_first"
    assert both.setting_locations["source_interface"] == (str(FIXTURES / "precedence" / "groups.yaml"), 8)
    assert both.setting_sources["register_timeout_s"] == "host"
    assert both.setting_sources["transport"] == "defaults"
    assert both.setting_sources["trustpoint.mode"] == "group g_parent"

    second = inventory.by_name("h_second_first")
    assert second.settings.source_interface == "Vlan20"
    assert second.settings.vrf == "VRF-SECOND"
    assert second.settings.poll_interval_s == 7
    assert second.settings.register_timeout_s == 200
    assert second.settings.virtual_account == "VA Second"
    assert second.site == "SECOND"
    assert second.connection_options["read_timeout_override"] == 90

    alone = inventory.by_name("h_defaults_only")
    assert alone.settings.source_interface == "Vlan1"
    assert alone.settings.trustpoint.mode == "keep"
    assert alone.site == "HOSTSITE"
    assert alone.port == 2200
    assert alone.connection_options == {"fast_cli": False, "read_timeout_override": 120}


def test_extended_groups_matches_nornir_order() -> None:
    parents = {
        "group_a": ("group_1", "group_2"),
        "group_b": ("group_2", "group_3"),
        "group_1": ("group_X",),
        "group_2": (),
        "group_3": (),
        "group_X": (),
    }
    assert extended_groups(["group_a", "group_b"], parents) == (
        "group_a",
        "group_1",
        "group_X",
        "group_2",
        "group_b",
        "group_3",
    )


def test_example_inventory_validates_when_tokens_are_set() -> None:
    environ = {"FLEETREG_TOKEN_CORPORATE": TOKEN_ONE, "FLEETREG_TOKEN_PUBLIC": TOKEN_TWO}
    inventory = load_inventory(REPO / "inventory", environ=environ)
    assert len(inventory.hosts) == 12
    assert inventory.sites() == ("AMS", "FRA", "LON")
    assert {h.settings.virtual_account for h in inventory.hosts} == {
        "Corporate Network Devices",
        "Public Network Devices",
    }
    assert [h.name for h in inventory.hosts if h.settings.canary] == ["sw-ams-core-01", "sw-ams-guest-01"]
    dc = inventory.by_name("sw-fra-dc-01")
    assert (dc.site, dc.settings.source_interface, dc.settings.vrf) == (
        "FRA",
        "GigabitEthernet0/0",
        "Mgmt-vrf",
    )
    assert inventory.by_name("sw-lon-pub-01").port == 2222


def test_example_inventory_without_tokens_names_each_variable_once() -> None:
    found = check_inventory(REPO / "inventory", environ={})
    assert [(p.group, p.field) for p in found] == [
        ("va_corporate", "fleetreg.token_ref"),
        ("va_public", "fleetreg.token_ref"),
    ]
    assert "FLEETREG_TOKEN_CORPORATE is not set" in found[0].message
    assert check_inventory(REPO / "inventory", environ={}, check_secrets=False) == []


def test_filter_by_group_includes_parent_groups_and_refuses_unknown_names() -> None:
    environ = {"FLEETREG_TOKEN_CORPORATE": TOKEN_ONE, "FLEETREG_TOKEN_PUBLIC": TOKEN_TWO}
    inventory = load_inventory(REPO / "inventory", environ=environ)
    fra = inventory.filter(groups=["site_fra"])
    assert [h.name for h in fra.hosts] == ["sw-fra-dc-01", "sw-fra-dc-02", "sw-fra-acc-01", "sw-fra-pub-01"]
    public_ams = inventory.filter(groups=["va_public"], sites=["AMS"])
    assert [h.name for h in public_ams.hosts] == ["sw-ams-guest-01"]
    assert [h.name for h in inventory.filter(hosts=["sw-lon-acc-01"]).hosts] == ["sw-lon-acc-01"]
    with pytest.raises(InventoryError, match="unknown site 'PAR'"):
        inventory.filter(sites=["PAR"])
    with pytest.raises(InventoryError, match="did you mean 'site_ams'"):
        inventory.filter(groups=["site_amz"])


def test_filters_take_globs_and_inventory_data_and_name_the_closest_match() -> None:
    environ = {"FLEETREG_TOKEN_CORPORATE": TOKEN_ONE, "FLEETREG_TOKEN_PUBLIC": TOKEN_TWO}
    inventory = load_inventory(REPO / "inventory", environ=environ)
    names = [h.name for h in inventory.filter(hosts=["sw-fra-*"]).hosts]
    assert names == ["sw-fra-dc-01", "sw-fra-dc-02", "sw-fra-acc-01", "sw-fra-pub-01"]
    assert [h.name for h in inventory.filter(hosts=["sw-fra-dc-0[2-9]", "sw-lon-acc-01"]).hosts] == [
        "sw-fra-dc-02",
        "sw-lon-acc-01",
    ]
    assert {h.site for h in inventory.filter(sites=["A*"]).hosts} == {"AMS"}
    assert {h.name for h in inventory.filter(groups=["site_fr?"]).hosts} == set(names)
    # data, inherited from groups and defaults, by dotted key; the value is a glob too
    public = inventory.filter(data=["fleetreg.virtual_account=Public*"])
    assert public.hosts and {h.settings.virtual_account for h in public.hosts} == {"Public Network Devices"}
    assert inventory.filter(data=["site=FRA"]).hosts == inventory.filter(sites=["FRA"]).hosts
    with pytest.raises(InventoryError, match=r"unknown host 'sw-par-\*'.*did you mean"):
        inventory.filter(hosts=["sw-par-*"])
    with pytest.raises(InventoryError, match="unknown group 'va_publik' \\(did you mean 'va_public'\\?\\)"):
        inventory.filter(groups=["va_publik"])
    with pytest.raises(InventoryError, match=r"no host has inventory data 'fleetreg\.virtual_acount'.*did you mean"):
        inventory.filter(data=["fleetreg.virtual_acount=x"])
    with pytest.raises(InventoryError, match="KEY=VALUE"):
        inventory.filter(data=["site"])


# ------------------------------------------------------------------ problems, one by one


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    folder = write_inventory(tmp_path, hosts="sw1:\n  hostname: 127.0.0.1\n  groups: [va_corp\nsw2: {}\n")
    problem = only(problems(folder))
    assert problem.file == str(folder / "hosts.yaml")
    assert problem.line == 4
    assert problem.message.startswith("YAML syntax error:")


def test_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    folder = write_inventory(tmp_path, hosts="- sw1\n- sw2\n")
    problem = only(problems(folder))
    assert (problem.file, problem.line) == (str(folder / "hosts.yaml"), 1)
    assert problem.message == "expected a mapping of host name -> host, got a list"


def test_unknown_group_on_a_host(tmp_path: Path) -> None:
    hosts = "sw1:\n  hostname: 127.0.0.1\n  groups: [va_corp, site_amz]\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts)))
    assert (problem.file.endswith("hosts.yaml"), problem.line, problem.host, problem.field) == (
        True,
        3,
        "sw1",
        "groups",
    )
    assert problem.message == "unknown group 'site_amz'"


def test_unknown_parent_group(tmp_path: Path) -> None:
    groups = BASE_GROUPS + "site_ams:\n  groups: [region_eu]\n"
    problem = only(problems(write_inventory(tmp_path, groups=groups)))
    assert (problem.file.endswith("groups.yaml"), problem.line, problem.group, problem.field) == (
        True,
        6,
        "site_ams",
        "groups",
    )
    assert problem.message == "unknown parent group 'region_eu'"


def test_group_cycle(tmp_path: Path) -> None:
    groups = BASE_GROUPS + "a:\n  groups: [b]\nb:\n  groups: [c]\nc:\n  groups: [a]\n"
    hosts = "sw1:\n  hostname: 127.0.0.1\n  groups: [va_corp, a]\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts, groups=groups)))
    assert (problem.group, problem.field, problem.line) == ("a", "groups", 6)
    assert problem.message == "group cycle: a -> b -> c -> a"


def test_duplicate_host_name(tmp_path: Path) -> None:
    hosts = ONE_HOST + "sw1:\n  hostname: 127.0.0.2\n  groups: [va_corp]\n"
    found = problems(write_inventory(tmp_path, hosts=hosts))
    problem = only(found)
    assert (problem.host, problem.line, problem.field) == ("sw1", 4, None)
    assert problem.message == "duplicate host name 'sw1' (first defined at line 1)"


def test_duplicate_key_inside_settings(tmp_path: Path) -> None:
    hosts = ONE_HOST + "  data:\n    fleetreg:\n      canary: true\n      canary: false\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts)))
    assert (problem.host, problem.field, problem.line) == ("sw1", "fleetreg.canary", 7)
    assert problem.message == "duplicate key 'canary' (first at line 6)"


def test_duplicate_hostname_and_port(tmp_path: Path) -> None:
    hosts = ONE_HOST + "sw2:\n  hostname: 127.0.0.1\n  port: 22\n  groups: [va_corp]\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts)))
    assert (problem.host, problem.field, problem.line) == ("sw2", "hostname", 5)
    assert problem.message == "duplicate address 127.0.0.1:22 (also host sw1)"


def test_same_hostname_on_another_port_is_fine(tmp_path: Path) -> None:
    hosts = ONE_HOST + "sw2:\n  hostname: 127.0.0.1\n  port: 2201\n  groups: [va_corp]\n"
    assert problems(write_inventory(tmp_path, hosts=hosts)) == []


def test_missing_satellite_url(tmp_path: Path) -> None:
    problem = only(
        problems(write_inventory(tmp_path, defaults="data:\n  fleetreg:\n    token_ref: env:FLEETREG_TOK\n"))
    )
    assert (problem.file.endswith("hosts.yaml"), problem.line, problem.host, problem.field) == (
        True,
        1,
        "sw1",
        "fleetreg.satellite_url",
    )
    assert problem.message.startswith("missing required setting satellite_url")


def test_missing_virtual_account(tmp_path: Path) -> None:
    hosts = "sw1:\n  hostname: 127.0.0.1\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts)))
    assert (problem.host, problem.field) == ("sw1", "fleetreg.virtual_account")
    assert problem.message.startswith("missing required setting virtual_account")


def test_missing_token_ref(tmp_path: Path) -> None:
    defaults = f"data:\n  fleetreg:\n    satellite_url: {URL}\n"
    problem = only(problems(write_inventory(tmp_path, defaults=defaults)))
    assert (problem.host, problem.field, problem.line) == ("sw1", "fleetreg.token_ref", 1)
    assert problem.message.startswith("missing token_ref")
    assert "'Corporate Network Devices'" in problem.message


def test_token_ref_not_needed_for_cslu_transport(tmp_path: Path) -> None:
    defaults = f"data:\n  fleetreg:\n    satellite_url: {URL}\n    transport: cslu\n"
    assert problems(write_inventory(tmp_path, defaults=defaults)) == []


def test_unknown_token_reference_scheme_never_echoes_the_value(tmp_path: Path) -> None:
    hosts = ONE_HOST + "  data:\n    fleetreg:\n      token_ref: vault:Corp-TOKEN-xyz\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts)))
    assert (problem.host, problem.field, problem.line) == ("sw1", "fleetreg.token_ref", 6)
    assert problem.message == "unknown token reference scheme 'vault' (expected env:VARIABLE or secrets:KEY)"
    assert "TOKEN-xyz" not in problem.one_line()


def test_pasted_token_in_token_ref_is_refused_without_echo(tmp_path: Path) -> None:
    hosts = ONE_HOST + f"  data:\n    fleetreg:\n      token_ref: {TOKEN}%0A\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts)))
    assert problem.field == "fleetreg.token_ref"
    assert "never the token itself" in problem.message
    assert TOKEN not in problem.one_line()


def test_a_cloud_token_reference_is_checked_like_the_registration_token(tmp_path: Path) -> None:
    pasted = ONE_HOST + f"  data:\n    fleetreg:\n      cloud_token_ref: {TOKEN}%0A\n"
    problem = only(problems(write_inventory(tmp_path / "pasted", hosts=pasted)))
    assert (problem.host, problem.field) == ("sw1", "fleetreg.cloud_token_ref")
    assert problem.message.startswith("cloud_token_ref must name where the token lives")
    assert TOKEN not in problem.one_line()
    unset = ONE_HOST + "  data:\n    fleetreg:\n      cloud_token_ref: env:FLEETREG_CLOUD_TOK\n"
    problem = only(problems(write_inventory(tmp_path / "unset", hosts=unset)))
    assert (problem.host, problem.field, problem.line) == ("sw1", "fleetreg.cloud_token_ref", 6)
    assert problem.message == (
        "environment variable FLEETREG_CLOUD_TOK is not set (cloud_token_ref env:FLEETREG_CLOUD_TOK)"
    )
    assert (
        problems(write_inventory(tmp_path / "set", hosts=unset), environ={**ENV, "FLEETREG_CLOUD_TOK": TOKEN_ONE}) == []
    )


def test_token_environment_variable_not_set(tmp_path: Path) -> None:
    folder = write_inventory(tmp_path)
    problem = only(problems(folder, environ={}))
    assert (problem.file.endswith("defaults.yaml"), problem.line, problem.field) == (
        True,
        4,
        "fleetreg.token_ref",
    )
    assert (problem.host, problem.group) == (None, None)
    assert problem.message == "environment variable FLEETREG_TOK is not set (token_ref env:FLEETREG_TOK)"
    assert problems(folder, environ={}, check_secrets=False) == []


def test_secrets_key_missing(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("other: abc\n")
    secrets.chmod(0o600)
    hosts = ONE_HOST + "  data:\n    fleetreg:\n      token_ref: secrets:corp\n"
    folder = write_inventory(tmp_path / "inv", hosts=hosts)
    problem = only(problems(folder, secrets_file=secrets))
    assert problem.file == str(secrets)
    assert problem.message == "secrets key 'corp' not found (token_ref secrets:corp)"


def test_secrets_reference_without_a_secrets_file(tmp_path: Path) -> None:
    hosts = ONE_HOST + "  data:\n    fleetreg:\n      token_ref: secrets:corp\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts), environ={}))
    assert (problem.host, problem.field, problem.line) == ("sw1", "fleetreg.token_ref", 6)
    assert "needs a secrets file: pass --secrets-file or set FLEETREG_SECRETS_FILE" in problem.message


def test_secrets_file_from_environment_and_readable_by_others(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(f"corp: {TOKEN}\n")
    hosts = ONE_HOST + "  data:\n    fleetreg:\n      token_ref: secrets:corp\n"
    folder = write_inventory(tmp_path / "inv", hosts=hosts)
    environ = {"FLEETREG_SECRETS_FILE": str(secrets)}
    secrets.chmod(0o600)
    assert problems(folder, environ=environ) == []
    secrets.chmod(0o644)
    problem = only(problems(folder, environ=environ))
    assert problem.file == str(secrets)
    assert "accessible by group or others (mode 0644)" in problem.message
    assert TOKEN not in problem.one_line()


def test_malformed_satellite_url(tmp_path: Path) -> None:
    hosts = ONE_HOST + "  data:\n    fleetreg:\n      satellite_url: ssm.example.test/path\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts)))
    assert (problem.host, problem.field, problem.line) == ("sw1", "fleetreg.satellite_url", 6)
    assert problem.message.startswith("malformed satellite URL 'ssm.example.test/path'")


def test_unknown_transport_one_line_format(tmp_path: Path) -> None:
    folder = FIXTURES / "broken"
    found = check_inventory(folder, environ={"FLEETREG_TEST_TOKEN": TOKEN})
    lines = [p.one_line() for p in found]
    assert lines == [
        f"{folder}/hosts.yaml:6: host sw-ams-01, field fleetreg.transport: "
        "unknown transport 'csl' (expected auto, callhome or cslu)",
        f"{folder}/hosts.yaml:9: host sw-ams-02, field groups: unknown group 'site_nowhere'",
    ]


def test_load_inventory_raises_all_problems_at_once() -> None:
    with pytest.raises(InventoryProblems) as caught:
        load_inventory(FIXTURES / "broken", environ={"FLEETREG_TEST_TOKEN": TOKEN})
    assert len(caught.value.problems) == 2
    assert caught.value.exit_code == 2
    assert caught.value.one_line().splitlines() == [p.one_line() for p in caught.value.problems]


@pytest.mark.parametrize(
    ("port", "shown"),
    [("70000", "70000"), ("0", "0"), ("ssh", "'ssh'"), ("true", "True"), ("22.5", "22.5")],
)
def test_bad_port(tmp_path: Path, port: str, shown: str) -> None:
    hosts = ONE_HOST + f"  port: {port}\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts)))
    assert (problem.host, problem.field, problem.line) == ("sw1", "port", 4)
    assert problem.message == f"bad port {shown}: expected an integer 1-65535"


def test_bad_port_in_a_group_is_reported_on_the_group(tmp_path: Path) -> None:
    groups = BASE_GROUPS + "site_ams:\n  port: 99999\n"
    hosts = "sw1:\n  hostname: 127.0.0.1\n  groups: [va_corp, site_ams]\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts, groups=groups)))
    assert (problem.group, problem.host, problem.field, problem.line) == ("site_ams", None, "port", 6)


def test_unknown_settings_field(tmp_path: Path) -> None:
    hosts = ONE_HOST + "  data:\n    fleetreg:\n      transprt: cslu\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts)))
    assert (problem.host, problem.field, problem.line) == ("sw1", "fleetreg.transprt", 6)
    assert problem.message == "unknown settings field 'transprt' (did you mean 'transport'?)"


def test_bad_interface_name(tmp_path: Path) -> None:
    hosts = ONE_HOST + "  data:\n    fleetreg:\n      source_interface: Vlan 781\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts)))
    assert (problem.host, problem.field, problem.line) == ("sw1", "fleetreg.source_interface", 6)
    assert problem.message.startswith("'Vlan 781' is not an IOS interface name")


def test_bad_value_in_a_group_is_reported_once_on_the_group(tmp_path: Path) -> None:
    groups = BASE_GROUPS + "site_ams:\n  data:\n    fleetreg:\n      transport: http\n"
    hosts = "".join(f"sw{i}:\n  hostname: 127.0.0.{i}\n  groups: [va_corp, site_ams]\n" for i in range(1, 4))
    problem = only(problems(write_inventory(tmp_path, hosts=hosts, groups=groups)))
    assert problem.one_line() == (
        f"{tmp_path}/groups.yaml:8: group site_ams, field fleetreg.transport: "
        "unknown transport 'http' (expected auto, callhome or cslu)"
    )


def test_trustpoint_sub_field_problem_points_at_its_line(tmp_path: Path) -> None:
    hosts = ONE_HOST + "  data:\n    fleetreg:\n      trustpoint:\n        mode: ca-file\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts)))
    assert (problem.host, problem.field, problem.line) == ("sw1", "fleetreg.trustpoint", 6)
    assert "needs trustpoint.ca_file" in problem.message


def test_unknown_key_in_host_entry_and_missing_hostname(tmp_path: Path) -> None:
    hosts = "sw1:\n  hostnme: 127.0.0.1\n  groups: [va_corp]\n"
    found = problems(write_inventory(tmp_path, hosts=hosts))
    assert [(p.host, p.field, p.line, p.message) for p in found] == [
        ("sw1", "hostnme", 2, "unknown key 'hostnme' (did you mean 'hostname'?)"),
        ("sw1", "hostname", 1, "missing hostname (IP address or DNS name to connect to)"),
    ]


def test_secrets_in_host_extras_are_refused_but_defaults_secret_is_a_login_default(tmp_path: Path) -> None:
    hosts = ONE_HOST + "  connection_options:\n    netmiko:\n      extras: {secret: hunter2, fastcli: true}\n"
    found = problems(write_inventory(tmp_path, hosts=hosts))
    assert [(p.field, p.line) for p in found] == [
        ("connection_options.netmiko.extras.secret", 6),
        ("connection_options.netmiko.extras.fastcli", 6),
    ]
    assert "FLEETREG_ENABLE_SECRET" in found[0].message
    assert "did you mean 'fast_cli'" in found[1].message
    assert all("hunter2" not in p.one_line() for p in found)

    defaults = BASE_DEFAULTS + "username: lab\npassword: labpw\nconnection_options:\n  netmiko:\n    extras:\n"
    defaults += "      secret: en-secret\n      fast_cli: true\n"
    inventory = load_inventory(write_inventory(tmp_path / "lab", defaults=defaults), environ=ENV)
    assert inventory.hosts[0].connection_options == {"fast_cli": True}
    assert dict(inventory.login_defaults) == {
        "username": "lab",
        "password": "labpw",
        "enable_secret": "en-secret",
    }
    assert "labpw" not in repr(inventory)


def test_password_on_a_host_is_refused(tmp_path: Path) -> None:
    hosts = ONE_HOST + "  password: hunter2\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts)))
    assert (problem.host, problem.field, problem.line) == ("sw1", "password", 4)
    assert "hunter2" not in problem.one_line()


def test_missing_inventory_folder_and_missing_hosts_file(tmp_path: Path) -> None:
    problem = only(problems(tmp_path / "nope"))
    assert problem.one_line() == f"{tmp_path / 'nope'}: inventory folder not found"
    folder = tmp_path / "inv"
    folder.mkdir()
    (folder / "groups.yaml").write_text(BASE_GROUPS)
    problem = only(problems(folder))
    assert problem.one_line() == f"{folder / 'hosts.yaml'}: hosts file not found (every inventory needs one)"


def test_groups_and_defaults_files_are_optional(tmp_path: Path) -> None:
    hosts = (
        f"sw1:\n  hostname: 127.0.0.1\n  data:\n    fleetreg:\n      satellite_url: {URL}\n"
        "      virtual_account: VA\n      token_ref: env:FLEETREG_TOK\n"
    )
    inventory = load_inventory(write_inventory(tmp_path, hosts=hosts, groups=None, defaults=None), environ=ENV)
    assert [h.name for h in inventory.hosts] == ["sw1"]
    assert inventory.groups == ()


def test_unsupported_platform(tmp_path: Path) -> None:
    hosts = ONE_HOST + "  platform: juniper_junos\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts)))
    assert (problem.field, problem.line) == ("platform", 4)
    assert problem.message.startswith("unsupported platform 'juniper_junos'")


def test_by_name_unknown_host() -> None:
    inventory = load_inventory(FIXTURES / "precedence", check_secrets=False)
    with pytest.raises(InventoryError) as caught:
        inventory.by_name("h_bot")
    assert caught.value.one_line().endswith("no host 'h_bot' in the inventory (did you mean 'h_both'?)")


def test_syntax_error_in_groups_stops_before_judging_hosts(tmp_path: Path) -> None:
    folder = write_inventory(tmp_path, groups="va_corp:\n  data: {fleetreg: {virtual_account: X}\n")
    problem = only(problems(folder))
    assert problem.file == str(folder / "groups.yaml")
    assert problem.message.startswith("YAML syntax error:")


@pytest.mark.parametrize(
    ("written", "opened_as"),
    [
        ("ios", "cisco_ios"),
        ("iosxe", "cisco_xe"),
        ("cisco_xe", "cisco_xe"),
        ("cisco_ios", "cisco_ios"),
        ("cisco-ios-xe", "cisco_xe"),  # NetBox platform slugs
        ("ios-xe", "cisco_xe"),
        ("cisco-ios", "cisco_ios"),
    ],
)
def test_the_platform_names_nornir_inventories_use_are_accepted(tmp_path: Path, written: str, opened_as: str) -> None:
    """A team's existing Nornir inventory says `platform: ios` (NAPALM's name) or `iosxe`."""
    hosts = ONE_HOST + f"  platform: {written}\n"
    inventory = load_inventory(write_inventory(tmp_path, hosts=hosts), environ=ENV)
    assert inventory.by_name("sw1").platform == opened_as


def test_connection_options_are_read_as_nornir_reads_them(tmp_path: Path) -> None:
    """A team's Nornir inventory sets the SSH address, port and platform per connection:
    `connection_options.netmiko.hostname/port/platform` win over the host's own, as in Nornir."""
    hosts = ONE_HOST + (
        "  connection_options:\n    netmiko:\n      hostname: 127.0.0.42\n      port: 2222\n      platform: ios\n"
    )
    entry = load_inventory(write_inventory(tmp_path, hosts=hosts), environ=ENV).by_name("sw1")
    assert (entry.hostname, entry.port, entry.platform) == ("127.0.0.42", 2222, "cisco_ios")


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("password: x", "'password' does not belong here"),
        ("port: 70000", "port must be a number from 1 to 65535"),
        ("platform: junos", "unsupported platform 'junos'"),
        ("timeout: 5", "'timeout' is not a Nornir connection option fleetreg reads"),
    ],
)
def test_a_connection_option_fleetreg_cannot_use_is_named(tmp_path: Path, option: str, message: str) -> None:
    hosts = ONE_HOST + f"  connection_options:\n    netmiko:\n      {option}\n"
    problem = only(problems(write_inventory(tmp_path, hosts=hosts)))
    assert problem.field == f"connection_options.netmiko.{option.split(':')[0]}" and message in problem.message
