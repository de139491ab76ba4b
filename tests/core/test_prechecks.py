"""Plan-time pre-checks, pure: the commands rendered from validated settings, the parsing of IOS-XE's
ping / show clock / show ntp status (what the switches print, failure forms included), the
evaluation and the policy (PRECHECK_POLICY) the planner applies."""

from __future__ import annotations

import calendar

import pytest
from fleetreg.core.plan_model import HostPlan
from fleetreg.core.prechecks import (
    CHECKS,
    CLOCK,
    NTP,
    PING,
    PRECHECK_POLICY,
    CheckOutput,
    PrecheckResult,
    PrecheckRun,
    clock_epoch,
    evaluate_prechecks,
    evaluate_run,
    outcome_word,
    precheck_commands,
    precheck_effect,
)
from fleetreg.core.settings import MigrationSettings
from hypothesis import given, settings
from hypothesis import strategies as st

NOW = calendar.timegm((2026, 12, 3, 8, 9, 10, 0, 0, 0)) + 0.123  # Thu Dec 3 2026 08:09:10.123 UTC
BY_NAME = "https://ssm-onprem.example.net/Transportgateway/services/DeviceRequestHandler"
BY_ADDRESS = "https://10.1.1.5:8443/Transportgateway/services/DeviceRequestHandler"

PING_OK_NAME = """Translating "ssm-onprem.example.net"...domain server (10.78.0.53) [OK]
Type escape sequence to abort.
Sending 2, 100-byte ICMP Echos to 10.1.1.5, timeout is 1 seconds:
Packet sent with a source address of 10.78.0.2\x20
!!
Success rate is 100 percent (2/2), round-trip min/avg/max = 1/1/2 ms
"""
PING_DNS_FAILS = """Translating "ssm-onprem.example.net"...domain server (10.78.0.53)
% Unrecognized host or address, or protocol not running.

"""
PING_TIMEOUT = """Type escape sequence to abort.
Sending 2, 100-byte ICMP Echos to 10.1.1.5, timeout is 1 seconds:
Packet sent with a source address of 10.78.0.2\x20
..
Success rate is 0 percent (0/2)
"""
PING_HALF = """Type escape sequence to abort.
Sending 2, 100-byte ICMP Echos to 10.1.1.5, timeout is 1 seconds:
Packet sent with a source address of 10.78.0.2\x20
.!
Success rate is 50 percent (1/2), round-trip min/avg/max = 1/1/1 ms
"""
INVALID = """                                         ^
% Invalid input detected at '^' marker.

"""
NTP_SYNCED = """Clock is synchronized, stratum 3, reference is 10.78.0.123\x20\x20\x20
nominal freq is 250.0000 Hz, actual freq is 249.9990 Hz, precision is 2**10
ntp uptime is 1921500 (1/100 of seconds), resolution is 4000
reference time is E4A12D56.45A1CAC0 (10:17:26.272 UTC Wed Jul 7 2021)
clock offset is 0.5000 msec, root delay is 1.02 msec
root dispersion is 3.51 msec, peer dispersion is 0.50 msec
loopfilter state is 'CTRL' (Normal Controlled Loop), drift is 0.000003999 s/s
system poll interval is 1024, last update was 350 sec ago.
"""
# genieparser's recorded IOS output (an EST clock, SPIK loop state)
NTP_UNSYNCED = """Clock is unsynchronized, stratum 16, no reference clock
nominal freq is 1000.0003 Hz, actual freq is 1000.4923 Hz, precision is 2**13
ntp uptime is 1938800 (1/100 of seconds), resolution is 1000
reference time is DFA98D6B.F2F229A7 (16:55:55.949 EST Wed Nov 28 2018)
clock offset is 0.0000 msec, root delay is 0.00 msec
root dispersion is 18.84 msec, peer dispersion is 0.00 msec
loopfilter state is 'SPIK' (Spike), drift is -0.000491998 s/s
system poll interval is 64, last update was 1301 sec ago.
"""


def _settings(url: str = BY_NAME, **extra: object) -> MigrationSettings:
    return MigrationSettings(satellite_url=url, virtual_account="Corp", source_interface="Vlan781", **extra)


