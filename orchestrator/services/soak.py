"""`apply --soak DURATION`: between two waves, wait, and meanwhile check again, read-only, that
the switches the last wave migrated still are (`fleetreg verify`'s checks: REGISTERED,
AUTHORIZED, the planned VA and call-home destination; for SLP the CSLU transport and an ACK).
A switch that no longer is has regressed: the run stops before its next wave."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fleetreg.core.plan_model import HostPlan, Plan
from fleetreg.services.verify import verify_hosts
from nornir.core import Nornir

SOAK_CHECK_EVERY_S = 300.0  # a soak longer than this checks every 5 minutes, and always at its end


@dataclass(frozen=True)
class Pacing:
    """How waves follow each other: soak time between them (re-verifying the last one), and the
    window end no wave may cross (epoch seconds, None: no end)."""

    soak_s: float = 0.0
    window_end: float | None = None
    check_every_s: float = SOAK_CHECK_EVERY_S
    clock: Callable[[], float] = field(default=time.time, compare=False)
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)


@dataclass(frozen=True)
class SoakResult:
    checks: int
    verified: int  # switches checked each time
    regressions: dict[str, str]  # host -> what is wrong now
    stopped: bool = False  # the operator stopped the run during the soak


def soak(
    plan: Plan,
    hosts: Sequence[HostPlan],
    nornir: Callable[[Sequence[str]], Nornir],
    pacing: Pacing,
    stop: threading.Event,
    *,
    read_timeout: float = 30,
    on_check: Callable[[int, int], None] | None = None,
) -> SoakResult:
    """Wait `pacing.soak_s`, verifying `hosts` every `check_every_s` and at the end; return at the
    first regression, or when `stop` is set."""
    names = [h.name for h in hosts]
    start = pacing.clock()
    end = start + pacing.soak_s
    next_check = min(end, start + pacing.check_every_s) if names else float("inf")
    checks = 0
    while not stop.is_set():
        now = pacing.clock()
        if now >= next_check:
            verdicts = verify_hosts(nornir(names), plan, read_timeout=read_timeout, only=names)
            checks += 1
            regressions = {v.host: "; ".join(v.problems) for v in verdicts if not v.ok}
            if on_check is not None:
                on_check(checks, len(regressions))
            if regressions:
                return SoakResult(checks, len(names), regressions)
            next_check = min(end, next_check + pacing.check_every_s) if next_check < end else float("inf")
            continue
        if now >= end:
            break
        pacing.sleep(max(0.0, min(0.5, min(next_check, end) - now)))
    return SoakResult(checks, len(names), {}, stopped=stop.is_set())
