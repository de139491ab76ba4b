"""`fleetreg apply`, `fleetreg backout`, `fleetreg report`: the change window verbs."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click
from fleetreg.cli.common import (
    CONNECT_TIMEOUT,
    KEEP_CONFIGS,
    KNOWN_HOSTS,
    PLACED_RUNS_DIR,
    PROJECT,
    SATELLITE_UNREACHABLE_OK,
    SECRETS_FILE,
    TRANSPORT,
    TYPEAHEAD,
    WORKERS,
    command_timeout,
    compose,
    host_progress,
    plan_inventory_source_options,
    print_risks,
    print_trust,
    stderr,
    stdout,
)
from fleetreg.core.errors import InputError
from fleetreg.core.outcomes import DONE_OUTCOMES, FINAL_OUTCOMES
from fleetreg.core.plan_model import Wave
from fleetreg.services.apply import (
    ApplyOptions,
    ApplyResult,
    apply_plan,
    backout_hosts,
    check_apply,
    check_resume,
    finish_counts,
    regenerate_reports,
    resume_apply,
)
from fleetreg.shell.runfolder import default_runs_dir
from fleetreg.shell.scheduler import WaveRunner
from rich.table import Table

FINAL_EVENTS = FINAL_OUTCOMES


@contextmanager
def graceful_interrupt() -> Iterator[Callable[[WaveRunner], None]]:
    """First Ctrl-C: finish the steps under way, start nothing new. Second: stop at once."""
    runners: list[WaveRunner] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if runners and not runners[0].stop_requested.is_set():
            stderr.print(
                "[yellow]Ctrl-C: finishing the steps under way, starting nothing new "
                "(Ctrl-C again to stop at once; resume with fleetreg apply --resume RUN)[/]"
            )
            runners[0].request_stop()
            return
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield runners.append
    finally:
        signal.signal(signal.SIGINT, previous)


def _confirm_factory(confirm_waves: bool, yes: bool) -> Callable[[Wave, int], bool] | None:
    if not confirm_waves or yes:
        return None
    if not sys.stdin.isatty():
        raise InputError("--confirm-waves needs a terminal to answer on; use --yes for unattended runs")

    def confirm(wave: Wave, count: int) -> bool:
        try:
            return click.confirm(
                f"Start {wave.name} ({count} hosts, halt when more than {wave.max_failures} fail)?", default=True
            )
        except click.exceptions.Abort:  # Ctrl-D / Ctrl-C at the prompt: the operator's stop, not a failure
            raise KeyboardInterrupt from None

    return confirm


def print_result(result: ApplyResult) -> None:
    table = Table(title=f"Run {result.run_dir.name}")
    table.add_column("outcome")
    table.add_column("hosts", justify="right")
    for outcome, count in sorted(finish_counts(result.outcomes).items()):
        table.add_row(outcome, str(count))
    stdout.print(table)
    for host, o in sorted(result.outcomes.items()):
        if o.outcome not in DONE_OUTCOMES:  # failed, backed out, drifted, pending-ack, interrupted, not run
            where = f" at {o.failed_step}" if o.failed_step else ""
            stdout.print(f"  {host}: {o.outcome}{where}: {o.reason or ''}", markup=False)  # the switch's words
    if result.halted:
        stdout.print(f"[red]{result.halted}[/]")
    if result.interrupted:
        stdout.print(f"[yellow]Interrupted. Resume with: fleetreg apply --resume {result.run_dir.name}[/]")
    stdout.print(f"Reports: {result.run_dir}/report.html, report.md, hosts.csv")


def _run_with_progress(total: int, label: str, call: Callable[..., ApplyResult]) -> ApplyResult:
    with host_progress(total, label) as done, graceful_interrupt() as on_runner:

        def on_event(host: str, event: str, text: str) -> None:
            if event in FINAL_EVENTS:
                done(host, event in DONE_OUTCOMES or event == "pending-ack")  # pending-ack: nothing failed

        return call(on_event=on_event, on_runner=on_runner)


with_common = compose(
    PLACED_RUNS_DIR,
    plan_inventory_source_options,
    PROJECT,
    click.option(
        "--plan-sha256",
        "plan_sha256",
        default=None,
        help="The plan's sha256 as signed off (printed by plan, in runbook.md): any other plan.json is refused.",
    ),
    SECRETS_FILE,
    WORKERS,
    CONNECT_TIMEOUT,
    command_timeout("read_timeout"),
    click.option(
        "--auto-backout/--no-auto-backout",
        default=True,
        show_default=True,
        help="Restore the call-home block of a host that fails after its config changed.",
    ),
    click.option(
        "--session-logs/--no-session-logs",
        default=True,
        show_default=True,
        help="Session log per host in the run folder (secrets masked; never a full config).",
    ),
    KEEP_CONFIGS,
    KNOWN_HOSTS,
    TRANSPORT,
    TYPEAHEAD,
    click.option(
        "--processes",
        type=click.IntRange(1, 64),
        default=1,
        show_default=True,
        help="Processes per wave (workers are split between them): one process runs its sessions "
        "on one core; more help only when fleetreg's own CPU is the limit.",
    ),
)


@click.command("apply")
@click.argument("plan", required=False, type=click.Path(path_type=Path))
@click.option("--resume", "resume_run", default=None, help="Continue an interrupted apply run (id or folder).")
@click.option("--confirm-waves", is_flag=True, help="Ask before each wave.")
@click.option("--yes", is_flag=True, help="Answer yes to every question (unattended runs).")
@SATELLITE_UNREACHABLE_OK
@with_common
def apply_command(
    plan: Path | None,
    resume_run: str | None,
    confirm_waves: bool,
    yes: bool,
    satellite_unreachable_ok: bool,
    **common: Any,
) -> None:
    """Execute a reviewed plan (plan.json or its run folder), wave by wave."""
    if (plan is None) == (resume_run is None):
        raise InputError("give either PLAN (a plan.json or plan run folder) or --resume RUN")
    common["runs_dir"] = default_runs_dir(plan or resume_run, common["runs_dir"])
    options = ApplyOptions(**common, satellite_unreachable_ok=satellite_unreachable_ok)
    confirm = _confirm_factory(confirm_waves, yes)
    # Check the input before any progress is shown: bad input ends in one error line.
    if resume_run:
        resumable = check_resume(resume_run, options)
        print_risks(resumable.plan.hosts)
        result = _run_with_progress(
            0, "resume", lambda **kw: resume_apply(resume_run, options, confirm=confirm, checked=resumable, **kw)
        )
    else:
        assert plan is not None
        checked = check_apply(plan, options)
        print_trust(checked.trust)
        print_risks(checked.plan.hosts)
        total = sum(1 for h in checked.plan.hosts if h.is_actionable)
        result = _run_with_progress(
            total, "apply", lambda **kw: apply_plan(plan, options, confirm=confirm, checked=checked, **kw)
        )
    print_result(result)
    if result.exit_code:
        raise click.exceptions.Exit(result.exit_code)


@click.command("backout")
@click.argument("run")
@click.option("--hosts", default=None, help="Only these hosts (comma-separated); default: every host the run changed.")
@with_common
def backout_command(
    run: str,
    hosts: str | None,
    **common: Any,
) -> None:
    """Restore the captured call-home block on hosts an apply run changed."""
    common["runs_dir"] = default_runs_dir(run, common["runs_dir"])
    options = ApplyOptions(**{**common, "auto_backout": True})
    names = [h.strip() for h in hosts.split(",") if h.strip()] if hosts else None
    with graceful_interrupt():
        result = backout_hosts(run, options, names)
    print_result(result)
    if any(o.outcome != "backed-out" for o in result.outcomes.values()):
        raise click.exceptions.Exit(1)


@click.command("report")
@click.argument("run")
@PLACED_RUNS_DIR
def report_command(run: str, runs_dir: Path | None) -> None:
    """Regenerate report.html, report.md and hosts.csv of an apply run from its journal."""
    run_dir, outcomes = regenerate_reports(run, default_runs_dir(run, runs_dir))
    counts = ", ".join(f"{n} {o}" for o, n in sorted(finish_counts(outcomes).items()))
    stdout.print(f"{run_dir}: {counts}\nReports: {run_dir}/report.html, report.md, hosts.csv")


def register(app: click.Group) -> None:
    app.add_command(apply_command)
    app.add_command(backout_command)
    app.add_command(report_command)
