"""Threat: config injection. A line break (or another control character, or IOS's `?`) in a
setting or a registration token would become extra IOS commands. Every value is refused where
it enters (inventory check exits 2 naming file, host and field; a token is never shown), and
every line a transport types passes one gate, which refuses it before anything is sent."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_sessions import with_cli
from fleet_runs import configs, fleet_env, latest_run, run_cli
from fleetreg.cli.main import main
from fleetreg.core.cli_text import UnsafeLineError, gate_line
from fleetreg.core.errors import InputError, SecretError
from fleetreg.core.facts import build_facts
from fleetreg.core.planner import DiscoverOutcome, plan_host
from fleetreg.core.render import render
from fleetreg.core.satellite_models import SatelliteError
from fleetreg.services.satellite import ApiTokenSource, client_from_settings
from fleetreg.shell.inventory import load_inventory
from fleetreg.shell.secrets import resolve_token
from fleetreg.tasks.cli import DeviceCli
from fleetreg.tasks.connection import TRANSPORTS
from tests_support import entry

from mock_devices.spec import FleetSpec, SatelliteSpec, SwitchSpec, TokenSpec, VirtualAccountSpec
from mock_devices.testing import MockFleet

URL = "https://ssm.example.test/Transportgateway/services/DeviceRequestHandler"
TOKEN = "Q29ycG9yYXRlVG9rZW5Gb3JJbmplY3Rpb25UZXN0cy0wMDAx%0A"
INJECTED = "hostname pwned"


def write_inventory(folder: Path, settings: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    fleetreg = {"satellite_url": URL, "virtual_account": "VA", "token_ref": "env:FLEETREG_TEST_TOKEN", **settings}
    hosts = {"sw1": {"hostname": "127.0.0.1", "data": {"fleetreg": fleetreg}}}
    (folder / "hosts.yaml").write_text(yaml.safe_dump(hosts))
    return folder


BAD_SETTINGS = [
    ("callhome_profile", {"callhome_profile": f"SSM\n{INJECTED}"}),
    ("vrf", {"vrf": f"Mgmt-vrf\n{INJECTED}"}),
    ("cslu_tenant", {"cslu_tenant": f"Tenant-1\n{INJECTED}"}),
    ("trustpoint.name", {"trustpoint": {"name": f"SLA-TrustPoint\n{INJECTED}"}}),
    ("satellite_url", {"satellite_url": f"{URL}\r{INJECTED}"}),
    ("source_interface", {"source_interface": f"Vlan781\n{INJECTED}"}),
    ("callhome_profile", {"callhome_profile": "SSM OnPrem"}),
    ("vrf", {"vrf": "Mgmt?"}),
    ("cslu_tenant", {"cslu_tenant": "Corporate Network Devices-1"}),
    ("satellite_url", {"satellite_url": "http://ssm.example.test/x"}),
    ("satellite_url", {"satellite_url": "https://ssm.example.test/x?y"}),
    ("virtual_account", {"virtual_account": f"VA\n{INJECTED}"}),
    ("satellite_url", {"satellite_url": "https://ssm.example.test@127.0.0.9/x"}),  # userinfo: parsers differ
]


@pytest.mark.parametrize(("field", "settings"), BAD_SETTINGS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_SETTINGS)])
def test_inventory_check_refuses_a_value_that_could_add_a_line(
    field: str,
    settings: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FLEETREG_TEST_TOKEN", TOKEN)
    folder = write_inventory(tmp_path / "inv", settings)
    assert main(["inventory", "check", "--inventory", str(folder)]) == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert f"{folder}/hosts.yaml" in lines[0] and "host sw1" in lines[0] and f"field fleetreg.{field}" in lines[0]
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    "value",
    [f"{TOKEN}\n{INJECTED}", f"{TOKEN}\r\nend", "short-token", f"{TOKEN} force", TOKEN + "\x7f"],
    ids=["newline", "crlf", "too-short", "space", "del"],
)
def test_a_token_from_the_environment_that_is_no_token_is_refused_and_never_shown(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FLEETREG_TEST_TOKEN", value)
    folder = write_inventory(tmp_path / "inv", {})
    assert main(["inventory", "check", "--inventory", str(folder)]) == 2
    out, err = capsys.readouterr()
    assert len(err.splitlines()) == 1
    assert "host sw1, field fleetreg.token_ref: the value of env:FLEETREG_TEST_TOKEN is not a registration token" in err
    assert value not in out + err and "pwned" not in out + err and TOKEN not in out + err


def test_a_token_from_a_secrets_file_that_is_no_token_is_refused_and_never_shown(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(yaml.safe_dump({"corp": f"{TOKEN}\n{INJECTED}"}))
    secrets.chmod(0o600)
    with pytest.raises(SecretError) as caught:
        resolve_token("secrets:corp", environ={}, secrets_file=secrets)
    assert caught.value.exit_code == 2
    assert "secrets:corp is not a registration token" in str(caught.value)
    assert TOKEN not in str(caught.value) and "pwned" not in str(caught.value)


@pytest.mark.integration
def test_a_token_from_the_satellite_api_that_is_no_token_is_never_used(
    mock_fleet_factory: Callable[..., MockFleet],
) -> None:
    bad = f"{TOKEN}\n{INJECTED}"
    spec = FleetSpec(
        count=1,
        satellite=SatelliteSpec(
            virtual_accounts=[VirtualAccountSpec(name="Public Network Devices", tokens=[TokenSpec(value=bad)])]
        ),
        switches=[SwitchSpec(index=0, name="sw-01", model="C9300-48P", version="16.12.8", state="eval")],
    )
    mock = mock_fleet_factory(spec=spec, api=True)
    settings = load_inventory(mock.inventory_dir, environ=mock.env, check_secrets=False).hosts[0].settings
    assert settings.satellite_api is not None
    with (
        fleet_env(mock),
        client_from_settings(settings.satellite_api) as client,
        pytest.raises(SatelliteError) as caught,
    ):
        ApiTokenSource(client).token_for("Public Network Devices")
    assert "is not a registration token" in str(caught.value)
    assert TOKEN not in str(caught.value) and "pwned" not in str(caught.value)


@pytest.mark.integration
def test_a_token_changed_into_an_injection_after_the_plan_stops_apply_before_any_switch(
    mock_fleet_factory: Callable[..., MockFleet], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The case where the backout's write memory saved the injected line: apply reads every
    token before touching a switch, and refuses one that is no token (exit 2)."""
    mock = mock_fleet_factory(3)
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs)) == 0
        before = configs(mock)
        token_vars = [k for k in env if k.startswith("FLEETREG_TOKEN_")]
        assert token_vars
        for name in token_vars:
            os.environ[name] = f"{env[name]}\n{INJECTED}"
        code = run_cli("apply", str(latest_run(runs, "plan")), "--runs-dir", str(runs), "--yes")
    out, err = capsys.readouterr()
    assert code == 2
    assert "is not a registration token" in err and "pwned" not in out + err
    assert configs(mock) == before


