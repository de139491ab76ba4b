"""`fleetreg satellite status`: what the satellite's API says about the account: virtual
accounts, licenses total / in use / available, product instances per virtual account."""

from __future__ import annotations

from pathlib import Path

import click
from fleetreg.cli.common import inventory_source_options
from fleetreg.cli.output import emit_json, output_options
from fleetreg.core.errors import InputError
from fleetreg.core.settings import SatelliteApiSettings
from fleetreg.services.satellite import SatelliteStatus, client_from_settings, fetch_status
from fleetreg.shell.inventory import DEFAULTS_FILE, load_inventory
from rich.console import Console
from rich.markup import escape
from rich.table import Table


def api_settings_from_inventory(inventory_dir: Path, secrets_file: Path | None = None) -> SatelliteApiSettings:
    """The one `fleetreg.satellite_api` the inventory's hosts resolve to (normally set in defaults.yaml)."""
    inventory = load_inventory(inventory_dir, secrets_file=secrets_file, check_secrets=False)
    found = {
        h.settings.satellite_api.model_dump_json(): h.settings.satellite_api
        for h in inventory.hosts
        if h.settings.satellite_api
    }
    if not found:
        raise InputError(
            "no satellite API configured: add fleetreg.satellite_api (base_url, account, client_id_ref, "
            "client_secret_ref, ca_file) to defaults.yaml",
            file=str(Path(inventory_dir, DEFAULTS_FILE) if Path(inventory_dir).is_dir() else inventory_dir),
        )
    if len(found) > 1:
        raise InputError(
            f"hosts resolve to {len(found)} different satellite_api settings; `satellite status` needs one",
            file=str(inventory_dir),
        )
    return next(iter(found.values()))


def status_tables(status: SatelliteStatus, *, show_devices: bool) -> list[Table]:
    accounts = Table(title=f"Satellite {status.base_url}, account {status.account}")
    for column in ("Virtual account", "Default"):
        accounts.add_column(column)
    for column in ("Licenses", "In use", "Available", "Product instances"):
        accounts.add_column(column, justify="right")
    for va in status.virtual_accounts:
        accounts.add_row(  # names from the satellite's API: never read as markup
            escape(va.name),
            "yes" if va.is_default else "",
            str(va.total),
            str(va.in_use),
            str(va.available),
            str(len(va.devices)),
        )
    licenses = Table(title="Licenses per virtual account")
    for column in ("Virtual account", "License"):
        licenses.add_column(column)
    for column in ("Total", "In use", "Available"):
        licenses.add_column(column, justify="right")
    licenses.add_column("Status")
    for va in status.virtual_accounts:
        for row in va.licenses:
            licenses.add_row(
                *map(escape, (va.name, row.license, str(row.quantity), str(row.in_use), str(row.available), row.status))
            )
    tables = [accounts, licenses]
    if show_devices:
        devices = Table(title="Product instances")
        for column in ("Virtual account", "Host name", "PID", "Serial", "Type", "License", "Last contact"):
            devices.add_column(column)
        for va in status.virtual_accounts:
            for device in va.devices:
                contact = device.last_contact.strftime("%Y-%m-%d %H:%M UTC") if device.last_contact else "-"
                license_text = device.license if device.license_authorized else f"{device.license} (not authorized)"
                cells = (va.name, device.hostname, device.pid, device.serial_number, device.registration_type)
                devices.add_row(
                    *map(escape, cells),
                    escape(license_text),
                    contact,
                )
        tables.append(devices)
    return tables


@click.group("satellite")
def satellite_group() -> None:
    """The SSM On-Prem satellite, through its API (fleetreg.satellite_api)."""


@satellite_group.command("status")
@inventory_source_options
@click.option(
    "--secrets-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="YAML key -> value file for `secrets:KEY` references (default: $FLEETREG_SECRETS_FILE).",
)
@click.option("--devices", "show_devices", is_flag=True, help="Also list every product instance.")
@output_options()
def status_command(inventory_dir: Path, secrets_file: Path | None, as_json: bool, show_devices: bool) -> None:
    """Virtual accounts, licenses in use / available and product instances, from the satellite."""
    api = api_settings_from_inventory(inventory_dir, secrets_file)
    with client_from_settings(api, secrets_file=secrets_file) as client:
        status = fetch_status(client)
    if as_json:
        emit_json(status.document())
        return
    console = Console(highlight=False, soft_wrap=True)
    for table in status_tables(status, show_devices=show_devices):
        console.print(table)
    devices = sum(len(va.devices) for va in status.virtual_accounts)
    console.print(f"{len(status.virtual_accounts)} virtual accounts, {devices} product instances")


def register(app: click.Group) -> None:
    app.add_command(satellite_group)
