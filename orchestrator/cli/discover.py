"""`fleetreg discover` and `fleetreg plan`: read-only over SSH, then the pure planner."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import click
from fleetreg.cli.common import (
    KEEP_CONFIGS,
    SATELLITE_UNREACHABLE_OK,
    FleetAccess,
    Targets,
    host_progress,
    inventory_options,
    print_risks,
    print_trust,
    run_options,
    select_inventory,
    stdout,
)
from fleetreg.cli.output import emit_json, interactive, output_options
from fleetreg.core.errors import InputError, SecretError
from fleetreg.core.events import took
from fleetreg.core.exit_codes import ExitCode, plan_exit_code
from fleetreg.core.inventory_model import Inventory
from fleetreg.core.plan_model import Plan, WavePolicy
from fleetreg.core.planner import DiscoverOutcome, build_plan, plan_risks
from fleetreg.core.prechecks import PrecheckRun
from fleetreg.services.apply import SHORT_ID_LENGTH
from fleetreg.services.prechecks import PrecheckPass
from fleetreg.services.preview import plan_wave_estimates
from fleetreg.services.satellite import satellite_license_usage, satellite_va_tenants, unusable_tokens
from fleetreg.shell.ca_files import ca_file_fingerprints
from fleetreg.shell.discovery import (
    load_discover_run,
    run_discover,
    run_discover_with_prechecks,
    run_prechecks,
    save_discover_run,
    save_prechecks,
)
from fleetreg.shell.plan_store import write_plan_run
from fleetreg.shell.runfolder import find_run, new_run
from fleetreg.shell.satellite_tls import check_inventory_trust
from fleetreg.shell.secrets import resolve_token
from nornir.core import Nornir
from rich.markup import escape
from rich.table import Table


def discover_fleet(
    inventory: Inventory, run_dir: Path, nr: Nornir, *, command_timeout: float, keep_configs: bool = False
) -> list[DiscoverOutcome]:
    with host_progress(len(inventory.hosts), "discover") as done:
        outcomes, raw = run_discover(nr, inventory, on_host_done=done, read_timeout=command_timeout)
    save_discover_run(run_dir, outcomes, raw, keep_configs=keep_configs)
    return outcomes


def discover_summary(outcomes: list[DiscoverOutcome], inventory: Inventory) -> Table:
    from fleetreg.core.facts import registered_to

    table = Table(title="Discovered", show_lines=False)
    for column in ("host", "site", "version", "mode", "registered to", "status", "virtual account"):
        table.add_column(column)
    entries = {h.name: h for h in inventory.hosts}
    for o in outcomes:
        entry = entries[o.host]
        if o.facts is None:
            error = escape(o.error or "")  # the switch's own words: never rich markup
            table.add_row(escape(o.host), escape(entry.site or ""), "", "", f"[red]{o.error_reason}[/]", error, "")
            continue
        f = o.facts
        status = f"{f.license.registration_status or '-'} / {f.license.authorization_status or '-'}"
        table.add_row(
            *map(
                escape,
                (
                    o.host,
                    entry.site or "",
                    f.version.version,
                    f.licensing_mode,
                    registered_to(f, entry.settings.satellite_host),
                    status,
                    f.license.virtual_account or "",
                ),
            )
        )
    return table


def token_problems(
    inventory: Inventory, secrets_file: Path | None, field: Literal["token_ref", "cloud_token_ref"] = "token_ref"
) -> dict[str, str]:
    """Hosts whose token reference (`field`) cannot be resolved now -> reason (never the token).
    Each reference is read once, however many hosts share it."""
    reasons: dict[str, str | None] = {}
    problems: dict[str, str] = {}
    for entry in inventory.hosts:
        ref = getattr(entry.settings, field)
        if ref is None or (field == "token_ref" and entry.settings.uses_api_tokens):
            continue
        if ref not in reasons:
            try:
                resolve_token(ref, field=field, secrets_file=secrets_file)
                reasons[ref] = None
            except SecretError as exc:
                reasons[ref] = exc.message
        if (reason := reasons[ref]) is not None:
            problems[entry.name] = reason
    return problems


def plan_summary(plan: Plan, estimates: dict[int, float] | None = None) -> Table:
    table = Table(title=f"Plan {plan.plan_id}")
    for column in ("class", "hosts"):
        table.add_column(column)
    counts: dict[str, int] = {}
    for h in plan.hosts:
        counts[h.classification] = counts.get(h.classification, 0) + 1
    for cls in ("to-migrate", "wrong-virtual-account", "already-migrated", "blocked"):
        table.add_row(cls, str(counts.get(cls, 0)))
    for wave in plan.waves:
        about = f", about {took(estimates[wave.number])}" if estimates and wave.number in estimates else ""
        table.add_row(f"  {wave.name}", f"{len(wave.hosts)}{about}")
    for check in plan.licenses:
        note = f", {check.blocked} blocked" if check.blocked else ""
        table.add_row(
            f"licenses {escape(check.virtual_account)}", f"{check.available} available / {check.planned} planned{note}"
        )
    return table


@click.command("discover")
@inventory_options
@run_options
@KEEP_CONFIGS
@output_options()
def discover_command(
    inventory_dir: Path,
    secrets_file: Path | None,
    targets: Targets,
    access: FleetAccess,
    command_timeout: float,
    project_dir: Path,
    keep_configs: bool,
    as_json: bool,
) -> None:
    """Read each switch's licensing state (show commands only) into runs/<time>-discover/."""
    inventory = select_inventory(inventory_dir, secrets_file, targets, check_secrets=False)
    with new_run("discover", access.runs_dir) as run_dir:
        outcomes = discover_fleet(
            inventory,
            run_dir,
            access.nornir(inventory),
            command_timeout=command_timeout,
            keep_configs=keep_configs,
        )
    failed = sum(1 for o in outcomes if not o.ok)
    if as_json:
        emit_json(discover_document(outcomes, inventory, run_dir))
    stdout.print(discover_summary(outcomes, inventory))
    stdout.print(f"{len(outcomes) - failed} discovered, {failed} failed; facts in {run_dir}/facts.json")


