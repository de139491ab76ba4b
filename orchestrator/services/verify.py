"""`fleetreg verify`: read-only post-check of the hosts a plan covers, at any time after a
change window. Same checks as apply's verify step (host_flow.verify_problems)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fleetreg.core.errors import DeviceError, FleetregError
from fleetreg.core.host_flow import NO_ACK, verify_problems
from fleetreg.core.inventory_model import Inventory
from fleetreg.core.licenses import MigratedSwitch, satellite_postcheck
from fleetreg.core.plan_model import HostPlan, Plan
from fleetreg.core.settings import SatelliteApiSettings
from fleetreg.services.satellite import client_from_settings, devices_by_virtual_account
from fleetreg.shell.fanout import run_on_hosts
from fleetreg.shell.journal import Journal
from fleetreg.tasks.verify import verify
from nornir.core import Nornir


@dataclass(frozen=True)
class Verdict:
    host: str
    ok: bool
    problems: tuple[str, ...]
    registration: str | None = None
    virtual_account: str | None = None
    pending: bool = False  # SLP: reports as planned, its ACK not come yet (and not overdue)


def satellite_problems(
    inventory: Inventory, hosts: Sequence[HostPlan], *, secrets_file: Path | None = None
) -> dict[str, str]:
    """Migrated switches (call-home registered, or SLP reporting) that the satellite's API does
    not list in their planned virtual account (or lists with another PID / host name) -> problem
    naming the virtual account found. Hosts whose settings have no `satellite_api` are not checked."""
    by_api: dict[str, tuple[SatelliteApiSettings, list[MigratedSwitch]]] = {}
    for host in hosts:
        api = inventory.by_name(host.name).settings.satellite_api
        if api is None or host.mode is None or host.pre is None:
            continue
        switch = MigratedSwitch(host.name, host.pre.serial or "", host.pre.model or "", host.name, host.virtual_account)
        by_api.setdefault(api.model_dump_json(), (api, []))[1].append(switch)
    problems: dict[str, str] = {}
    for api, switches in by_api.values():
        with client_from_settings(api, secrets_file=secrets_file) as client:
            problems.update(satellite_postcheck(switches, devices_by_virtual_account(client)))
    return problems


def expected_hosts(plan: Plan) -> list[HostPlan]:
    """Hosts that should be on the satellite after the window: planned or already there."""
    return [h for h in plan.hosts if h.classification != "blocked" and h.mode is not None]


def verify_hosts(
    nr: Nornir,
    plan: Plan,
    *,
    read_timeout: float = 30,
    on_host_done: Callable[[str, bool], None] | None = None,
    only: Collection[str] | None = None,
) -> list[Verdict]:
    """Each host the plan expects on the satellite (`only`: those of them named) checked read-only."""
    hosts = {h.name: h for h in expected_hosts(plan) if only is None or h.name in only}

    results: dict[str, Any] = {}
    for mode in ("callhome", "cslu"):  # one Nornir run per mode: the task's parameters are per run
        names = [
            name for name, plan in hosts.items() if (plan.mode or "callhome") == mode and name in nr.inventory.hosts
        ]
        if names:
            results |= run_on_hosts(
                nr, names, verify, name="verify", on_host_done=on_host_done, mode=mode, read_timeout=read_timeout
            )
    verdicts = []
    for name in sorted(hosts):
        result = results.get(name)
        if result is None or isinstance(result, FleetregError):
            reason = result.one_line() if result is not None else "not in the inventory"
            if isinstance(result, DeviceError):
                reason = f"{result.reason}: {result.message}"
            verdicts.append(Verdict(name, False, (reason,)))
            continue
        _raw, status, callhome = result
        problems = tuple(verify_problems(hosts[name], status, callhome))
        verdicts.append(Verdict(name, not problems, problems, status.registration_status, status.virtual_account))
    return verdicts


PROMOTED = "ACK received: promoted by fleetreg verify"


def judge_pending_acks(
    verdicts: Sequence[Verdict], waiting_since: Mapping[str, float], overdue_after_s: Mapping[str, float], now: float
) -> list[Verdict]:
    """Verdicts of hosts an apply run left `pending-ack` (`waiting_since`: when): one whose only
    problem is the missing ACK is still pending until `overdue_after_s` has passed, then overdue."""
    judged = []
    for verdict in verdicts:
        since = waiting_since.get(verdict.host)
        if since is not None and verdict.problems == (NO_ACK,):
            limit = overdue_after_s.get(verdict.host, 86400.0)
            if now - since < limit:
                verdict = replace(verdict, pending=True, problems=(f"pending-ack: no ACK yet ({_age(now - since)})",))
            else:
                verdict = replace(verdict, problems=(f"ACK overdue: none {_age(now - since)} after the change",))
        judged.append(verdict)
    return judged


def _age(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def promote_acknowledged(journal: Journal, run_id: str, verdicts: Sequence[Verdict]) -> list[str]:
    """Hosts the run left pending-ack whose ACK has come (their verdict is ok) become migrated
    in the run's journal. Returns them."""
    pending = {name for name, record in journal.hosts(run_id).items() if record.state == "pending-ack"}
    promoted = [v.host for v in verdicts if v.ok and v.host in pending]
    with journal.batch():
        for host in promoted:
            journal.host_finished(run_id, host, "migrated", reason=PROMOTED)
    return promoted
