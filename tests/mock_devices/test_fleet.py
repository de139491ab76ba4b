"""Fleet building, spec loading, and the show outputs against the real samples' formats."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from mock_devices.fleet import Fleet, build_fleet, load_spec
from mock_devices.spec import SpecError

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"
WALL = 1710317364.0


def fleet(count: int = 50, **kwargs) -> Fleet:
    return build_fleet(count, clock=lambda: 100.0, wall_start=WALL, **kwargs)


def kind(switch) -> str:
    if switch.slp is not None:
        return "satellite" if switch.slp.acked_by == "satellite" else "slp"
    return {"cloud": "cloud", "satellite": "satellite", None: "eval"}[switch.classic.registered_to]


def test_default_mix_is_deterministic_and_realistic() -> None:
    a, b = fleet(50), fleet(50)
    assert [(d.name, d.hardware.serial, d.hardware.version) for d in a.devices] == [
        (d.name, d.hardware.serial, d.hardware.version) for d in b.devices
    ]
    mix = Counter(kind(d) for d in a.devices)
    assert mix == {"cloud": 20, "eval": 10, "slp": 15, "satellite": 5}
    assert {d.site for d in a.devices} == {"AMS", "LON", "NYC"}
    assert set(a.satellite.virtual_accounts) == {"Corporate Network Devices", "Public Network Devices"}
    assert {d.virtual_account for d in a.devices} == set(a.satellite.virtual_accounts)
    assert len({d.hardware.serial for d in a.devices}) == 50
    assert all(d.faults.latency_ms == 0 and not d.faults.wrong_password for d in a.devices)
    assert all(d.hardware.slp == (d.slp is not None) for d in a.devices)


def test_ports_addresses_and_inventory() -> None:
    f = fleet(300, base_port=23000)
    assert [(d.host, d.port) for d in f.devices[:2]] == [("127.0.0.1", 23000), ("127.0.0.1", 23001)]
    spread = fleet(300, spread_addresses=True)
    assert spread.devices[0].host == "127.0.0.1" and spread.devices[251].host == "127.0.1.2"
    assert {d.port for d in spread.devices} == {22000}
    hosts = f.inventory_hosts()
    assert hosts[0].name == f.devices[0].name
    assert hosts[0].source_interface == "Vlan781"
    assert sum(h.canary for h in hosts) == 3
    assert f.info.satellite_url == f.satellite.callhome_url
    assert set(f.info.tokens) == set(f.satellite.virtual_accounts)


def test_dump_state_is_json() -> None:
    f = fleet(6)
    state = json.loads(json.dumps(f.dump_state()))
    first = state["devices"][f.devices[0].name]
    assert first["running_config"].startswith("Building configuration...")
    assert first["licensing"]["mode"] in ("classic", "slp")
    assert "product_instances" in state["satellite"]
    assert f.info.password not in json.dumps(state)


def test_load_spec_with_faults(tmp_path: Path) -> None:
    path = tmp_path / "fleet.yaml"
    path.write_text(
        "count: 12\nseed: 7\nsites: [AMS, LON]\n"
        "satellite:\n  virtual_accounts:\n"
        "    - name: Corp\n      tokens: [{value: corp-token-0001, allowed_uses: 3}]\n"
        "      licenses: {C9300-48 Network Advantage: 2}\n"
        "    - name: Guest\n"
        "faults:\n"
        "  - switches: [ams-sw001]\n    wrong_password: true\n"
        "  - share: 0.5\n    latency_ms: 50\n    jitter_ms: 10\n"
    )
    spec = load_spec(path)
    f = build_fleet(spec=spec, clock=lambda: 0.0, wall_start=WALL)
    assert len(f.devices) == 12
    assert f.devices[0].faults.wrong_password is True
    assert sum(d.faults.latency_ms == 50 for d in f.devices) == 6
    assert f.info.tokens["Corp"] == "corp-token-0001"
    assert {d.site for d in f.devices} == {"AMS", "LON"}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("count: lots\n", "field count"),
        ("mix:\n  models: {C9999: 1}\n", "field mix.models"),
        ("faults:\n  - latency_ms: 5\n", "field faults.0"),
        ("colour: blue\n", "field colour"),
        ("count: [1\n", "not valid YAML"),
    ],
)
def test_bad_spec_is_one_line_error(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message and fragment in message
    assert isinstance(caught.value, ValueError)


# --- outputs in the samples' formats --------------------------------------------------------


def sample_lines(name: str) -> list[str]:
    return [line.rstrip("\r") for line in (SAMPLES / name).read_text().splitlines()]


def shown(f: Fleet, index: int, command: str) -> list[str]:
    session = f.devices[index].open_session()
    assert session is not None
    return session.handle_line(command).output.splitlines()


def first_of(f: Fleet, predicate) -> int:
    return next(i for i, d in enumerate(f.devices) if predicate(d))


def labels(lines: list[str]) -> list[str]:
    """Line shapes: the text up to and including the first ':' (or the whole line)."""
    return [line.split(":")[0] + ":" if ":" in line else line for line in lines if line.strip()]


def test_classic_registered_status_has_the_sample_shape() -> None:
    f = fleet(20)
    i = first_of(f, lambda d: d.classic is not None and d.classic.registered)
    ours = labels(shown(f, i, "show license status"))
    sample = labels(sample_lines("sls_ntc_sl_registered_outofcompliance.txt"))
    assert ours[: len(sample)] == sample


def test_classic_eval_summary_has_the_sample_shape() -> None:
    f = fleet(20)
    i = first_of(f, lambda d: d.classic is not None and not d.classic.registered)
    ours = shown(f, i, "show license summary")
    sample = sample_lines("slsum_c9kdevnet_sl_unregistered_evalmode_c9200l.txt")
    assert labels(ours[:-2]) == labels(sample[:-2])
    assert ours[-4] == sample[-4].replace("tag ", "tag ")


def test_slp_status_has_the_sample_shape() -> None:
    f = fleet(20)
    i = first_of(f, lambda d: d.slp is not None and d.config.slp_transport == "off")
    ours = shown(f, i, "show license status")
    sample = sample_lines("sls_ntc_slp_transport_off.txt")
    assert labels(ours) == labels(sample)


def test_slp_summary_has_the_sample_shape() -> None:
    f = fleet(20)
    i = first_of(f, lambda d: d.slp is not None)
    ours = shown(f, i, "show license summary")
    sample = sample_lines("slsum_genie_c9300stack_account.txt")[3:]
    assert ours[:7] == sample[:7]
    assert all(line.endswith(" IN USE") for line in ours[7:])


def test_call_home_outputs_have_the_sample_shape() -> None:
    f = fleet(20)
    i = first_of(f, lambda d: d.classic is not None)
    ours = shown(f, i, "show call-home")
    sample = sample_lines("sch_muninn_default_disabled_csr1kv_17.3.txt")
    sl = ours.index("    Smart licensing messages: enabled")
    assert ours[sl + 1] == "    Profile: CiscoTAC-1 (status: ACTIVE)"
    trimmed = ours[:sl] + ours[sl + 2 :]
    assert labels(trimmed) == labels(sample[:sl] + sample[sl + 1 :])
    profile = shown(f, i, "show call-home profile all")
    assert profile == sample_lines("schpa_genie_five_profiles.txt")[: len(profile)]
    assert shown(f, i, "show call-home smart-licensing") == sample_lines("schsl_genie_smart_licensing_url.txt")


def test_show_version_has_the_sample_shape() -> None:
    f = fleet(20)
    i = first_of(f, lambda d: d.classic is not None and d.hardware.model == "C9500-40X")
    ours = shown(f, i, "show version")
    sample = sample_lines("sver_ntc_c9500_16.9.3.txt")
    assert ours[2:3] == sample[2:3]
    assert [line for line in ours if line.startswith("Smart Licensing Status: ")]
    assert f"Processor board ID {f.devices[i].hardware.serial}" in ours
    assert "Switch Ports Model              SW Version        SW Image              Mode   " in ours
    header = sample.index("Switch Ports Model              SW Version        SW Image              Mode   ")
    row = ours[ours.index(sample[header]) + 2]
    assert row[:7] == sample[header + 2][:7] and row.index("C9500-40X") == sample[header + 2].index("C9500-40X")


def test_every_mock_show_output_parses_with_orchestrator_parsing() -> None:
    parsing = pytest.importorskip("fleetreg.core.parsing")
    f = fleet(30)
    commands = [
        "show version",
        "show license status",
        "show license summary",
        "show license all",
        "show call-home",
        "show call-home profile all",
        "show call-home smart-licensing",
        "show running-config",
        "show running-config | section call-home",
    ]
    seen_kinds = set()
    for index, device in enumerate(f.devices):
        seen_kinds.add(kind(device))
        for command in commands:
            text = "\n".join(shown(f, index, command)) + "\n"
            parsing.parse(command, text, host=device.name)
    assert seen_kinds == {"cloud", "eval", "slp", "satellite"}