def _outputs(ping: str | None = PING_OK_NAME, clock: str = "08:09:10.200 UTC Thu Dec 3 2026\n", ntp: str = NTP_SYNCED):
    out = {CLOCK: CheckOutput("show clock", output=clock, read_at=NOW), NTP: CheckOutput("show ntp status", output=ntp)}
    if ping is not None:
        out[PING] = CheckOutput("ping", output=ping, read_at=NOW)
    return out


def _by_check(results: tuple[PrecheckResult, ...]) -> dict[str, tuple[str, str]]:
    return {r.check: (r.status, r.detail) for r in results}


def test_commands_from_settings() -> None:
    assert precheck_commands(_settings()) == {
        PING: "ping ssm-onprem.example.net source Vlan781 repeat 2 timeout 1",
        CLOCK: "show clock",
        NTP: "show ntp status",
    }
    assert precheck_commands(_settings(BY_ADDRESS))[PING] == "ping 10.1.1.5 source Vlan781 repeat 2 timeout 1"
    no_source = MigrationSettings(satellite_url=BY_ADDRESS, virtual_account="Corp")
    assert precheck_commands(no_source)[PING] == "ping 10.1.1.5 repeat 2 timeout 1"


def test_all_good_by_name() -> None:
    results = _by_check(evaluate_prechecks(_settings(), _outputs()))
    assert results == {
        "satellite_name_resolves": ("ok", "ssm-onprem.example.net is 10.1.1.5 (name server 10.78.0.53)"),
        "satellite_reachable": ("ok", "satellite 10.1.1.5 from Vlan781: 2/2 echoes"),
        "clock_skew": ("ok", "clock 0 s ahead of fleetreg's clock (limit 300 s)"),
        "ntp_synchronized": ("ok", "synchronised, stratum 3, reference 10.78.0.123, offset 0.5000 ms"),
    }


def test_name_does_not_resolve() -> None:
    results = _by_check(evaluate_prechecks(_settings(), _outputs(PING_DNS_FAILS)))
    assert results["satellite_name_resolves"] == (
        "failed",
        "ssm-onprem.example.net does not resolve by name server 10.78.0.53",
    )
    assert results["satellite_reachable"] == ("skipped", "ssm-onprem.example.net does not resolve")


def test_unreachable_and_partly_reachable_by_address() -> None:
    results = _by_check(evaluate_prechecks(_settings(BY_ADDRESS), _outputs(PING_TIMEOUT)))
    assert results["satellite_name_resolves"] == ("skipped", "satellite set by address")
    assert results["satellite_reachable"] == ("failed", "satellite 10.1.1.5 from Vlan781: 0/2 echoes")
    half = _by_check(evaluate_prechecks(_settings(BY_ADDRESS), _outputs(PING_HALF)))
    assert half["satellite_reachable"] == ("ok", "satellite 10.1.1.5 from Vlan781: 1/2 echoes")


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (CheckOutput("ping", refused="'ping' refused by the switch: Command authorization failed."), "refused"),
        (CheckOutput("ping", output="Command authorization failed.\n"), "Command authorization failed."),
        (CheckOutput("ping", output=INVALID), "% Invalid input detected at '^' marker."),
        (CheckOutput("ping", output="garbage line\n"), "output not recognised (garbage line)"),
    ],
)
def test_ping_refused_is_not_run(answer: CheckOutput, why: str) -> None:
    outputs = {**_outputs(), PING: answer}
    results = _by_check(evaluate_prechecks(_settings(), outputs))
    for check in ("satellite_name_resolves", "satellite_reachable"):
        status, detail = results[check]
        assert status == "not-run" and detail.startswith("could not be run: ") and why in detail
    assert results["clock_skew"][0] == "ok"


