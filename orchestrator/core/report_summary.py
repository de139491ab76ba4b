"""The numbers a report opens with: hosts per class, virtual account, wave, mode and outcome;
the distinct changes and how many hosts each concerns; what each host should look like after.
Pure: the same summary feeds report.html, report.md and the runbook."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from fleetreg.core.host_outcome import HostOutcome
from fleetreg.core.plan_model import HostPlan, Plan
from fleetreg.core.planner import plan_risks
from fleetreg.core.steps import STEP_CHANGES


@dataclass(frozen=True)
class ChangeCount:
    change: str
    hosts: int


@dataclass(frozen=True)
class Summary:
    total: int
    by_class: Mapping[str, int]
    by_va: Mapping[str, Mapping[str, int]]
    by_wave: Sequence[tuple[str, int, int]]  # (wave name, hosts, max failures)
    by_mode: Mapping[str, int]
    by_registered_to: Mapping[str, int]
    by_outcome: Mapping[str, int]
    changes: Sequence[ChangeCount]
    blocked_reasons: Mapping[str, int]
    risks: Mapping[str, int] = field(default_factory=dict)


def change_paths(commands: Iterable[str]) -> list[str]:
    """`call-home > profile "CiscoTAC-1" > no active` for each leaf command typed."""
    stack: list[str] = []
    leaves: list[str] = []
    previous_depth = -1
    pending: str | None = None
    for raw in commands:
        text = raw.strip()
        depth = len(raw) - len(raw.lstrip(" "))
        if text == "exit":
            continue
        if pending is not None and depth <= previous_depth:
            leaves.append(pending)
        stack = [*stack[:depth], text]
        pending = " > ".join(stack)
        previous_depth = depth
    if pending is not None:
        leaves.append(pending)
    return leaves


def summarise(plan: Plan, outcomes: Mapping[str, HostOutcome] | None = None) -> Summary:
    hosts = plan.hosts
    by_va: dict[str, Counter[str]] = {}
    for h in hosts:
        by_va.setdefault(h.virtual_account, Counter())[h.classification] += 1
    changes = Counter(path for h in hosts if h.is_actionable for path in set(change_paths(h.config_commands)))
    steps: Counter[str] = Counter(s.name for h in hosts if h.is_actionable for s in h.steps)
    for step, label in STEP_CHANGES.items():
        if steps[step]:
            changes[label] = steps[step]
    return Summary(
        total=len(hosts),
        by_class=dict(Counter(h.classification for h in hosts)),
        by_va={va: dict(c) for va, c in sorted(by_va.items())},
        by_wave=[(w.name, len(w.hosts), w.max_failures) for w in plan.waves],
        by_mode=dict(Counter(h.mode or "-" for h in hosts)),
        by_registered_to=dict(Counter(h.pre.registered_to if h.pre else "unknown" for h in hosts)),
        by_outcome=dict(Counter(o.outcome for o in (outcomes or {}).values())),
        changes=[ChangeCount(c, n) for c, n in changes.most_common()],
        blocked_reasons=dict(Counter(h.reason.split(":")[0] for h in hosts if h.classification == "blocked")),
        risks=plan_risks(hosts),
    )


def planned_state(h: HostPlan) -> str:
    if h.classification == "blocked":
        return "unchanged (blocked)"
    if h.classification == "already-migrated":
        return "unchanged (already on the satellite)"
    if h.mode == "cslu":
        return f"reports via cslu to {h.expected_url}"
    return f"REGISTERED/AUTHORIZED on the satellite, VA {h.virtual_account}"


def blocked_by_reason(hosts: Iterable[HostPlan]) -> list[tuple[str, list[str]]]:
    """Blocked hosts by the kind of reason (the text before its first colon), most first: how
    the runbook lists them (each host's full reason is in hosts.csv and report.html)."""
    by_reason: dict[str, list[str]] = {}
    for h in hosts:
        if h.classification == "blocked":
            by_reason.setdefault(h.reason.split(":")[0], []).append(h.name)
    return sorted(by_reason.items(), key=lambda item: -len(item[1]))
