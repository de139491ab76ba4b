"""Plan-time pre-checks: the read-only checks a change board would otherwise tick by hand, run on
each switch the plan would act on, parsed and judged here. Pure.

    commands = precheck_commands(settings)            # what the switch is asked (validated values only)
    results = evaluate_prechecks(settings, outputs)   # outputs: CheckOutput per command
    effect = precheck_effect(results)                 # block reason, risks (PRECHECK_POLICY)

The checks (IOS-XE):
- `satellite_name_resolves`: the satellite's host name (from the satellite URL the plan
  configures: the call-home URL, and the CSLU URL built on the same host) resolves on the switch
  (`ping <name> ...` prints `Translating "<name>"...domain server (<a>) [OK]`); skipped when the
  URL names an address.
- `satellite_reachable`: the satellite answers echoes from the switch's source interface
  (`ping <host> source <if> repeat 2 timeout 1`: at least one `!`).
- `clock_skew`: `show clock` is within `max_clock_skew_s` of fleetreg's clock (registration
  tokens, certificates and the satellite's messages carry validity times); only a clock shown in
  UTC/GMT can be compared, another zone leaves the check to a person.
- `ntp_synchronized`: `show ntp status` says `Clock is synchronized`.

What a failure does is PRECHECK_POLICY, the one place it is decided. A check the switch would not
run (command authorization, `% Invalid input`, an output fleetreg cannot read) is `not-run`: the
runbook keeps it as a tick box for that switch."""

from __future__ import annotations

import calendar
import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from fleetreg.core.errors import ParseError
from fleetreg.core.parsing.output_text import output_lines
from fleetreg.core.parsing.textfsm_runner import run_template
from fleetreg.core.settings import MigrationSettings
from pydantic import BaseModel, ConfigDict

CheckName = Literal["satellite_name_resolves", "satellite_reachable", "clock_skew", "ntp_synchronized"]
CheckStatus = Literal["ok", "failed", "warning", "skipped", "not-run"]
Effect = Literal["block", "risk"]

CHECKS: tuple[CheckName, ...] = ("satellite_name_resolves", "satellite_reachable", "clock_skew", "ntp_synchronized")
CHECK_TITLES: dict[CheckName, str] = {
    "satellite_name_resolves": "satellite name resolves on the switch",
    "satellite_reachable": "satellite reachable from the source interface",
    "clock_skew": "clock within the allowed skew",
    "ntp_synchronized": "NTP synchronised",
}
# The policy: what a failed check does to its switch. `block`: the switch is blocked (nothing is
# typed to it; the reason names the check); `risk`: the plan shows a risk on the switch.
PRECHECK_POLICY: dict[CheckName, Effect] = {
    "satellite_name_resolves": "block",  # it could never reach the satellite by that name
    "satellite_reachable": "block",  # registration or the usage report would fail after the change
    "clock_skew": "block",  # token and certificate validity are judged on the switch's clock
    "ntp_synchronized": "risk",  # the clock is right now but may drift during the change
}
# the risk a `risk` check adds (one text per check, so the plan counts the switches it concerns)
RISK_TEXT: dict[CheckName, str] = {
    "ntp_synchronized": "pre-check: NTP not synchronised on the switch (its clock may drift; certificate and "
    "token validity are judged on it)",
}

# The commands: the ping is short (2 echoes, 1 s each at most) so a switch that cannot reach the
# satellite costs about 2 s, not IOS's default 5 x 2 s
PING_REPEAT = 2
PING_TIMEOUT_S = 1
PING, CLOCK, NTP = "ping", "clock", "ntp"
# what may take the read: a ping waits up to repeat x timeout on the switch
PING_READ_TIMEOUT_S = PING_REPEAT * PING_TIMEOUT_S + 20
_CLOCK_ZONES_UTC = frozenset({"UTC", "GMT", "Z"})
# an IOS error line (`% Invalid input ...`, `% Authorization failed.`): the check could not run. A
# refusal without `%` (`Command authorization failed.`) the transports already raise as refused.
_ERROR_LINE = re.compile(r"^\s*%\s*(?!NTP is not enabled)\S.*$", re.M)


