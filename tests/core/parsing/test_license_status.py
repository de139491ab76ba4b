"""show license status / show license all: every public sample and every written variant, field by field."""

from __future__ import annotations

from pathlib import Path

import pytest
from fleetreg.core.errors import ParseError
from fleetreg.core.parsing import LicenseStatus, _parse, _parse_seen, parse
from fleetreg.core.parsing import commands as cmd
from fleetreg.core.parsing.output_text import output_lines

REPO = Path(__file__).resolve().parents[3]
SAMPLES = REPO / ".." / "shared" / "samples"
VARIANTS = REPO / "tests" / "fixtures" / "outputs"

CLASSIC_NONE_FIELDS = ("transport_url", "last_ack_received", "next_ack_deadline", "trust_code_installed", "policy_name")


def status_of(path: Path, command: str = "show license status") -> LicenseStatus:
    result = parse(command, path.read_bytes().decode())
    assert isinstance(result, LicenseStatus)
    return result


def test_genie_classic_registered_csr1kv_with_trailing_prompt() -> None:
    s = status_of(SAMPLES / "sls_genie_sl_registered_csr1kv.txt")
    assert s.mode == "classic"
    assert s.enabled is True
    assert s.registration_status == "REGISTERED"
    assert s.smart_account == "Cisco Systems, TAC"
    assert s.smart_account_as_of is None
    assert s.virtual_account == "RADKit-LMM-NA"
    assert s.export_controlled == "ALLOWED"
    assert s.initial_registration is not None
    assert s.initial_registration.result == "SUCCEEDED"
    assert s.initial_registration.time == "Mar 13 08:09:24 2024 UTC"
    assert s.last_renewal_attempt == "None"
    assert s.next_renewal_attempt == "Sep 09 08:09:23 2024 UTC"
    assert s.registration_expires == "Mar 13 08:04:56 2025 UTC"
    assert s.authorization_status == "AUTHORIZED"
    assert s.authorization_time == "Mar 13 08:09:28 2024 UTC"
    assert s.last_communication_attempt == "SUCCEEDED on Mar 13 08:09:28 2024 UTC"
    assert s.next_communication_attempt == "Apr 12 08:09:28 2024 UTC"
    assert s.communication_deadline == "Jun 11 08:05:02 2024 UTC"
    assert s.failure_reason is None
    assert s.evaluation_period_remaining is None
    assert s.transport_type == "Callhome"
    assert s.evaluation_mode is False
    for field in CLASSIC_NONE_FIELDS:
        assert getattr(s, field) is None, field


def test_ntc_classic_out_of_compliance() -> None:
    s = status_of(SAMPLES / "sls_ntc_sl_registered_outofcompliance.txt")
    assert (s.mode, s.enabled, s.registration_status) == ("classic", True, "REGISTERED")
    assert s.smart_account == "ACME Corporation"
    assert s.virtual_account == "Wile E. Coyote"
    assert s.authorization_status == "OUT OF COMPLIANCE"
    assert s.authorization_time == "Aug 22 18:58:17 2022 UTC"
    assert s.initial_registration is not None
    assert (s.initial_registration.result, s.initial_registration.time) == ("SUCCEEDED", "Aug 22 18:58:03 2022 UTC")
    assert s.next_renewal_attempt == "Feb 18 18:58:03 2023 UTC"
    assert s.registration_expires == "Aug 22 18:52:49 2023 UTC"
    assert s.last_communication_attempt == "SUCCEEDED on Aug 22 18:58:17 2022 UTC"
    assert s.transport_type == "Callhome"
    assert s.evaluation_mode is False


