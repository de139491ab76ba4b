"""Estimated wave durations: defaults, measured step times, workers."""

from __future__ import annotations

from fleetreg.core.plan_model import HostPlan, Plan, Wave, WavePolicy
from fleetreg.core.wave_timing import (
    DEFAULT_STEP_SECONDS,
    MIN_SAMPLES,
    duration_text,
    estimate_waves,
    host_seconds,
    step_times,
)
from host_plans import host_plan

REGISTERS = ("backup", "configure", "save_config", "register", "wait_registered", "save_final", "verify")


def hplan(name: str, wave: int, steps: tuple[str, ...] = REGISTERS) -> HostPlan:
    return host_plan(name, *steps, wave=wave)


def plan_of(waves: dict[int, int]) -> Plan:
    hosts = [hplan(f"w{w}-sw{i}", w) for w, n in waves.items() for i in range(n)]
    return Plan(
        plan_id="p",
        created_at="c",
        inventory_dir="i",
        inventory_fingerprint="f",
        policy=WavePolicy(),
        hosts=tuple(hosts),
        waves=tuple(
            Wave(
                number=w,
                name="canary" if w == 0 else f"wave {w}",
                hosts=tuple(h.name for h in hosts if h.wave == w),
                max_failures=1,
            )
            for w in waves
        ),
    )


def test_a_host_costs_its_ssh_steps_plus_its_waits() -> None:
    work, wait = host_seconds(hplan("sw1", 1), step_times())
    d = DEFAULT_STEP_SECONDS
    assert wait == d["wait_registered"]
    assert work == sum(d[s] for s in ("precheck", *REGISTERS) if s != "wait_registered")


def test_a_small_wave_takes_its_slowest_host_a_large_one_its_work_over_the_workers() -> None:
    times = step_times()
    work, wait = host_seconds(hplan("x", 1), times)
    canary, big = estimate_waves(plan_of({0: 2, 1: 200}), times, workers=20)
    assert canary.seconds == work + wait and canary.slowest_host_s == work + wait
    assert big.seconds == 200 * work / 20 + wait
    assert big.start_s == canary.seconds  # back to back
    fewer_workers = estimate_waves(plan_of({0: 2, 1: 200}), times, workers=10)[1]
    assert fewer_workers.seconds == 200 * work / 10 + wait


def test_measured_step_times_replace_the_defaults_once_there_are_enough() -> None:
    few = step_times([("wait_registered", 90.0)] * (MIN_SAMPLES - 1))
    assert (
        few.seconds["wait_registered"] == DEFAULT_STEP_SECONDS["wait_registered"] and few.source == "default step times"
    )
    many = step_times(
        [("wait_registered", 90.0), ("wait_registered", 10.0), ("wait_registered", 100.0), ("nonsense", 5.0)]
    )
    assert many.seconds["wait_registered"] == 90.0  # the median: one slow switch does not move it
    assert many.measured == {"wait_registered": 3}
    assert many.source.startswith("step times measured over 3 steps (wait_registered)")


def test_durations_read_as_people_write_them() -> None:
    assert [duration_text(s) for s in (None, 4.4, 59.6, 61, 3599, 3600, 7380)] == [
        "",
        "4 s",
        "1 min 00 s",
        "1 min 01 s",
        "59 min 59 s",
        "1 h 00 min",
        "2 h 03 min",
    ]
