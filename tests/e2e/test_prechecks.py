"""Plan-time pre-checks on a mock fleet over real SSH (both transports): a switch whose satellite does
not answer pings from its source interface, one whose name server does not resolve the satellite's
name (the fleet uses the name), one with NTP unsynchronised and one whose clock is an hour ahead.
The plan blocks exactly the three that cannot work and flags the NTP one, records every result in
plan.json, the runbook, report.html and hosts.csv; applying that plan leaves the blocked ones
untouched and migrates the rest."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from fleet_runs import fleet_env, latest_run, load_plan_json, run_cli, set_default_setting

from mock_devices.spec import FaultSpec, FleetSpec, MixSpec, SatelliteSpec, SwitchSpec
from mock_devices.testing import MockFleet

pytestmark = pytest.mark.integration

SATELLITE_NAME = "ssm-onprem.fleetreg.test"
UNREACHABLE, NO_DNS, NO_NTP, LATE, REFUSED = "sw-unreach", "sw-nodns", "sw-nontp", "sw-late", "sw-refused"
HEALTHY = ("sw-ok1", "sw-ok2")
NAMES = (UNREACHABLE, NO_DNS, NO_NTP, LATE, REFUSED, *HEALTHY)
# fleetreg's own host cannot resolve the lab's satellite name: its TLS check of the satellite is skipped
UNCHECKED = ("--satellite-unreachable-ok",)


def _fleet(factory) -> MockFleet:
    spec = FleetSpec(
        count=len(NAMES),
        register_seconds=(0.3, 0.6),
        mix=MixSpec.model_validate({"states": {"cloud": 1.0}}),
        switches=[SwitchSpec(index=i, name=name, state="cloud") for i, name in enumerate(NAMES)],
        faults=[
            FaultSpec(switches=[UNREACHABLE], satellite_unreachable=True),
            FaultSpec(switches=[NO_DNS], dns_fails=True),
            FaultSpec(switches=[NO_NTP], ntp_unsynchronized=True),
            FaultSpec(switches=[LATE], clock_offset_s=3600.0),
            FaultSpec(switches=[REFUSED], authorization_refuse=["ping"]),
        ],
        satellite=SatelliteSpec(identity="disable"),
    )
    mock = factory(spec=spec)
    url = yaml.safe_load((mock.inventory_dir / "defaults.yaml").read_text())["data"]["fleetreg"]["satellite_url"]
    set_default_setting(mock, satellite_url=url.replace("127.0.0.1", SATELLITE_NAME), poll_interval_s=0.2)
    return mock


def _running_configs(mock: MockFleet) -> dict[str, str]:
    return {name: d["running_config"] for name, d in mock.fleet.dump_state()["devices"].items()}


def test_plan_blocks_and_flags_from_the_prechecks_and_apply_leaves_blocked_untouched(
    mock_fleet_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mock = _fleet(mock_fleet_factory)
    runs = tmp_path / "runs"
    before = _running_configs(mock)
    with fleet_env(mock):
        args = ("--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), "--canary", "0")
        assert run_cli("plan", *args, "--max-failures", "100%", *UNCHECKED, "--log-file", str(tmp_path / "log.json"),
                       "--log-format", "json") == 0  # fmt: skip
        plan_dir = latest_run(runs, "plan")
        out = capsys.readouterr().out
        assert _running_configs(mock) == before  # a plan, pre-checks included, changes nothing

        plan = {h["name"]: h for h in load_plan_json(plan_dir)["hosts"]}
        blocked = {name for name, h in plan.items() if h["classification"] == "blocked"}
        assert blocked == {UNREACHABLE, NO_DNS, LATE}
        checks = {name: {c["check"]: (c["status"], c["detail"]) for c in h["prechecks"]} for name, h in plan.items()}
        assert checks[UNREACHABLE]["satellite_reachable"] == ("failed", "satellite 127.0.0.1 from Vlan781: 0/2 echoes")
        assert plan[UNREACHABLE]["reason"].startswith("pre-check satellite_reachable: ")
        assert checks[NO_DNS]["satellite_name_resolves"] == (
            "failed",
            f"{SATELLITE_NAME} does not resolve by name server 10.78.0.53",
        )
        assert plan[NO_DNS]["reason"].startswith("pre-check satellite_name_resolves: ")
        assert checks[LATE]["clock_skew"][0] == "failed" and "3600 s ahead" in checks[LATE]["clock_skew"][1]
        assert checks[NO_NTP]["ntp_synchronized"] == ("warning", "NTP unsynchronised (stratum 16)")
        assert plan[NO_NTP]["classification"] == "to-migrate"
        assert any("NTP not synchronised" in risk for risk in plan[NO_NTP]["risks"])
        assert plan[REFUSED]["classification"] == "to-migrate"
        assert checks[REFUSED]["satellite_reachable"][0] == "not-run"
        assert "Command authorization failed." in checks[REFUSED]["satellite_reachable"][1]
        for name in HEALTHY:
            assert {status for status, _ in checks[name].values()} == {"ok"}
            resolved = f"{SATELLITE_NAME} is 127.0.0.1 (name server 10.78.0.53)"
            assert checks[name]["satellite_name_resolves"][1] == resolved

        runbook = (plan_dir / "runbook.md").read_text()
        section = runbook.split("## 3. Pre-checks")[1].split("## 4.")[0]
        reachable = "- satellite reachable from the source interface, failed (1; blocks the switch)"
        assert f"{reachable}: {UNREACHABLE}" in section
        assert f"- satellite name resolves on the switch, failed (1; blocks the switch): {NO_DNS}" in section
        assert f"- clock within the allowed skew, failed (1; blocks the switch): {LATE}" in section
        assert f"- NTP synchronised, failed (1; a risk on the switch): {NO_NTP}" in section
        assert "- [ ] satellite reachable from the source interface: `ping" in section and REFUSED in section
        hosts_csv = {r["host"]: r for r in csv.DictReader((plan_dir / "hosts.csv").open())}
        assert hosts_csv[UNREACHABLE]["prechecks"] == "blocked" and hosts_csv[NO_NTP]["prechecks"] == "warning"
        html = (plan_dir / "report.html").read_text()
        assert "satellite_name_resolves: failed: ssm-onprem.fleetreg.test does not resolve" in html
        raw = json.loads((plan_dir / "prechecks.json").read_text())
        assert "% Unrecognized host or address" in raw[NO_DNS]["outputs"]["ping"]["output"]

        events = [json.loads(line) for line in (tmp_path / "log.json").read_text().splitlines()]
        steps = {e["host"]: e for e in events if e.get("step") == "prechecks" and e.get("host")}
        assert set(steps) == set(NAMES) and steps[UNREACHABLE]["outcome"] == "blocked"
        assert all(e["duration"] is not None for e in steps.values())
        assert any(e.get("event") == "prechecks" and "pre-checks on 7 switches" in e["message"] for e in events)
        assert "pre-checks on 7 switches" in out  # no terminal here: the log line on stdout

        code = run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes", *UNCHECKED)
    assert code == 0
    after = _running_configs(mock)
    for name in (UNREACHABLE, NO_DNS, LATE):
        assert after[name] == before[name], f"{name} was blocked, yet changed"
    state = mock.fleet.dump_state()["devices"]
    for name in (NO_NTP, REFUSED, *HEALTHY):
        assert state[name]["licensing"]["registered_to"] == "satellite", name


def test_plan_from_a_discover_run_logs_in_again_for_the_prechecks_only_when_asked(
    mock_fleet_factory, tmp_path: Path
) -> None:
    """`plan --from` reuses discovered facts and asks no switch; with `--prechecks` the pre-checks
    run, in a session of their own per switch. `--no-prechecks` leaves them to the runbook's tick boxes."""
    mock = _fleet(mock_fleet_factory)
    runs = tmp_path / "runs"
    with fleet_env(mock):
        args = ("--inventory", str(mock.inventory_dir), "--runs-dir", str(runs))
        assert run_cli("discover", *args) == 0
        discover_run = str(latest_run(runs, "discover"))
        logins = {d.name: d.sessions_opened for d in mock.fleet.devices}
        assert run_cli("plan", *args, "--from", discover_run, *UNCHECKED) == 0
        assert {d.name: d.sessions_opened for d in mock.fleet.devices} == logins
        unchecked = load_plan_json(latest_run(runs, "plan"))["hosts"]
        assert all(h["prechecks"] == [] for h in unchecked) and not any(
            h["classification"] == "blocked" for h in unchecked
        )
        runbook = (latest_run(runs, "plan") / "runbook.md").read_text()
        assert "- [ ] Satellite reachable from every switch's source interface; NTP synchronised" in runbook
        assert run_cli("plan", *args, "--from", discover_run, "--prechecks", *UNCHECKED) == 0
    plan = {h["name"]: h for h in load_plan_json(latest_run(runs, "plan"))["hosts"]}
    assert {n for n, h in plan.items() if h["classification"] == "blocked"} == {UNREACHABLE, NO_DNS, LATE}
    assert all(len(h["prechecks"]) == 4 for h in plan.values())
    assert {d.name: d.sessions_opened - logins[d.name] for d in mock.fleet.devices} == dict.fromkeys(NAMES, 1)
