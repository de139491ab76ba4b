"""Issue 17, item 5: the values fleetreg needs stay strict. A missing or garbled required value is a
ParseError naming host and command; every form in the real samples, the written variants and the
emulator's outputs is accepted; the table is declared once and matches the templates."""

from __future__ import annotations

from pathlib import Path

import pytest
import textfsm
from fleetreg.core.errors import ParseError
from fleetreg.core.parsing import LicenseStatus, UnknownOutput, parse, parse_detailed
from fleetreg.core.parsing import commands as cmd
from fleetreg.core.parsing.required_fields import REQUIRED
from fleetreg.core.parsing.textfsm_runner import default_template_dir
from textfsm import clitable

from mock_devices import outputs
from mock_devices.config import CallHomeProfile, SwitchConfig
from mock_devices.licensing import ClassicLicensing, SlpLicensing
from mock_devices.platform import Hardware

REPO = Path(__file__).resolve().parents[3]
SAMPLES = REPO / ".." / "shared" / "samples"
VARIANTS = REPO / "tests" / "fixtures" / "outputs"

CLASSIC = SAMPLES / "sls_genie_sl_registered_csr1kv.txt"
SLP_CSLU = VARIANTS / "sls_variant_slp_cslu_address_ack.txt"
SLP_SMART = SAMPLES / "sls_ntc_slp_smart_slepolicy.txt"
CSLU_URL = "  Cslu address: https://ssm-onprem.example.com/cslu/v1/pi/Corporate%20Network%20Devices-1"


def without(path: Path, line: str) -> str:
    text = path.read_bytes().decode().replace("\r\n", "\n")
    assert f"\n{line}\n" in text, line
    return text.replace(f"\n{line}\n", "\n", 1)


def replaced(path: Path, old: str, new: str) -> str:
    text = path.read_bytes().decode().replace("\r\n", "\n")
    assert old in text, old
    return text.replace(old, new, 1)


MISSING = [
    ("show license status", without(CLASSIC, "Smart Licensing is ENABLED"), "Smart Licensing is ENABLED/DISABLED"),
    ("show license status", without(CLASSIC, "  Status: REGISTERED"), "Registration: Status"),
    (
        "show license status",
        without(CLASSIC, "  Status: AUTHORIZED on Mar 13 08:09:28 2024 UTC"),
        "License Authorization: Status",
    ),
    ("show license status", without(SLP_CSLU, "  Status: ENABLED"), "Smart Licensing Using Policy: Status"),
    ("show license status", without(SLP_CSLU, "  Type: cslu"), "Transport: Type"),
    ("show license status", without(SLP_CSLU, CSLU_URL), "Transport: Cslu address / URL"),
    (
        "show license status",
        without(SLP_SMART, "  URL: https://smartreceiver.cisco.com/licservice/license"),
        "Transport: Cslu address / URL",
    ),
    (
        "show license all",
        without(SAMPLES / "sla_ciscodoc_cube_slp_cslu_url_c8200l_17.18.txt", "  Type: cslu"),
        "Transport: Type",
    ),
    (
        "show license summary",
        without(SAMPLES / "slsum_c9kdevnet_sl_unregistered_evalmode_c9200l.txt", "  Status: EVAL MODE"),
        "License Authorization: Status",
    ),
    (
        "show license summary",
        without(SAMPLES / "slsum_genie_c9300stack_account.txt", "License Usage:"),
        "License Usage:",
    ),
    (
        "show call-home",
        without(SAMPLES / "sch_muninn_default_disabled_csr1kv_17.3.txt", "    call home feature : disable"),
        "call home feature",
    ),
    (
        "show call-home smart-licensing",
        without(SAMPLES / "schsl_genie_smart_licensing_url.txt", " Smart-license messages: enabled"),
        "Smart-license messages",
    ),
    (
        "show call-home profile all",
        replaced(SAMPLES / "schpa_genie_five_profiles.txt", "    Profile status: INACTIVE\n", ""),
        "Profile status",
    ),
    (
        "show call-home profile all",
        replaced(VARIANTS / "schpa_variant_http_and_email.txt", "    Transport Method: http and email\n", ""),
        "Transport Method",
    ),
]


