"""The per-host state machine's pure helpers (the runner drives the rest end to end)."""

from __future__ import annotations

from fleetreg.core.host_flow import longest_wait_first
from fleetreg.core.plan_model import HostPlan, Step


def _plan(name: str, *steps: str) -> HostPlan:
    return HostPlan(
        name=name,
        hostname="127.0.0.1",
        port=22,
        site=None,
        virtual_account="VA",
        token_ref=None,
        classification="to-migrate",
        reason="",
        steps=tuple(Step(name=s, title=s) for s in steps),  # type: ignore[arg-type]
    )


def test_hosts_that_register_start_before_hosts_that_only_sync_or_do_not_wait() -> None:
    sync_only = _plan("sw1", "configure", "sync", "wait_ack", "verify")
    no_wait = _plan("sw2", "configure", "verify")
    register_a = _plan("sw3", "configure", "register", "wait_registered", "verify")
    register_b = _plan("sw4", "configure", "register", "wait_registered", "verify")
    order = longest_wait_first([sync_only, no_wait, register_a, register_b])
    assert [p.name for p in order] == ["sw3", "sw4", "sw1", "sw2"]  # plan order kept within a kind


def test_a_host_without_steps_goes_last() -> None:
    assert [p.name for p in longest_wait_first([_plan("a"), _plan("b", "wait_ack")])] == ["b", "a"]
