"""A HostPlan for pure tests: a switch to migrate with the named steps (core tests build plans
without discovery)."""

from __future__ import annotations

from typing import Any

from fleetreg.core.plan_model import HostPlan, Step


def host_plan(name: str, *steps: str, **fields: Any) -> HostPlan:
    """`name` to migrate through `steps` (titles are the names); `fields` override the rest."""
    base: dict[str, Any] = {
        "name": name,
        "hostname": "192.0.2.1",
        "port": 22,
        "site": None,
        "virtual_account": "VA",
        "token_ref": None,
        "classification": "to-migrate",
        "reason": "",
        "steps": tuple(Step(name=s, title=s) for s in steps),
    }
    return HostPlan(**{**base, **fields})
