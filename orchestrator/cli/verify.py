"""`fleetreg verify PLAN|RUN`: read-only post-check of every host a plan expects on the satellite."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import click
from fleetreg.cli.common import (
    FleetAccess,
    command_timeout,
    compose,
    fleet_access_options,
    host_progress,
    plan_inventory_source_options,
    stdout,
)
from fleetreg.cli.output import emit_json, output_options
from fleetreg.core.exit_codes import ExitCode
from fleetreg.core.inventory_model import Inventory
from fleetreg.services.apply import open_journal, regenerate_reports
from fleetreg.services.verify import (
    Verdict,
    expected_hosts,
    judge_pending_acks,
    promote_acknowledged,
    satellite_problems,
    verify_hosts,
)
from fleetreg.shell.inventory import load_inventory
from fleetreg.shell.plan_store import load_plan
from fleetreg.shell.runfolder import find_run
from rich.markup import escape
from rich.table import Table


@click.command("verify")
@click.argument("run")
@compose(fleet_access_options, plan_inventory_source_options, command_timeout(), output_options())
def verify_command(
    run: str,
    access: FleetAccess,
    inventory_dir: Path | None,
    command_timeout: float,
    as_json: bool,
) -> None:
    """Check, read-only, that every host of a plan or apply run (id, folder or plan.json) is on the satellite."""
    path = Path(run)
    plan = load_plan(path if path.is_file() else find_run(run, access.runs_dir))
    inventory = load_inventory(inventory_dir or Path(plan.inventory_dir), check_secrets=False)
    inventory = inventory.filter(hosts=[h.name for h in expected_hosts(plan)])
    nr = access.nornir(inventory)
    with host_progress(len(inventory.hosts), "verify") as done:
        verdicts = verify_hosts(nr, plan, read_timeout=command_timeout, on_host_done=done)
    planned = plan.hosts_by_name()
    on_device = [planned[v.host] for v in verdicts if v.ok]
    satellite = satellite_problems(inventory, on_device)
    verdicts = [
        replace(v, ok=False, problems=(*v.problems, satellite[v.host])) if v.host in satellite else v for v in verdicts
    ]
    run_dir = path if path.is_dir() else None if path.is_file() else find_run(run, access.runs_dir)
    verdicts, promoted = _pending_acks(run_dir, access.runs_dir, inventory, verdicts)
    failed = sum(not v.ok and not v.pending for v in verdicts)
    pending = sum(v.pending for v in verdicts)
    code = ExitCode.HOSTS_FAILED if failed else ExitCode.PENDING_ACK if pending else ExitCode.OK
    if as_json:
        emit_json(
            {
                "command": "verify",
                "plan_id": plan.plan_id,
                "exit_code": int(code),
                "ok": len(verdicts) - failed - pending,
                "pending_ack": pending,
                "failing": failed,
                "promoted": promoted,
                "hosts": [
                    {
                        "host": v.host,
                        "ok": v.ok,
                        "pending_ack": v.pending,
                        "problems": list(v.problems),
                        "registration": v.registration,
                        "virtual_account": v.virtual_account,
                    }
                    for v in verdicts
                ],
            }
        )
    stdout.print(verdict_table(plan.plan_id, verdicts))
    waiting = f", {pending} pending-ack" if pending else ""
    stdout.print(f"{len(verdicts) - failed - pending} ok, {failed} failing{waiting}")
    if promoted:
        stdout.print(f"Promoted to migrated (ACK received): {', '.join(promoted)}; reports of {run_dir} regenerated")
    if code:
        raise click.exceptions.Exit(int(code))


def _pending_acks(
    run_dir: Path | None, runs_dir: Path, inventory: Inventory, verdicts: list[Verdict]
) -> tuple[list[Verdict], list[str]]:
    """For an apply run: hosts it left pending-ack are promoted once their ACK came, judged
    pending or overdue otherwise; the run's reports are regenerated after a promotion."""
    journal = open_journal(runs_dir)
    try:
        if run_dir is None or journal.run_info(run_dir.name) is None:
            return verdicts, []
        records = journal.hosts(run_dir.name)
        waiting = {h: r.finished_at or 0.0 for h, r in records.items() if r.state == "pending-ack"}
        overdue = {h.name: h.settings.ack_overdue_s for h in inventory.hosts}
        verdicts = judge_pending_acks(verdicts, waiting, overdue, time.time())
        promoted = promote_acknowledged(journal, run_dir.name, verdicts)
    finally:
        journal.close()
    if promoted:
        regenerate_reports(str(run_dir), runs_dir)
    return verdicts, promoted


def verdict_table(plan_id: str, verdicts: Sequence[Verdict]) -> Table:
    table = Table(title=f"verify {plan_id}")
    for column in ("host", "result", "registration", "virtual account", "problems"):
        table.add_column(column)
    for v in verdicts:
        table.add_row(  # what the switch and the satellite said: never read as markup
            escape(v.host),
            "[green]ok[/]" if v.ok else "[yellow]pending-ack[/]" if v.pending else "[red]FAIL[/]",
            escape(v.registration or ""),
            escape(v.virtual_account or ""),
            escape("; ".join(v.problems)),
        )
    return table


def register(app: click.Group) -> None:
    app.add_command(verify_command)
