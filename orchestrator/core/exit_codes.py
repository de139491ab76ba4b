"""What fleetreg's exit code says, for a person and for a scheduler (AWX, Jenkins, cron).
`MEANINGS` is the one table: README.md and `fleetreg --help` (cli/main.py) show it, and a test
keeps them equal to it.

Ctrl-C keeps 130 because shells, `set -e` scripts and schedulers read 128+2 as "the operator
pressed Ctrl-C"; a run that stops itself in a resumable state (window end, `stop` at a wave
gate, SIGTERM from a scheduler cancelling the job) gets 4, which no signal produces, so a
scheduler can tell "resume me in the next window" from "someone stopped me". Both leave the
run resumable (`fleetreg apply --resume RUN`)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from fleetreg.core.outcomes import DONE_OUTCOMES, PENDING_ACK_EXIT

MEANINGS: dict[int, str] = {
    0: "all done: every switch the run acts on is migrated (or already was); blocked ones are reported",
    1: "some switches failed, were backed out or drifted since the plan: see the report",
    2: "bad input, nothing touched: inventory, plan file, arguments, a token, an unknown run, "
    "a confirmation not given; or the plan/run is in use by another fleetreg process",
    3: "fleetreg itself failed (disk full, the journal, a bug): switches are where the journal says; "
    "fleetreg apply --resume RUN finishes or backs them out",
    4: "stopped before the end, resumable: the window end came, stop was answered at a wave gate, "
    "or SIGTERM; fleetreg apply --resume RUN goes on",
    5: "halted: a wave failed more switches than its threshold, or a switch regressed during a soak; "
    "the waves left were not started",
    6: "nothing to do: no switch can be acted on and at least one is blocked (unreachable, wrong "
    "password...): fix them and plan again",
    7: "nothing failed, but some SLP switches are pending-ack: configured as planned, the satellite's ACK "
    "not come yet; fleetreg verify RUN promotes them",
    130: "interrupted by Ctrl-C (the shell's convention); resumable like 4",
}


class ExitCode(IntEnum):
    OK = 0
    HOSTS_FAILED = 1
    BAD_INPUT = 2
    INTERNAL = 3
    STOPPED = 4
    HALTED = 5
    NOTHING_TO_DO = 6
    PENDING_ACK = PENDING_ACK_EXIT
    INTERRUPTED = 130


def run_exit_code(
    outcomes: Iterable[str], *, halted: bool = False, stopped: bool = False, interrupted: bool = False
) -> ExitCode:
    """The exit code of an apply or resume run, from its hosts' outcomes (fleetreg.core.outcomes;
    a skipped host is one the plan or the selection leaves alone) and how it ended. The most
    specific reason wins: Ctrl-C, then a stop, then a halt, then failures, then pending ACKs."""
    if interrupted:
        return ExitCode.INTERRUPTED
    if stopped:
        return ExitCode.STOPPED
    if halted:
        return ExitCode.HALTED
    seen = set(outcomes)
    if any(outcome not in DONE_OUTCOMES and outcome != "pending-ack" for outcome in seen):
        return ExitCode.HOSTS_FAILED
    return ExitCode.PENDING_ACK if "pending-ack" in seen else ExitCode.OK


def plan_exit_code(classifications: Iterable[str]) -> ExitCode:
    """A plan (or the part of one an apply runs) with no switch to act on and at least one
    blocked: 6 (a fleet that is all already migrated is done: 0). Anything else: 0, blocked
    switches are in the plan's report."""
    seen = set(classifications)
    actionable = seen & {"to-migrate", "wrong-virtual-account"}
    return ExitCode.NOTHING_TO_DO if "blocked" in seen and not actionable else ExitCode.OK
