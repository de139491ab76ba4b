"""`fleetreg verify`: read-only post-check of the hosts a plan covers, at any time after a
change window. Same checks as apply's verify step (host_flow.verify_problems)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nornir.core import Nornir
from nornir.core.task import Task

from orchestrator.discovery import ProgressProcessor
from orchestrator.errors import DeviceError, FleetregError
from orchestrator.host_flow import verify_problems
from orchestrator.plan_model import HostPlan, Plan
from tasks.verify import verify


@dataclass(frozen=True)
class Verdict:
    host: str
    ok: bool
    problems: tuple[str, ...]
    registration: str | None = None
    virtual_account: str | None = None


def expected_hosts(plan: Plan) -> list[HostPlan]:
    """Hosts that should be on the satellite after the window: planned or already there."""
    return [h for h in plan.hosts if h.classification != "blocked" and h.mode is not None]


def verify_hosts(
    nr: Nornir, plan: Plan, *, read_timeout: float = 30, on_host_done: Callable[[str, bool], None] | None = None
) -> list[Verdict]:
    hosts = {h.name: h for h in expected_hosts(plan)}
    selected = nr.filter(filter_func=lambda h: h.name in hosts)
    runner = selected.with_processors([ProgressProcessor(on_host_done)]) if on_host_done else selected
    results = runner.run(task=_verify_one, plans=hosts, read_timeout=read_timeout, on_failed=True)
    selected.close_connections(on_good=True, on_failed=True)
    verdicts = []
    for name in sorted(hosts):
        multi = results[name]
        if multi.failed:
            exc = multi[0].exception
            reason = exc.one_line() if isinstance(exc, FleetregError) else f"{type(exc).__name__}"
            if isinstance(exc, DeviceError):
                reason = f"{exc.reason}: {exc.message}"
            verdicts.append(Verdict(name, False, (reason,)))
            continue
        raw, status, callhome = multi[0].result
        problems = tuple(verify_problems(hosts[name], status, callhome))
        verdicts.append(Verdict(name, not problems, problems, status.registration_status, status.virtual_account))
    return verdicts


def _verify_one(task: Task, plans: dict[str, HostPlan], read_timeout: float) -> Any:
    plan = plans[task.host.name]
    return verify(task, mode=plan.mode or "callhome", read_timeout=read_timeout).result
