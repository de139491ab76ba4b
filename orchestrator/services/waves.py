"""Apply's waves, one after the other, and what stands between two of them: the failure
threshold (halt), the soak (wait, re-verify the last wave; a regression halts), the window end
(no wave starts that would cross it: a clean, resumable stop) and the operator's gate
(`--confirm-waves`: the last wave's outcomes shown, an explicit answer taken)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from fleetreg.core.events import counts_text, took
from fleetreg.core.host_flow import HostFlow
from fleetreg.core.outcomes import FAILURE_OUTCOMES
from fleetreg.core.pacing import wave_fits
from fleetreg.core.plan_model import HostPlan, Plan, Wave
from fleetreg.core.wave_timing import step_times, wave_seconds
from fleetreg.services.run_events import PROBLEM_OUTCOMES, RunEvents
from fleetreg.services.soak import Pacing, SoakResult
from fleetreg.shell.journal import Journal
from fleetreg.shell.scheduler import WaveRunner

SOAK_STEP = "soak_verify"


@dataclass(frozen=True)
class WaveSummary:
    """How a wave went: what the gate shows before the next one."""

    wave: Wave
    counts: Mapping[str, int]
    problems: tuple[str, ...]  # "host: outcome at step: reason", failures first
    duration_s: float
    soak: str | None = None

    def lines(self) -> list[str]:
        head = f"{self.wave.name}: {counts_text(dict(self.counts))} in {took(self.duration_s)}"
        return [head, *(f"  {p}" for p in self.problems), *([f"  soak: {self.soak}"] if self.soak else [])]


@dataclass(frozen=True)
class WaveGate:
    """The question before a wave: start it (after `previous`), or stop here (resumable)."""

    wave: Wave
    hosts: int
    estimate_s: float
    previous: WaveSummary
    window_left_s: float | None = None


ConfirmWave = Callable[[WaveGate], bool]  # True: start the wave; False: stop, resumable; KeyboardInterrupt: Ctrl-C
SoakCheck = Callable[[Sequence[HostPlan], threading.Event], SoakResult]


@dataclass
class WavesEnd:
    halted: str | None = None  # a threshold passed, or a regression in a soak: the waves left are skipped
    stopped: str | None = None  # the window end, or `stop` at a gate: the waves left stay pending


@dataclass
class WaveDriver:
    plan: Plan
    flows: Mapping[str, HostFlow]
    runner: WaveRunner
    journal: Journal
    run_id: str
    events: RunEvents
    workers: int
    pacing: Pacing
    confirm: ConfirmWave | None = None
    soak_check: SoakCheck | None = None

    def run(self) -> WavesEnd:
        end = WavesEnd()
        previous: WaveSummary | None = None
        for wave in self.plan.waves:
            todo = [h for h in wave.hosts if h in self.flows]
            if not todo:
                continue
            if self.runner.stop_requested.is_set():
                break
            if previous is not None and self.pacing.soak_s > 0:
                previous, end.halted = self._soak(previous)
                if end.halted or self.runner.stop_requested.is_set():
                    break
            estimate = self.estimate(todo)
            if not wave_fits(self.pacing.clock(), estimate, self.pacing.window_end):
                end.stopped = self._window_closes(wave, estimate)
                break
            if previous is not None and self.confirm is not None:
                left = None if self.pacing.window_end is None else self.pacing.window_end - self.pacing.clock()
                gate = WaveGate(wave, len(todo), estimate, previous, left)
                try:
                    go = self.confirm(gate)
                except KeyboardInterrupt:  # Ctrl-C at the gate: the operator's stop
                    self.runner.request_stop()
                    break
                if not go:
                    end.stopped = f"stopped before {wave.name}: the operator answered stop"
                    self.events.note("gate", end.stopped, wave=wave.name, outcome="stopped")
                    break
                self.events.note("gate", f"{wave.name}: the operator answered continue", wave=wave.name)
            previous = self._wave(wave, todo, estimate)
            failures = sum(previous.counts.get(o, 0) for o in FAILURE_OUTCOMES)
            if failures > wave.max_failures:
                end.halted = (
                    f"halted after {wave.name}: {failures} hosts failed, more than the threshold of {wave.max_failures}"
                )
                self.events.note("halted", end.halted, wave=wave.name, outcome="halted")
                break
        return end

    def estimate(self, hosts: Sequence[str]) -> float:
        """The wave's duration from step times measured so far (this run's, then earlier runs')."""
        times = step_times(self.journal.step_durations())
        planned = self.plan.hosts_by_name()
        return wave_seconds([planned[h] for h in hosts], times, self.workers)[0]

    def _wave(self, wave: Wave, todo: list[str], estimate: float) -> WaveSummary:
        self.events.wave_started(wave.name, len(todo), estimate)
        started = self.pacing.clock()
        self.runner.run_wave(wave, self.flows)
        summary = self.summary(wave, todo, self.pacing.clock() - started)
        self.events.wave_finished(wave.name, summary.counts, summary.duration_s)
        return summary

    def summary(self, wave: Wave, hosts: Sequence[str], duration_s: float, soak: str | None = None) -> WaveSummary:
        records = self.journal.hosts(self.run_id)
        counts = Counter(records[h].state for h in hosts if h in records)
        problems = []
        for host in hosts:
            record = records.get(host)
            if record is None or record.state not in PROBLEM_OUTCOMES:
                continue
            at = f" at {record.failed_step}" if record.failed_step else ""
            problems.append(f"{host}: {record.state}{at}: {record.reason or ''}")
        return WaveSummary(wave, dict(counts), tuple(problems), duration_s, soak)

    def _soak(self, previous: WaveSummary) -> tuple[WaveSummary, str | None]:
        """Soak after `previous`: its migrated switches verified again while waiting."""
        records = self.journal.hosts(self.run_id)
        planned = self.plan.hosts_by_name()
        migrated = [planned[h] for h in previous.wave.hosts if h in records and records[h].state == "migrated"]
        name = previous.wave.name
        self.events.note(
            "soak",
            f"{name}: soaking {took(self.pacing.soak_s)}, re-verifying its {len(migrated)} migrated switches",
            wave=name,
        )
        assert self.soak_check is not None
        result = self.soak_check(migrated, self.runner.stop_requested)
        if result.regressions:
            for host, problem in sorted(result.regressions.items()):
                reason = f"regressed during the soak after {name}: {problem}"
                self.journal.host_finished(self.run_id, host, "failed", failed_step=SOAK_STEP, reason=reason)
                self.events.host_event(host, "failed", reason)
            halted = f"halted during the soak after {name}: {len(result.regressions)} switch(es) regressed"
            self.events.note("halted", halted, wave=name, outcome="regressed")
            return previous, halted
        text = f"{result.checks} check(s) of {result.verified} switches, no regression"
        if result.stopped:
            text += " (stopped early)"
        self.events.note("soak", f"{name}: soak done: {text}", wave=name, outcome="ok")
        return WaveSummary(previous.wave, previous.counts, previous.problems, previous.duration_s, text), None

    def _window_closes(self, wave: Wave, estimate: float) -> str:
        assert self.pacing.window_end is not None
        left = max(0.0, self.pacing.window_end - self.pacing.clock())
        reason = (
            f"stopped before {wave.name}: it needs about {took(estimate)}, the window ends in {took(left)}; "
            f"resume in the next window"
        )
        self.events.note("window", reason, wave=wave.name, outcome="stopped")
        return reason
