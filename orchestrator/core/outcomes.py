"""How a switch's part of a run can end, declared once: what each outcome means for a resume,
the failure threshold, the exit code and the reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Outcome = Literal[
    "migrated", "already-migrated", "skipped", "pending-ack", "failed", "backed-out", "drifted", "interrupted"
]


@dataclass(frozen=True)
class OutcomeSpec:
    name: str
    title: str
    terminal: bool  # a resume leaves the switch alone
    failure: bool  # counts against a wave's failure threshold
    done: bool  # the switch is where the plan wants it


OUTCOME_TABLE: tuple[OutcomeSpec, ...] = (
    OutcomeSpec("migrated", "on the satellite, read back", True, False, True),
    OutcomeSpec("already-migrated", "was on the satellite before the change", True, False, True),
    OutcomeSpec("skipped", "nothing to do for it in this run", True, False, True),
    OutcomeSpec(
        "pending-ack",
        "reports to the satellite as planned; its usage report's ACK has not come yet (fleetreg verify promotes it)",
        True,
        False,
        False,
    ),
    OutcomeSpec("failed", "failed; see the reason and the state read back", True, True, False),
    OutcomeSpec("backed-out", "failed and restored; see the state read back", True, True, False),
    OutcomeSpec("drifted", "changed since the plan: not touched", True, False, False),
    OutcomeSpec("interrupted", "stopped mid-way; fleetreg apply --resume finishes it", False, False, False),
)
OUTCOMES: dict[str, OutcomeSpec] = {spec.name: spec for spec in OUTCOME_TABLE}
TERMINAL_OUTCOMES = frozenset(s.name for s in OUTCOME_TABLE if s.terminal)
FAILURE_OUTCOMES = frozenset(s.name for s in OUTCOME_TABLE if s.failure)
DONE_OUTCOMES = frozenset(s.name for s in OUTCOME_TABLE if s.done)
FINAL_OUTCOMES = frozenset(OUTCOMES)  # every way a host's run ends (interrupted included)

# The exit code of an apply or verify whose switches are all done or pending-ack, at least one
# pending: nothing failed, but the change is not proven until the satellite ACKs.
PENDING_ACK_EXIT = 7

assert set(get_args(Outcome)) == set(OUTCOMES), "Outcome and OUTCOME_TABLE must name the same outcomes"
