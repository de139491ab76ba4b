"""What apply and backout are about to do, as lines for the operator to read before they type
the plan's short id: switches, waves (with their estimated durations), virtual accounts,
risks. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence

from fleetreg.core.events import took
from fleetreg.core.plan_model import HostPlan, Plan
from fleetreg.core.planner import plan_risks

SHOWN_HOSTS = 12  # names listed before "and N more"


def apply_summary(
    plan: Plan,
    acting_on: Collection[str],
    estimates: Mapping[int, float],
    *,
    short_id: str,
    verb: str = "migrate",
    narrowed: str | None = None,
) -> list[str]:
    """`acting_on`: the switches this run will work (a resume: those left; a narrowed apply:
    the selection); `estimates`: seconds per wave number."""
    hosts = [h for h in plan.hosts if h.name in acting_on]
    classes = Counter(h.classification for h in plan.hosts)
    lines = [f"Plan {plan.plan_id} (short id {short_id}), inventory {plan.inventory_dir}"]
    waves = [(w, [h for h in w.hosts if h in acting_on]) for w in plan.waves]
    waves = [(w, names) for w, names in waves if names]
    others = [f"{n} {c}" for c, n in sorted(classes.items()) if c not in ("to-migrate", "wrong-virtual-account")]
    context = [f"of {len(plan.hosts)} planned", *others, *([f"narrowed to {narrowed}"] if narrowed else [])]
    lines.append(f"Will {verb} {len(hosts)} switches in {len(waves)} waves ({'; '.join(context)}):")
    total = 0.0
    for wave, names in waves:
        estimate = estimates.get(wave.number, 0.0)
        total += estimate
        lines.append(
            f"  {wave.name:<8} {len(names):>5} switches  about {took(estimate):>7}  "
            f"halt when more than {wave.max_failures} fail: {names_text(names)}"
        )
    lines.append(f"  estimated: {took(total)} of waves, without soaks")
    lines.append("Virtual accounts: " + (virtual_accounts(hosts) or "none"))
    lines += risk_lines(hosts)
    return lines


def backout_summary(
    plan: Plan, run_id: str, hosts: Sequence[HostPlan], deregistered: Collection[str], *, short_id: str
) -> list[str]:
    lines = [
        f"Run {run_id} of plan {plan.plan_id} (short id {short_id})",
        f"Will back out {len(hosts)} switches: restore the captured call-home block"
        + (f", deregistering {len(deregistered)} first" if deregistered else "")
        + f": {names_text([h.name for h in hosts])}",
        "Virtual accounts: " + (virtual_accounts(hosts) or "none"),
    ]
    if cloud := [h.name for h in hosts if h.cloud_token_ref]:
        lines.append(
            "Registers back to the cloud, with their virtual account's cloud token, those of "
            f"{len(cloud)} former cloud switches that read back unregistered after the backout: {names_text(cloud)}"
        )
    return lines


def virtual_accounts(hosts: Sequence[HostPlan]) -> str:
    counts = Counter(h.virtual_account for h in hosts)
    return ", ".join(f"{va} ({n})" for va, n in sorted(counts.items()))


def risk_lines(hosts: Sequence[HostPlan]) -> list[str]:
    return [f"Risk: {risk} ({n} host{'' if n == 1 else 's'})" for risk, n in plan_risks(hosts).items()]


def names_text(names: Sequence[str]) -> str:
    shown = ", ".join(names[:SHOWN_HOSTS])
    return shown + (f" and {len(names) - SHOWN_HOSTS} more" if len(names) > SHOWN_HOSTS else "")
