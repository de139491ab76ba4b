"""Reports for a plan or an apply run, from the same data: report.html (one self-contained
page), runbook.md (method of procedure), report.md and hosts.csv. Pure rendering; the caller
writes the files."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fleetreg.core.plan_model import HostPlan, Plan
from fleetreg.core.planner import plan_risks
from fleetreg.core.render import render
from fleetreg.core.steps import STEP_CHANGES


@dataclass(frozen=True)
class HostOutcome:
    """What apply did to one host (absent for a plan-only report)."""

    outcome: str  # migrated, already-migrated, failed, backed-out, skipped, drifted, not-run
    failed_step: str | None = None
    reason: str | None = None
    duration_s: float | None = None
    before_status: str | None = None  # raw `show license status`, before
    after_status: str | None = None  # raw `show license status`, after
    details: tuple[str, ...] = ()


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


def _context(plan: Plan, outcomes: Mapping[str, HostOutcome] | None, title: str) -> dict[str, Any]:
    by_name = plan.hosts_by_name()
    return {
        "plan": plan,
        "title": title,
        "summary": summarise(plan, outcomes),
        "outcomes": outcomes or {},
        "waves": plan.waves,
        "hosts_by_wave": {w.number: [by_name[n] for n in w.hosts] for w in plan.waves},
        "not_in_waves": [h for h in plan.hosts if h.wave is None],
    }


def render_html(
    plan: Plan,
    outcomes: Mapping[str, HostOutcome] | None = None,
    *,
    title: str = "fleetreg plan",
    project_dir: Path | None = None,
) -> str:
    return render("reports/report.html.j2", project_dir=project_dir, autoescape=True, **_context(plan, outcomes, title))


def render_runbook(plan: Plan, *, project_dir: Path | None = None, plan_digest: str = "") -> str:
    context = _context(plan, None, "Runbook")
    return render("reports/runbook.md.j2", project_dir=project_dir, plan_digest=plan_digest, **context)


def render_markdown(
    plan: Plan,
    outcomes: Mapping[str, HostOutcome] | None = None,
    *,
    title: str = "fleetreg report",
    project_dir: Path | None = None,
) -> str:
    return render("reports/report.md.j2", project_dir=project_dir, **_context(plan, outcomes, title))


CSV_COLUMNS = (
    "host",
    "hostname",
    "site",
    "virtual_account",
    "class",
    "reason",
    "mode",
    "wave",
    "registered_to",
    "registration_status",
    "authorization_status",
    "current_virtual_account",
    "version",
    "model",
    "serial",
    "planned_state",
    "outcome",
    "failed_step",
    "outcome_reason",
    "duration_s",
    "unsaved_changes",
)


def planned_state(h: HostPlan) -> str:
    if h.classification == "blocked":
        return "unchanged (blocked)"
    if h.classification == "already-migrated":
        return "unchanged (already on the satellite)"
    if h.mode == "cslu":
        return f"reports via cslu to {h.expected_url}"
    return f"REGISTERED/AUTHORIZED on the satellite, VA {h.virtual_account}"


def render_csv(plan: Plan, outcomes: Mapping[str, HostOutcome] | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for h in plan.hosts:
        o = (outcomes or {}).get(h.name)
        pre = h.pre
        writer.writerow(
            spreadsheet_safe(
                [
                    h.name,
                    h.hostname,
                    h.site or "",
                    h.virtual_account,
                    h.classification,
                    h.reason,
                    h.mode or "",
                    "" if h.wave is None else h.wave,
                    pre.registered_to if pre else "",
                    pre.registration_status if pre else "",
                    pre.authorization_status if pre else "",
                    pre.virtual_account if pre else "",
                    pre.version if pre else "",
                    pre.model if pre else "",
                    pre.serial if pre else "",
                    planned_state(h),
                    o.outcome if o else "",
                    (o.failed_step or "") if o else "",
                    (o.reason or "") if o else "",
                    f"{o.duration_s:.1f}" if o and o.duration_s is not None else "",
                    "" if pre is None or pre.unsaved_changes is None else ("yes" if pre.unsaved_changes else "no"),
                ]
            )
        )
    return buffer.getvalue()


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cells: list[object]) -> list[object]:
    """Text a switch or the inventory wrote, made inert for spreadsheets: a cell starting like a
    formula (`=HYPERLINK(...)`, `+`, `-`, `@`) gets a leading apostrophe (OWASP's CSV advice)."""
    return [f"'{c}" if isinstance(c, str) and c.startswith(FORMULA_START) else c for c in cells]
