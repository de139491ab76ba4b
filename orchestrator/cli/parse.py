"""`fleetreg parse --command "sh lic stat" FILE`: parse a saved switch output and print it as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click
from fleetreg.core.errors import InputError
from fleetreg.core.parsing import parse


def _read_output(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError as exc:
        raise InputError("file not found", file=str(path)) from exc
    except IsADirectoryError as exc:
        raise InputError("is a directory, expected a file of switch output", file=str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=str(path)) from exc


@click.command("parse")
@click.option("--command", "-c", "command", required=True, help='The show command, e.g. "sh lic stat".')
@click.option("--host", default=None, help="Host name to put in error messages.")
@click.option(
    "--templates",
    "template_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory with a TextFSM index and templates (default: the bundled templates/textfsm).",
)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=True))
def parse_command(command: str, host: str | None, template_dir: Path | None, file: Path) -> None:
    """Parse FILE, the saved output of COMMAND on an IOS-XE switch, and print it as JSON."""
    result = parse(command, _read_output(file), host=host, template_dir=template_dir)
    click.echo(json.dumps(result.model_dump(mode="json"), indent=2))


def register(app: click.Group) -> None:
    app.add_command(parse_command)
