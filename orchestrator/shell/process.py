"""What every fleetreg process sets up first (the CLI and apply's shard processes), and the
scrubbing of its environment's secrets from error text."""

from __future__ import annotations

import gc
import os

from fleetreg.core.cli_text import IDTOKEN
from fleetreg.core.redact import Redactor


def _quiet_libraries() -> None:
    """Nornir logs task tracebacks at ERROR and paramiko chats on WARNING; with no handler
    configured Python would print them to stderr. fleetreg reports errors itself, one line
    each, without the raw exception text (which could hold a command and its token)."""
    import logging

    for name in ("nornir", "nornir.core", "nornir_ansible", "netmiko", "paramiko", "asyncssh", "scrapli"):
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


SECRET_ENVIRONMENT = ("FLEETREG_PASSWORD", "FLEETREG_ENABLE_SECRET", "FLEETREG_TOKEN_", "FLEETREG_SATELLITE_")


def scrub_environment_secrets(text: str) -> str | None:
    """`text` without the secrets this process was given in its environment, nor a register
    line's token: for errors raised where no run's redactor exists."""
    secrets = (value for name, value in os.environ.items() if name.startswith(SECRET_ENVIRONMENT))
    return Redactor(secrets)(IDTOKEN.sub(" idtoken <token>", text))
