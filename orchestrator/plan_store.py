"""Reading and writing plan run folders: plan.json plus the reports made from it."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from orchestrator.errors import PlanFileError
from orchestrator.plan_model import PLAN_FORMAT, Plan
from orchestrator.report import render_csv, render_html, render_markdown, render_runbook
from orchestrator.runfolder import write_private

PLAN_FILE = "plan.json"


def write_plan_run(run_dir: Path, plan: Plan, *, project_dir: Path | None = None) -> None:
    write_private(run_dir / PLAN_FILE, plan.model_dump_json(indent=2) + "\n")
    write_private(run_dir / "report.html", render_html(plan, title="fleetreg plan", project_dir=project_dir))
    write_private(run_dir / "runbook.md", render_runbook(plan, project_dir=project_dir))
    write_private(run_dir / "report.md", render_markdown(plan, title="fleetreg plan", project_dir=project_dir))
    write_private(run_dir / "hosts.csv", render_csv(plan))


def load_plan(path: Path) -> Plan:
    """plan.json (or a run folder holding one), validated; one-line errors for anything else."""
    if path.is_dir():
        path = path / PLAN_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanFileError("plan file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError(f"cannot read plan file: {exc}", file=str(path)) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            f"not valid JSON (truncated or edited?): {exc.msg}", file=str(path), line=exc.lineno
        ) from None
    if not isinstance(raw, dict) or raw.get("format") != PLAN_FORMAT:
        raise PlanFileError(f"not a fleetreg plan of format {PLAN_FORMAT}", file=str(path), field="format")
    try:
        return Plan.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PlanFileError(f"invalid plan: {first['msg']}", file=str(path), field=where) from None