@pytest.mark.parametrize(("command", "text", "label"), MISSING, ids=[f"{c}:{label}" for c, _t, label in MISSING])
def test_a_missing_required_field_names_host_command_and_field(command: str, text: str, label: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(command, text, host="sw-acc-7")
    error = info.value
    assert (error.host, error.command) == ("sw-acc-7", command)
    assert f"required field {label!r} missing" in error.message
    assert "host sw-acc-7" in str(error)
    assert command in str(error)


def test_missing_field_names_the_profile_it_belongs_to() -> None:
    text = replaced(SAMPLES / "schpa_genie_five_profiles.txt", "    Profile status: INACTIVE\n", "")
    with pytest.raises(ParseError, match="profile 'MohamedMuskan'"):
        parse("show call-home profile all", text)


def test_a_missing_field_points_at_the_first_unknown_line() -> None:
    """A renamed block header is where the format changed: the error names it."""
    text = replaced(CLASSIC, "\nRegistration:\n", "\nRegistration Info:\n")
    with pytest.raises(ParseError) as info:
        parse("show license status", text, host="sw1")
    assert "'Registration: Status' missing (classic Smart Licensing)" in info.value.message
    assert info.value.unexpected_line == "Registration Info:"


def test_url_is_not_required_for_transports_without_one() -> None:
    s = parse("show license status", (SAMPLES / "sls_ntc_slp_transport_off.txt").read_text())
    assert isinstance(s, LicenseStatus)
    assert (s.transport_type, s.transport_url) == ("Transport Off", None)


GARBLED = [
    ("show license status", replaced(CLASSIC, "Smart Licensing is ENABLED", "Smart Licensing is ENABLD"), "ENABLD"),
    ("show license status", replaced(CLASSIC, "  Status: REGISTERED\n", "  Status: REGISTERD\n"), "REGISTERD"),
    (
        "show license status",
        replaced(CLASSIC, "  Status: REGISTERED\n", "  Status: REGISTERED 2024\n"),
        "REGISTERED 2024",
    ),
    ("show license status", replaced(CLASSIC, "  Status: REGISTERED\n", "  Status: registered\n"), "registered"),
    ("show license status", replaced(CLASSIC, "Status: AUTHORIZED on", "Status: AUTHORISED on"), "AUTHORISED"),
    ("show license status", replaced(SLP_CSLU, "  Status: ENABLED", "  Status: ON"), "ON"),
    ("show license status", replaced(SLP_CSLU, "  Type: cslu", "  Type: carrier pigeon"), "carrier pigeon"),
    ("show license status", replaced(SLP_CSLU, "Cslu address: https://", "Cslu address: ftp://"), "ftp://"),
    (
        "show version",
        replaced(SAMPLES / "sver_ntc_c9500_16.9.3.txt", "Version 16.09.03\n", "Version XVI.9\n"),
        "XVI.9",
    ),
    (
        "show call-home",
        replaced(SAMPLES / "sch_muninn_default_disabled_csr1kv_17.3.txt", "feature : disable", "feature : maybe"),
        "maybe",
    ),
    (
        "show call-home smart-licensing",
        replaced(SAMPLES / "schsl_genie_smart_licensing_url.txt", "messages: enabled", "messages: on"),
        "on",
    ),
    (
        "show call-home profile all",
        replaced(SAMPLES / "schpa_genie_five_profiles.txt", "status: INACTIVE", "status: ACTIVATED"),
        "ACTIVATED",
    ),
    (
        "show call-home profile all",
        replaced(VARIANTS / "schpa_variant_http_and_email.txt", "http and email", "http or email"),
        "http or email",
    ),
]


@pytest.mark.parametrize(("command", "text", "value"), GARBLED, ids=[f"{c}:{v}" for c, _t, v in GARBLED])
def test_a_garbled_required_field_names_host_command_and_value(command: str, text: str, value: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(command, text, host="sw-acc-7")
    error = info.value
    assert (error.host, error.command) == ("sw-acc-7", command)
    assert "is garbled" in error.message
    assert f"{value!r} is not" in error.message or f"'{value}" in error.message


def test_a_garbled_value_with_control_characters_stays_one_line() -> None:
    text = replaced(CLASSIC, "  Status: REGISTERED\n", "  Status: REGIST\x1b[2JERED\n")
    with pytest.raises(ParseError) as info:
        parse("show license status", text, host="sw1")
    assert "\x1b" not in str(info.value)
    assert "\\x1b" in str(info.value)


@pytest.mark.parametrize(
    ("registration", "authorization"),
    [
        ("REGISTERED - SPECIFIC LICENSE RESERVATION", "AUTHORIZED - RESERVED"),
        ("UNREGISTERED - REGISTRATION EXPIRED", "AUTHORIZATION EXPIRED"),
        ("REGISTRATION RETRY IN PROGRESS", "No Licenses in Use"),
        ("UNREGISTERED", "NOT AUTHORIZED"),
    ],
)
def test_known_states_with_qualifiers_are_accepted(registration: str, authorization: str) -> None:
    text = replaced(CLASSIC, "  Status: REGISTERED\n", f"  Status: {registration}\n")
    text = text.replace("Status: AUTHORIZED on", f"Status: {authorization} on")
    s = parse("show license status", text)
    assert isinstance(s, LicenseStatus)
    assert (s.registration_status, s.authorization_status) == (registration, authorization)


REAL_AND_WRITTEN = [
    ("show license status", SAMPLES / "sls_genie_sl_registered_csr1kv.txt"),
    ("show license status", SAMPLES / "sls_genie_slp_cslu_c9300stack.txt"),
    ("show license status", SAMPLES / "sls_ntc_sl_registered_outofcompliance.txt"),
    ("show license status", SAMPLES / "sls_ntc_slp_smart_slepolicy.txt"),
    ("show license status", SAMPLES / "sls_ntc_slp_transport_off.txt"),
    ("show license status", SAMPLES / "sls_xvalette_sl_registered_csr1kv.txt"),
    ("show license all", SAMPLES / "sla_ciscodoc_cube_slp_cslu_url_c8200l_17.18.txt"),
    ("show license summary", SAMPLES / "slsum_c9kdevnet_sl_unregistered_evalmode_c9200l.txt"),
    ("show license summary", SAMPLES / "slsum_ciscodoc_cube_17.18.txt"),
    ("show license summary", SAMPLES / "slsum_genie_c9300stack_account.txt"),
    ("show license summary", SAMPLES / "slsum_muninn_isr1100_hsec_notinuse.txt"),
    ("show call-home", SAMPLES / "sch_muninn_default_disabled_csr1kv_17.3.txt"),
    ("show call-home profile all", SAMPLES / "schpa_genie_five_profiles.txt"),
    ("show call-home smart-licensing", SAMPLES / "schsl_genie_smart_licensing_url.txt"),
    ("show version", SAMPLES / "sver_ntc_c9500_16.9.3.txt"),
    *[("show license status", path) for path in sorted(VARIANTS.glob("sls_variant_*.txt"))],
    ("show license all", VARIANTS / "sla_variant_slp_17.15_stack_trust_code.txt"),
    ("show license summary", VARIANTS / "slsum_variant_classic_registered.txt"),
    ("show call-home profile all", VARIANTS / "schpa_variant_http_and_email.txt"),
]
TELEMETRY = {"sls_variant_slp_17.12_telemetry_smart_proxy", "sls_variant_slp_17.12_cslu_vrf_empty"}


@pytest.mark.parametrize(("command", "path"), REAL_AND_WRITTEN, ids=[p.stem for _c, p in REAL_AND_WRITTEN])
def test_every_real_sample_and_variant_passes_and_is_fully_known(command: str, path: Path) -> None:
    parsed = parse_detailed(command, path.read_bytes().decode())
    expected = ("Device Telemetry Report Summary",) if path.stem in TELEMETRY else ()
    assert parsed.unknown.blocks == expected
    assert parsed.unknown.inner_lines == ()


NOW = 1_700_000_000.0
CLASSIC_STATES = [
    ClassicLicensing(),
    ClassicLicensing(status="REGISTRATION IN PROGRESS"),
    ClassicLicensing(
        status="REGISTERED",
        authorization="AUTHORIZED",
        smart_account="ACME",
        virtual_account="Corporate",
        registered_wall=NOW,
        authorized_wall=NOW,
    ),
    ClassicLicensing(
        status="REGISTERED",
        authorization="OUT OF COMPLIANCE",
        smart_account="ACME",
        virtual_account="Corporate",
        registered_wall=NOW,
        authorized_wall=NOW,
    ),
    ClassicLicensing(status="FAILED", failed_wall=NOW, failure_reason="Fail to send out Call Home HTTP message."),
    ClassicLicensing(authorization="EVAL EXPIRED"),
]
SLP_TRANSPORTS = [(None, None), ("cslu", None), ("cslu", "https://ssm/cslu/v1/pi/Corporate-1"), ("smart", None)]
SLP_TRANSPORTS += [("off", None), ("callhome", None), ("automatic", None)]
SLP_STATES = [
    SlpLicensing(),
    SlpLicensing(
        smart_account="ACME",
        virtual_account="Corporate",
        account_as_of_wall=NOW,
        last_ack_wall=NOW,
        last_report_push_wall=NOW,
        policy_installed_wall=NOW,
        trust_installed_wall=NOW,
    ),
]


def emulator_outputs() -> list[tuple[str, str]]:
    """What the emulator prints for each command, in every licensing state it has (17.6/17.9)."""
    classic_hw = Hardware("C9300-48P", "FOC2233X0AB", "16.12.5", "0c:d0:f8:cd:b5:80", "FOC2233X0AC", 86400)
    slp_hw = Hardware("C9300-48P", "FOC2233X0AB", "17.9.4", "0c:d0:f8:cd:b5:80", "FOC2233X0AC", 86400)
    texts: list[tuple[str, str]] = []
    for lic in CLASSIC_STATES:
        texts += [
            ("show license status", outputs.classic_license_status(lic, NOW)),
            ("show license summary", outputs.classic_license_summary(classic_hw, lic, NOW)),
            ("show license all", outputs.classic_license_all(classic_hw, lic, NOW)),
            ("show version", outputs.show_version(classic_hw, "sw-1", lic, 90)),
        ]
    for transport, url in SLP_TRANSPORTS:
        cfg = SwitchConfig("sw-1", "17.9", "c9300-48p", "network-advantage", slp_transport=transport, slp_url_cslu=url)
        cfg.slp_vrf = "Mgmt-vrf" if url else None
        for slp in SLP_STATES:
            texts += [
                ("show license status", outputs.slp_license_status(cfg, slp)),
                ("show license summary", outputs.slp_license_summary(slp_hw, slp)),
                ("show license all", outputs.slp_license_all(slp_hw, cfg, slp)),
            ]
    texts.append(("show version", outputs.show_version(slp_hw, "sw-1", None, 90)))
    cfg = SwitchConfig("sw-1", "17.9", "c9300-48p", "network-advantage")
    cfg.call_home.profiles = [
        CallHomeProfile("CiscoTAC-1", transport_http=True, transport_email=False),
        CallHomeProfile(
            "SSM-OnPrem", reporting="smart-licensing-data", transport_http=True, transport_email=False,
            http_addresses=["https://ssm/Transportgateway/services/DeviceRequestHandler", "https://ssm2/x"],
        ),
        CallHomeProfile("mail", email_addresses=["netops@example.com"]),
    ]  # fmt: skip
    texts += [
        ("show call-home", outputs.show_call_home(cfg)),
        ("show call-home profile all", outputs.show_call_home_profile_all(cfg)),
        ("show call-home smart-licensing", outputs.show_call_home_smart_licensing(cfg)),
    ]
    return texts


def test_every_emulator_output_passes_and_is_fully_known() -> None:
    texts = emulator_outputs()
    assert len(texts) == 70
    for command, text in texts:
        parsed = parse_detailed(command, text)
        assert parsed.unknown == UnknownOutput(), (command, parsed.unknown)


def test_the_table_covers_every_template_command_and_names_real_template_values() -> None:
    textfsm_commands = {c for c in cmd.SUPPORTED_COMMANDS if "running-config" not in c}
    assert set(REQUIRED) == textfsm_commands
    index = clitable.CliTable("index", str(default_template_dir())).index
    for command, spec in REQUIRED.items():
        row = index.GetRowMatch({"Command": command, "Platform": "cisco_xe"})
        with open(default_template_dir() / index.index[row]["Template"], encoding="utf-8") as handle:
            values = set(textfsm.TextFSM(handle).header)
        assert "UNKNOWN" in values, command
        for mode in spec.modes:
            assert mode.marker is None or mode.marker in values, (command, mode.name)
            for field in mode.fields:
                named = {field.value, *(field.only_if[:1] if field.only_if else ()), field.printed_empty} - {None}
                assert named <= values, (command, field)
        assert spec.modes[-1].marker is None, f"{command}: the last mode is the fallback"