def test_xvalette_classic_with_prompt_line_at_top() -> None:
    s = status_of(SAMPLES / "sls_xvalette_sl_registered_csr1kv.txt", "sh license status")
    assert s.mode == "classic"
    assert s.registration_status == "REGISTERED"
    assert s.smart_account == "Cisco Demo Internal Customer Smart Account"
    assert s.virtual_account == "CML-xvalette"
    assert s.export_controlled == "ALLOWED"
    assert s.initial_registration is not None
    assert s.initial_registration.time == "May 10 16:39:56 2023 UTC"
    assert s.next_renewal_attempt == "Nov 06 16:39:56 2023 UTC"
    assert s.registration_expires == "May 09 15:40:46 2024 UTC"
    assert (s.authorization_status, s.authorization_time) == ("AUTHORIZED", "May 10 16:40:00 2023 UTC")
    assert s.communication_deadline == "Aug 08 15:40:51 2023 UTC"


def test_genie_slp_cslu_stack_with_crlf_and_timestamp_header() -> None:
    raw = (SAMPLES / "sls_genie_slp_cslu_c9300stack.txt").read_bytes().decode()
    assert "\r\n" in raw  # the sample keeps the device's CRLF line endings
    s = status_of(SAMPLES / "sls_genie_slp_cslu_c9300stack.txt")
    assert s.mode == "slp"
    assert s.enabled is True
    assert s.registration_status is None
    assert s.smart_account == "SA-Switching-Polaris"
    assert s.smart_account_as_of == "Oct 14 12:10:01 2021 UTC"
    assert s.virtual_account == "SLE_Test"
    assert s.transport_type == "cslu"
    assert s.transport_url == "<empty>"
    assert s.policy_name == "Custom Policy"
    assert s.last_ack_received == "Oct 14 12:10:32 2021 UTC"
    assert s.next_ack_deadline == "Jan 12 12:10:32 2022 UTC"
    assert s.trust_code_installed == (
        "Active: PID:C9300-24UX,SN:FCW2303D16Y INSTALLED on Oct 14 11:37:52 2021 UTC; "
        "Standby: PID:C9300-24U,SN:FHH2043P09E INSTALLED on Oct 14 11:37:52 2021 UTC; "
        "Member: PID:C9300-48T,SN:FCW2139L056 INSTALLED on Oct 14 11:37:53 2021 UTC"
    )
    assert s.authorization_status is None
    assert s.initial_registration is None
    assert s.evaluation_mode is False


def test_ntc_slp_smart_transport_url() -> None:
    s = status_of(SAMPLES / "sls_ntc_slp_smart_slepolicy.txt")
    assert (s.mode, s.enabled) == ("slp", True)
    assert (s.smart_account, s.smart_account_as_of) == ("Eg-SA", "Dec 03 15:26:02 2021 UTC")
    assert s.virtual_account == "Eg-VA"
    assert s.transport_type == "Smart"
    assert s.transport_url == "https://smartreceiver.cisco.com/licservice/license"
    assert s.policy_name == "SLE Policy"
    assert s.last_ack_received == "Dec 03 08:34:58 2021 UTC"
    assert s.next_ack_deadline == "Jan 02 08:34:58 2022 UTC"
    assert s.trust_code_installed == "Dec 03 08:23:45 2021 UTC"
    assert s.reporting_mode is None


def test_ntc_slp_transport_off() -> None:
    s = status_of(SAMPLES / "sls_ntc_slp_transport_off.txt")
    assert (s.mode, s.enabled) == ("slp", True)
    assert (s.smart_account, s.smart_account_as_of, s.virtual_account) == ("<none>", None, "<none>")
    assert s.transport_type == "Transport Off"
    assert s.transport_url is None
    assert s.policy_name is None  # "Policy in use: Merged from multiple sources." has no name line
    assert s.last_ack_received == "Nov 08 10:31:23 2023 EDT"
    assert s.next_ack_deadline == "Feb 06 10:31:23 2024 EDT"
    assert s.trust_code_installed == "<none>"