@pytest.mark.integration
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    ("call", "text"),
    [
        ("config", f"call-home\n{INJECTED}"),
        ("config", "ip http client source-interface Vlan781\r"),
        ("command", f"show version\n{INJECTED}"),
        ("command", "show license ?"),
        ("exchange", f"yes\n{INJECTED}"),
        ("paste", f"-----BEGIN CERTIFICATE-----\x1b{INJECTED}"),
    ],
)
def test_the_gate_refuses_a_line_before_any_of_it_reaches_the_switch(
    mock_fleet_factory: Callable[..., MockFleet], transport: str, call: str, text: str
) -> None:
    mock = mock_fleet_factory(1)
    host = mock.fleet.devices[0].name
    before = configs(mock)

    def attempt(cli: DeviceCli) -> str:
        try:
            if call == "config":
                cli.send_config([text], read_timeout=10)
            elif call == "command":
                cli.send_command(text, read_timeout=10)
            elif call == "exchange":
                cli.exchange(text, r"#", read_timeout=10)
            else:
                cli.write_lines([text])
        except UnsafeLineError as exc:
            time.sleep(0.2)  # anything sent would have reached the switch by now
            return str(exc)
        raise AssertionError("the gate let the line through")

    message = with_cli(mock, transport, host, attempt)
    assert message.startswith(f"host {host}: refused to type")
    assert configs(mock) == before
    assert mock.fleet.device(host).hostname == before[host][0].split("hostname ", 1)[1].split("\n", 1)[0]