def discover_document(outcomes: list[DiscoverOutcome], inventory: Inventory, run_dir: Path) -> dict[str, object]:
    from fleetreg.core.facts import registered_to

    entries = {h.name: h for h in inventory.hosts}
    hosts = []
    for o in outcomes:
        row: dict[str, object] = {"host": o.host, "ok": o.ok, "error_reason": o.error_reason, "error": o.error}
        if o.facts is not None:
            lic = o.facts.license
            row.update(
                version=o.facts.version.version,
                mode=o.facts.licensing_mode,
                registered_to=registered_to(o.facts, entries[o.host].settings.satellite_host),
                registration_status=lic.registration_status,
                authorization_status=lic.authorization_status,
                virtual_account=lic.virtual_account,
            )
        hosts.append(row)
    failed = sum(1 for o in outcomes if not o.ok)
    return {
        "command": "discover",
        "run_dir": str(run_dir),
        "facts": str(run_dir / "facts.json"),
        "discovered": len(outcomes) - failed,
        "failed": failed,
        "hosts": hosts,
    }


@click.command("plan")
@inventory_options
@run_options
@click.option("--from", "from_run", default=None, help="Reuse a discover run (id or folder) instead of discovering.")
@click.option("--wave-size", type=click.IntRange(1, 10000), default=50, show_default=True)
@click.option(
    "--canary",
    type=click.IntRange(0, 1000),
    default=2,
    show_default=True,
    help="Canary wave size (hosts flagged `canary: true` always go first).",
)
@click.option(
    "--max-failures",
    default="10%",
    show_default=True,
    help="Per wave: halt when more hosts fail than this count or percent.",
)
@KEEP_CONFIGS
@SATELLITE_UNREACHABLE_OK
@click.option(
    "--prechecks/--no-prechecks",
    "run_checks",
    default=None,
    help="Run the read-only pre-checks (ping the satellite from each switch's source interface, show clock, "
    "show ntp status) on the switches the plan would act on. Default: on, in discover's session; off with "
    "--from (which asks no switch), where --prechecks logs in to each for them. Off: they stay tick boxes.",
)
@output_options()
def plan_command(
    inventory_dir: Path,
    secrets_file: Path | None,
    targets: Targets,
    access: FleetAccess,
    command_timeout: float,
    project_dir: Path,
    from_run: str | None,
    wave_size: int,
    canary: int,
    max_failures: str,
    keep_configs: bool,
    satellite_unreachable_ok: bool,
    run_checks: bool | None,
    as_json: bool,
) -> None:
    """Discover, then write plan.json, report.html, runbook.md and hosts.csv for review."""
    policy = _policy(wave_size, canary, max_failures)
    inventory = select_inventory(inventory_dir, secrets_file, targets, check_secrets=False)
    # the CA each switch would get, against the satellite's real certificate, before any switch is contacted
    trust = check_inventory_trust(inventory, unreachable_ok=satellite_unreachable_ok, timeout=access.connect_timeout)
    print_trust(trust)
    unreadable = token_problems(inventory, secrets_file) | unusable_tokens(inventory, secrets_file)
    unreadable_cloud = token_problems(inventory, secrets_file, "cloud_token_ref")
    ca_sha1 = ca_file_fingerprints(inventory.hosts)
    with new_run("plan", access.runs_dir) as run_dir:
        checks = PrecheckPass(
            inventory,
            run_dir.name,
            project_dir=project_dir,
            token_problems=unreadable,
            cloud_token_problems=unreadable_cloud,
            ca_sha1=ca_sha1,
        )
        nr = access.nornir(inventory)
        runs: dict[str, PrecheckRun] = {}
        if from_run:
            source = find_run(from_run, access.runs_dir)
            outcomes = load_discover_run(source)
            if run_checks:
                wanted = checks.commands_for(outcomes)
                with host_progress(len(wanted), "pre-checks") as done:
                    runs = run_prechecks(nr, wanted, on_host_done=done, read_timeout=command_timeout)
                for name, run in runs.items():
                    checks.read(name, run)
        elif run_checks is False:
            outcomes = discover_fleet(
                inventory, run_dir, nr, command_timeout=command_timeout, keep_configs=keep_configs
            )
        else:
            with host_progress(len(inventory.hosts), "discover") as done:
                outcomes, raw, runs = run_discover_with_prechecks(
                    nr, inventory, checks.choose, on_host_done=done, on_prechecks=checks.read,
                    read_timeout=command_timeout,
                )  # fmt: skip
            save_discover_run(run_dir, outcomes, raw, keep_configs=keep_configs)
        if runs:
            save_prechecks(run_dir, runs)
        precheck_results = checks.results(runs)
        precheck_line = checks.summarise(runs, precheck_results) if runs else None
        plan = build_plan(
            inventory.hosts,
            outcomes,
            license_usage=satellite_license_usage(inventory, secrets_file),
            va_tenants=satellite_va_tenants(inventory, secrets_file),
            token_problems=unreadable,
            cloud_token_problems=unreadable_cloud,
            ca_sha1=ca_sha1,
            prechecks=precheck_results,
            trust_risks=trust.risks,
            policy=policy,
            plan_id=run_dir.name,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            inventory_dir=str(inventory_dir),
            discover_run=from_run,
            project_dir=project_dir,
        )
        digest = write_plan_run(run_dir, plan, project_dir=project_dir)
    estimates = plan_wave_estimates(plan, access.runs_dir, access.workers)
    code = plan_exit_code(h.classification for h in plan.hosts)
    if as_json:
        emit_json(plan_document(plan, run_dir, digest, estimates, int(code)))
    stdout.print(plan_summary(plan, estimates))
    if precheck_line is not None and interactive():
        stdout.print(escape(precheck_line))  # without a terminal the log line said it
    print_risks(plan.hosts)
    stdout.print(f"Plan written: {run_dir}/plan.json\nReview: {run_dir}/report.html and {run_dir}/runbook.md")
    stdout.print(f"Plan sha256 (sign-off): {digest}; apply with --plan-sha256 {digest} to run exactly this plan")
    stdout.print(f"Short id (typed to confirm apply): {digest[:SHORT_ID_LENGTH]}")
    if code == ExitCode.NOTHING_TO_DO:
        click.echo("fleetreg: nothing to do: every switch the plan could act on is blocked (see report.html)", err=True)
        raise click.exceptions.Exit(int(code))


