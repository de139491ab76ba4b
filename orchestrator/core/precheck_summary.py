"""The plan-time pre-checks as the reports show them: per check, how many switches passed, failed
or could not be checked (names grouped, for the runbook), and per switch one word and its
problems (report.html, hosts.csv). Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fleetreg.core.plan_model import HostPlan
from fleetreg.core.prechecks import (
    CHECK_TITLES,
    CHECKS,
    PING_REPEAT,
    PING_TIMEOUT_S,
    PRECHECK_POLICY,
    CheckName,
    outcome_word,
)

# What a person types to run a check by hand (for the tick boxes left)
COMMANDS: dict[CheckName, str] = {
    "satellite_name_resolves": f"ping <satellite host> source <source interface> repeat {PING_REPEAT} timeout "
    f"{PING_TIMEOUT_S}",
    "satellite_reachable": f"ping <satellite host> source <source interface> repeat {PING_REPEAT} timeout "
    f"{PING_TIMEOUT_S}",
    "clock_skew": "show clock",
    "ntp_synchronized": "show ntp status",
}
EXPECTED: dict[CheckName, str] = {
    "satellite_name_resolves": '`Translating "<name>"...domain server (...) [OK]`',
    "satellite_reachable": "`!` echoes, success rate above 0 percent",
    "clock_skew": "the time in UTC, within the allowed skew of the real time",
    "ntp_synchronized": "`Clock is synchronized`",
}


@dataclass(frozen=True)
class CheckRow:
    check: CheckName
    title: str
    command: str
    expected: str
    policy: str  # what a failure does: "blocks the switch" / "a risk on the switch"
    ok: int
    failed: Sequence[str]  # switches that failed (blocked or flagged, per PRECHECK_POLICY)
    skipped: int
    not_run: Sequence[str]  # switches it could not be run on: a tick box each


@dataclass(frozen=True)
class PrecheckSummary:
    checked: int  # switches pre-checked at plan time
    rows: Sequence[CheckRow]

    @property
    def not_run(self) -> bool:
        return any(row.not_run for row in self.rows)


def precheck_summary(hosts: Iterable[HostPlan]) -> PrecheckSummary:
    checked = [h for h in hosts if h.prechecks]
    rows = []
    for check in CHECKS:
        results = [(h.name, r) for h in checked for r in h.prechecks if r.check == check]
        rows.append(
            CheckRow(
                check=check,
                title=CHECK_TITLES[check],
                command=COMMANDS[check],
                expected=EXPECTED[check],
                policy="blocks the switch" if PRECHECK_POLICY[check] == "block" else "a risk on the switch",
                ok=sum(1 for _, r in results if r.status == "ok"),
                failed=sorted(name for name, r in results if r.status in ("failed", "warning")),
                skipped=sum(1 for _, r in results if r.status == "skipped"),
                not_run=sorted(name for name, r in results if r.status == "not-run"),
            )
        )
    return PrecheckSummary(checked=len(checked), rows=tuple(rows))


def precheck_word(host: HostPlan) -> str:
    """blocked, warning, not-run, ok; empty when the switch was not pre-checked."""
    return outcome_word(host.prechecks) if host.prechecks else ""


def precheck_problems(host: HostPlan) -> list[str]:
    """`check: status: detail` for each check that did not pass (skipped ones left out)."""
    return [f"{r.check}: {r.status}: {r.detail}" for r in host.prechecks if r.status not in ("ok", "skipped")]
