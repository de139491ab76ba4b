"""`fleetreg backout RUN`: restore the captured call-home block on the switches an apply run
changed, on demand. Checked first (`check_backout`: the run, its plan verified whole, the hosts
it changed), so the CLI can show what it will do and ask before anything is touched."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from fleetreg.core.errors import InputError, RunFolderError
from fleetreg.core.host_flow import HostFlow
from fleetreg.core.plan_model import HostPlan, Wave
from fleetreg.core.steps import ROLLBACK_STEPS
from fleetreg.services.apply import (
    ApplyOptions,
    ApplyResult,
    Session,
    finish_counts,
    lease_run,
    open_journal,
    own_failures,
    write_run_reports,
)
from fleetreg.services.run_events import RunEvents
from fleetreg.shell.journal import HostRecord, Journal
from fleetreg.shell.lease import LOCK_FILE, Leases, plan_key, run_key, switch_keys
from fleetreg.shell.plan_store import PLAN_FILE, load_plan
from fleetreg.shell.runfolder import find_run
from fleetreg.shell.scheduler import EventSink, WaveRunner


@dataclass
class BackoutCheck:
    """What `fleetreg backout` will do, checked before it asks or touches anything."""

    run_dir: Path
    session: Session
    hosts: tuple[HostPlan, ...]  # the hosts whose change will be backed out
    registered: frozenset[str]  # those deregistered first


def run_host_names(run: str, options: ApplyOptions) -> list[str]:
    """The hosts of run `run`, as its journal lists them."""
    run_dir = find_run(run, options.runs_dir)
    journal = open_journal(options.runs_dir)
    try:
        return sorted(journal.hosts(run_dir.name))
    finally:
        journal.close()


def check_backout(run: str, options: ApplyOptions, hosts: Sequence[str] | None = None) -> BackoutCheck:
    """The run, its plan verified, and the hosts it changed among `hosts` (names; None: all)."""
    run_dir = find_run(run, options.runs_dir)
    journal = open_journal(options.runs_dir)
    try:
        if journal.run_info(run_dir.name) is None:
            raise RunFolderError("not a run in the journal", file=str(run_dir))
        plan = load_plan(run_dir / PLAN_FILE)
        Leases(journal, "backout").peek(
            [run_key(run_dir.name), plan_key(plan.plan_id), *switch_keys(plan)],
            resuming=run_dir.name,
            lock=run_dir / LOCK_FILE,
        )
        records = journal.hosts(run_dir.name)
        rolling_back = _rollback_cut_short(journal, run_dir.name, records)
    finally:
        journal.close()
    if hosts:
        unknown = sorted(set(hosts) - set(records))
        if unknown:
            raise InputError(f"host {unknown[0]!r} is not part of run {run_dir.name}", field="--hosts")
    session = Session(run_dir / PLAN_FILE, options)
    selected = tuple(
        h
        for h in session.plan.hosts
        if h.is_actionable
        and (not hosts or h.name in hosts)
        and h.name in records
        and (records[h.name].config_changed or records[h.name].state == "migrated" or h.name in rolling_back)
    )
    registered = frozenset(h.name for h in selected if records[h.name].registered and h.mode == "callhome")
    return BackoutCheck(run_dir, session, selected, registered)


def _rollback_cut_short(journal: Journal, run_id: str, records: Mapping[str, HostRecord]) -> set[str]:
    """Hosts whose rollback after the backout (registering back to the cloud) was stopped or
    killed: their config is restored, so the journal no longer says 'changed', yet the rollback is
    not done. A backout takes them (the backout repeats, then the cloud registration)."""
    cut_short = set()
    for name, record in records.items():
        if record.state == "interrupted":
            step = record.failed_step
        elif record.state == "running":
            step = journal.interrupted_step(run_id, name)
        else:
            continue
        if step in ROLLBACK_STEPS:
            cut_short.add(name)
    return cut_short


def _backout_flow(session: Session, host: HostPlan, registered: bool) -> HostFlow:
    settings = session.inventory.by_name(host.name).settings
    return HostFlow.for_backout(
        host,
        registered=registered,
        reason="backed out on demand",
        poll_interval_s=settings.poll_interval_s,
        register_timeout_s=settings.register_timeout_s,
    )


def backout_hosts(
    run: str,
    options: ApplyOptions,
    hosts: Sequence[str] | None = None,
    on_event: EventSink | None = None,
    *,
    checked: BackoutCheck | None = None,
    on_runner: Callable[[WaveRunner], None] | None = None,
) -> ApplyResult:
    """`fleetreg backout RUN`: restore the pre-change call-home block on hosts this run changed.
    `checked`: what `check_backout` returned (not checked again)."""
    check = checked or check_backout(run, options, hosts)
    run_dir = check.run_dir
    journal = open_journal(options.runs_dir)
    leases = Leases(journal, "backout")
    try:
        lease_run(leases, run_dir, check.session.plan)
        session, plan = check.session, check.session.plan
        flows = {h.name: _backout_flow(session, h, h.name in check.registered) for h in check.hosts}
        started = time.monotonic()
        with own_failures(run_dir.name, session.redactor):
            events = RunEvents(run_dir.name, plan, journal, redactor=session.redactor, on_event=on_event)
            events.run_started("backout", len(flows), 1, f"plan {plan.plan_id} ({session.short_id})")
            journal.set_run_status(run_dir.name, "backout")
            runner = session.runner(journal, run_dir.name, run_dir, list(flows), events.host_event)
            if on_runner:
                on_runner(runner)
            runner.run_wave(Wave(number=-1, name="backout", hosts=tuple(flows), max_failures=len(flows)), flows)
            interrupted = runner.stop_requested.is_set()
            journal.set_run_status(run_dir.name, "interrupted" if interrupted else "finished")
            outcomes = write_run_reports(run_dir, journal, run_dir.name, plan, redactor=session.redactor)
        result = ApplyResult(run_dir, {h: outcomes[h] for h in flows}, interrupted=interrupted)
        counts = finish_counts(result.outcomes)
        events.run_finished(
            f"backout {result.status}", counts, int(result.backout_exit_code), time.monotonic() - started
        )
        return result
    finally:
        leases.release()
        journal.close()
