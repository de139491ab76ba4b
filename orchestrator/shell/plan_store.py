"""Reading and writing plan run folders: plan.json plus the reports made from it."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path

from fleetreg.core.errors import PlanFileError
from fleetreg.core.plan_model import PLAN_FORMAT, Plan
from fleetreg.shell.journal import JOURNAL_FILE, Journal
from fleetreg.shell.reports import render_csv, render_html, render_markdown, render_runbook
from fleetreg.shell.runfolder import write_private
from pydantic import ValidationError

PLAN_FILE = "plan.json"


def plan_file(path: Path) -> Path:
    """plan.json, named directly or by the run folder holding it."""
    return path / PLAN_FILE if path.is_dir() else path


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_plan_run(run_dir: Path, plan: Plan, *, project_dir: Path | None = None) -> str:
    """plan.json and its reports; plan.json's sha256 goes to the journal of the runs folder and
    into the runbook (the change board signs it off; `apply --plan-sha256` checks it). Returns it."""
    text = plan.model_dump_json(indent=2) + "\n"
    digest = digest_of(text.encode())
    write_private(run_dir / PLAN_FILE, text)
    journal = Journal(run_dir.parent / JOURNAL_FILE)
    try:
        journal.record_plan(plan.plan_id, digest)
        history = journal.step_durations()  # earlier runs' step times: the waves' estimates
    finally:
        journal.close()
    title = "fleetreg plan"
    write_private(run_dir / "report.html", render_html(plan, title=title, project_dir=project_dir, history=history))
    write_private(
        run_dir / "runbook.md", render_runbook(plan, project_dir=project_dir, plan_digest=digest, history=history)
    )
    write_private(run_dir / "report.md", render_markdown(plan, title=title, project_dir=project_dir, history=history))
    write_private(run_dir / "hosts.csv", render_csv(plan))
    return digest


def load_plan(path: Path) -> Plan:
    """plan.json (or a run folder holding one), validated; one-line errors for anything else."""
    path = plan_file(path)
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


def recorded_digest(path: Path, plan_id: str) -> str | None:
    """The digest `fleetreg plan` recorded for `plan_id` in the journal of the runs folder that
    holds this plan file's folder (None: no journal there, or no record)."""
    journal_file = plan_file(path).resolve().parent.parent / JOURNAL_FILE
    if not journal_file.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"{journal_file.as_uri()}?mode=ro", uri=True)) as db:
            row = db.execute("SELECT digest FROM plans WHERE plan_id=?", (plan_id,)).fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def current_digest(path: Path) -> str:
    try:
        return digest_of(plan_file(path).read_bytes())
    except OSError as exc:
        raise PlanFileError(f"cannot read plan file: {exc.strerror or exc}", file=str(plan_file(path))) from None
