"""What a run reports as it goes: one event per host outcome, step, wave, gate and run, as data.
Pure: the services log them (Python `logging`, logger `fleetreg.<module>`, the event under the
record's `fleetreg_event` attribute); the CLI decides where they go (a plain line on stdout
without a terminal, a log file as text or one JSON object per line)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# What `event` names. Host-level events are those a live progress display already shows.
HOST_EVENTS = frozenset({"host", "step", "retry", "step-failed"})


@dataclass(frozen=True)
class RunEvent:
    event: str  # run-started, wave-started, wave-finished, soak, gate, run-stopped, run-finished, host, step...
    run: str
    message: str  # one plain line for people: what a scheduler's console shows
    timestamp: float  # seconds since the epoch
    wave: str | None = None
    host: str | None = None
    step: str | None = None
    outcome: str | None = None
    duration_s: float | None = None

    @property
    def host_level(self) -> bool:
        return self.event in HOST_EVENTS

    def fields(self) -> dict[str, Any]:
        """The event as one JSON object: run, wave, host, step, outcome, duration, timestamp."""
        return {
            "timestamp": iso_time(self.timestamp),
            "event": self.event,
            "run": self.run,
            "wave": self.wave,
            "host": self.host,
            "step": self.step,
            "outcome": self.outcome,
            "duration": None if self.duration_s is None else round(self.duration_s, 3),
            "message": self.message,
        }


def iso_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def took(seconds: float | None) -> str:
    """12.3s, 4m05s, 1h02m: short and readable in a log line."""
    if seconds is None:
        return "?"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "no switch"
