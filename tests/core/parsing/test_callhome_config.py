"""Running configuration (full and `| section call-home`) -> CallHomeConfig via hier_config."""

from __future__ import annotations

from pathlib import Path

import pytest
from fleetreg.core.errors import ParseError
from fleetreg.core.parsing import CallHomeConfig, CallHomeProfileConfig, TrustpointConfig, callhome_config, parse
from fleetreg.core.parsing.output_text import output_lines
from hier_config import Platform, get_hconfig_driver

REPO = Path(__file__).resolve().parents[3]
SAMPLES = REPO / ".." / "shared" / "samples"
VARIANTS = REPO / "tests" / "fixtures" / "outputs"

FACTORY_BLOCK = [
    "call-home",
    " ! If contact email address in call-home is configured as sch-smart-licensing@cisco.com",
    " ! the email address configured in Cisco Smart License Portal will be used as contact email address"
    " to send SCH notifications.",
    " contact-email-addr sch-smart-licensing@cisco.com",
    ' profile "CiscoTAC-1"',
    "  active",
    "  destination transport-method http",
]


def config_of(command: str, text: str) -> CallHomeConfig:
    result = parse(command, text)
    assert isinstance(result, CallHomeConfig)
    return result


def test_libgr_c9200l_full_config_factory_callhome() -> None:
    c = config_of("show running-config", (SAMPLES / "runcfg_libgr_c9200l_17.6_full.txt").read_text())
    assert c.callhome_present is True
    assert c.service_call_home is True
    assert c.contact_email == "sch-smart-licensing@cisco.com"
    assert (c.vrf, c.source_interface) == (None, None)
    assert c.server_identity_check is True
    assert c.profiles == [
        CallHomeProfileConfig(
            name="CiscoTAC-1",
            active=True,
            reporting_smart_licensing=True,
            reporting_smart_call_home=True,
            transport_http=True,
            transport_email=True,
            http_addresses=[],
            message_format=None,
        )
    ]
    assert c.trustpoints == [
        TrustpointConfig(name="SLA-TrustPoint", enrollment="pkcs12", revocation_check="crl"),
        TrustpointConfig(name="TP-self-signed-3639644206", enrollment="selfsigned", revocation_check="none"),
    ]
    assert (c.http_client_source_interface, c.http_client_vrf) == (None, None)
    assert (c.license_smart_transport, c.license_smart_url_cslu, c.license_smart_url_smart) == (None, None, None)
    assert c.license_smart_vrf is None
    assert c.callhome_lines == FACTORY_BLOCK


def test_section_output_of_the_same_switch() -> None:
    section = "SwitchLv3CUB#show running-config | section call-home\nservice call-home\n" + "\n".join(FACTORY_BLOCK)
    c = config_of("sh run | sec call-home", section + "\nSwitchLv3CUB#")
    assert c.callhome_present is True
    assert c.callhome_lines == FACTORY_BLOCK
    assert c.trustpoints == []
    assert [p.name for p in c.profiles] == ["CiscoTAC-1"]


def test_variant_migrated_section() -> None:
    c = config_of(
        "show running-config | section call-home",
        (VARIANTS / "runcfg_variant_section_callhome_migrated.txt").read_text(),
    )
    assert c.server_identity_check is False
    assert (c.vrf, c.source_interface) == ("Mgmt-vrf", "GigabitEthernet0/0")
    tac, onprem = c.profiles
    assert tac == CallHomeProfileConfig(
        name="CiscoTAC-1",
        active=False,
        reporting_smart_licensing=True,
        reporting_smart_call_home=True,
        transport_http=True,
        transport_email=False,
    )
    assert onprem == CallHomeProfileConfig(
        name="SSM-OnPrem",
        active=True,
        reporting_smart_licensing=True,
        reporting_smart_call_home=False,
        transport_http=True,
        transport_email=False,
        http_addresses=["https://ssm-onprem.example.com/Transportgateway/services/DeviceRequestHandler"],
        message_format="xml",
    )
    assert c.callhome_lines[0] == "call-home"
    assert c.callhome_lines[-1] == "  active"
    assert len(c.callhome_lines) == 18


def test_variant_slp_full_config_license_smart_lines() -> None:
    c = config_of("show running-config", (VARIANTS / "runcfg_variant_slp_cslu_full.txt").read_text())
    assert c.license_smart_transport == "cslu"
    assert c.license_smart_url_cslu == "https://ssm-onprem.example.com/cslu/v1/pi/Corporate%20Network%20Devices-1"
    assert c.license_smart_url_smart is None
    assert c.license_smart_vrf == "Mgmt-vrf"
    assert c.http_client_source_interface == "Vlan100"
    assert c.trustpoints == [TrustpointConfig(name="SLA-TrustPoint", enrollment="pkcs12", revocation_check="crl")]
    assert c.callhome_present is True


def test_empty_section_means_no_callhome() -> None:
    c = config_of("show running-config | section call-home", "sw1#show running-config | section call-home\nsw1#\n")
    assert c.callhome_present is False
    assert c.service_call_home is False
    assert c.profiles == []
    assert c.callhome_lines == []


def test_section_with_foreign_top_level_line_is_refused() -> None:
    with pytest.raises(ParseError) as info:
        parse("sh run | s call-home", "call-home\n contact-email-addr a@example.com\nhostname sw1\n")
    assert info.value.unexpected_line == "hostname sw1"


def test_full_config_without_version_or_hostname_is_refused() -> None:
    with pytest.raises(ParseError) as info:
        parse("show running-config", "The quick brown fox\njumps over the lazy dog.\n")
    assert info.value.unexpected_line == "The quick brown fox"
    assert info.value.command == "show running-config"


@pytest.mark.parametrize(
    ("command", "path"),
    [
        ("show running-config", SAMPLES / "runcfg_libgr_c9200l_17.6_full.txt"),
        ("show running-config", VARIANTS / "runcfg_variant_slp_cslu_full.txt"),
        ("show running-config | section call-home", VARIANTS / "runcfg_variant_section_callhome_migrated.txt"),
    ],
)
def test_the_lean_driver_reads_what_ios_full_driver_reads(
    command: str, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = output_lines(path.read_text())
    lean = callhome_config.parse_callhome_config(lines, command=command, section_only="section" in command)
    monkeypatch.setattr(callhome_config, "_DRIVER", get_hconfig_driver(Platform.CISCO_IOS))
    full = callhome_config.parse_callhome_config(lines, command=command, section_only="section" in command)
    assert lean == full and lean.callhome_present
    assert (
        len(callhome_config._DRIVER.rules.per_line_sub) > len(callhome_config.sections_driver().rules.per_line_sub) == 1
    )
