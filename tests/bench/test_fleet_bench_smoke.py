"""bench/fleet_bench.py: the lower-bound arithmetic, and one tiny run (5 switches, no latency)."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest
from config_lines import CALLHOME_CHANGE

BENCH = Path(__file__).resolve().parents[2] / "bench" / "fleet_bench.py"
CALLHOME_STEPS = [
    "backup",
    "configure",
    "save_config",
    "deregister",
    "register",
    "wait_registered",
    "save_final",
    "verify",
]


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fleet_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fleet_bench"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_host_path_counts_the_round_trips_before_and_after_the_registration_wait() -> None:
    fb = load_bench()
    timing = fb.MockTiming(150, 50, (5, 15))
    path = fb.host_path(CALLHOME_STEPS, config_lines=CALLHOME_CHANGE, mode="callhome", timing=timing)
    # before: width + length + 3 shows, conf t + 7 batches of lines + end, write, deregister, register
    assert (path.before, path.wait_s, path.after) == (5 + 9 + 3, 10.0, 4)  # after: last poll, write, 2 verify shows
    slp_change = ["license smart transport cslu", "license smart url cslu http://ssm.example.net/cslu/v1/pi"]
    slp = fb.host_path(
        ["backup", "configure", "save_config", "sync", "wait_ack", "verify"],
        config_lines=slp_change,
        mode="cslu",
        timing=timing,
    )
    assert (slp.before, slp.wait_s, slp.after) == (5 + 4 + 1 + 1, 1.0, 2)
    assert timing.command_s == pytest.approx(0.175)


def test_phase_bound_takes_the_largest_of_one_switch_the_pool_and_the_pool_then_the_wait() -> None:
    fb = load_bench()
    host = fb.HostPath(before=29, wait_s=10.0, after=4)
    # 100 hosts, 50 workers: 100 x 29 x 0.175 / 50 = 10.15 s of work before the waits, then the
    # last host's wait and its 4 round trips: 10 + 0.7
    assert fb.phase_bound([[host] * 100], 50, 0.175) == pytest.approx(20.85)
    # one host: its own path, 33 x 0.175 + 10
    assert fb.phase_bound([[host]], 50, 0.175) == pytest.approx(15.775)
    # waves add up; no wait: the pool bound
    assert fb.phase_bound([[host], [fb.HostPath(6, 0.0, 0)] * 1000], 100, 0.175) == pytest.approx(15.775 + 10.5)
    assert fb.max_overlap([(0, 2), (1, 3), (2, 4), (5, 6)]) == 2


def test_a_tiny_fleet_is_planned_and_applied_without_failures(tmp_path: Path) -> None:
    fb = load_bench()
    config = fb.RunConfig(
        count=5,
        workers=5,
        timing=fb.MockTiming(0, 0, (0.2, 0.4)),
        session_logs=True,
        base_port=random.randrange(20000, 31000, 10),  # another run of this test may hold a fixed range
        timeout_s=60,
        keep_dir=tmp_path,
    )
    result = fb.run_one(config)
    apply, totals = result.apply, result.totals
    assert apply["returncode"] == 0
    assert totals["failures"] == 0
    assert sum(apply["outcomes"].values()) == 5
    assert apply["outcomes"].get("migrated", 0) >= 1
    assert apply["cpu_s"] > 0 and apply["max_rss_mb"] > 20
    assert result.plan["cpu_s"] > 0 and result.plan["mock_cpu_s"] >= 0
    assert apply["bound_s"] >= apply["latency_bound_s"] > 0
    assert totals["ratio"] == pytest.approx(totals["wall_s"] / totals["bound_s"])
    assert apply["observed_round_trips_per_host"] is not None
