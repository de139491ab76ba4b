"""License headroom per virtual account, planned and after a run."""

from __future__ import annotations

from pathlib import Path

from fleetreg.core.license_headroom import headroom
from report_fleet import CORPORATE, PUBLIC, mixed_fleet_plan


def test_headroom_as_planned_then_as_run(samples: Path) -> None:
    plan = mixed_fleet_plan(samples, 100)
    planned = {r.virtual_account: r for r in headroom(plan)}
    public = planned[PUBLIC]
    assert public.available == 20 and public.registering == 20 and public.blocked > 0 and public.left_planned == 0
    assert public.registered is None and public.left == public.left_planned
    corporate_hosts = [
        h.name for h in plan.hosts if h.virtual_account == CORPORATE and h.is_actionable and h.mode == "callhome"
    ]
    outcomes = {name: "migrated" for name in corporate_hosts[1:]} | {corporate_hosts[0]: "backed-out"}
    ran = {r.virtual_account: r for r in headroom(plan, outcomes)}
    assert ran[CORPORATE].registered == len(corporate_hosts) - 1
    assert ran[CORPORATE].left == ran[CORPORATE].available - len(corporate_hosts) + 1
    assert ran[PUBLIC].registered == 0


def test_no_satellite_api_no_headroom(samples: Path) -> None:
    assert headroom(mixed_fleet_plan(samples, 20, licenses=False)) == []
