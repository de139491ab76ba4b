"""What a run is about to do, before it starts: the hosts a resume works on and each wave's
estimated duration, from the step times the runs folder's journal measured (fleetreg.core.wave_timing)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from fleetreg.core.plan_model import Plan
from fleetreg.core.wave_timing import StepTimes, step_times, wave_seconds
from fleetreg.services.apply import Session, open_journal
from fleetreg.shell.journal import TERMINAL_STATES
from fleetreg.shell.runfolder import find_run


def resume_targets(run: str, session: Session) -> tuple[str, set[str], dict[int, float]]:
    """Run `run`'s id, the hosts a resume works on (neither finished nor left out) and the
    estimates of their waves (this run's step times first), from one read of the journal."""
    run_dir = find_run(run, session.options.runs_dir)
    journal = open_journal(session.options.runs_dir)
    try:
        records = journal.hosts(run_dir.name)
        times = step_times(journal.step_durations())
    finally:
        journal.close()
    hosts = {host for host, record in records.items() if record.state not in TERMINAL_STATES}
    return run_dir.name, hosts, _estimates(session.plan, times, session.options.workers, hosts)


def wave_estimates(session: Session, hosts: Collection[str], run_id: str | None = None) -> dict[int, float]:
    """Seconds per wave number for `hosts`, from the step times measured in the runs folder's
    journal (this run's first, when resuming) and the defaults."""
    return plan_wave_estimates(session.plan, session.options.runs_dir, session.options.workers, hosts, run_id)


def plan_wave_estimates(
    plan: Plan, runs_dir: Path, workers: int, hosts: Collection[str] | None = None, run_id: str | None = None
) -> dict[int, float]:
    """Seconds per wave number (of `hosts`; None: every host of the plan), from the step times
    the runs folder's journal measured (this run's among them), else the defaults."""
    journal = open_journal(runs_dir)
    try:
        times = step_times(journal.step_durations())
    finally:
        journal.close()
    return _estimates(plan, times, workers, hosts)


def _estimates(plan: Plan, times: StepTimes, workers: int, hosts: Collection[str] | None) -> dict[int, float]:
    planned = plan.hosts_by_name()
    return {
        wave.number: wave_seconds([planned[h] for h in wave.hosts if hosts is None or h in hosts], times, workers)[0]
        for wave in plan.waves
    }
