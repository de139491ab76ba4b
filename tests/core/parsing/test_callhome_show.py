"""show call-home, show call-home profile all, show call-home smart-licensing."""

from __future__ import annotations

from pathlib import Path

from fleetreg.core.parsing import (
    CallHomeProfile,
    CallHomeProfiles,
    CallHomeProfileState,
    CallHomeSettings,
    CallHomeSmartLicensing,
    parse,
)

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples"
VARIANTS = Path(__file__).resolve().parents[2] / "fixtures" / "outputs"


def test_profile_all_five_profiles() -> None:
    result = parse("show call-home profile all", (SAMPLES / "schpa_genie_five_profiles.txt").read_text())
    assert isinstance(result, CallHomeProfiles)
    both = ["Smart Call Home", "Smart Licensing"]
    assert result.profiles == [
        CallHomeProfile(
            name="CiscoTAC-1",
            status="ACTIVE",
            mode="Full Reporting",
            reporting_data=both,
            message_format="xml",
            transport_method="http",
            transport_http=True,
            http_addresses=["https://tools.cisco.com/its/service/oddce/services/DDCEService"],
            email_addresses=[],
            other_addresses=["default"],
        ),
        CallHomeProfile(
            name="MohamedMuskan",
            status="INACTIVE",
            mode="Full Reporting",
            reporting_data=both,
            message_format="xml",
            transport_method="email",
            transport_email=True,
        ),
        CallHomeProfile(
            name="muskan",
            status="INACTIVE",
            mode="Full Reporting",
            reporting_data=both,
            message_format="xml",
            transport_method="email",
            transport_email=True,
            other_addresses=["http://linkedin.com"],
        ),
        CallHomeProfile(
            name="Shishir",
            status="INACTIVE",
            mode="Full Reporting",
            reporting_data=both,
            message_format="xml",
            transport_method="email",
            transport_email=True,
            email_addresses=["shishir@cisco.com", "Shisihir213@cisco.com"],
            other_addresses=["https://shishir.com/its/service/oddce/services/DDCEService"],
        ),
        CallHomeProfile(
            name="test",
            status="ACTIVE",
            mode="Full Reporting",
            reporting_data=["Smart Call Home"],
            message_format="xml",
            transport_method="email",
            transport_email=True,
        ),
    ]


def test_profile_with_http_and_email_records_both_methods() -> None:
    result = parse("show call-home profile all", (VARIANTS / "schpa_variant_http_and_email.txt").read_text())
    assert isinstance(result, CallHomeProfiles)
    tac, onprem = result.profiles
    assert (tac.transport_method, tac.transport_http, tac.transport_email) == ("http", True, False)
    assert (onprem.name, onprem.status, onprem.reporting_data) == ("SSM-OnPrem", "ACTIVE", ["Smart Licensing"])
    assert (onprem.transport_method, onprem.transport_http, onprem.transport_email) == ("http and email", True, True)
    assert onprem.email_addresses == ["netops@example.com"]
    assert onprem.http_addresses == ["https://ssm-onprem.example.com/Transportgateway/services/DeviceRequestHandler"]


def test_smart_licensing_destination() -> None:
    result = parse("sh call-home smart-licensing", (SAMPLES / "schsl_genie_smart_licensing_url.txt").read_text())
    assert result == CallHomeSmartLicensing(
        messages_enabled=True,
        profile="CiscoTAC-1",
        profile_status="ACTIVE",
        destination_urls=["https://tools.cisco.com/its/service/oddce/services/DDCEService"],
    )


def test_smart_licensing_several_urls_disabled() -> None:
    text = (
        "Current smart-licensing transport settings:\n"
        " Smart-license messages: disabled\n"
        " Profile: SSM-OnPrem (status: INACTIVE)\n"
        " Destination  URL(s):  https://ssm-onprem.example.com/Transportgateway/services/DeviceRequestHandler\n"
        "                       https://ssm-onprem2.example.com/Transportgateway/services/DeviceRequestHandler\n"
    )
    result = parse("show call-home smart-licensing", text)
    assert isinstance(result, CallHomeSmartLicensing)
    assert result.messages_enabled is False
    assert (result.profile, result.profile_status) == ("SSM-OnPrem", "INACTIVE")
    assert result.destination_urls == [
        "https://ssm-onprem.example.com/Transportgateway/services/DeviceRequestHandler",
        "https://ssm-onprem2.example.com/Transportgateway/services/DeviceRequestHandler",
    ]


def test_show_call_home_factory_default_disabled() -> None:
    result = parse("show call-home", (SAMPLES / "sch_muninn_default_disabled_csr1kv_17.3.txt").read_text())
    assert result == CallHomeSettings(
        enabled=False,
        vrf=None,
        source_interface=None,
        source_ip=None,
        http_proxy=None,
        server_identity_check=True,
        profiles=[CallHomeProfileState(name="CiscoTAC-1", status="INACTIVE")],
        smart_licensing_messages=False,
    )


def test_show_call_home_configured_values() -> None:
    text = (SAMPLES / "sch_muninn_default_disabled_csr1kv_17.3.txt").read_text()
    text = (
        text.replace("call home feature : disable", "call home feature : enable")
        .replace("vrf for call-home messages: Not yet set up", "vrf for call-home messages: Mgmt-vrf")
        .replace("source interface: Not yet set up", "source interface: GigabitEthernet0/0")
        .replace("server identity check: enabled", "server identity check: disabled")
        .replace("Smart licensing messages: disabled", "Smart licensing messages: enabled")
        .replace(
            "Profile: CiscoTAC-1 (status: INACTIVE)",
            "Profile: CiscoTAC-1 (status: INACTIVE)\n    Profile: SSM-OnPrem (status: ACTIVE)",
        )
    )
    result = parse("sh call-home", text)
    assert isinstance(result, CallHomeSettings)
    assert result.enabled is True
    assert result.vrf == "Mgmt-vrf"
    assert result.source_interface == "GigabitEthernet0/0"
    assert result.server_identity_check is False
    assert result.smart_licensing_messages is True
    assert result.profiles == [
        CallHomeProfileState(name="CiscoTAC-1", status="INACTIVE"),
        CallHomeProfileState(name="SSM-OnPrem", status="ACTIVE"),
    ]
