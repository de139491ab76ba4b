"""The reports of an apply run (report.html, report.md, hosts.csv), from the journal and the run
folder: each host's outcome, its times, the state read back from it after the change (kept by
the runner in status/<host>.after.txt, parsed here) and the run's timings for waves and charts."""

from __future__ import annotations

from pathlib import Path

from fleetreg.core.host_outcome import READ_BACK_STEPS, HostOutcome, read_back
from fleetreg.core.host_paths import host_file
from fleetreg.core.plan_model import Plan
from fleetreg.core.redact import Redactor
from fleetreg.core.run_timeline import HostTiming, RunRecord, StepTiming
from fleetreg.shell.journal import Journal, StepRecord
from fleetreg.shell.reports import render_csv, render_html, render_markdown
from fleetreg.shell.runfolder import write_private


def run_outcomes(run_dir: Path, journal: Journal, run_id: str, plan: Plan) -> dict[str, HostOutcome]:
    records = journal.hosts(run_id)
    steps_by_host: dict[str, list[str]] = {}
    read_back_step: dict[str, StepRecord] = {}  # the last step that read the switch's state after
    for step in journal.steps(run_id):
        took = f" {step.finished_at - step.started_at:.1f}s" if step.finished_at else ""
        text = f"{step.step}: {step.status}{took}" + (f" — {step.detail}" if step.detail else "")
        steps_by_host.setdefault(step.host, []).append(text)
        if step.step in READ_BACK_STEPS and step.finished_at is not None:
            read_back_step[step.host] = step
    outcomes = {}
    for host in plan.hosts:
        record = records.get(host.name)
        if record is None:
            continue
        state = "not-run" if record.state in ("pending", "running") else record.state
        after_status = _read(host_file(run_dir / "status", host.name, ".after.txt"))
        reader = read_back_step.get(host.name)
        outcomes[host.name] = HostOutcome(
            outcome=state,
            failed_step=record.failed_step if state in ("failed", "backed-out", "drifted", "interrupted") else None,
            reason=record.reason,
            duration_s=record.duration_s,
            before_status=_read(host_file(run_dir / "status", host.name, ".before.txt")),
            after_status=after_status,
            details=tuple(steps_by_host.get(host.name, ())),
            started_at=record.started_at,
            finished_at=record.finished_at,
            after=None
            if after_status is None
            else read_back(
                after_status,
                step=reader.step if reader else "verify",
                read_at=reader.finished_at if reader else None,
            ),
        )
    return outcomes


def run_record(journal: Journal, run_id: str) -> RunRecord | None:
    """The run's timings from the journal, for the reports' waves, timeline and estimates."""
    info = journal.run_info(run_id)
    if info is None:
        return None
    workers = info["options"].get("workers")
    return RunRecord(
        run_id=run_id,
        started_at=info["started_at"],
        finished_at=info["finished_at"],
        workers=workers if isinstance(workers, int) else None,
        hosts=tuple(
            HostTiming(r.host, r.wave, r.state, r.started_at, r.finished_at) for r in journal.hosts(run_id).values()
        ),
        steps=tuple(StepTiming(s.host, s.step, s.status, s.started_at, s.finished_at) for s in journal.steps(run_id)),
    )


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


def write_run_reports(
    run_dir: Path, journal: Journal, run_id: str, plan: Plan, redactor: Redactor | None = None
) -> dict[str, HostOutcome]:
    outcomes = run_outcomes(run_dir, journal, run_id, plan)
    scrub = redactor or Redactor()
    info = journal.run_info(run_id) or {}
    selection = (info.get("options") or {}).get("selection")
    selected = len((info.get("options") or {}).get("selected") or ())
    narrowed = f" (narrowed to {selected} of {len(plan.hosts)} switches: {selection})" if selection else ""
    title = f"fleetreg apply {run_id}{narrowed}"
    run = run_record(journal, run_id)
    write_private(run_dir / "report.html", scrub(render_html(plan, outcomes, title=title, run=run)) or "")
    write_private(run_dir / "report.md", scrub(render_markdown(plan, outcomes, title=title, run=run)) or "")
    write_private(run_dir / "hosts.csv", scrub(render_csv(plan, outcomes)) or "")
    return outcomes
