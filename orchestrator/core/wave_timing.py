"""Estimated duration of each wave, from step times: defaults, refined by measured ones.

The model (simple on purpose, and stated wherever an estimate is shown):

- a host costs the time of its SSH steps (precheck, which includes the login, then its planned
  steps but the waits) plus the time of its waits (`wait_registered`, `wait_ack`);
- an SSH step holds one of the `workers` slots; a wait holds none (the scheduler polls it from
  a timer over the open session), and hosts that wait are started first;
- so a wave takes its hosts' SSH work spread over the slots, plus the longest wait, and never
  less than its slowest host: max(slowest host, SSH work / min(workers, hosts) + longest wait).

Step times come from DEFAULT_STEP_SECONDS (a switch answering a command in about half a second,
a satellite registering a switch in about half a minute) unless measured ones are given: the
median of each step's finished durations, from earlier runs in the same runs folder (plan) or
from the run itself (apply report). The gate and any soak between waves are not included."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median

from fleetreg.core.plan_model import HostPlan, Plan, Wave
from fleetreg.core.steps import POLL_STEPS

ASSUMED_WORKERS = 20  # apply's default --workers, for estimates made before apply is run

# Seconds per step. `precheck` includes the SSH login and the reads apply makes before changing
# anything; the waits are how long the satellite takes (registration, a usage report's ACK).
DEFAULT_STEP_SECONDS: Mapping[str, float] = {
    "precheck": 6.0,
    "backup": 2.0,
    "install_ca": 5.0,
    "configure": 3.0,
    "save_config": 4.0,
    "deregister": 5.0,
    "register": 3.0,
    "wait_registered": 30.0,
    "sync": 3.0,
    "wait_ack": 10.0,
    "save_final": 4.0,
    "verify": 2.0,
}
WAIT_STEPS = POLL_STEPS  # they hold no worker slot
MIN_SAMPLES = 3  # a step measured fewer times keeps its default


@dataclass(frozen=True)
class StepTimes:
    """Seconds per step, and where they came from (for the reader of an estimate)."""

    seconds: Mapping[str, float]
    measured: Mapping[str, int]  # step -> how many measured durations its figure is the median of

    @property
    def source(self) -> str:
        if not self.measured:
            return "default step times"
        samples = sum(self.measured.values())
        return f"step times measured over {samples} steps ({', '.join(sorted(self.measured))}), defaults for the rest"


def step_times(durations: Iterable[tuple[str, float]] = ()) -> StepTimes:
    """Defaults, with each step measured at least MIN_SAMPLES times replaced by its median."""
    by_step: dict[str, list[float]] = {}
    for step, took in durations:
        if step in DEFAULT_STEP_SECONDS and took >= 0:
            by_step.setdefault(step, []).append(took)
    measured = {step: values for step, values in by_step.items() if len(values) >= MIN_SAMPLES}
    seconds = {**DEFAULT_STEP_SECONDS, **{step: float(median(values)) for step, values in measured.items()}}
    return StepTimes(seconds=seconds, measured={step: len(values) for step, values in measured.items()})


@dataclass(frozen=True)
class WaveEstimate:
    number: int
    name: str
    hosts: int
    seconds: float
    start_s: float  # from the start of the run, waves back to back
    slowest_host_s: float


def host_seconds(host: HostPlan, times: StepTimes) -> tuple[float, float]:
    """(SSH work, waits) of one host, in seconds."""
    names = ["precheck", *(s.name for s in host.steps)]
    work = sum(times.seconds.get(n, 0.0) for n in names if n not in WAIT_STEPS)
    wait = sum(times.seconds.get(n, 0.0) for n in names if n in WAIT_STEPS)
    return work, wait


def wave_seconds(hosts: Sequence[HostPlan], times: StepTimes, workers: int) -> tuple[float, float]:
    """(estimated wave duration, slowest host) in seconds."""
    if not hosts:
        return 0.0, 0.0
    costs = [host_seconds(h, times) for h in hosts]
    slowest = max(work + wait for work, wait in costs)
    spread = sum(work for work, _ in costs) / max(1, min(workers, len(hosts))) + max(wait for _, wait in costs)
    return max(slowest, spread), slowest


def estimate_waves(plan: Plan, times: StepTimes | None = None, *, workers: int = ASSUMED_WORKERS) -> list[WaveEstimate]:
    times = times or step_times()
    by_name = plan.hosts_by_name()
    estimates: list[WaveEstimate] = []
    start = 0.0
    for wave in plan.waves:
        seconds, slowest = wave_seconds([by_name[n] for n in wave.hosts if n in by_name], times, workers)
        estimates.append(WaveEstimate(wave.number, wave.name, len(wave.hosts), seconds, start, slowest))
        start += seconds
    return estimates


def estimate_wave(plan: Plan, wave: Wave, times: StepTimes, *, workers: int = ASSUMED_WORKERS) -> float:
    """One wave's estimate (e.g. to check it against the end of the window before starting it)."""
    by_name = plan.hosts_by_name()
    return wave_seconds([by_name[n] for n in wave.hosts if n in by_name], times, workers)[0]


def duration_text(seconds: float | None) -> str:
    """`45 s`, `3 min 20 s`, `1 h 05 min`: how the reports write a duration."""
    if seconds is None:
        return ""
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
