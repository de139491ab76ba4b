"""The `fleetreg` command line. Thin: parses arguments, calls the core, turns any
FleetregError into one line on stderr and its exit code. Never a traceback, not even for
fleetreg's own failures (disk full, the journal, a bug): those exit 3.

Exit codes: 0 every planned switch migrated (or already was); 1 some switches failed (see the
report); 2 bad input, or the plan/run is in use by another fleetreg process: no switch was
touched; 3 fleetreg itself failed: every switch is where the journal says, `fleetreg apply
--resume RUN` finishes or backs it out; 130 interrupted."""

from __future__ import annotations

import errno
import gc
import os
import sqlite3
import sys

import click

from orchestrator.cli_text import IDTOKEN
from orchestrator.errors import FleetregError
from orchestrator.redact import Redactor


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fleetreg")
def app() -> None:
    """Move Catalyst switches from Cisco cloud Smart Licensing to an SSM On-Prem satellite."""


def _quiet_libraries() -> None:
    """Nornir logs task tracebacks at ERROR and paramiko chats on WARNING; with no handler
    configured Python would print them to stderr. fleetreg reports errors itself, one line
    each, without the raw exception text (which could hold a command and its token)."""
    import logging

    for name in ("nornir", "nornir.core", "netmiko", "paramiko", "asyncssh", "scrapli"):
        logger = logging.getLogger(name)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
        logger.setLevel(logging.WARNING)  # asyncssh logs every connection and channel at INFO


def _raise_open_file_limit() -> None:
    """Switches waiting for registration keep their SSH session open: hundreds at once."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):  # not on this platform, or not allowed: keep the limit
        pass


def _register_commands() -> None:
    from orchestrator.commands import register_all

    register_all(app)


GC_YOUNG_OBJECTS = 10_000


def prepare_process() -> None:
    """What every fleetreg process does first (also apply's shard processes)."""
    _quiet_libraries()
    # Everything fleetreg writes (run folders, journal and its WAL, session logs, backups)
    # describes the network and is for its owner only.
    os.umask(0o077)
    _raise_open_file_limit()
    # A run holds thousands of long-lived objects (inventory, plan, sessions) and allocates
    # fast: collecting the young generation every 700 allocations cost 1 s of CPU per 1,000
    # switches in a plan, half of that with a larger young generation and `tasks.event_loop`
    # freezing what exists when the loop starts.
    gc.set_threshold(GC_YOUNG_OBJECTS, 20, 20)


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


SECRET_ENVIRONMENT = ("FLEETREG_PASSWORD", "FLEETREG_ENABLE_SECRET", "FLEETREG_TOKEN_", "FLEETREG_SATELLITE_")


def scrub_environment_secrets(text: str) -> str | None:
    """`text` without the secrets this process was given in its environment, nor a register
    line's token: for errors raised where no run's redactor exists."""
    secrets = (value for name, value in os.environ.items() if name.startswith(SECRET_ENVIRONMENT))
    return Redactor(secrets)(IDTOKEN.sub(" idtoken <token>", text))


INTERNAL_FAILURE = 3  # orchestrator.errors.InternalError.exit_code
_NO_SPACE = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO})


if __name__ == "__main__":
    sys.exit(main())
