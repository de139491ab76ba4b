"""Where a verb's output goes. On a terminal: tables and a live progress bar. Without one (a
scheduler: AWX, Jenkins, cron): one plain line per host event and per wave on stdout, no live
display. `--json`: stdout carries one JSON document, the verb's result (or the error), and
everything for people moves to stderr. `--log-file PATH` (`--log-format text|json`): every
event appended to PATH, JSON as one object per line. Secrets never reach any of them
(fleetreg.shell.logsetup)."""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import click
from fleetreg.shell.logsetup import ConsoleHandler, LogFormat, configure, file_handler, scrub

F = TypeVar("F", bound=Callable[..., Any])
logger = logging.getLogger(__name__)


@dataclass
class OutputState:
    """What the running verb asked for (one verb per process; the CLI resets it per command)."""

    json: bool = False


STATE = OutputState()


def interactive() -> bool:
    """A person at a terminal: a live display is drawn, and nothing prints a line per host."""
    return sys.stdout.isatty() and sys.stderr.isatty()


def setup_output(*, as_json: bool, log_file: Path | None, log_format: LogFormat) -> None:
    """The handlers of fleetreg's logger for this verb (see the module docstring)."""
    STATE.json = as_json
    people: Literal["stdout", "stderr"] = "stderr" if as_json else "stdout"
    handlers: list[logging.Handler] = [ConsoleHandler(people, host_level=not interactive())]
    if log_file is not None:
        handlers.append(file_handler(log_file, log_format))
    configure(handlers)


def emit_json(document: dict[str, Any]) -> None:
    """The verb's result on stdout, as one JSON document (every known secret masked)."""
    click.echo(scrub(json.dumps(document, indent=2, ensure_ascii=False, default=str)))


def output_options(*, json_result: bool = True) -> Callable[[F], F]:
    """--log-file, --log-format (and --json when the verb prints a result); the verb is called
    with `as_json` when it has --json."""

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def configured(*args: Any, log_file: Path | None, log_format: str, **kwargs: Any) -> Any:
            as_json = bool(kwargs.get("as_json", False))
            setup_output(as_json=as_json, log_file=log_file, log_format=cast(LogFormat, log_format))
            return command(*args, **kwargs)

        options = [
            click.option(
                "--log-file",
                type=click.Path(path_type=Path, dir_okay=False),
                default=None,
                envvar="FLEETREG_LOG_FILE",
                help="Append every event (host outcome, step, wave, gate, run) to this file.",
            ),
            click.option(
                "--log-format",
                type=click.Choice(["text", "json"]),
                default="text",
                show_default=True,
                envvar="FLEETREG_LOG_FORMAT",
                help="json: one object per line (run, wave, host, step, outcome, duration, timestamp), for a "
                "log pipeline.",
            ),
        ]
        if json_result:
            options.append(
                click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON document on stdout.")
            )
        decorated = cast(F, configured)
        for option in reversed(options):
            decorated = option(decorated)
        return decorated

    return decorate