def test_gate_names_the_setting_and_never_shows_a_token() -> None:
    origins = {"SSM\nhostname x": "fleetreg.callhome_profile"}
    with pytest.raises(UnsafeLineError) as caught:
        gate_line(' profile "SSM\nhostname x"', host="sw1", origins=origins)
    assert str(caught.value) == (
        "host sw1: refused to type ' profile \"SSM\\nhostname x\"': it holds a control character "
        "(\\n at position 14); it came from fleetreg.callhome_profile"
    )
    with pytest.raises(UnsafeLineError) as caught:
        gate_line(f"license smart register idtoken {TOKEN}\rend", host="sw1")
    assert TOKEN not in str(caught.value) and "idtoken <token>" in str(caught.value)
    assert gate_line("license smart url cslu https://s/cslu/v1/pi/A%20B-1", host="sw1").endswith("A%20B-1")
    for outside_ascii in ("call-home\u0085", ' profile "Réseau"'):  # C1 next-line; not ASCII
        with pytest.raises(UnsafeLineError):
            gate_line(outside_ascii, host="sw1")


def test_a_line_built_from_switch_output_that_the_gate_would_refuse_blocks_the_host_at_plan_time() -> None:
    """The switch's own config is input too: a URL it holds (typed there with Ctrl-V) would come
    back in a `no destination address http ...` line; the plan blocks the host instead."""
    samples = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"
    running = (samples / "runcfg_libgr_c9200l_17.6_full.txt").read_text()
    running = running.replace(
        "  destination transport-method http\n!",
        '  destination transport-method http\n profile "SSM-OnPrem"\n'
        "  destination address http https://old.example/x?y=1\n  active\n!",
        1,
    )
    outputs = {
        "show version": (samples / "sver_ntc_c9500_16.9.3.txt").read_text(),
        "show license status": (samples / "sls_genie_sl_registered_csr1kv.txt").read_text(),
        "show running-config": running,
    }
    facts = build_facts("sw1", outputs)
    assert facts.callhome.profiles  # the edited block parsed
    host = plan_host(entry(), DiscoverOutcome(host="sw1", facts=facts))
    assert host.classification == "blocked"
    assert host.reason == (
        "a line to type: 'no destination address http https://old.example/x?y=1' "
        "holds '?', which IOS takes as a request for help"
    )


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("default_enter", "\nconfigure terminal\ncall-home\ncontact-email-addr x@evil.example\nend\n"),
        ("response_return", "\nhostname pwned\n"),
        ("ssh_config_file", "/tmp/ssh_config_with_a_proxy_command"),
        ("alt_key_file", "/tmp/known\nhosts"),
        ("encoding", "punycode"),  # would change the bytes after the gate checked them
    ],
)
def test_a_netmiko_option_that_would_type_or_run_text_of_its_own_is_refused(
    option: str, value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Netmiko types `default_enter` after every line, past the gate: the inventory may not set it."""
    monkeypatch.setenv("FLEETREG_TEST_TOKEN", TOKEN)
    folder = write_inventory(tmp_path / "inv", {})
    (folder / "defaults.yaml").write_text(
        yaml.safe_dump({"connection_options": {"netmiko": {"extras": {option: value}}}})
    )
    assert main(["inventory", "check", "--inventory", str(folder)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and f"field connection_options.netmiko.extras.{option}" in err


def test_a_host_name_with_a_line_break_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name printed in an error must not forge a second error line."""
    monkeypatch.setenv("FLEETREG_TEST_TOKEN", TOKEN)
    folder = write_inventory(tmp_path / "inv", {})
    hosts = yaml.safe_load((folder / "hosts.yaml").read_text())
    hosts["sw\nfleetreg: error: FAKE second line"] = hosts.pop("sw1")
    (folder / "hosts.yaml").write_text(yaml.safe_dump(hosts))
    assert main(["inventory", "check", "--inventory", str(folder)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "host name 'sw\\nfleetreg: error: FAKE" in err, err
    assert "holds a control character" in err


def test_a_template_cannot_reach_python_internals(tmp_path: Path) -> None:
    """Templates are the user's to edit (a project's templates/ overrides ours): one that reaches
    for Python's internals to run a command is refused by Jinja's sandbox, not rendered."""
    config = tmp_path / "templates" / "config"
    config.mkdir(parents=True)
    marker = tmp_path / "ran"
    (config / "callhome.j2").write_text(
        f"{{%- set _ = cycler.__init__.__globals__.os.system('touch {marker}') -%}}\ncall-home\n"
    )
    with pytest.raises(InputError) as caught:
        render("config/callhome.j2", project_dir=tmp_path, s=None, current=None)
    assert "sandbox" in str(caught.value) and not marker.exists()


@pytest.mark.integration
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_an_enable_secret_with_a_line_break_is_never_typed(
    mock_fleet_factory: Callable[..., MockFleet], transport: str
) -> None:
    """The enable secret is typed at the switch's enable prompt, outside the CLI gate: a line
    break in it would type commands of its own (here at a switch that logs in to user mode)."""
    mock = mock_fleet_factory(1)
    host = mock.fleet.devices[0].name
    switch = mock.fleet.device(host)
    mock.call(setattr, switch, "faults", dataclasses.replace(switch.faults, user_mode_login=True))
    before = configs(mock)

    def nothing(cli: DeviceCli) -> None:
        return None

    with pytest.raises(SecretError, match="enable secret holds a control character"):
        with_cli(mock, transport, host, nothing, enable_secret="Lab-Enable1\nconfigure terminal\nhostname PWNED\nend")
    assert configs(mock) == before


def test_an_enable_secret_in_the_inventory_with_a_line_break_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FLEETREG_TEST_TOKEN", TOKEN)
    folder = write_inventory(tmp_path / "inv", {})
    extras = {"connection_options": {"netmiko": {"extras": {"secret": "En1\nhostname PWNED"}}}}
    (folder / "defaults.yaml").write_text(yaml.safe_dump(extras))
    assert main(["inventory", "check", "--inventory", str(folder)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "field connection_options.netmiko.extras.secret" in err
    assert "PWNED" not in err


def test_a_yaml_key_with_a_line_break_stays_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FLEETREG_TEST_TOKEN", TOKEN)
    folder = write_inventory(tmp_path / "inv", {})
    extras = {"connection_options": {"netmiko": {"extras": {"foo\nfleetreg: error: FORGED": 1}}}}
    (folder / "defaults.yaml").write_text(yaml.safe_dump(extras))
    assert main(["inventory", "check", "--inventory", str(folder)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err


def test_a_token_reference_to_another_secret_of_the_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An inventory naming `env:AWS_SECRET_ACCESS_KEY` would have that secret (token-shaped)
    typed into every switch and sent to a satellite URL the same inventory chooses."""
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", TOKEN)
    folder = write_inventory(tmp_path / "inv", {"token_ref": "env:AWS_SECRET_ACCESS_KEY"})
    assert main(["inventory", "check", "--inventory", str(folder)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "field fleetreg.token_ref" in err and TOKEN not in err
    with pytest.raises(SecretError, match="outside FLEETREG_"):
        resolve_token("env:AWS_SECRET_ACCESS_KEY")