def test_show_license_all_17_18_slp_cslu() -> None:
    s = status_of(SAMPLES / "sla_ciscodoc_cube_slp_cslu_url_c8200l_17.18.txt", "show license all")
    assert s.mode == "slp"
    assert s.enabled is True
    assert s.reporting_mode == "STANDARD"
    assert s.smart_account == "BU Production Test"
    assert s.smart_account_as_of == "Jan 30 06:27:46 2025 IST"
    assert s.virtual_account == "CUBE Regression Mirabile"
    assert s.transport_type == "cslu"
    assert s.transport_url == "http://8.39.22.48/cslu/v1/pi/CUBE%20Regression%20Mirabile-1"
    assert s.policy_name == "SLE Policy"
    assert s.last_ack_received == "Jan 30 23:57:03 2025 IST"
    assert s.next_ack_deadline == "Mar 31 23:57:03 2025 IST"
    assert s.trust_code_installed == "Apr 08 12:56:59 2021 IST"
    # "License Conversion: Status: Not started" must not be read as a registration/authorization status
    assert s.registration_status is None
    assert s.authorization_status is None


def test_classic_summary_status_block_via_status_command() -> None:
    s = status_of(VARIANTS / "sls_variant_classic_unregistered_evalmode.txt")
    assert (s.mode, s.enabled, s.registration_status) == ("classic", True, "UNREGISTERED")
    assert s.export_controlled == "NOT ALLOWED"
    assert (s.authorization_status, s.authorization_time) == ("EVAL MODE", None)
    assert s.evaluation_period_remaining == "71 days, 22 hours, 1 minutes, 59 seconds"
    assert s.evaluation_mode is True
    assert s.initial_registration is None


def test_variant_registration_in_progress_with_prompts() -> None:
    s = status_of(VARIANTS / "sls_variant_classic_registration_in_progress.txt", "sh lic stat")
    assert s.registration_status == "REGISTRATION IN PROGRESS"
    assert s.initial_registration is not None
    assert (s.initial_registration.result, s.initial_registration.time) == ("First Attempt Pending", None)
    assert s.authorization_status == "EVAL MODE"
    assert s.evaluation_period_remaining == "89 days, 23 hours, 58 minutes, 2 seconds"
    assert s.evaluation_mode is True
    assert s.failure_reason is None
    assert s.smart_account is None


@pytest.mark.parametrize(
    ("name", "time", "reason", "next_attempt"),
    [
        (
            "sls_variant_classic_registration_failed_callhome.txt",
            "Apr 02 10:14:31 2024 UTC",
            "Fail to send out Call Home HTTP message.",
            "Apr 02 10:32:08 2024 UTC",
        ),
        (
            "sls_variant_classic_registration_failed_token.txt",
            "Apr 02 11:05:50 2024 UTC",
            '{"token":["The token you have entered is not valid."]}',
            "Apr 02 11:23:12 2024 UTC",
        ),
    ],
)
def test_variant_registration_failed(name: str, time: str, reason: str, next_attempt: str) -> None:
    s = status_of(VARIANTS / name)
    assert s.registration_status == "UNREGISTERED - REGISTRATION FAILED"
    assert s.initial_registration is not None
    assert (s.initial_registration.result, s.initial_registration.time) == ("FAILED", time)
    assert s.failure_reason == reason
    assert s.next_registration_attempt == next_attempt
    assert s.authorization_status == "EVAL MODE"
    assert s.evaluation_mode is True


def test_variant_eval_expired() -> None:
    s = status_of(VARIANTS / "sls_variant_classic_eval_expired.txt")
    assert s.registration_status == "UNREGISTERED"
    assert (s.authorization_status, s.authorization_time) == ("EVAL EXPIRED", "Jun 30 11:32:05 2019 UTC")
    assert s.evaluation_mode is False
    assert s.evaluation_period_remaining is None


