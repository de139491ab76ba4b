"""Apply on every core: the hosts of a wave are split over worker processes ("shards"), each
running the ordinary ApplyRunner on its share with its own journal connection (SQLite in WAL
mode takes their writes in turn). The parent keeps what is global: waves, failure thresholds,
progress, Ctrl-C, the satellite post-check and the reports.

One process runs all its sessions on one event loop, so on one core. `--processes N` (default 1)
gives a wave N loops; on the 2-core benchmark machine, where the emulated fleet shares the cores,
it did not shorten a 1,000-switch apply (bench/README.md), so it stays opt-in."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fleetreg.core.errors import InternalError
from fleetreg.core.host_flow import HostFlow
from fleetreg.core.plan_model import Wave
from fleetreg.shell.journal import TERMINAL_STATES, Journal
from fleetreg.shell.runfolder import write_json
from fleetreg.shell.scheduler import EventSink

POLL_S = 0.3
FINAL_STATES = TERMINAL_STATES | {"interrupted"}


class ShardedRunner:
    """Runs each wave in `processes` child processes. Same surface as ApplyRunner for the
    apply service: run_wave, request_stop, stop_requested."""

    def __init__(
        self,
        journal: Journal,
        run_id: str,
        run_dir: Path,
        options: Any,
        processes: int,
        on_event: EventSink | None = None,
    ) -> None:
        self.journal = journal
        self.run_id = run_id
        self.run_dir = run_dir
        self.options = options
        self.processes = processes
        self.on_event = on_event or (lambda host, event, text: None)
        self.stop_requested = threading.Event()
        self._children: list[subprocess.Popen[str]] = []

    def request_stop(self) -> None:
        """Ctrl-C: each shard finishes the steps under way and starts nothing new."""
        self.stop_requested.set()
        for child in self._children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)

    def run_wave(self, wave: Wave, flows: Mapping[str, HostFlow]) -> None:
        hosts = [h for h in wave.hosts if h in flows]
        shards = [hosts[i :: self.processes] for i in range(self.processes)]
        workers = max(1, self.options.workers // self.processes)
        seen = {h: r.state for h, r in self.journal.hosts(self.run_id).items() if r.state in FINAL_STATES}
        self._children = []
        for number, shard in enumerate(s for s in shards if s):
            spec = self.run_dir / f"shard-{wave.number}-{number}.json"
            options = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self.options).items()}
            options.update(workers=workers, processes=1)
            write_json(
                spec,
                {
                    "run_id": self.run_id,
                    "run_dir": str(self.run_dir),
                    "wave": wave.number,
                    "hosts": shard,
                    "options": options,
                },
            )
            self._children.append(
                subprocess.Popen(
                    [sys.executable, "-m", SHARD_MODULE, str(spec)],
                    stdin=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,  # a shard's own failure becomes part of fleetreg's one line
                    text=True,
                )
            )
        try:
            while any(child.poll() is None for child in self._children):
                time.sleep(POLL_S)
                self._report_progress(seen)
        finally:
            for child in self._children:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(timeout=5)
            self._report_progress(seen)
        causes = [cause for child in self._children if (cause := _shard_failure(child))]
        if causes:  # a shard's own failure (disk full, journal): the run stops here
            self.stop_requested.set()
            more = f" (and {len(causes) - 1} more)" if len(causes) > 1 else ""
            raise InternalError(f"a shard process of {wave.name} failed: {causes[0]}{more}")

    def _report_progress(self, seen: dict[str, str]) -> None:
        for host, record in self.journal.hosts(self.run_id).items():
            if record.state in FINAL_STATES and seen.get(host) != record.state:
                seen[host] = record.state
                self.on_event(host, record.state, record.reason or "")


SHARD_ERROR = "fleetreg shard: error: "
SHARD_MODULE = "fleetreg.services.apply_shard"  # what each shard process runs


def _shard_failure(child: subprocess.Popen[str]) -> str | None:
    """What an ended shard printed, passed on to stderr, except its error line: returned (with
    its exit code as the cause when it printed none) when the shard failed."""
    if child.returncode is None or child.stderr is None:
        return None
    with child.stderr:
        lines = child.stderr.read().splitlines()
    cause = next((line.removeprefix(SHARD_ERROR) for line in lines if line.startswith(SHARD_ERROR)), None)
    rest = [line for line in lines if not line.startswith(SHARD_ERROR)]
    if rest:
        sys.stderr.write("\n".join(rest) + "\n")
    if not child.returncode:
        return None
    return cause or f"exit code {child.returncode}"
