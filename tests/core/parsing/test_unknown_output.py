"""Issue 17, item 5: unknown blocks and lines in a known command's output are tolerated, collected
in order, and change nothing fleetreg reads; the newer forms of 17.12+ parse."""

from __future__ import annotations

from pathlib import Path

import pytest
from fleetreg.core.parsing import (
    CallHomeProfiles,
    LicenseStatus,
    UnknownOutput,
    parse,
    parse_detailed,
)
from fleetreg.core.parsing.unknown import label_of

REPO = Path(__file__).resolve().parents[3]
SAMPLES = REPO / ".." / "shared" / "samples"
VARIANTS = REPO / "tests" / "fixtures" / "outputs"


def insert_after(text: str, anchor: str, *new_lines: str) -> str:
    """`text` with `new_lines` after the first line equal to `anchor`."""
    lines = text.replace("\r\n", "\n").split("\n")
    index = lines.index(anchor) + 1
    return "\n".join(lines[:index] + list(new_lines) + lines[index:])


def insert_before(text: str, anchor: str, *new_lines: str) -> str:
    lines = text.replace("\r\n", "\n").split("\n")
    index = lines.index(anchor)
    return "\n".join(lines[:index] + list(new_lines) + lines[index:])


# (command, file, where a new block goes (before this line), where a new line goes (after this line))
CASES = [
    ("show license status", SAMPLES / "sls_genie_sl_registered_csr1kv.txt", "Registration:", "  Status: REGISTERED"),
    ("show license status", SAMPLES / "sls_genie_slp_cslu_c9300stack.txt", "Transport:", "  Status: ENABLED"),
    (
        "show license all",
        SAMPLES / "sla_ciscodoc_cube_slp_cslu_url_c8200l_17.18.txt",
        "License Usage",
        "  Virtual Account: CUBE Regression Mirabile",
    ),
    ("show license summary", SAMPLES / "slsum_c9kdevnet_sl_unregistered_evalmode_c9200l.txt", "License Usage:", None),
    (
        "show license summary",
        SAMPLES / "slsum_genie_c9300stack_account.txt",
        "License Usage:",
        "  Virtual Account: <none>",
    ),
    (
        "show call-home",
        SAMPLES / "sch_muninn_default_disabled_csr1kv_17.3.txt",
        "Profiles:",
        "    Profile Name: CiscoTAC-1",
    ),
    (
        "show call-home profile all",
        SAMPLES / "schpa_genie_five_profiles.txt",
        "Profile Name: MohamedMuskan",
        "    Profile status: INACTIVE",
    ),
]
NEW_BLOCK = ("Heartbeat Summary:", "=================", "Heartbeat Channel: AVAILABLE", "  Last heartbeat: <none>", "")
NEW_LINE = "  Heartbeat Window: 30 days"


def case_id(case: tuple[str, Path, str, str | None]) -> str:
    return f"{case[0]}:{case[1].stem}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_unknown_block_is_tolerated_and_collected(case: tuple[str, Path, str, str | None]) -> None:
    command, path, before, _after = case
    text = path.read_bytes().decode()
    parsed = parse_detailed(command, insert_before(text, before, *NEW_BLOCK))
    assert parsed.model == parse(command, text)
    assert "Heartbeat Summary" in parsed.unknown.blocks
    assert parse_detailed(command, text).unknown == UnknownOutput()


@pytest.mark.parametrize("case", [c for c in CASES if c[3] is not None], ids=case_id)
def test_unknown_line_inside_a_known_block_is_tolerated_and_collected(case: tuple[str, Path, str, str | None]) -> None:
    command, path, _before, after = case
    assert after is not None
    text = path.read_bytes().decode()
    indent = after[: len(after) - len(after.lstrip())]
    line = indent + NEW_LINE.strip()
    parsed = parse_detailed(command, insert_after(text, after, line))
    assert parsed.model == parse(command, text)
    assert parsed.unknown.lines == (line,)
    assert parsed.unknown.inner_lines == (line,)
    assert parsed.unknown.blocks == ()


def test_classic_summary_unknown_line_in_registration() -> None:
    path = SAMPLES / "slsum_c9kdevnet_sl_unregistered_evalmode_c9200l.txt"
    text = path.read_text()
    parsed = parse_detailed("show license summary", insert_after(text, "  Status: UNREGISTERED", NEW_LINE))
    assert parsed.model == parse("show license summary", text)
    assert parsed.unknown.lines == (NEW_LINE,)


def test_smart_licensing_transport_settings_unknown_line_and_block() -> None:
    text = (SAMPLES / "schsl_genie_smart_licensing_url.txt").read_text()
    changed = insert_after(text, " Smart-license messages: enabled", " Transport VRF: Mgmt-vrf")
    changed = "Smart Licensing Telemetry:\n  Channel: up\n\n" + changed
    parsed = parse_detailed("show call-home smart-licensing", changed)
    assert parsed.model == parse("show call-home smart-licensing", text)
    assert parsed.unknown.lines == ("Smart Licensing Telemetry:", " Transport VRF: Mgmt-vrf")


def test_show_version_lines_before_the_banner_are_collected() -> None:
    text = (SAMPLES / "sver_ntc_c9500_16.9.3.txt").read_text()
    syslog = "*Mar  1 00:00:01.123: %SYS-5-CONFIG_I: Configured from console by vty0"
    parsed = parse_detailed("show version", syslog + "\n" + text)
    assert parsed.model == parse("show version", text)
    assert parsed.unknown.lines == (syslog,)