def test_clock_flags_zones_and_skew() -> None:
    late = _by_check(evaluate_prechecks(_settings(), _outputs(clock="*09:09:10.123 UTC Thu Dec 3 2026\n")))
    assert late["clock_skew"] == ("failed", "clock 3600 s ahead of fleetreg's clock (limit 300 s)")
    behind = _by_check(evaluate_prechecks(_settings(), _outputs(clock=".08:03:10.123 UTC Thu Dec 3 2026\n")))
    assert behind["clock_skew"] == ("failed", "clock 360 s behind fleetreg's clock (limit 300 s)")
    six_minutes = _outputs(clock="08:03:10.1 UTC Thu Dec 3 2026")
    wide = _by_check(evaluate_prechecks(_settings(max_clock_skew_s=600), six_minutes))
    assert wide["clock_skew"][0] == "ok"
    zone = _by_check(evaluate_prechecks(_settings(), _outputs(clock="09:09:10.123 CET Thu Dec 3 2026\n")))
    assert zone["clock_skew"][0] == "not-run" and "CET" in zone["clock_skew"][1]
    # ntc-templates' recorded output
    assert clock_epoch({"TIME": "18:57:38.347", "TIMEZONE": "UTC", "MONTH": "Oct", "DAY": "19", "YEAR": "2015"}) == (
        pytest.approx(calendar.timegm((2015, 10, 19, 18, 57, 38, 0, 0, 0)) + 0.347)
    )


def test_ntp_states() -> None:
    unsynced = _by_check(evaluate_prechecks(_settings(), _outputs(ntp=NTP_UNSYNCED)))
    assert unsynced["ntp_synchronized"] == ("warning", "NTP unsynchronised (stratum 16)")
    off = _by_check(evaluate_prechecks(_settings(), _outputs(ntp="%NTP is not enabled.\n")))
    assert off["ntp_synchronized"] == ("warning", "NTP is not enabled")
    refused = _by_check(evaluate_prechecks(_settings(), _outputs(ntp="% Authorization failed.\n")))
    assert refused["ntp_synchronized"] == ("not-run", "could not be run: % Authorization failed.")


def test_policy_is_data_and_effect() -> None:
    assert PRECHECK_POLICY == {
        "satellite_name_resolves": "block",
        "satellite_reachable": "block",
        "clock_skew": "block",
        "ntp_synchronized": "risk",
    }
    dns = evaluate_prechecks(_settings(), _outputs(PING_DNS_FAILS, ntp=NTP_UNSYNCED))
    effect = precheck_effect(dns)
    assert effect.blocked == (
        "pre-check satellite_name_resolves: ssm-onprem.example.net does not resolve by name server 10.78.0.53"
    )
    assert len(effect.risks) == 1 and "NTP not synchronised" in effect.risks[0]
    assert outcome_word(dns) == "blocked"
    assert outcome_word(evaluate_prechecks(_settings(), _outputs(ntp=NTP_UNSYNCED))) == "warning"
    assert outcome_word(evaluate_prechecks(_settings(), _outputs())) == "ok"
    failed_session = evaluate_run(_settings(), PrecheckRun({}, 1.0, error="connection lost"))
    assert {r.status for r in failed_session} == {"not-run"}
    assert outcome_word(failed_session) == "not-run"


def test_results_round_trip_in_the_plan_model() -> None:
    results = evaluate_prechecks(_settings(), _outputs(PING_TIMEOUT))
    host = HostPlan(
        name="sw1", hostname="10.0.0.1", port=22, site=None, virtual_account="Corp", token_ref=None,
        classification="blocked", reason="x", prechecks=results,
    )  # fmt: skip
    assert HostPlan.model_validate_json(host.model_dump_json()).prechecks == results


@settings(max_examples=200, deadline=None)
@given(
    ping=st.text(alphabet=st.characters(codec="ascii", exclude_categories=("Cs",)), max_size=300),
    clock=st.text(max_size=80),
    ntp=st.text(max_size=200),
)
def test_any_answer_is_judged_never_raises(ping: str, clock: str, ntp: str) -> None:
    """Whatever a switch prints, each check ends ok, failed, warning, skipped or not-run, one line."""
    results = evaluate_prechecks(_settings(), _outputs(ping, clock, ntp))
    assert tuple(r.check for r in results) == CHECKS
    for result in results:
        assert "\n" not in result.detail


# ---------------------------------------------------------------- cases mutation testing showed unchecked
PING_NO_DOMAIN_LOOKUP = "% Unrecognized host or address, or protocol not running.\n\n"  # `no ip domain lookup`
PING_CUT_SHORT = """Type escape sequence to abort.
Sending 2, 100-byte ICMP Echos to 10.1.1.5, timeout is 1 seconds:
Packet sent with a source address of 10.78.0.2\x20
!
"""


