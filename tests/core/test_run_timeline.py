"""A run's timings as the reports show them: per wave, per host, hosts in progress."""

from __future__ import annotations

from pathlib import Path

from fleetreg.core.plan_model import Plan, Wave, WavePolicy
from fleetreg.core.run_timeline import HostTiming, RunRecord, StepTiming, host_bars, in_progress, utc_text, wave_results
from report_fleet import RUN_START, mixed_fleet_plan, simulated_run


def test_each_wave_runs_from_its_first_step_to_its_last_host_with_its_outcomes(samples: Path) -> None:
    plan = mixed_fleet_plan(samples, 40, wave_size=10, canary=2)
    failed = plan.waves[1].hosts[0]
    outcomes, run = simulated_run(samples, plan, failed=frozenset({failed}))
    results = wave_results(plan, run, {n: o.outcome for n, o in outcomes.items()}, {0: 42.0})
    assert [r.name for r in results] == [w.name for w in plan.waves]
    canary, first = results[0], results[1]
    assert canary.started_at == RUN_START and canary.estimate_s == 42.0 and first.estimate_s is None
    assert canary.outcomes == {"migrated": 2} and first.outcomes == {
        "failed": 1,
        "migrated": len(plan.waves[1].hosts) - 1,
    }
    timing = {h.host: h for h in run.hosts}
    assert first.finished_at == max(timing[n].finished_at or 0 for n in plan.waves[1].hosts)
    assert first.duration_s == (first.finished_at or 0) - (first.started_at or 0)


def test_a_plan_without_a_run_has_waves_but_no_times(samples: Path) -> None:
    plan = mixed_fleet_plan(samples, 20, wave_size=10, canary=2)
    results = wave_results(plan, None, {})
    assert all(r.started_at is None and r.duration_s is None and r.outcomes == {} for r in results)


def test_hosts_in_progress_are_counted_per_wave_and_time_slice() -> None:
    run = RunRecord(
        "r",
        100.0,
        200.0,
        20,
        (
            HostTiming("a", 0, "migrated", 100.0, 110.0),
            HostTiming("b", 1, "failed", 110.0, 130.0),
            HostTiming("c", 1, "migrated", 115.0, 140.0),
            HostTiming("x", None, "skipped", None, 100.0),  # never ran: no bar
        ),
        (StepTiming("a", "precheck", "done", 100.0, 103.0), StepTiming("b", "register", "failed", 110.0, 111.0)),
    )
    plan = Plan(
        plan_id="p",
        created_at="c",
        inventory_dir="i",
        inventory_fingerprint="f",
        policy=WavePolicy(),
        hosts=(),
        waves=(
            Wave(number=0, name="canary", hosts=("a",), max_failures=0),
            Wave(number=1, name="wave 1", hosts=("b", "c"), max_failures=0),
        ),
    )
    bars = host_bars(plan, run, {"b": "failed"})
    assert [(b.host, b.wave, b.outcome, b.start_s, b.end_s) for b in bars] == [
        ("a", "canary", "migrated", 0.0, 10.0),
        ("b", "wave 1", "failed", 10.0, 30.0),
        ("c", "wave 1", "migrated", 15.0, 40.0),
    ]
    points = in_progress(bars, slices=4)  # slices of 10 s
    by_slice = {(p.at_s, p.wave): p.hosts for p in points}
    assert by_slice[(0.0, "canary")] == 1 and by_slice[(0.0, "wave 1")] == 0
    assert by_slice[(20.0, "wave 1")] == 2 and by_slice[(30.0, "wave 1")] == 2  # b ends at 30 s, c runs on
    assert run.step_durations() == [("precheck", 3.0)]  # failed steps teach the estimates nothing


def test_journal_times_are_written_in_utc() -> None:
    assert utc_text(1_800_000_000.0) == "2027-01-15 08:00:00Z" and utc_text(None) == ""
