"""A Nornir config file selects the inventory plugin: SimpleInventory through Nornir gives what the
folder gives (same hosts, same one-line problems with lines), any registered plugin is loaded
through InitNornir (its transform function applied), and a broken config is one line naming it.
Also the rule that picks the inventory from --inventory / --config / the project folder."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fleetreg.core.errors import InputError
from fleetreg.core.inventory_model import InventoryProblem
from fleetreg.shell.inventory import check_inventory, load_inventory
from fleetreg.shell.inventory_source import inventory_source
from nornir.core.inventory import Defaults, Group, Groups, Host, Hosts, Inventory, ParentGroups
from nornir.core.plugins.inventory import InventoryPluginRegister, TransformFunctionRegister

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "inventory"
BROKEN = REPO / "tests" / "fixtures" / "inventories" / "broken"
TOKENS = {
    "FLEETREG_TOKEN_CORPORATE": "VGVzdFRva2VuT25lLWZsZWV0cmVnLXVuaXQtdGVzdHMtMDAwMQ%3D%3D%0A",
    "FLEETREG_TOKEN_PUBLIC": "VGVzdFRva2VuVHdvLWZsZWV0cmVnLXVuaXQtdGVzdHMtMDAwMg%3D%3D%0A",
}
URL = "https://ssm.example.test/Transportgateway/services/DeviceRequestHandler"


def simple_config(path: Path, folder: Path, **extra: str) -> Path:
    lines = [
        "inventory:",
        "  plugin: SimpleInventory",
        "  options:",
        f"    host_file: {folder / 'hosts.yaml'}",
        f"    group_file: {folder / 'groups.yaml'}",
        f"    defaults_file: {folder / 'defaults.yaml'}",
        *(f"  {key}: {value}" for key, value in extra.items()),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def lines(found: list[InventoryProblem]) -> list[str]:
    return [p.one_line() for p in found]


def test_simple_inventory_through_nornir_is_the_folder(tmp_path: Path) -> None:
    config = simple_config(tmp_path / "config.yaml", EXAMPLE)
    through_nornir = load_inventory(config, environ=TOKENS)
    from_folder = load_inventory(EXAMPLE, environ=TOKENS)
    assert through_nornir.hosts == from_folder.hosts
    assert [h.setting_sources for h in through_nornir.hosts] == [h.setting_sources for h in from_folder.hosts]
    assert through_nornir.groups == from_folder.groups
    assert through_nornir.group_parents == from_folder.group_parents
    assert through_nornir.directory == config


def test_simple_inventory_problems_through_nornir_are_the_folder_s(tmp_path: Path) -> None:
    env = {"FLEETREG_TEST_TOKEN": TOKENS["FLEETREG_TOKEN_CORPORATE"]}
    config = simple_config(tmp_path / "config.yaml", BROKEN)
    assert lines(check_inventory(config, environ=env)) == lines(check_inventory(BROKEN, environ=env))
    assert lines(check_inventory(config, environ=env))[0].startswith(f"{BROKEN}/hosts.yaml:6: host sw-ams-01")


def test_a_config_without_inventory_section_reads_simple_inventory_files_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("hosts.yaml", "groups.yaml", "defaults.yaml"):
        (tmp_path / name).write_text((EXAMPLE / name).read_text())
    (tmp_path / "config.yaml").write_text("runner:\n  plugin: threaded\n")
    monkeypatch.chdir(tmp_path)
    assert len(load_inventory(Path("config.yaml"), environ=TOKENS).hosts) == 12
    (tmp_path / "groups.yaml").write_text("va_corporate:\n  data: {fleetreg: {virtual_account: X}}\n  data: {}\n")
    assert lines(check_inventory(Path("config.yaml"), environ=TOKENS))[0] == (
        "groups.yaml:3: group va_corporate: duplicate key 'data' (first at line 2)"
    )


@pytest.fixture
def transform() -> Iterator[str]:
    """A transform function registered with Nornir, as a package's entry point would: DNS names."""

    def dns_names(host: Host, domain: str = "example.net", **kwargs: Any) -> None:
        host.hostname = f"{host.name}.{domain}"

    TransformFunctionRegister.register("fleetreg_test_dns_names", dns_names)
    yield "fleetreg_test_dns_names"
    TransformFunctionRegister.deregister("fleetreg_test_dns_names")


def test_the_config_s_transform_function_is_applied(tmp_path: Path, transform: str) -> None:
    """Hosts written without an address, which the transform function gives them: what Nornir
    scripts see is what fleetreg checks; the files alone would lack every hostname."""
    folder = tmp_path / "inv"
    folder.mkdir()
    (folder / "hosts.yaml").write_text("sw-ams-01:\n  groups: [va]\nsw-ams-02:\n  groups: [va]\n")
    (folder / "groups.yaml").write_text("va:\n  data: {fleetreg: {virtual_account: Corp}}\n")
    (folder / "defaults.yaml").write_text(
        f"data: {{fleetreg: {{satellite_url: '{URL}', token_ref: env:FLEETREG_TOK}}}}\n"
    )
    env = {"FLEETREG_TOK": TOKENS["FLEETREG_TOKEN_CORPORATE"]}
    assert [p.line for p in check_inventory(folder, environ=env)] == [1, 3]  # missing hostname
    config = simple_config(tmp_path / "config.yaml", folder)
    config.write_text(config.read_text() + f"  transform_function: {transform}\n")
    config.write_text(config.read_text() + "  transform_function_options: {domain: corp.example}\n")
    assert [h.hostname for h in load_inventory(config, environ=env).hosts] == [
        "sw-ams-01.corp.example",
        "sw-ams-02.corp.example",
    ]


