"""A run as the journal recorded it, reduced to what the reports show: per wave, when it ran,
how long it took and how its hosts ended; per host, when it started and ended. Pure: the
service layer copies the journal's rows into these records."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from fleetreg.core.plan_model import Plan


@dataclass(frozen=True)
class HostTiming:
    host: str
    wave: int | None
    state: str
    started_at: float | None  # epoch seconds; None: no step ran
    finished_at: float | None


@dataclass(frozen=True)
class StepTiming:
    host: str
    step: str
    status: str  # started | done | failed | interrupted
    started_at: float
    finished_at: float | None

    @property
    def seconds(self) -> float | None:
        return None if self.finished_at is None else self.finished_at - self.started_at


@dataclass(frozen=True)
class RunRecord:
    """One apply run from the journal."""

    run_id: str
    started_at: float
    finished_at: float | None
    workers: int | None
    hosts: tuple[HostTiming, ...]
    steps: tuple[StepTiming, ...]

    def step_durations(self) -> list[tuple[str, float]]:
        """(step, seconds) of every step that finished as planned: what estimates learn from."""
        return [(s.step, s.seconds) for s in self.steps if s.status == "done" and s.seconds is not None]


@dataclass(frozen=True)
class WaveResult:
    number: int
    name: str
    hosts: int
    outcomes: Mapping[str, int]
    started_at: float | None  # first step of any of its hosts
    finished_at: float | None  # last host to finish
    estimate_s: float | None = None

    @property
    def duration_s(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at


def wave_results(
    plan: Plan, run: RunRecord | None, outcomes: Mapping[str, str], estimates: Mapping[int, float] | None = None
) -> list[WaveResult]:
    """Per planned wave: outcomes of its hosts (`outcomes`: host -> outcome) and, from the
    journal, when it ran. Without a run (a plan report) only the estimates are filled in."""
    timing = {h.host: h for h in run.hosts} if run else {}
    results = []
    for wave in plan.waves:
        rows = [timing[n] for n in wave.hosts if n in timing]
        starts = [r.started_at for r in rows if r.started_at is not None]
        ends = [r.finished_at for r in rows if r.finished_at is not None and r.started_at is not None]
        results.append(
            WaveResult(
                number=wave.number,
                name=wave.name,
                hosts=len(wave.hosts),
                outcomes=dict(Counter(outcomes[n] for n in wave.hosts if n in outcomes)),
                started_at=min(starts) if starts else None,
                finished_at=max(ends) if ends else None,
                estimate_s=(estimates or {}).get(wave.number),
            )
        )
    return results


@dataclass(frozen=True)
class HostBar:
    host: str
    wave: str
    outcome: str
    start_s: float  # from the start of the run
    end_s: float


def host_bars(plan: Plan, run: RunRecord, outcomes: Mapping[str, str]) -> list[HostBar]:
    """Each host that ran, from its first step to its end, in seconds since the run started."""
    names = {w.number: w.name for w in plan.waves}
    bars = []
    for h in run.hosts:
        if h.started_at is None or h.wave is None:
            continue
        end = h.finished_at if h.finished_at is not None else h.started_at
        bars.append(
            HostBar(
                host=h.host,
                wave=names.get(h.wave, f"wave {h.wave}"),
                outcome=outcomes.get(h.host, h.state),
                start_s=h.started_at - run.started_at,
                end_s=end - run.started_at,
            )
        )
    return sorted(bars, key=lambda b: (b.start_s, b.host))


@dataclass(frozen=True)
class ConcurrencyPoint:
    at_s: float  # start of the time slice, from the start of the run
    wave: str
    hosts: int  # hosts of that wave in progress during the slice


def in_progress(bars: Sequence[HostBar], *, slices: int = 60) -> list[ConcurrencyPoint]:
    """Hosts in progress over time, per wave, in `slices` equal slices of the run: how a
    thousand host bars read at a glance."""
    if not bars:
        return []
    end = max(b.end_s for b in bars)
    width = max(end / slices, 1e-6)
    waves = list(dict.fromkeys(b.wave for b in bars))
    points: list[ConcurrencyPoint] = []
    for index in range(slices):
        lo, hi = index * width, (index + 1) * width
        counts = Counter(b.wave for b in bars if b.start_s < hi and b.end_s >= lo)
        points.extend(ConcurrencyPoint(round(lo, 3), wave, counts.get(wave, 0)) for wave in waves)
    return points


def utc_text(epoch: float | None) -> str:
    """`2026-12-03 10:35:12Z`: how the reports write a journal time."""
    if epoch is None:
        return ""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%SZ")
