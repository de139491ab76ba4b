"""Reports for a plan or an apply run, from the same data (core.report_view): report.html (one
self-contained page with static SVG charts), runbook.md (method of procedure), report.md and
hosts.csv. Rendering only; the caller writes the files."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from fleetreg.core.change_groups import change_groups
from fleetreg.core.change_groups import group_of as host_groups
from fleetreg.core.host_outcome import HostOutcome
from fleetreg.core.plan_model import Plan
from fleetreg.core.precheck_summary import precheck_problems, precheck_summary, precheck_word
from fleetreg.core.render import render
from fleetreg.core.report_summary import blocked_by_reason, planned_state
from fleetreg.core.report_view import ReportView, report_view
from fleetreg.core.run_timeline import RunRecord, utc_text
from fleetreg.core.wave_timing import duration_text
from fleetreg.shell.charts import draw


def _context(view: ReportView, **extra: Any) -> dict[str, Any]:
    return {
        "view": view,
        "plan": view.plan,
        "title": view.title,
        "summary": view.summary,
        "outcomes": view.outcomes,
        "waves": view.plan.waves,
        "duration": duration_text,
        "at": utc_text,
        "blocked_by_reason": blocked_by_reason,
        "prechecks": precheck_summary(view.plan.hosts),
        "precheck_word": precheck_word,
        "precheck_problems": precheck_problems,
        "cell": markdown_cell,
        **extra,
    }


def render_html(
    plan: Plan,
    outcomes: Mapping[str, HostOutcome] | None = None,
    *,
    title: str = "fleetreg plan",
    project_dir: Path | None = None,
    run: RunRecord | None = None,
    history: Iterable[tuple[str, float]] = (),
) -> str:
    view = report_view(plan, outcomes, title=title, run=run, history=history)
    charts = [draw(name, spec) for name, spec in view.charts.items()]
    return render("reports/report.html.j2", project_dir=project_dir, autoescape=True, **_context(view, charts=charts))


def render_runbook(
    plan: Plan, *, project_dir: Path | None = None, plan_digest: str = "", history: Iterable[tuple[str, float]] = ()
) -> str:
    view = report_view(plan, title="Runbook", history=history)
    return render("reports/runbook.md.j2", project_dir=project_dir, **_context(view, plan_digest=plan_digest))


def render_markdown(
    plan: Plan,
    outcomes: Mapping[str, HostOutcome] | None = None,
    *,
    title: str = "fleetreg report",
    project_dir: Path | None = None,
    run: RunRecord | None = None,
    history: Iterable[tuple[str, float]] = (),
) -> str:
    view = report_view(plan, outcomes, title=title, run=run, history=history)
    return render("reports/report.md.j2", project_dir=project_dir, **_context(view))


def markdown_cell(value: object) -> str:
    """Text for one cell of a Markdown table: a `|` or a line break a switch printed cannot
    open another cell or row."""
    return " ".join(str(value).split()).replace("|", "\\|")


CSV_COLUMNS = (
    "host",
    "hostname",
    "site",
    "virtual_account",
    "class",
    "reason",
    "mode",
    "wave",
    "change",
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
    "started_at",
    "finished_at",
    "duration_s",
    "after_registration_status",
    "after_authorization_status",
    "after_virtual_account",
    "after_transport",
    "after_url",
    "after_last_ack",
    "after_read_step",
    "after_read_at",
    "unsaved_changes",
    "prechecks",
    "precheck_problems",
)


def render_csv(plan: Plan, outcomes: Mapping[str, HostOutcome] | None = None) -> str:
    """One row per host in plan order. Times are UTC; the `after_*` columns are what the switch
    showed when the run last read it (`after_read_step`, `after_read_at`), `change` is the host's
    change group in the runbook."""
    group_of = host_groups(change_groups(plan))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for h in plan.hosts:
        o = (outcomes or {}).get(h.name)
        pre = h.pre
        after = o.after if o else None
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
                    group_of.get(h.name, ""),
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
                    utc_text(o.started_at) if o else "",
                    utc_text(o.finished_at) if o else "",
                    f"{o.duration_s:.1f}" if o and o.duration_s is not None else "",
                    (after.registration_status or "") if after else "",
                    (after.authorization_status or "") if after else "",
                    (after.virtual_account or "") if after else "",
                    (after.transport_type or "") if after else "",
                    (after.transport_url or "") if after else "",
                    (after.last_ack_received or "") if after else "",
                    after.step if after else "",
                    utc_text(after.read_at) if after else "",
                    "" if pre is None or pre.unsaved_changes is None else ("yes" if pre.unsaved_changes else "no"),
                    precheck_word(h),
                    " | ".join(precheck_problems(h)),
                ]
            )
        )
    return buffer.getvalue()


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cells: list[object]) -> list[object]:
    """Text a switch or the inventory wrote, made inert for spreadsheets: a cell starting like a
    formula (`=HYPERLINK(...)`, `+`, `-`, `@`) gets a leading apostrophe (OWASP's CSV advice)."""
    return [f"'{c}" if isinstance(c, str) and c.startswith(FORMULA_START) else c for c in cells]
