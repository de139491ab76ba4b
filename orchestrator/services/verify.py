"""`fleetreg verify`: read-only post-check of the hosts a plan covers, at any time after a
change window. Same checks as apply's verify step (host_flow.verify_problems)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fleetreg.core.errors import DeviceError, FleetregError
from fleetreg.core.host_flow import verify_problems
from fleetreg.core.inventory_model import Inventory
from fleetreg.core.licenses import MigratedSwitch, satellite_postcheck
from fleetreg.core.plan_model import HostPlan, Plan
from fleetreg.core.settings import SatelliteApiSettings
from fleetreg.services.satellite import client_from_settings, devices_by_virtual_account
from fleetreg.shell.fanout import run_on_hosts
from fleetreg.tasks.verify import verify
from nornir.core import Nornir


@dataclass(frozen=True)
class Verdict:
    host: str
    ok: bool
    problems: tuple[str, ...]
    registration: str | None = None
    virtual_account: str | None = None


def satellite_problems(
    inventory: Inventory, hosts: Sequence[HostPlan], *, secrets_file: Path | None = None
) -> dict[str, str]:
    """Switches registered by call-home that the satellite's API does not list in their planned
    virtual account (or lists with another PID / host name) -> problem. Hosts whose settings
    have no `satellite_api` are not checked."""
    by_api: dict[str, tuple[SatelliteApiSettings, list[MigratedSwitch]]] = {}
    for host in hosts:
        api = inventory.by_name(host.name).settings.satellite_api
        if api is None or host.mode != "callhome" or host.pre is None:
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
    nr: Nornir, plan: Plan, *, read_timeout: float = 30, on_host_done: Callable[[str, bool], None] | None = None
) -> list[Verdict]:
    hosts = {h.name: h for h in expected_hosts(plan)}

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
