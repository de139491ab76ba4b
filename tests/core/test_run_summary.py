"""What apply and backout print before they ask for the plan's short id."""

from __future__ import annotations

from fleetreg.core.plan_model import Plan, WavePolicy
from fleetreg.core.run_summary import backout_summary
from host_plans import host_plan


def test_backout_says_which_switches_it_would_register_back_to_the_cloud() -> None:
    hosts = (
        host_plan("sw1", "configure", cloud_token_ref="env:FLEETREG_CLOUD_TOKEN"),
        host_plan("sw2", "configure"),
        host_plan("sw3", "configure", cloud_token_ref="env:FLEETREG_CLOUD_TOKEN"),
    )
    plan = Plan(
        plan_id="p1",
        created_at="2026-12-03T00:00:00+00:00",
        inventory_dir="inventory",
        inventory_fingerprint="f",
        policy=WavePolicy(canary=0, wave_size=5),
        hosts=hosts,
        waves=(),
    )
    lines = backout_summary(plan, "r1", hosts, {"sw1"}, short_id="abcd1234")
    assert (
        lines[1]
        == "Will back out 3 switches: restore the captured call-home block, deregistering 1 first: sw1, sw2, sw3"
    )
    assert lines[-1] == (
        "Registers back to the cloud, with their virtual account's cloud token, those of 2 former cloud switches "
        "that read back unregistered after the backout: sw1, sw3"
    )
    assert not any("cloud" in line for line in backout_summary(plan, "r1", hosts[1:2], set(), short_id="abcd1234"))
