"""The closed loop with the satellite's API, end to end: tokens taken from the API at apply
time, license pre-flight in plan, and the post-check of what the satellite lists."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from fleet_runs import fleet_env, latest_run, load_plan_json, plan_and_apply, run_cli

from mock_devices.spec import FleetSpec, SatelliteSpec, TokenSpec, VirtualAccountSpec

pytestmark = pytest.mark.integration


def use_api_tokens(inventory: Path) -> None:
    defaults_file = inventory / "defaults.yaml"
    defaults = yaml.safe_load(defaults_file.read_text())
    defaults["data"]["fleetreg"]["satellite_api"]["token_source"] = "api"
    defaults_file.write_text(yaml.safe_dump(defaults))


def classic_spec(count: int, **satellite: object) -> FleetSpec:
    return FleetSpec(count=count, seed=5, mix={"states": {"cloud": 1.0}}, satellite=SatelliteSpec(**satellite))


def test_tokens_come_from_the_api_and_the_satellite_lists_every_switch(mock_fleet_factory, tmp_path: Path) -> None:
    # the only tokens on the satellite have expired: fleetreg must create one per VA through the API
    expired = [
        VirtualAccountSpec(name=va, tokens=[TokenSpec(value=f"expired-token-{i}-0000", expires_in_days=-1)])
        for i, va in enumerate(("Corporate Network Devices", "Public Network Devices"))
    ]
    mock = mock_fleet_factory(spec=classic_spec(5, virtual_accounts=expired), api=True)
    use_api_tokens(mock.inventory_dir)
    runs = tmp_path / "runs"
    tokens_before = len(mock.fleet.satellite.tokens)
    env_without_tokens = {k: v for k, v in mock.env.items() if not k.startswith("FLEETREG_TOKEN_")}
    mock.env.clear()
    mock.env.update(env_without_tokens)
    with fleet_env(mock):
        code, plan_dir, _apply_dir = plan_and_apply(mock, runs)
    assert code == 0
    plan = load_plan_json(plan_dir)
    register = [s for h in plan["hosts"] for s in h["steps"] if s["name"] == "register"]
    assert register and all("satellite API" in s["commands"][0] for s in register)
    state = mock.fleet.dump_state()
    assert all(d["licensing"]["status"] == "REGISTERED" for d in state["devices"].values())
    # one token per virtual account was created through the API (none were pasted anywhere)
    created = mock.fleet.satellite.tokens[tokens_before:]
    assert sorted(t.virtual_account for t in created) == sorted({h["virtual_account"] for h in plan["hosts"]})
    secrets = [t.value for t in created] + [
        v for k, v in env_without_tokens.items() if "SECRET" in k or "PASSWORD" in k
    ]
    from fleet_runs import files_containing

    assert files_containing(runs, secrets) == []
    # a second apply of a fresh plan reuses those tokens instead of creating more
    for name in list(state["devices"])[:1]:
        mock.call(lambda n=name: mock.fleet.device(n).deregister())
    with fleet_env(mock):
        code, _, _ = plan_and_apply(mock, runs)
    assert code == 0 and len(mock.fleet.satellite.tokens) == tokens_before + len(created)


def test_license_shortage_blocks_the_right_switches_in_the_plan(mock_fleet_factory, tmp_path: Path) -> None:
    vas = [
        VirtualAccountSpec(
            name="Corporate Network Devices",
            licenses={"C9300-48 Network Advantage": 1, "C9200L-NW-E-48": 1, "C9500 Network Advantage": 0},
        ),
        VirtualAccountSpec(name="Public Network Devices"),
    ]
    mock = mock_fleet_factory(spec=classic_spec(8, virtual_accounts=vas), api=True)
    with fleet_env(mock):
        assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(tmp_path)) == 0
    plan = load_plan_json(latest_run(tmp_path, "plan"))
    corporate = [h for h in plan["hosts"] if h["virtual_account"] == "Corporate Network Devices"]
    blocked = [h for h in corporate if h["classification"] == "blocked"]
    assert len(corporate) - len(blocked) == 2, [(h["name"], h["reason"]) for h in corporate]
    assert all(h["reason"].startswith("not enough licenses in Corporate Network Devices") for h in blocked)
    assert all(
        h["classification"] != "blocked" for h in plan["hosts"] if h["virtual_account"] != "Corporate Network Devices"
    )
    check = {c["virtual_account"]: c for c in plan["licenses"]}["Corporate Network Devices"]
    assert (check["available"], check["planned"], check["blocked"]) == (2, len(corporate), len(blocked))
    assert "Corporate Network Devices | 2 |" in (latest_run(tmp_path, "plan") / "runbook.md").read_text()


def test_postcheck_flags_a_switch_the_satellite_does_not_list(mock_fleet_factory, tmp_path: Path) -> None:
    mock = mock_fleet_factory(spec=classic_spec(4), api=True)
    victim = mock.fleet.devices[2]
    mock.call(lambda: mock.api.hide_device(victim.hardware.serial))
    with fleet_env(mock):
        code, _, apply_dir = plan_and_apply(mock, tmp_path / "runs")
    assert code == 1
    import csv

    rows = {r["host"]: r for r in csv.DictReader((apply_dir / "hosts.csv").open())}
    assert rows[victim.name]["outcome"] == "failed" and rows[victim.name]["failed_step"] == "satellite_check"
    assert "the satellite lists no product instance" in rows[victim.name]["outcome_reason"]
    assert Counter(r["outcome"] for r in rows.values()) == {"migrated": 3, "failed": 1}


def test_inventory_check_names_an_unset_api_client_secret(mock_fleet_factory, capsys) -> None:
    mock = mock_fleet_factory(2, api=True)
    secret = mock.env.pop("FLEETREG_SATELLITE_CLIENT_SECRET")
    with fleet_env(mock):
        import os

        os.environ.pop("FLEETREG_SATELLITE_CLIENT_SECRET", None)
        assert run_cli("inventory", "check", "--inventory", str(mock.inventory_dir)) == 2
    err = capsys.readouterr().err
    assert (
        "field fleetreg.satellite_api.client_secret_ref: environment variable FLEETREG_SATELLITE_CLIENT_SECRET" in err
    )
    assert secret not in err and "Traceback" not in err


EXPIRED = "RXhwaXJlZFRva2VuT2ZDb3Jwb3JhdGVOZXR3b3JrRGV2aWNlczAwMDAwMDAwMDAw"


def test_a_token_the_satellite_lists_as_expired_blocks_its_switches_at_plan_time(
    mock_fleet_factory, tmp_path: Path
) -> None:
    """Issue 17: a token is proven usable before any switch leaves the cloud: with the satellite's
    API, a token from the environment must be one of its virtual account's, unexpired, with uses
    left; else `plan` blocks the switches that would use it, naming the reason (never the token)."""
    vas = [
        VirtualAccountSpec(name="Corporate Network Devices", tokens=[TokenSpec(value=EXPIRED, expires_in_days=-1)]),
        VirtualAccountSpec(name="Public Network Devices"),
    ]
    mock = mock_fleet_factory(spec=classic_spec(4, virtual_accounts=vas), api=True)
    mock.env["FLEETREG_TOKEN_CORPORATE_NETWORK_DEVICES"] = EXPIRED  # the operator's token, expired since
    runs = tmp_path / "runs"
    with fleet_env(mock):
        assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs)) in (0, 6)
    hosts = load_plan_json(latest_run(runs, "plan"))["hosts"]
    corporate = [h for h in hosts if h["virtual_account"] == "Corporate Network Devices"]
    assert corporate and all(h["classification"] == "blocked" for h in corporate)
    reason = "the registration token env:FLEETREG_TOKEN_CORPORATE_NETWORK_DEVICES is expired on the satellite"
    assert all(reason in h["reason"] and EXPIRED not in h["reason"] for h in corporate)


def test_a_token_that_expires_after_the_plan_stops_apply_before_any_switch_leaves_the_cloud(
    mock_fleet_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same proof at apply time: a token valid at plan time and expired since stops the run
    (exit 2, one line) before any switch is touched."""
    mock = mock_fleet_factory(spec=classic_spec(4), api=True)
    runs = tmp_path / "runs"
    with fleet_env(mock):
        assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs)) == 0
        for token in mock.fleet.satellite.tokens:  # every token expires between plan and apply
            mock.call(setattr, token, "expires_wall", 0.0)
        before = {n: d["running_config"] for n, d in mock.fleet.dump_state()["devices"].items()}
        code = run_cli("apply", str(latest_run(runs, "plan")), "--runs-dir", str(runs), "--yes")
    assert code == 2
    error = capsys.readouterr().err
    assert "is expired on the satellite; no switch was touched" in error
    assert not any(token.value in error for token in mock.fleet.satellite.tokens)
    state = mock.fleet.dump_state()["devices"]
    assert {n: d["running_config"] for n, d in state.items()} == before
    assert all(d["licensing"]["status"] == "REGISTERED" for d in state.values())  # still in the cloud
