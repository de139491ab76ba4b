"""What apply did to each host, and the state the switch showed afterwards, as the reports
carry them (the outcomes themselves are declared in core.outcomes). Pure data: the service
layer fills it from the journal and the run folder."""

from __future__ import annotations

from dataclasses import dataclass

from fleetreg.core.errors import FleetregError
from fleetreg.core.parsing import parse_as
from fleetreg.core.parsing.models import LicenseStatus
from fleetreg.core.steps import ROLLBACK_STEPS

# The steps whose `show license status` a run keeps as the host's state after
# (status/<host>.after.txt): verify's or the rollback's read-back, else the last registration poll.
READ_BACK_STEPS = ("verify", "wait_registered", "wait_ack", "backout", "wait_cloud")


@dataclass(frozen=True)
class ReadBack:
    """`show license status` as the switch answered it at the end of its run (parsed)."""

    step: str  # the step that read it (verify, backout, or the last registration poll)
    read_at: float | None  # epoch seconds: when that step ended (from the journal)
    registration_status: str | None = None
    authorization_status: str | None = None
    virtual_account: str | None = None
    transport_type: str | None = None
    transport_url: str | None = None
    last_ack_received: str | None = None
    failure_reason: str | None = None
    unparsed: str | None = None  # why the text could not be parsed (then the fields are empty)

    @property
    def summary(self) -> str:
        """One short line: what a network engineer looks for first."""
        if self.unparsed:
            return f"not parsed: {self.unparsed}"
        if (self.transport_type or "").lower() == "cslu":
            return f"cslu {self.transport_url or '-'}, last ACK {self.last_ack_received or 'none'}"
        parts = [self.registration_status or "-", self.authorization_status or "-"]
        if self.virtual_account:
            parts.append(f"VA {self.virtual_account}")
        return " / ".join(parts)


def read_back(raw: str, *, step: str, read_at: float | None) -> ReadBack:
    """The state-after columns from the raw `show license status` a run kept."""
    try:
        status = parse_as(LicenseStatus, "show license status", raw)
    except FleetregError as exc:
        return ReadBack(step=step, read_at=read_at, unparsed=exc.message)
    return ReadBack(
        step=step,
        read_at=read_at,
        registration_status=status.registration_status,
        authorization_status=status.authorization_status,
        virtual_account=status.virtual_account,
        transport_type=status.transport_type,
        transport_url=status.transport_url,
        last_ack_received=status.last_ack_received,
        failure_reason=status.failure_reason,
    )


@dataclass(frozen=True)
class HostOutcome:
    """What apply did to one host (absent for a plan-only report)."""

    outcome: str  # core.outcomes.Outcome, or not-run
    failed_step: str | None = None
    reason: str | None = None
    duration_s: float | None = None
    before_status: str | None = None  # raw `show license status`, before
    after_status: str | None = None  # raw `show license status`, after
    details: tuple[str, ...] = ()
    started_at: float | None = None  # epoch seconds, from the journal
    finished_at: float | None = None
    after: ReadBack | None = None  # after_status, parsed, with the step and time that read it

    @property
    def read_before_backout(self) -> bool:
        """The state after was read before the switch was backed out (so it is not its state now)."""
        return self.after is not None and self.outcome == "backed-out" and self.after.step not in ROLLBACK_STEPS


# Outcomes and plan classes in the order a report lists them: what needs attention first.
ATTENTION_ORDER = (
    "failed",
    "backed-out",
    "interrupted",
    "drifted",
    "not-run",
    "pending-ack",
    "blocked",
    "skipped",
    "wrong-virtual-account",
    "to-migrate",
    "migrated",
    "already-migrated",
)
NEEDS_ATTENTION = frozenset({"failed", "backed-out", "interrupted", "drifted", "not-run", "pending-ack", "blocked"})
