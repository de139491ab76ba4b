"""`fleetreg inventory check` and `fleetreg inventory show HOST`.

Problems surface as InventoryProblems (exit code 2), which orchestrator.cli prints one line
per problem on stderr."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
import yaml
from fleetreg.cli.common import inventory_source_options, stdout
from fleetreg.cli.output import emit_json, output_options
from fleetreg.core.inventory_model import HostEntry, Inventory, InventoryProblems
from fleetreg.shell.inventory import check_inventory, load_inventory
from rich.table import Table


@click.group("inventory")
def inventory_group() -> None:
    """Validate the inventory and show what each switch inherits."""


@inventory_group.command("check")
@inventory_source_options
@click.option(
    "--secrets-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="YAML file of key -> token for `secrets:KEY` references (default: $FLEETREG_SECRETS_FILE).",
)
@output_options()
def check_command(inventory_dir: Path, secrets_file: Path | None, as_json: bool) -> None:
    """Validate the inventory, settings and token references; summarise the fleet."""
    if as_json:
        problems = check_inventory(inventory_dir, secrets_file=secrets_file)
        if problems:
            emit_json(
                {
                    "command": "inventory check",
                    "inventory": str(inventory_dir),
                    "valid": False,
                    "exit_code": InventoryProblems.exit_code,
                    "problems": [
                        {
                            "file": p.file,
                            "line": p.line,
                            "host": p.host,
                            "group": p.group,
                            "field": p.field,
                            "message": p.message,
                            "text": p.one_line(),
                        }
                        for p in problems
                    ],
                }
            )
            for problem in problems:
                click.echo(f"fleetreg: error: {problem.one_line()}", err=True)
            raise click.exceptions.Exit(InventoryProblems.exit_code)
    inventory = load_inventory(inventory_dir, secrets_file=secrets_file)
    if as_json:
        emit_json(inventory_document(inventory))
    console = stdout
    console.print(summary_table(inventory))
    accounts = {h.settings.virtual_account for h in inventory.hosts}
    canaries = sum(h.settings.canary for h in inventory.hosts)
    console.print(
        f"{len(inventory.hosts)} hosts, {len(accounts)} virtual accounts, {len(inventory.sites())} sites, "
        f"{canaries} canaries: {inventory_dir} is valid"
    )


@inventory_group.command("show")
@inventory_source_options
@click.argument("host")
@output_options()
def show_command(inventory_dir: Path, host: str, as_json: bool) -> None:
    """Print the resolved settings of HOST as YAML (token references by name only)."""
    inventory = load_inventory(inventory_dir, check_secrets=False)
    entry = inventory.by_name(host)
    if as_json:
        emit_json(host_document(entry))
        return
    click.echo(host_yaml(entry), nl=False)


def inventory_document(inventory: Inventory) -> dict[str, object]:
    accounts = Counter(h.settings.virtual_account for h in inventory.hosts)
    return {
        "command": "inventory check",
        "inventory": str(inventory.directory),
        "valid": True,
        "exit_code": 0,
        "hosts": len(inventory.hosts),
        "virtual_accounts": dict(sorted(accounts.items())),
        "sites": list(inventory.sites()),
        "groups": list(inventory.groups),
        "canaries": sum(h.settings.canary for h in inventory.hosts),
        "waves_set": {h.name: h.settings.wave for h in inventory.hosts if h.settings.wave is not None},
    }


def summary_table(inventory: Inventory) -> Table:
    """Hosts counted per virtual account / site / transport."""
    counts = Counter((h.settings.virtual_account, h.site or "-", h.settings.transport) for h in inventory.hosts)
    canaries = Counter(
        (h.settings.virtual_account, h.site or "-", h.settings.transport) for h in inventory.hosts if h.settings.canary
    )
    table = Table(title=f"Inventory {inventory.directory}")
    for column in ("Virtual account", "Site", "Transport"):
        table.add_column(column)
    table.add_column("Hosts", justify="right")
    table.add_column("Canaries", justify="right")
    for key in sorted(counts):
        table.add_row(*key, str(counts[key]), str(canaries[key]))
    return table


def host_yaml(entry: HostEntry) -> str:
    return yaml.safe_dump(host_document(entry), sort_keys=False, default_flow_style=False)


def host_document(entry: HostEntry) -> dict[str, object]:
    return {
        "host": entry.name,
        "hostname": entry.hostname,
        "port": entry.port,
        "platform": entry.platform,
        "groups": list(entry.groups),
        "site": entry.site,
        "connection_options": {"netmiko": {"extras": dict(entry.connection_options)}},
        "fleetreg": entry.settings.model_dump(mode="json"),
        "inherited_from": dict(entry.setting_sources),
    }


def register(app: click.Group) -> None:
    app.add_command(inventory_group)
