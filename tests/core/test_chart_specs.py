"""The charts' Vega-Lite specifications: inline data only, and what each one draws."""

from __future__ import annotations

import json
from pathlib import Path

from fleetreg.core.chart_specs import PER_HOST_MAX, SCHEMA
from fleetreg.core.report_view import report_view
from report_fleet import mixed_fleet_plan, simulated_run


def urls_in(spec: object) -> list[str]:
    text = json.dumps(spec)
    return [word.strip('",') for word in text.split() if "://" in word]


def test_specs_hold_their_data_inline_and_name_no_url_but_the_schema_id(samples: Path) -> None:
    plan = mixed_fleet_plan(samples, 40, wave_size=10, canary=2)
    outcomes, run = simulated_run(samples, plan)
    for view in (report_view(plan, title="plan"), report_view(plan, outcomes, title="apply", run=run)):
        assert set(view.charts) == {"timeline", "outcomes", "licenses"}
        for spec in view.charts.values():
            assert urls_in(spec) == [SCHEMA]
            assert '"url"' not in json.dumps(spec)


def test_a_small_run_draws_a_bar_per_switch_a_large_one_waves_and_switches_in_progress(samples: Path) -> None:
    small = mixed_fleet_plan(samples, 40, wave_size=10, canary=2)
    outcomes, run = simulated_run(samples, small)
    spec = report_view(small, outcomes, title="t", run=run).charts["timeline"]
    ran = sum(1 for h in run.hosts if h.started_at is not None)
    assert ran <= PER_HOST_MAX and len(spec["data"]["values"]) == ran
    assert spec["encoding"]["x"]["title"] == "seconds since the run started"  # a short run: seconds

    large = mixed_fleet_plan(samples, 400)
    outcomes, run = simulated_run(samples, large)
    spec = report_view(large, outcomes, title="t", run=run).charts["timeline"]
    waves, load = spec["vconcat"]
    assert [row["wave"] for row in waves["data"]["values"]] == [w.name for w in large.waves]
    assert {row["wave"] for row in load["data"]["values"]} == {w.name for w in large.waves}
    assert waves["layer"][0]["encoding"]["x"]["title"] == "minutes since the run started"


def test_outcomes_per_wave_stack_each_waves_hosts(samples: Path) -> None:
    plan = mixed_fleet_plan(samples, 40, wave_size=10, canary=2)
    failed = plan.waves[1].hosts[0]
    outcomes, run = simulated_run(samples, plan, failed=frozenset({failed}))
    rows = report_view(plan, outcomes, title="t", run=run).charts["outcomes"]["data"]["values"]
    per_wave: dict[str, int] = {}
    for row in rows:
        per_wave[row["wave"]] = per_wave.get(row["wave"], 0) + row["hosts"]
    assert per_wave == {w.name: len(w.hosts) for w in plan.waves}  # hosts in no wave are not drawn
    assert {"wave": plan.waves[1].name, "outcome": "failed", "hosts": 1, "rank": 0} in rows


def test_licenses_before_and_after_per_virtual_account(samples: Path) -> None:
    plan = mixed_fleet_plan(samples, 100)
    rows = report_view(plan, title="t").charts["licenses"]["data"]["values"]
    assert {"va": "Public Network Devices", "when": "before (at plan time)", "licenses": 20} in rows
    assert {"va": "Public Network Devices", "when": "after the change (planned)", "licenses": 0} in rows
    assert "licenses" not in report_view(mixed_fleet_plan(samples, 20, licenses=False), title="t").charts