def test_a_name_the_switch_does_not_look_up_fails_and_is_not_pinged() -> None:
    results = _by_check(evaluate_prechecks(_settings(), _outputs(PING_NO_DOMAIN_LOOKUP)))
    assert results["satellite_name_resolves"] == ("failed", "ssm-onprem.example.net does not resolve")
    assert results["satellite_reachable"] == ("skipped", "ssm-onprem.example.net does not resolve")


def test_a_ping_without_its_success_rate_could_not_be_judged() -> None:
    by_address = _by_check(evaluate_prechecks(_settings(BY_ADDRESS), _outputs(PING_CUT_SHORT)))
    assert by_address["satellite_reachable"] == ("not-run", "could not be run: no success rate in the ping's output")


def test_a_refused_ping_to_a_satellite_set_by_address_skips_the_name_check() -> None:
    refused = CheckOutput("ping", refused="'ping' refused by the switch: Command authorization failed.")
    results = _by_check(evaluate_prechecks(_settings(BY_ADDRESS), {**_outputs(), PING: refused}))
    assert results["satellite_name_resolves"] == ("skipped", "satellite set by address")
    assert results["satellite_reachable"][0] == "not-run"


def test_the_skew_limit_is_allowed_and_a_clock_without_fraction_reads() -> None:
    at_limit = _outputs(clock="08:14:10 UTC Thu Dec 3 2026\n")  # 299.877 s ahead: within 300 s
    assert _by_check(evaluate_prechecks(_settings(), at_limit))["clock_skew"] == (
        "ok",
        "clock 300 s ahead of fleetreg's clock (limit 300 s)",
    )
    exactly = {**_outputs(), CLOCK: CheckOutput("show clock", output="08:14:10.123 UTC Thu Dec 3 2026\n", read_at=NOW)}
    assert _by_check(evaluate_prechecks(_settings(), exactly))["clock_skew"][0] == "ok"  # 300 s: not more than
    row = {"TIME": "08:09:10", "TIMEZONE": "UTC", "MONTH": "Dec", "DAY": "3", "YEAR": "2026"}
    assert clock_epoch(row) == calendar.timegm((2026, 12, 3, 8, 9, 10, 0, 0, 0))
    assert clock_epoch({**row, "TIME": "08:09:10.5"}) == calendar.timegm((2026, 12, 3, 8, 9, 10, 0, 0, 0)) + 0.5


def test_show_ntp_status_without_a_clock_state_could_not_be_judged() -> None:
    odd = _outputs(ntp="clock offset is 0.5000 msec, root delay is 1.02 msec\n")  # the state line missing
    assert _by_check(evaluate_prechecks(_settings(), odd))["ntp_synchronized"] == (
        "not-run",
        "could not be run: no clock state in show ntp status",
    )


def test_a_session_that_answered_is_judged_and_one_that_failed_names_why() -> None:
    answered = evaluate_run(_settings(), PrecheckRun(_outputs(), 1.0))
    assert outcome_word(answered) == "ok"
    failed = evaluate_run(_settings(), PrecheckRun(_outputs(), 1.0, error="connection lost"))
    assert {r.detail for r in failed} == {"could not be run: connection lost"}


def test_every_blocking_check_is_named_in_the_reason() -> None:
    results = evaluate_prechecks(
        _settings(BY_ADDRESS), _outputs(PING_TIMEOUT, clock="*09:09:10.123 UTC Thu Dec 3 2026\n")
    )
    assert precheck_effect(results).blocked == (
        "pre-check satellite_reachable: satellite 10.1.1.5 from Vlan781: 0/2 echoes; "
        "pre-check clock_skew: clock 3600 s ahead of fleetreg's clock (limit 300 s)"
    )


def test_answers_never_asked_could_not_be_judged_and_no_source_interface_is_named_so() -> None:
    unasked = _by_check(evaluate_prechecks(_settings(), {}))
    assert set(unasked.values()) == {("not-run", "could not be run: not asked")}
    no_source = MigrationSettings(satellite_url=BY_ADDRESS, virtual_account="Corp")
    results = _by_check(evaluate_prechecks(no_source, _outputs(PING_TIMEOUT)))
    assert results["satellite_reachable"] == ("failed", "satellite 10.1.1.5 from the switch's routing: 0/2 echoes")
