"""One shard of a wave, in its own process (`python -m fleetreg.services.apply_shard SPEC`):
the ordinary apply runner on the hosts fleetreg.shell.shards gave it."""

from __future__ import annotations

import contextlib
import ctypes
import json
import signal
import sys
from pathlib import Path
from typing import Any

from fleetreg.core.errors import FleetregError, InternalError
from fleetreg.core.host_flow import HostFlow
from fleetreg.shell.shards import SHARD_ERROR


def _die_with_parent() -> None:
    """A shard must not outlive its parent (kill -9 of fleetreg): Linux PR_SET_PDEATHSIG."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def run_shard(spec_file: Path) -> int:
    """A shard process: its part of a wave. Whatever goes wrong ends as one error line for the
    parent (no traceback, no secret), with the error's exit code."""
    from fleetreg.shell.process import prepare_process, scrub_environment_secrets

    _die_with_parent()
    prepare_process()
    try:
        return _run_shard(spec_file)
    except FleetregError as exc:
        print(f"{SHARD_ERROR}{scrub_environment_secrets(exc.one_line())}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # a bug: still one line
        text = scrub_environment_secrets(" ".join(str(exc).split())[:200])
        print(f"{SHARD_ERROR}internal error: {type(exc).__name__}: {text}", file=sys.stderr)
        return InternalError.exit_code
    finally:
        spec_file.unlink(missing_ok=True)


def _run_shard(spec_file: Path) -> int:
    from fleetreg.services.apply import ApplyOptions, Session, open_journal
    from fleetreg.shell.plan_store import PLAN_FILE

    spec = json.loads(spec_file.read_text())
    paths = ("runs_dir", "inventory_dir", "secrets_file", "known_hosts", "project_dir")
    values: dict[str, Any] = {k: (Path(v) if k in paths and v else v) for k, v in spec["options"].items()}
    options = ApplyOptions(**values)
    run_dir = Path(spec["run_dir"])
    session = Session(run_dir / PLAN_FILE, options)
    plan = session.plan
    journal = open_journal(options.runs_dir)
    try:
        records = journal.hosts(spec["run_id"])
        flows: dict[str, HostFlow] = {}
        planned = plan.hosts_by_name()
        for name in spec["hosts"]:
            host, record = planned[name], records[name]
            flows[name] = (
                session.flow(host)
                if record.state == "pending"
                else session.resumed_flow(host, record, journal, spec["run_id"])
            )
        runner = session.runner(journal, spec["run_id"], run_dir, list(flows), None)
        signal.signal(signal.SIGINT, lambda signum, frame: runner.request_stop())
        wave = next(w for w in plan.waves if w.number == spec["wave"])
        runner.run_wave(wave, flows)
    finally:
        journal.close()
    return 0


if __name__ == "__main__":
    sys.exit(run_shard(Path(sys.argv[1])))
