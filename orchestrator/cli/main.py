"""The `fleetreg` command line. Thin: parses arguments, calls the services, turns any
FleetregError into one line on stderr and its exit code. Never a traceback, not even for
fleetreg's own failures (disk full, the journal, a bug): those exit 3. With `--json`, stdout
also carries the error as a JSON document.

Exit codes (fleetreg.core.exit_codes.MEANINGS, the one table; README.md shows it too):

| code | meaning |
|------|---------|
| 0 | all done: every switch the run acts on is migrated (or already was); blocked ones are reported |
| 1 | some switches failed, were backed out or drifted since the plan: see the report |
| 2 | bad input, nothing touched: inventory, plan file, arguments, a token, an unknown run, a confirmation not given; or the plan/run is in use by another fleetreg process |
| 3 | fleetreg itself failed (disk full, the journal, a bug): switches are where the journal says; fleetreg apply --resume RUN finishes or backs them out |
| 4 | stopped before the end, resumable: the window end came, stop was answered at a wave gate, or SIGTERM; fleetreg apply --resume RUN goes on |
| 5 | halted: a wave failed more switches than its threshold, or a switch regressed during a soak; the waves left were not started |
| 6 | nothing to do: no switch can be acted on and at least one is blocked (unreachable, wrong password...): fix them and plan again |
| 7 | nothing failed, but some SLP switches are pending-ack: configured as planned, the satellite's ACK not come yet; fleetreg verify RUN promotes them |
| 130 | interrupted by Ctrl-C (the shell's convention); resumable like 4 |
"""  # noqa: E501

from __future__ import annotations

import errno
import sqlite3
import sys

import click
from fleetreg.cli.output import STATE, emit_json
from fleetreg.core.errors import FleetregError
from fleetreg.core.exit_codes import MEANINGS, ExitCode
from fleetreg.shell.logsetup import reset
from fleetreg.shell.process import prepare_process, scrub_environment_secrets

EXIT_CODES_HELP = "\b\nExit codes:\n" + "\n".join(f"  {code:>3}  {text}" for code, text in MEANINGS.items())


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120}, epilog=EXIT_CODES_HELP)
@click.version_option(package_name="fleetreg")
def app() -> None:
    """Move Catalyst switches from Cisco cloud Smart Licensing to an SSM On-Prem satellite."""


def _register_commands() -> None:
    from fleetreg.cli import register_all

    register_all(app)


def main(argv: list[str] | None = None) -> int:
    prepare_process()
    _register_commands()
    STATE.json = False
    try:
        return _run(argv)
    finally:
        reset()  # the verb's log handlers: closed, none left for the next command of this process


def _run(argv: list[str] | None) -> int:
    try:
        code = app.main(args=argv, prog_name="fleetreg", standalone_mode=False)
        if isinstance(code, int):  # click returns an Exit's code instead of raising it here
            return code
    except FleetregError as exc:
        return _error(exc.one_line(), exc.exit_code, exc)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("fleetreg: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except click.ClickException as exc:
        return _error(exc.format_message(), ExitCode.BAD_INPUT)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except OSError as exc:  # unwritable folder, missing file named on the command line...
        where = f"{exc.filename}: " if exc.filename else ""
        return _error(f"{where}{exc.strerror or exc}", INTERNAL_FAILURE if exc.errno in _NO_SPACE else 2)
    except sqlite3.Error as exc:  # the journal, outside a run (a run's own are InternalError)
        return _error(f"journal failed: {' '.join(str(exc).split())}", INTERNAL_FAILURE)
    except Exception as exc:  # a bug: one line, never a traceback, never a secret it may quote
        first = " ".join((scrub_environment_secrets(str(exc)) or "").split())[:200]
        return _error(f"internal error: {type(exc).__name__}: {first}", INTERNAL_FAILURE)
    return 0


def _error(message: str, code: int, exc: FleetregError | None = None) -> int:
    """One line on stderr; with --json, the same as a JSON document on stdout."""
    click.echo(f"fleetreg: error: {message}", err=True)
    if STATE.json:
        context = {k: getattr(exc, k, None) for k in ("host", "file", "field", "step")} if exc else {}
        emit_json({"error": {"message": message, "exit_code": int(code), **context}, "exit_code": int(code)})
    return int(code)


INTERNAL_FAILURE = ExitCode.INTERNAL  # fleetreg.core.errors.InternalError.exit_code
_NO_SPACE = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO})


if __name__ == "__main__":
    sys.exit(main())