class PrecheckResult(BaseModel):
    """One check on one switch, as the plan records it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    check: CheckName
    status: CheckStatus
    detail: str  # one line, e.g. "satellite 10.1.1.5 from Vlan781: 0/2 echoes"


@dataclass(frozen=True)
class CheckOutput:
    """What the switch answered one pre-check command: its output, or why it would not run it
    (`refused`); `read_at`: fleetreg's clock (epoch seconds) halfway through the command."""

    command: str
    output: str | None = None
    refused: str | None = None
    read_at: float = 0.0


@dataclass(frozen=True)
class PrecheckRun:
    """One switch's pre-check answers and the session time they took; `error`: the session
    failed during them (every check then could not be run)."""

    outputs: Mapping[str, CheckOutput]
    duration_s: float
    error: str | None = None


def satellite_host(s: MigrationSettings) -> str:
    """The host of the satellite URL(s) the plan configures (call-home and CSLU share it)."""
    return s.satellite_host


def names_an_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def precheck_commands(s: MigrationSettings) -> dict[str, str]:
    """The pre-check commands for one switch, from validated settings only (the URL's host is a
    DNS name or an address, the interface an IOS interface name: core.cli_text)."""
    source = f" source {s.source_interface}" if s.source_interface else ""
    return {
        PING: f"ping {satellite_host(s).strip('[]')}{source} repeat {PING_REPEAT} timeout {PING_TIMEOUT_S}",
        CLOCK: "show clock",
        NTP: "show ntp status",
    }


def _not_run(check: CheckName, why: str) -> PrecheckResult:
    return PrecheckResult(check=check, status="not-run", detail=f"could not be run: {why}"[:200])


def _result(check: CheckName, status: CheckStatus, detail: str) -> PrecheckResult:
    return PrecheckResult(check=check, status=status, detail=detail)


def _failed(check: CheckName, detail: str) -> PrecheckResult:
    return _result(check, "failed" if PRECHECK_POLICY[check] == "block" else "warning", detail)


def _rows(out: CheckOutput, template: str) -> dict[str, str] | str:
    """The template's one row, or why there is none (a refusal, an output not recognised)."""
    if out.refused is not None:
        return out.refused
    text = out.output or ""
    if (refusal := _ERROR_LINE.search(text)) and "Unrecognized host" not in refusal.group(0):
        return refusal.group(0).strip()
    try:
        rows = run_template(template, output_lines(text))
    except ParseError as exc:
        return f"output not recognised ({exc.unexpected_line or 'empty'!s})"[:160]
    if not rows:
        return "empty output"
    return {k: str(v) for k, v in rows[-1].items()}


def evaluate_run(s: MigrationSettings, run: PrecheckRun) -> tuple[PrecheckResult, ...]:
    if run.error is not None:
        return tuple(_not_run(check, run.error) for check in CHECKS)
    return evaluate_prechecks(s, run.outputs)


def evaluate_prechecks(s: MigrationSettings, outputs: Mapping[str, CheckOutput]) -> tuple[PrecheckResult, ...]:
    """Judge one switch's answers (keys as precheck_commands). Missing answers are `not-run`."""
    host = satellite_host(s).strip("[]")
    named = not names_an_address(host)
    source = s.source_interface or "the switch's routing"
    results: list[PrecheckResult] = []

    ping = outputs.get(PING)
    row = _rows(ping, "ping") if ping is not None else "not asked"
    if isinstance(row, str):
        if named:
            results.append(_not_run("satellite_name_resolves", row))
        else:
            results.append(_result("satellite_name_resolves", "skipped", "satellite set by address"))
        results.append(_not_run("satellite_reachable", row))
    else:
        resolves = row["RESOLVED_OK"] == "[OK]" or (not row["UNRECOGNIZED"] and not row["RESOLVED_NAME"])
        if not named:
            results.append(_result("satellite_name_resolves", "skipped", "satellite set by address"))
        elif resolves and row["TARGET"]:
            server = f" (name server {row['NAME_SERVER']})" if row["NAME_SERVER"] else ""
            results.append(_result("satellite_name_resolves", "ok", f"{host} is {row['TARGET']}{server}"))
        else:
            server = f" by name server {row['NAME_SERVER']}" if row["NAME_SERVER"] else ""
            results.append(_failed("satellite_name_resolves", f"{host} does not resolve{server}"))
        if row["TOTAL"]:
            received, total = int(row["RECEIVED"]), int(row["TOTAL"])
            detail = f"satellite {row['TARGET'] or host} from {source}: {received}/{total} echoes"
            if received > 0:
                results.append(PrecheckResult(check="satellite_reachable", status="ok", detail=detail))
            else:
                results.append(_failed("satellite_reachable", detail))
        elif not resolves:
            results.append(_result("satellite_reachable", "skipped", f"{host} does not resolve"))
        else:
            results.append(_not_run("satellite_reachable", "no success rate in the ping's output"))

    results.append(_clock(outputs.get(CLOCK), s.max_clock_skew_s))
    results.append(_ntp(outputs.get(NTP)))
    return tuple(results)