class OneSwitchInventory:
    """An inventory plugin fleetreg knows nothing of."""

    def __init__(self, transport: str = "auto", name: str = "sw1", **kwargs: Any) -> None:
        self.transport = transport
        self.name = name

    def load(self) -> Inventory:
        defaults = Defaults(data={"fleetreg": {"satellite_url": URL, "token_ref": "env:FLEETREG_TOKEN_CORPORATE"}})
        group = Group(name="va_corp", data={"fleetreg": {"virtual_account": "Corp"}}, defaults=defaults)
        host = Host(
            name=self.name,
            hostname="192.0.2.1",
            groups=ParentGroups([group]),
            data={"fleetreg": {"transport": self.transport}},
            defaults=defaults,
        )
        return Inventory(hosts=Hosts({self.name: host}), groups=Groups({"va_corp": group}), defaults=defaults)


@pytest.fixture
def custom_plugin() -> Iterator[str]:
    InventoryPluginRegister.register("FleetregTestInventory", OneSwitchInventory)
    yield "FleetregTestInventory"
    InventoryPluginRegister.deregister("FleetregTestInventory")


def test_any_registered_plugin_loads_and_its_problems_name_the_config(tmp_path: Path, custom_plugin: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"inventory:\n  plugin: {custom_plugin}\n")
    entry = load_inventory(config, environ=TOKENS).by_name("sw1")
    assert (entry.hostname, entry.settings.virtual_account, entry.settings.transport) == ("192.0.2.1", "Corp", "auto")
    config.write_text(f"inventory:\n  plugin: {custom_plugin}\n  options:\n    transport: http\n")
    assert lines(check_inventory(config, environ=TOKENS)) == [
        f"{config} (inventory plugin {custom_plugin}): host sw1, field fleetreg.transport: "
        "unknown transport 'http' (expected auto, callhome or cslu)"
    ]
    config.write_text(f'inventory:\n  plugin: {custom_plugin}\n  options:\n    name: "sw1\\nexit"\n')
    assert lines(check_inventory(config, environ=TOKENS)) == [
        f"{config} (inventory plugin {custom_plugin}): host sw1\\nexit: "
        "host name 'sw1\\nexit' holds a control character (\\n at position 4)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "inventory:\n  plugin: NoSuchInventory\n",
            "{config}: field inventory.plugin: inventory plugin 'NoSuchInventory' is not installed: "
            "install the package that provides it",
        ),
        ("inventory: [SimpleInventory\n", "{config}:2: YAML syntax error: "),
        ("- inventory\n", "{config}:1: a Nornir config is a mapping, got list"),
        ("inventory:\n  plugn: SimpleInventory\n", "{config}: not a Nornir config: TypeError: "),
        (
            "inventory:\n  plugin: SimpleInventory\n  options:\n    password: hunter2\n",
            "{config}:4: field inventory.options.password: a secret does not belong in the inventory's config: "
            "give it to the plugin through its environment variable",
        ),
    ],
)
def test_a_config_fleetreg_cannot_use_is_one_line(tmp_path: Path, text: str, expected: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(text)
    found = lines(check_inventory(config, environ=TOKENS))
    assert len(found) == 1 and found[0].startswith(expected.format(config=config)), found
    assert "hunter2" not in found[0]


def test_a_missing_config_file(tmp_path: Path) -> None:
    assert lines(check_inventory(tmp_path / "config.yaml")) == [
        f"{tmp_path / 'config.yaml'}: Nornir config file not found"
    ]


def test_a_folder_holding_only_a_config_says_how_to_use_it(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("inventory:\n  plugin: SimpleInventory\n")
    assert lines(check_inventory(tmp_path)) == [
        f"{tmp_path / 'hosts.yaml'}: hosts file not found (every inventory needs one); to load the inventory "
        f"{tmp_path / 'config.yaml'} names, pass --config {tmp_path / 'config.yaml'}"
    ]


def test_the_rule_that_picks_the_inventory(tmp_path: Path) -> None:
    project = tmp_path
    assert inventory_source(None, None, project) == project / "inventory"
    (project / "config.yaml").write_text("inventory:\n  plugin: SimpleInventory\n")
    assert inventory_source(None, None, project) == project / "config.yaml"  # a Nornir project's config
    assert inventory_source(project / "inv", None, project) == project / "inv"  # a folder given: that folder
    assert inventory_source(None, project / "nb.yaml", project) == project / "nb.yaml"
    with pytest.raises(InputError, match="not both"):
        inventory_source(project / "inv", project / "nb.yaml", project)


def test_example_config_in_the_docs_names_the_example_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """inventory/README.md's SimpleInventory config, run from the repository: the example inventory."""
    monkeypatch.chdir(REPO)
    config = tmp_path / "config.yaml"
    config.write_text(
        textwrap.dedent(
            """\
            inventory:
              plugin: SimpleInventory
              options:
                host_file: inventory/hosts.yaml
                group_file: inventory/groups.yaml
                defaults_file: inventory/defaults.yaml
            """
        )
    )
    assert len(load_inventory(config, environ=TOKENS).hosts) == 12
