"""`fleetreg plan` against a 200-switch mock fleet: every class, exactly classified, a runbook
listing each planned host once, a report that renders in Chromium, and no secret on disk."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from fleet_runs import configs, files_containing, fleet_env, latest_run, load_plan_json, run_cli

from mock_devices.spec import FaultSpec, FleetSpec, MixSpec, SwitchSpec

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")


def fleet_spec() -> FleetSpec:
    return FleetSpec(
        count=200,
        seed=11,
        mix=MixSpec(states={"cloud": 0.4, "eval": 0.15, "slp": 0.25, "satellite": 0.12, "satellite_wrong_va": 0.08}),
        switches=[SwitchSpec(index=7, state="cloud"), SwitchSpec(index=8, state="cloud")],
        faults=[
            FaultSpec(switches=["lon-sw008"], wrong_password=True),
            FaultSpec(switches=["nyc-sw009"], hang_command="show license status"),
        ],
    )


def expected_class(device: dict, name: str) -> str:
    if name in ("lon-sw008", "nyc-sw009", "gone-sw999"):
        return "blocked"
    lic = device["licensing"]
    if lic["mode"] == "slp":  # reports usage; the satellite's VA follows the tenant
        return "already-migrated" if lic["acked_by"] == "satellite" else "to-migrate"
    if lic["registered_to"] == "satellite":
        if lic["virtual_account"] == device["target_virtual_account"]:
            return "already-migrated"
        return "wrong-virtual-account"
    return "to-migrate"


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory):
    from mock_devices.testing import MockFleet

    tmp = tmp_path_factory.mktemp("plan200")
    with MockFleet(spec=fleet_spec(), inventory_dir=tmp / "inventory", host_key_dir=tmp / "keys") as mock:
        hosts_file = mock.inventory_dir / "hosts.yaml"
        hosts = yaml.safe_load(hosts_file.read_text())
        hosts["gone-sw999"] = {**next(iter(hosts.values())), "port": 9}  # nothing listens there
        hosts_file.write_text(yaml.safe_dump(hosts))
        before = configs(mock)
        runs = tmp / "runs"
        with fleet_env(mock) as env:
            code = run_cli(
                "plan",
                "--inventory",
                str(mock.inventory_dir),
                "--runs-dir",
                str(runs),
                "--workers",
                "40",
                "--connect-timeout",
                "5",
                "--command-timeout",
                "5",
                "--wave-size",
                "50",
                "--canary",
                "5",
            )
        after = configs(mock)
        state = mock.fleet.dump_state()["devices"]
    plan_dir = latest_run(runs, "plan")
    return {
        "code": code,
        "plan_dir": plan_dir,
        "plan": load_plan_json(plan_dir),
        "state": state,
        "env": env,
        "before": before,
        "after": after,
        "runs": runs,
    }


def test_plan_classifies_every_host(planned) -> None:
    assert planned["code"] == 0
    by_name = {h["name"]: h for h in planned["plan"]["hosts"]}
    assert len(by_name) == 201
    for name, device in planned["state"].items():
        assert by_name[name]["classification"] == expected_class(device, name), (name, by_name[name]["reason"])
    classes = Counter(h["classification"] for h in by_name.values())
    assert all(classes[c] > 0 for c in ("to-migrate", "already-migrated", "wrong-virtual-account", "blocked")), classes
    assert by_name["lon-sw008"]["reason"].startswith("auth failed")
    assert by_name["gone-sw999"]["reason"].startswith("unreachable")
    assert "timed out" in by_name["nyc-sw009"]["reason"] or "timeout" in by_name["nyc-sw009"]["reason"]
    modes = Counter(h["mode"] for h in by_name.values() if h["classification"] == "to-migrate")
    assert modes["callhome"] > 0 and modes["cslu"] > 0


def test_plan_touched_no_switch(planned) -> None:
    assert planned["after"] == planned["before"]


def test_runbook_lists_each_planned_host_exactly_once(planned) -> None:
    """Once, in the change group that changes it (section 6, one line per wave of that group)."""
    runbook = (planned["plan_dir"] / "runbook.md").read_text()
    lines = re.findall(r"^- (?:canary|wave \d+) \(\d+\): (.+)$", runbook, flags=re.M)
    listed = Counter(name for line in lines for name in line.split(", "))
    actionable = {
        h["name"] for h in planned["plan"]["hosts"] if h["classification"] in ("to-migrate", "wrong-virtual-account")
    }
    assert set(listed) == actionable
    assert set(listed.values()) == {1}
    assert "### Change A — " in runbook
    waves = planned["plan"]["waves"]
    assert waves[0]["name"] == "canary" and sum(len(w["hosts"]) for w in waves) == len(actionable)


def test_no_secret_in_any_output_file(planned) -> None:
    secrets = [v for k, v in planned["env"].items() if any(w in k for w in ("TOKEN", "PASSWORD", "SECRET"))]
    assert secrets and files_containing(planned["runs"], secrets) == []


@pytest.mark.browser
def test_report_renders_in_chromium_with_the_counts(planned) -> None:
    if not CHROMIUM.exists():
        pytest.skip("no Chromium at /usr/bin/chromium (scripts/ensure-browser could not install it)")
    from playwright.sync_api import sync_playwright
    from tests_browser import CHROMIUM_ARGS

    counts = Counter(h["classification"] for h in planned["plan"]["hosts"])
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((planned["plan_dir"] / "report.html").as_uri())
        shown = {c: page.text_content(f'[data-count="{c}"]') for c in counts}
        total = page.text_content('[data-count="total"]')
        rows = page.locator("#hosts tbody tr").count()
        browser.close()
    assert errors == []
    assert total == "201" and rows == 201
    assert shown == {c: str(n) for c, n in counts.items()}