_MONTHS = {name: number for number, name in enumerate(calendar.month_abbr) if name}


def clock_epoch(row: Mapping[str, str]) -> float | None:
    """The epoch seconds a `show clock` row shows, or None when its zone is not UTC/GMT."""
    if row["TIMEZONE"].upper() not in _CLOCK_ZONES_UTC:
        return None
    month = _MONTHS.get(row["MONTH"].title())
    if month is None:
        return None
    hms, _, fraction = row["TIME"].partition(".")
    hours, minutes, seconds = (int(part) for part in hms.split(":"))
    whole = calendar.timegm((int(row["YEAR"]), month, int(row["DAY"]), hours, minutes, seconds, 0, 0, 0))
    return whole + (float(f"0.{fraction}") if fraction else 0.0)


def _clock(out: CheckOutput | None, limit_s: float) -> PrecheckResult:
    row = _rows(out, "show clock") if out is not None else "not asked"
    if isinstance(row, str):
        return _not_run("clock_skew", row)
    shown = clock_epoch(row)
    if shown is None:
        return _not_run("clock_skew", f"the clock is shown in {row['TIMEZONE']}: compare it with UTC by hand")
    skew = shown - out.read_at if out is not None else 0.0
    way = "ahead of" if skew > 0 else "behind"
    detail = f"{abs(skew):.0f} s {way} fleetreg's clock (limit {limit_s:g} s)"
    if abs(skew) > limit_s:
        return _failed("clock_skew", "clock " + detail)
    return PrecheckResult(check="clock_skew", status="ok", detail="clock " + detail)


def _ntp(out: CheckOutput | None) -> PrecheckResult:
    row = _rows(out, "show ntp status") if out is not None else "not asked"
    if isinstance(row, str):
        return _not_run("ntp_synchronized", row)
    if row["NOT_ENABLED"]:
        return _failed("ntp_synchronized", "NTP is not enabled")
    if row["STATE"] == "synchronized":
        offset = f", offset {row['OFFSET_MS']} ms" if row["OFFSET_MS"] else ""
        return PrecheckResult(
            check="ntp_synchronized",
            status="ok",
            detail=f"synchronised, stratum {row['STRATUM']}, reference {row['REFERENCE']}{offset}",
        )
    if row["STATE"] == "unsynchronized":
        return _failed("ntp_synchronized", f"NTP unsynchronised (stratum {row['STRATUM']})")
    return _not_run("ntp_synchronized", "no clock state in show ntp status")


@dataclass(frozen=True)
class PrecheckEffect:
    blocked: str | None  # the reason the switch is blocked, or None
    risks: tuple[str, ...]


def precheck_effect(results: Iterable[PrecheckResult]) -> PrecheckEffect:
    """What PRECHECK_POLICY makes of one switch's results."""
    blocked: list[str] = []
    risks: list[str] = []
    for result in results:
        if result.status not in ("failed", "warning"):
            continue
        if PRECHECK_POLICY[result.check] == "block":
            blocked.append(f"pre-check {result.check}: {result.detail}")
        else:
            risks.append(RISK_TEXT.get(result.check, f"pre-check {result.check} failed"))
    reason = "; ".join(blocked) if blocked else None
    return PrecheckEffect(reason, tuple(risks))


def not_run_checks(results: Sequence[PrecheckResult]) -> tuple[CheckName, ...]:
    return tuple(r.check for r in results if r.status == "not-run")


def outcome_word(results: Sequence[PrecheckResult]) -> str:
    """One word for a switch's pre-checks, for its log line: blocked, warning, not-run or ok."""
    effect = precheck_effect(results)
    if effect.blocked is not None:
        return "blocked"
    if effect.risks:
        return "warning"
    return "not-run" if not_run_checks(results) else "ok"
