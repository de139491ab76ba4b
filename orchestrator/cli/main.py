"""The `fleetreg` command line. Thin: parses arguments, calls the core, turns any
FleetregError into one line on stderr and its exit code. Never a traceback, not even for
fleetreg's own failures (disk full, the journal, a bug): those exit 3.

Exit codes: 0 every planned switch migrated (or already was); 1 some switches failed (see the
report); 2 bad input, or the plan/run is in use by another fleetreg process: no switch was
touched; 3 fleetreg itself failed: every switch is where the journal says, `fleetreg apply
--resume RUN` finishes or backs it out; 130 interrupted."""

from __future__ import annotations

import errno
import sqlite3
import sys

import click
from fleetreg.core.errors import FleetregError
from fleetreg.shell.process import prepare_process, scrub_environment_secrets


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fleetreg")
def app() -> None:
    """Move Catalyst switches from Cisco cloud Smart Licensing to an SSM On-Prem satellite."""


def _register_commands() -> None:
    from fleetreg.cli import register_all

    register_all(app)


def main(argv: list[str] | None = None) -> int:
    prepare_process()
    _register_commands()
    try:
        code = app.main(args=argv, prog_name="fleetreg", standalone_mode=False)
        if isinstance(code, int):  # click returns an Exit's code instead of raising it here
            return code
    except FleetregError as exc:
        click.echo(f"fleetreg: error: {exc.one_line()}", err=True)
        return exc.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("fleetreg: interrupted", err=True)
        return 130
    except click.ClickException as exc:
        click.echo(f"fleetreg: error: {exc.format_message()}", err=True)
        return 2
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except OSError as exc:  # unwritable folder, missing file named on the command line...
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"fleetreg: error: {where}{exc.strerror or exc}", err=True)
        return INTERNAL_FAILURE if exc.errno in _NO_SPACE else 2
    except sqlite3.Error as exc:  # the journal, outside a run (a run's own are InternalError)
        click.echo(f"fleetreg: error: journal failed: {' '.join(str(exc).split())}", err=True)
        return INTERNAL_FAILURE
    except Exception as exc:  # a bug: one line, never a traceback, never a secret it may quote
        first = " ".join((scrub_environment_secrets(str(exc)) or "").split())[:200]
        click.echo(f"fleetreg: error: internal error: {type(exc).__name__}: {first}", err=True)
        return INTERNAL_FAILURE
    return 0


INTERNAL_FAILURE = 3  # orchestrator.errors.InternalError.exit_code
_NO_SPACE = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO})


if __name__ == "__main__":
    sys.exit(main())