def test_17_12_telemetry_block_proxy_sub_block_and_vrf_empty() -> None:
    text = (VARIANTS / "sls_variant_slp_17.12_telemetry_smart_proxy.txt").read_text()
    parsed = parse_detailed("show license status", text)
    s = parsed.model
    assert isinstance(s, LicenseStatus)
    assert (s.mode, s.enabled, s.transport_type) == ("slp", True, "Smart")
    assert s.transport_url == "https://smartreceiver.cisco.com/licservice/license"
    assert (s.smart_account, s.smart_account_as_of) == ("ACME Corporation", "Mar 11 14:20:07 2025 UTC")
    assert s.virtual_account == "Public Network Devices"
    assert (s.last_ack_received, s.next_ack_deadline) == ("Mar 11 14:20:07 2025 UTC", "Mar 11 14:20:07 2026 UTC")
    assert s.trust_code_installed == "Mar 11 14:19:32 2025 UTC"
    # the Proxy sub-block, "VRF: <empty>" and "Reporting push interval: 0 (no reporting)" are known
    assert parsed.unknown.lines == ("Device Telemetry Report Summary:",)
    assert parsed.unknown.blocks == ("Device Telemetry Report Summary",)


def test_17_12_cslu_with_vrf_printed_empty_and_prompts() -> None:
    parsed = parse_detailed("sh lic stat", (VARIANTS / "sls_variant_slp_17.12_cslu_vrf_empty.txt").read_text())
    s = parsed.model
    assert isinstance(s, LicenseStatus)
    assert (s.transport_type, s.transport_url) == (
        "cslu",
        "https://ssm-onprem.example.com/cslu/v1/pi/Corporate%20Network%20Devices-1",
    )
    assert s.last_ack_received == "Jun 17 07:55:40 2025 UTC"
    assert s.virtual_account == "Corporate Network Devices"
    assert parsed.unknown.blocks == ("Device Telemetry Report Summary",)


@pytest.mark.parametrize("vrf", ["  VRF:", "  VRF: <empty>", "  VRF: Mgmt-vrf", "  VRF:\n    Mgmt-vrf"])
def test_every_vrf_form_is_known(vrf: str) -> None:
    text = (VARIANTS / "sls_variant_slp_cslu_address_ack.txt").read_text()
    changed = text.replace("  VRF:\n    Not Configured\n", vrf + "\n")
    assert changed != text
    parsed = parse_detailed("show license status", changed)
    assert parsed.unknown == UnknownOutput()
    assert parsed.model == parse("show license status", text)


def test_cslu_address_printed_as_nothing_is_there_but_empty() -> None:
    text = (VARIANTS / "sls_variant_slp_cslu_address_ack.txt").read_text()
    empty = text.replace(
        "  Cslu address: https://ssm-onprem.example.com/cslu/v1/pi/Corporate%20Network%20Devices-1\n",
        "  Cslu address:\n",
    )
    s = parse("show license status", empty)
    assert isinstance(s, LicenseStatus)
    assert s.transport_url == ""  # printed with nothing after it; None would mean "not printed"


def test_17_15_stack_trust_code_and_license_all_tail() -> None:
    parsed = parse_detailed("show license all", (VARIANTS / "sla_variant_slp_17.15_stack_trust_code.txt").read_text())
    s = parsed.model
    assert isinstance(s, LicenseStatus)
    assert (s.mode, s.reporting_mode, s.transport_type) == ("slp", "STANDARD", "cslu")
    assert s.transport_url == "https://ssm-onprem.example.com/cslu/v1/pi/Corporate%20Network%20Devices-1"
    assert s.last_ack_received == "May 06 10:02:31 2025 UTC"
    installed = "INSTALLED on May 06 09:58:12 2025 UTC    Valid on May 06 09:52"
    assert s.trust_code_installed == (
        f"Active: PID:C9300-48P,SN:FOC2233X0AB {installed}:40 2025 UTC; "
        f"Standby: PID:C9300-48P,SN:FOC2233X0AD {installed}:41 2025 UTC"
    )
    assert parsed.unknown == UnknownOutput()


def test_a_profile_right_after_an_address_list_is_not_lost() -> None:
    text = (VARIANTS / "schpa_variant_http_and_email.txt").read_text()
    extra = "Profile Name: extra\n    Profile status: ACTIVE\n    Transport Method: email\n"
    glued = text.replace("    Other address(es): default\n", "    Other address(es): default\n" + extra, 1)
    parsed = parse_detailed("show call-home profile all", glued)
    assert isinstance(parsed.model, CallHomeProfiles)
    assert [p.name for p in parsed.model.profiles] == ["CiscoTAC-1", "extra", "SSM-OnPrem"]
    assert parsed.model.profiles[0] == parse("show call-home profile all", text).profiles[0]  # type: ignore[union-attr]


def test_unknown_lines_keep_output_order_and_a_known_header_ends_an_unknown_block() -> None:
    text = (SAMPLES / "sls_ntc_sl_registered_outofcompliance.txt").read_text()
    changed = insert_before(text, "Transport:", "New Block:", "  Setting: 1", "")
    changed = insert_after(changed, "  Status: REGISTERED", "  Registration Mode: CSSM")
    parsed = parse_detailed("show license status", changed)
    assert parsed.unknown.lines == ("New Block:", "  Registration Mode: CSSM")
    assert parsed.unknown.first == "New Block:"
    assert parsed.model == parse("show license status", text)


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("Device Telemetry Report Summary:", "Device Telemetry Report Summary"),
        ("Data Channel: AVAILABLE", "Data Channel"),
        ("Reports on disk: 0", "Reports on disk"),
        ("  Foo  Bar: 12:30:00", "Foo Bar"),
        ("    NOT APPLICABLE 3", "NOT APPLICABLE #"),
    ],
)
def test_labels_leave_values_out(line: str, label: str) -> None:
    assert label_of(line) == label