@pytest.mark.parametrize(
    ("name", "reporting_mode"),
    [("sls_variant_slp_cslu_address_ack.txt", None), ("sls_variant_slp_17.15_reporting_mode.txt", "STANDARD")],
)
def test_variant_slp_cslu_address(name: str, reporting_mode: str | None) -> None:
    s = status_of(VARIANTS / name)
    assert (s.mode, s.enabled) == ("slp", True)
    assert s.reporting_mode == reporting_mode
    assert s.transport_type == "cslu"
    assert s.transport_url == "https://ssm-onprem.example.com/cslu/v1/pi/Corporate%20Network%20Devices-1"
    assert (s.smart_account, s.smart_account_as_of) == ("ACME Corporation", "Apr 02 09:42:03 2025 UTC")
    assert s.virtual_account == "Corporate Network Devices"
    assert s.last_ack_received == "Apr 02 09:42:03 2025 UTC"
    assert s.next_ack_deadline == "Jul 01 09:42:03 2025 UTC"
    assert s.trust_code_installed == "Apr 02 09:40:55 2025 UTC"
    assert s.policy_name is None


def test_framing_is_tolerated_prompt_timestamps_crlf_trailing_spaces() -> None:
    body = (SAMPLES / "sls_ntc_sl_registered_outofcompliance.txt").read_text()
    framed = (
        "c1000v-5#show license status   \r\n"
        "Load for five secs: 1%/0%; one minute: 0%; five minutes: 0%\r\n"
        "Time source is NTP, 11:43:15.743 UTC Wed Nov 17 2021\r\n\r\n"
        + "\r\n".join(line + "  " for line in body.splitlines())
        + "\r\n\r\nc1000v-5#"
    )
    assert parse("sh lic stat", framed) == parse("show license status", body)


def test_result_is_json_serialisable_and_frozen() -> None:
    s = status_of(SAMPLES / "sls_genie_sl_registered_csr1kv.txt")
    dumped = s.model_dump(mode="json")
    assert dumped["initial_registration"] == {"result": "SUCCEEDED", "time": "Mar 13 08:09:24 2024 UTC"}
    assert dumped["mode"] == "classic"
    with pytest.raises(Exception, match="frozen"):
        s.mode = "slp"


COUNTDOWN_VARIANTS = sorted(VARIANTS.glob("sls_variant_*.txt"))


@pytest.mark.parametrize("path", COUNTDOWN_VARIANTS, ids=lambda p: p.stem)
def test_countdown_is_put_back_after_the_cached_parse(path: Path) -> None:
    """Outputs that differ only in the evaluation countdown parse once; each model carries its
    own countdown and equals what a parse without the cache gives."""
    text = path.read_bytes().decode()
    uncached = _parse(cmd.SHOW_LICENSE_STATUS, output_lines(text))
    assert parse("show license status", text) == uncached
    if uncached.evaluation_period_remaining is None:  # type: ignore[union-attr]
        return
    later = text.replace(uncached.evaluation_period_remaining, "1 days, 2 hours, 3 minutes, 4 seconds")  # type: ignore[union-attr]
    before = _parse_seen.cache_info()
    result = parse("show license status", later)
    assert _parse_seen.cache_info().hits == before.hits + 1
    assert result == uncached.model_copy(
        update={"evaluation_period_remaining": "1 days, 2 hours, 3 minutes, 4 seconds"}
    )


def test_countdown_read_by_another_rule_is_parsed_without_the_cache() -> None:
    """A countdown line in a section whose catch-all rule reads it fills no field: the
    placeholder never reaches the model."""
    text = (VARIANTS / "sls_variant_classic_registration_in_progress.txt").read_bytes().decode()
    countdown = next(line for line in text.splitlines(keepends=True) if "Evaluation Period Remaining" in line)
    moved = text.replace(countdown, "").replace("Registration:\n", "Registration:\n" + countdown, 1)
    assert moved.count("Evaluation Period Remaining") == 1 and moved != text
    result = parse("show license status", moved)
    assert result == _parse(cmd.SHOW_LICENSE_STATUS, output_lines(moved))
    assert result.evaluation_period_remaining is None  # type: ignore[union-attr]


def test_unrecognised_countdown_output_names_the_real_line() -> None:
    with pytest.raises(ParseError) as caught:
        parse(
            "show license status", "Smart Licensing is ENABLED\n\nEvaluation Period Remaining: 3 days\n%garbage here\n"
        )
    assert caught.value.unexpected_line == "%garbage here"
