"""`fleetreg apply`, `fleetreg backout`, `fleetreg report`: the change window verbs."""

from __future__ import annotations

import signal
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
    Targets,
    command_timeout,
    compose,
    host_progress,
    plan_inventory_source_options,
    print_trust,
    stderr,
    stdout,
    target_options,
)
from fleetreg.cli.guards import confirm_start, pacing_from, require_terminal, wave_gate, window_text
from fleetreg.cli.output import STATE, emit_json, output_options
from fleetreg.core.errors import InputError
from fleetreg.core.exit_codes import ExitCode, plan_exit_code
from fleetreg.core.inventory_model import NameMatch, did_you_mean
from fleetreg.core.outcomes import DONE_OUTCOMES, FINAL_OUTCOMES
from fleetreg.core.run_summary import apply_summary, backout_summary
from fleetreg.services.apply import (
    ApplyOptions,
    ApplyResult,
    Session,
    apply_plan,
    check_apply,
    check_resume,
    finish_counts,
    regenerate_reports,
    resume_apply,
)
from fleetreg.services.backout import backout_hosts, check_backout, run_host_names
from fleetreg.services.preview import resume_targets, wave_estimates
from fleetreg.services.waves import ConfirmWave, WaveGate
from fleetreg.shell.runfolder import default_runs_dir
from fleetreg.shell.scheduler import WaveRunner
from rich.table import Table

FINAL_EVENTS = FINAL_OUTCOMES


class Interrupts:
    """First Ctrl-C (or SIGTERM, a scheduler cancelling the job): finish the steps under way,
    start nothing new; the run ends resumable. A second signal stops at once."""

    def __init__(self) -> None:
        self.runners: list[WaveRunner] = []
        self.first: int | None = None  # the signal that asked for the stop

    def handler(self, signum: int, frame: FrameType | None) -> None:
        if self.runners and not self.runners[0].stop_requested.is_set():
            self.first = signum
            name = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
            stderr.print(
                f"[yellow]{name}: finishing the steps under way, starting nothing new "
                "(Ctrl-C again to stop at once; resume with fleetreg apply --resume RUN)[/]"
            )
            self.runners[0].request_stop()
            return
        raise KeyboardInterrupt

    def exit_code(self, code: ExitCode) -> ExitCode:
        """A stop asked by SIGTERM is a stop fleetreg was told to make (4), not the operator's Ctrl-C (130)."""
        return ExitCode.STOPPED if code == ExitCode.INTERRUPTED and self.first == signal.SIGTERM else code


