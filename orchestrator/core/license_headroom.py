"""License headroom per virtual account: the plan's pre-flight numbers (read from the
satellite's API at plan time), and what is left after the change, planned or done."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fleetreg.core.plan_model import Plan
from fleetreg.core.planner import takes_a_license


@dataclass(frozen=True)
class Headroom:
    virtual_account: str
    available: int  # licenses available in the VA when the plan was made
    registering: int  # switches planned to take a license in it (register, or SLP's first report; not blocked)
    blocked: int  # switches blocked for lack of licenses
    registered: int | None  # switches this run moved into it (None: a plan, nothing run)

    @property
    def left_planned(self) -> int:
        return self.available - self.registering

    @property
    def left(self) -> int:
        """Available after the change: as run when there is a run, else as planned."""
        return self.available - (self.registered if self.registered is not None else self.registering)


def headroom(plan: Plan, outcomes: Mapping[str, str] | None = None) -> list[Headroom]:
    """One row per virtual account of the plan's license pre-flight (empty without the API).
    `outcomes` (host -> outcome) counts the switches a run moved there: migrated, or reporting
    there and waiting for the ACK (pending-ack)."""
    registered: dict[str, int] = {}
    if outcomes is not None:
        for host in plan.hosts:
            if takes_a_license(host) and outcomes.get(host.name) in ("migrated", "pending-ack"):
                registered[host.virtual_account] = registered.get(host.virtual_account, 0) + 1
    return [
        Headroom(
            virtual_account=c.virtual_account,
            available=c.available,
            registering=c.planned - c.blocked,
            blocked=c.blocked,
            registered=None if outcomes is None else registered.get(c.virtual_account, 0),
        )
        for c in plan.licenses
    ]
