"""A run's events, as they happen: each host's outcome (with the steps it went through and how
long each took, from the journal), retries and failed steps, waves, gates, soaks, the run's
start and end. Logged through Python `logging` (this module's logger); the CLI routes them
(plain lines without a terminal, a log file as text or JSON). Every text has been through the
run's Redactor before it is logged; the log handlers scrub again."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from fleetreg.core.events import RunEvent, counts_text, took
from fleetreg.core.outcomes import DONE_OUTCOMES, FAILURE_OUTCOMES, FINAL_OUTCOMES
from fleetreg.core.plan_model import Plan
from fleetreg.core.redact import Redactor
from fleetreg.shell.journal import Journal
from fleetreg.shell.logsetup import log_event
from fleetreg.shell.scheduler import EventSink

logger = logging.getLogger(__name__)

# What the runners report when a host is done with this run (fleetreg.shell.scheduler, shards).
FINAL_EVENTS = FINAL_OUTCOMES
PROBLEM_OUTCOMES = FAILURE_OUTCOMES | {"drifted", "interrupted"}


class RunEvents:
    """The events of one run: `host_event` is the runners' EventSink; the rest, the service's."""

    def __init__(
        self,
        run_id: str,
        plan: Plan,
        journal: Journal,
        *,
        redactor: Redactor,
        on_event: EventSink | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.run_id = run_id
        self.journal = journal
        self.redact = redactor
        self.forward = on_event
        self.clock = clock
        self.since = clock()  # steps journaled before (an earlier process of this run) were reported then
        self.wave_of = {host: wave.name for wave in plan.waves for host in wave.hosts}

    def emit(self, event: str, message: str, *, level: int = logging.INFO, **fields: Any) -> RunEvent:
        record = RunEvent(
            event=event, run=self.run_id, message=self.redact(message) or "", timestamp=self.clock(), **fields
        )
        log_event(logger, record, level=level)
        return record

    # ------------------------------------------------------------------ hosts (the runners' sink)
    def host_event(self, host: str, event: str, text: str) -> None:
        wave = self.wave_of.get(host)
        where = f"{wave} {host}" if wave else host
        if event in FINAL_EVENTS:
            self._steps(host, wave)
            record = self.journal.host(self.run_id, host)
            duration = record.duration_s if record is not None else None
            at = f" at {record.failed_step}" if record and record.failed_step and event in PROBLEM_OUTCOMES else ""
            reason = f": {text}" if text and event in PROBLEM_OUTCOMES else ""
            level = logging.WARNING if event in PROBLEM_OUTCOMES else logging.INFO
            self.emit(
                "host",
                f"{where}: {event}{at} ({took(duration)}){reason}",
                level=level,
                wave=wave,
                host=host,
                step=record.failed_step if record else None,
                outcome=event,
                duration_s=duration,
            )
        elif event in ("retry", "step-failed"):
            step = text.split(":", 1)[0] if event == "step-failed" else None
            self.emit(event, f"{where}: {event}: {text}", level=logging.WARNING, wave=wave, host=host, step=step)
        if self.forward is not None:
            self.forward(host, event, text)

    def _steps(self, host: str, wave: str | None) -> None:
        for step in self.journal.steps(self.run_id, host):
            if step.finished_at is None or step.finished_at < self.since:
                continue
            duration = step.finished_at - step.started_at
            detail = f": {step.detail}" if step.detail else ""
            log_event(
                logger,
                RunEvent(
                    event="step",
                    run=self.run_id,
                    message=self.redact(f"{wave or ''} {host}: {step.step} {step.status} ({took(duration)}){detail}")
                    or "",
                    timestamp=step.finished_at,
                    wave=wave,
                    host=host,
                    step=step.step,
                    outcome=step.status,
                    duration_s=duration,
                ),
            )

    # ------------------------------------------------------------------ the run and its waves
    def run_started(self, kind: str, hosts: int, waves: int, note: str = "") -> None:
        extra = f"; {note}" if note else ""
        plural = "" if waves == 1 else "s"
        self.emit("run-started", f"run {self.run_id}: {kind} of {hosts} switches in {waves} wave{plural}{extra}")

    def wave_started(self, name: str, hosts: int, estimate_s: float) -> None:
        self.emit(
            "wave-started",
            f"{name}: started, {hosts} switches, about {took(estimate_s)}",
            wave=name,
            duration_s=estimate_s,
        )

    def wave_finished(self, name: str, counts: Mapping[str, int], duration_s: float) -> None:
        self.emit(
            "wave-finished",
            f"{name}: finished in {took(duration_s)}: {counts_text(dict(counts))}",
            wave=name,
            outcome="ok" if set(counts) <= DONE_OUTCOMES else "problems",
            duration_s=duration_s,
        )

    def note(self, event: str, message: str, *, wave: str | None = None, outcome: str | None = None) -> None:
        level = logging.WARNING if outcome in ("halted", "stopped", "regressed") else logging.INFO
        self.emit(event, message, level=level, wave=wave, outcome=outcome)

    def run_finished(self, status: str, counts: Mapping[str, int], exit_code: int, duration_s: float) -> None:
        self.emit(
            "run-finished",
            f"run {self.run_id}: {status} in {took(duration_s)}: {counts_text(dict(counts))}; exit code {exit_code}",
            outcome=status,
            duration_s=duration_s,
        )