@contextmanager
def graceful_interrupt() -> Iterator[Interrupts]:
    interrupts = Interrupts()
    previous = {sig: signal.signal(sig, interrupts.handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield interrupts
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


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
            reason = f": {o.reason}" if o.reason else ""
            stdout.print(f"  {host}: {o.outcome}{where}{reason}", markup=False)  # the switch's words
    if result.halted:
        stdout.print(result.halted, style="red", markup=False)
    if result.stopped:
        stdout.print(result.stopped, style="yellow", markup=False)
    if result.interrupted or result.stopped:
        stdout.print(f"[yellow]Resume with: fleetreg apply --resume {result.run_dir.name}[/]")
    stdout.print(f"Reports: {result.run_dir}/report.html, report.md, hosts.csv")


def result_document(command: str, result: ApplyResult, exit_code: int, **extra: object) -> dict[str, object]:
    return {
        "command": command,
        "run_id": result.run_dir.name,
        "run_dir": str(result.run_dir),
        "status": result.status,
        "exit_code": exit_code,
        "halted": result.halted,
        "stopped": result.stopped,
        **extra,
        "counts": finish_counts(result.outcomes),
        "hosts": [
            {
                "host": host,
                "outcome": o.outcome,
                "failed_step": o.failed_step,
                "reason": o.reason,
                "duration_s": None if o.duration_s is None else round(o.duration_s, 3),
            }
            for host, o in sorted(result.outcomes.items())
        ],
        "reports": {name: str(result.run_dir / name) for name in ("report.html", "report.md", "hosts.csv")},
    }


def finish(command: str, result: ApplyResult, code: ExitCode, **extra: object) -> None:
    if STATE.json:
        emit_json(result_document(command, result, int(code), **extra))
    print_result(result)
    if code:
        raise click.exceptions.Exit(int(code))


def _run_with_progress(
    total: int, label: str, call: Callable[..., ApplyResult], gate: ConfirmWave | None
) -> tuple[ApplyResult, Interrupts]:
    with host_progress(total, label, log_hosts=False) as progress, graceful_interrupt() as interrupts:

        def on_event(host: str, event: str, text: str) -> None:
            if event in FINAL_EVENTS:
                progress(host, event in DONE_OUTCOMES or event == "pending-ack")  # pending-ack: nothing failed

        def confirm(question: WaveGate) -> bool:
            assert gate is not None
            with progress.paused():
                return gate(question)

        result = call(on_event=on_event, on_runner=interrupts.runners.append, confirm=confirm if gate else None)
        return result, interrupts


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
    click.option(
        "--yes",
        is_flag=True,
        help="Do not ask: no typed confirmation, no wave gates (unattended runs; needed without a terminal).",
    ),
    output_options(),
)


def _selected(session: Session, targets: Targets) -> list[str] | None:
    """The plan's hosts the targeting options select (None: no option given, the whole plan)."""
    if not targets:
        return None
    return [h.name for h in targets.select(session.inventory).hosts]


def _nothing_to_do(session: Session, considered: set[str], acting_on: set[str]) -> None:
    """Exit 6 before any run exists: no switch (of those selected) to act on, some blocked."""
    classes = [h.classification for h in session.plan.hosts if h.name in considered]
    if acting_on or plan_exit_code(classes) != ExitCode.NOTHING_TO_DO:
        return
    blocked = classes.count("blocked")
    message = (
        f"nothing to do: no switch to act on, {blocked} blocked (see the plan's report.html); fix them and plan again"
    )
    if STATE.json:
        emit_json({"command": "apply", "exit_code": int(ExitCode.NOTHING_TO_DO), "message": message})
    click.echo(f"fleetreg: {message}", err=True)
    raise click.exceptions.Exit(int(ExitCode.NOTHING_TO_DO))


@click.command("apply")
@click.argument("plan", required=False, type=click.Path(path_type=Path))
@click.option("--resume", "resume_run", default=None, help="Continue an interrupted apply run (id or folder).")
@click.option(
    "--confirm-waves",
    is_flag=True,
    help="Before each wave after the first, show how the last one went and ask: yes/continue or stop.",
)
@click.option(
    "--soak",
    default=None,
    metavar="DURATION",
    help="Wait this long between waves (90s, 10m, 1h30m), re-verifying the last wave's switches read-only; "
    "a switch that regressed halts the run.",
)
@click.option(
    "--window-end",
    default=None,
    metavar="TIME",
    help="The change window's end (HH:MM local time, or ISO): a wave whose estimated duration would cross it "
    "is not started; the run stops, resumable.",
)
@target_options("hosts of the plan")
@SATELLITE_UNREACHABLE_OK
@with_common
def apply_command(
    plan: Path | None,
    resume_run: str | None,
    confirm_waves: bool,
    soak: str | None,
    window_end: str | None,
    targets: Targets,
    yes: bool,
    as_json: bool,
    satellite_unreachable_ok: bool,
    **common: Any,
) -> None:
    """Execute a reviewed plan (plan.json or its run folder), wave by wave."""
    if (plan is None) == (resume_run is None):
        raise InputError("give either PLAN (a plan.json or plan run folder) or --resume RUN")
    if resume_run and targets:
        raise InputError("--resume goes on with the run's own hosts: --hosts/--group/--site/--filter are for a new run")
    pacing = pacing_from(soak, window_end)
    require_terminal("apply", yes=yes, confirm_waves=confirm_waves)
    gate: ConfirmWave | None = wave_gate() if confirm_waves and not yes else None
    common["runs_dir"] = default_runs_dir(plan or resume_run, common["runs_dir"])
    options = ApplyOptions(**common, satellite_unreachable_ok=satellite_unreachable_ok)
    # Check the input before any progress is shown: bad input ends in one error line.
    if resume_run:
        session = check_resume(resume_run, options)
        _, acting_on, estimates = resume_targets(resume_run, session)
        narrowed = None
    else:
        assert plan is not None
        session = check_apply(plan, options)
        print_trust(session.trust)
        names = _selected(session, targets)
        considered = set(names) if names is not None else {h.name for h in session.plan.hosts}
        acting_on = {h.name for h in session.plan.hosts if h.is_actionable and h.name in considered}
        narrowed = targets.describe() if names is not None else None
        _nothing_to_do(session, considered, acting_on)
        estimates = wave_estimates(session, acting_on)
    verb = "resume: migrate" if resume_run else "migrate"
    for line in apply_summary(
        session.plan, acting_on, estimates, short_id=session.short_id, verb=verb, narrowed=narrowed
    ):
        stdout.print(line, markup=False)
    if text := window_text(pacing):
        stdout.print(text.capitalize(), markup=False)
    if not yes:
        confirm_start("resume the run" if resume_run else "start the migration", session.short_id)
    if resume_run:
        result, interrupts = _run_with_progress(
            len(acting_on),
            "resume",
            lambda **kw: resume_apply(resume_run, options, checked=session, pacing=pacing, **kw),
            gate,
        )
    else:
        assert plan is not None
        selection = session.select(sorted(acting_on), narrowed or "") if narrowed else None
        result, interrupts = _run_with_progress(
            len(acting_on),
            "apply",
            lambda **kw: apply_plan(plan, options, checked=session, pacing=pacing, selection=selection, **kw),
            gate,
        )
    finish("apply", result, interrupts.exit_code(result.exit_code), plan_id=session.plan.plan_id, selection=narrowed)


@click.command("backout")
@click.argument("run")
@click.option(
    "--hosts",
    default=None,
    help="Only these hosts (names or globs, comma-separated); default: every host the run changed.",
)
@with_common
def backout_command(run: str, hosts: str | None, yes: bool, as_json: bool, **common: Any) -> None:
    """Restore the captured call-home block on hosts an apply run changed."""
    require_terminal("backout", yes=yes, confirm_waves=False)
    common["runs_dir"] = default_runs_dir(run, common["runs_dir"])
    options = ApplyOptions(**{**common, "auto_backout": True})
    names = _run_hosts(run, options, hosts)
    checked = check_backout(run, options, names)
    session = checked.session
    for line in backout_summary(
        session.plan, checked.run_dir.name, checked.hosts, checked.registered, short_id=session.short_id
    ):
        stdout.print(line, markup=False)
    if not yes:
        confirm_start("back them out", session.short_id)
    with graceful_interrupt() as interrupts:
        result = backout_hosts(run, options, names, checked=checked, on_runner=interrupts.runners.append)
    finish("backout", result, interrupts.exit_code(result.backout_exit_code), plan_id=session.plan.plan_id)


def _run_hosts(run: str, options: ApplyOptions, hosts: str | None) -> list[str] | None:
    """--hosts of backout: names or globs over the run's hosts; one matching none is refused."""
    if not hosts:
        return None
    known = run_host_names(run, options)
    match = NameMatch(h.strip() for h in hosts.split(",") if h.strip())
    if unmatched := match.unmatched(known):
        raise InputError(
            f"host {unmatched[0]!r} is not part of run {Path(run).name}{did_you_mean(unmatched[0], known)}",
            field="--hosts",
        )
    return [name for name in known if match(name)]


@click.command("report")
@click.argument("run")
@PLACED_RUNS_DIR
@output_options()
def report_command(run: str, runs_dir: Path | None, as_json: bool) -> None:
    """Regenerate report.html, report.md and hosts.csv of an apply run from its journal."""
    run_dir, outcomes = regenerate_reports(run, default_runs_dir(run, runs_dir))
    counts = finish_counts(outcomes)
    if as_json:
        emit_json({"command": "report", "run_id": run_dir.name, "run_dir": str(run_dir), "counts": counts})
    text = ", ".join(f"{n} {o}" for o, n in sorted(counts.items()))
    stdout.print(f"{run_dir}: {text}\nReports: {run_dir}/report.html, report.md, hosts.csv")


def register(app: click.Group) -> None:
    app.add_command(apply_command)
    app.add_command(backout_command)
    app.add_command(report_command)
