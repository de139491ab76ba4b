"""`fleetreg verify PLAN|RUN`: read-only post-check of every host a plan expects on the satellite."""

from __future__ import annotations

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
from fleetreg.services.verify import Verdict, expected_hosts, satellite_problems, verify_hosts
from fleetreg.shell.inventory import load_inventory
from fleetreg.shell.plan_store import load_plan
from fleetreg.shell.runfolder import find_run
from rich.markup import escape
from rich.table import Table


@click.command("verify")
@click.argument("run")
@compose(fleet_access_options, plan_inventory_source_options, command_timeout())
def verify_command(
    run: str,
    access: FleetAccess,
    inventory_dir: Path | None,
    command_timeout: float,
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
    stdout.print(verdict_table(plan.plan_id, verdicts))
    failed = sum(not v.ok for v in verdicts)
    stdout.print(f"{len(verdicts) - failed} ok, {failed} failing")
    if failed:
        raise click.exceptions.Exit(1)


def verdict_table(plan_id: str, verdicts: Sequence[Verdict]) -> Table:
    table = Table(title=f"verify {plan_id}")
    for column in ("host", "result", "registration", "virtual account", "problems"):
        table.add_column(column)
    for v in verdicts:
        table.add_row(  # what the switch and the satellite said: never read as markup
            escape(v.host),
            "[green]ok[/]" if v.ok else "[red]FAIL[/]",
            escape(v.registration or ""),
            escape(v.virtual_account or ""),
            escape("; ".join(v.problems)),
        )
    return table


def register(app: click.Group) -> None:
    app.add_command(verify_command)
