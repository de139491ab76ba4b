"""`fleetreg demo`: the whole job against an emulated fleet, no switches needed.

Starts a mock fleet of IOS-XE switches and an SSM On-Prem satellite on loopback, then runs
exactly what an engineer runs in a change window: inventory check, plan, apply. Reports stay
in the runs folder; the fleet stops at the end."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click
from fleetreg.cli.common import stdout
from fleetreg.core.errors import FleetregError, InputError

DEMO_SPEC = "specs/demo.yaml"  # inside the emulator's package
EMULATOR_MISSING = (
    "fleetreg demo needs the emulator, a separate distribution: "
    "pip install ./mock_devices (from a clone of the fleetreg repository)"
)


@click.command("demo")
@click.option("--count", type=click.IntRange(1, 2000), default=None, help="Switches (default: the demo spec's 50).")
@click.option(
    "--spec",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Fleet spec YAML (default: mock_devices/specs/demo.yaml).",
)
@click.option(
    "--runs-dir", type=click.Path(path_type=Path, file_okay=False), default=Path("runs/demo"), show_default=True
)
@click.option("--workers", type=click.IntRange(1, 1000), default=50, show_default=True)
def demo_command(count: int | None, spec: Path | None, runs_dir: Path, workers: int) -> None:
    """Plan and apply a migration on an emulated fleet (mock switches + satellite on 127.0.0.1)."""
    from fleetreg.cli.main import main

    try:
        import mock_devices
        from mock_devices.fleet import load_spec
        from mock_devices.spec import SpecError
        from mock_devices.testing import MockFleet
    except ModuleNotFoundError as exc:
        if exc.name is None or not exc.name.startswith("mock_devices"):
            raise
        raise InputError(EMULATOR_MISSING, field="mock_devices") from None
    if spec is None:
        spec = Path(mock_devices.__path__[0]) / DEMO_SPEC

    try:  # the mock's own errors (the spec, a --count its faults do not fit): fleetreg's bad-input exit code
        fleet_spec = load_spec(spec)
        if count is not None:
            fleet_spec = fleet_spec.model_copy(update={"count": count})
        started = time.monotonic()
        stdout.print(
            f"[bold]fleetreg demo[/]: starting {fleet_spec.count} emulated switches and a satellite on 127.0.0.1"
        )
        mock = MockFleet(spec=fleet_spec, api=True, api_tokens=True).start()
    except SpecError as exc:
        raise InputError(exc.message, file=exc.file, field=exc.field, line=exc.line) from None
    with mock:
        os.environ.update(mock.env)  # what `source <inventory>/fleet.env` does for a shell
        inventory = str(mock.inventory_dir)
        stdout.print(
            f"Inventory written by the mock: {inventory} (credentials in fleet.env; registration tokens from the "
            f"satellite API at {mock.api_url}; TLS identity checked against {mock.ca_file})\n"
        )
        steps = [
            ("1/3 fleetreg inventory check", ["inventory", "check", "--inventory", inventory]),
            (
                "2/3 fleetreg plan",
                [
                    "plan",
                    "--inventory",
                    inventory,
                    "--runs-dir",
                    str(runs_dir),
                    "--workers",
                    str(workers),
                    "--wave-size",
                    "25",
                    "--max-failures",
                    "10%",
                ],
            ),
        ]
        for title, argv in steps:
            stdout.rule(title)
            if (code := main(argv)) != 0:
                raise FleetregError(f"demo stopped: `fleetreg {' '.join(argv[:1])}` exited {code}")
        plan_dir = sorted(p for p in runs_dir.iterdir() if p.name.endswith("-plan"))[-1]
        stdout.rule("3/3 fleetreg apply")
        apply_code = main(["apply", str(plan_dir), "--runs-dir", str(runs_dir), "--yes", "--workers", str(workers)])
        instances = len(mock.fleet.dump_state()["satellite"]["product_instances"])
    apply_dir = sorted(p for p in runs_dir.iterdir() if p.name.endswith("-apply"))[-1]
    stdout.rule("done")
    stdout.print(f"Satellite now lists {instances} product instances.")
    stdout.print(f"Plan and runbook:  {plan_dir}/report.html  {plan_dir}/runbook.md")
    stdout.print(f"Apply report:      {apply_dir}/report.html  {apply_dir}/hosts.csv")
    stdout.print(
        f"Finished in {time.monotonic() - started:.0f}s. The faulty switches of the spec are expected to "
        f"show as blocked or backed out (apply exit code {apply_code})."
    )


def register(app: click.Group) -> None:
    app.add_command(demo_command)