def plan_document(
    plan: Plan, run_dir: Path, digest: str, estimates: dict[int, float], exit_code: int
) -> dict[str, object]:
    counts = Counter(h.classification for h in plan.hosts)
    return {
        "command": "plan",
        "plan_id": plan.plan_id,
        "plan_dir": str(run_dir),
        "plan_sha256": digest,
        "short_id": digest[:SHORT_ID_LENGTH],
        "exit_code": exit_code,
        "counts": dict(sorted(counts.items())),
        "waves": [
            {
                "number": w.number,
                "name": w.name,
                "hosts": list(w.hosts),
                "max_failures": w.max_failures,
                "estimate_s": round(estimates.get(w.number, 0.0), 1),
            }
            for w in plan.waves
        ],
        "risks": plan_risks(plan.hosts),
        "licenses": [check.model_dump() for check in plan.licenses],
        "hosts": [
            {
                "host": h.name,
                "classification": h.classification,
                "reason": h.reason,
                "wave": h.wave,
                "mode": h.mode,
                "site": h.site,
                "virtual_account": h.virtual_account,
                "prechecks": [check.model_dump() for check in h.prechecks],
            }
            for h in plan.hosts
        ],
        "reports": {name: str(run_dir / name) for name in ("report.html", "runbook.md", "report.md", "hosts.csv")},
    }


def _policy(wave_size: int, canary: int, max_failures: str) -> WavePolicy:
    text = max_failures.strip()
    number = text[:-1] if text.endswith("%") else text
    if not number.replace(".", "", 1).isdigit():
        raise InputError(f"--max-failures must be a count (3) or a percent (10%), not {max_failures!r}")
    return WavePolicy(canary=canary, wave_size=wave_size, max_failures=text)


def register(app: click.Group) -> None:
    app.add_command(discover_command)
    app.add_command(plan_command)
