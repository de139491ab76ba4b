"""Typed results of parsing switch output. Frozen pydantic models, JSON-serialisable with
`.model_dump(mode="json")`. Values are kept as the switch prints them (`<none>`, `<empty>`);
a line the switch did not print becomes None, one it printed with nothing after its colon "".
What a parser did not know is not in the models (`parse_detailed` returns it beside them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class RegistrationAttempt(_Frozen):
    """`Initial Registration: SUCCEEDED on Mar 13 08:09:24 2024 UTC` -> result + time."""

    result: str
    time: str | None = None


class LicenseStatus(_Frozen):
    """`show license status` (also the status part of `show license all` / classic `show license summary`)."""

    mode: Literal["classic", "slp"]
    enabled: bool | None = None
    registration_status: str | None = None
    smart_account: str | None = None
    smart_account_as_of: str | None = None
    virtual_account: str | None = None
    export_controlled: str | None = None
    authorization_status: str | None = None
    authorization_time: str | None = None
    initial_registration: RegistrationAttempt | None = None
    last_renewal_attempt: str | None = None
    next_renewal_attempt: str | None = None
    next_registration_attempt: str | None = None
    registration_expires: str | None = None
    failure_reason: str | None = None
    last_communication_attempt: str | None = None
    next_communication_attempt: str | None = None
    communication_deadline: str | None = None
    evaluation_period_remaining: str | None = None
    transport_type: str | None = None
    transport_url: str | None = None
    last_ack_received: str | None = None
    next_ack_deadline: str | None = None
    trust_code_installed: str | None = None
    evaluation_mode: bool = False
    policy_name: str | None = None
    reporting_mode: str | None = None


class LicenseUsage(_Frozen):
    """One row of the `License Usage:` table of `show license summary`."""

    license: str
    entitlement_tag: str
    count: int
    status: str


class LicenseSummary(_Frozen):
    status: LicenseStatus | None = None
    smart_account: str | None = None
    virtual_account: str | None = None
    licenses: list[LicenseUsage] = []


class CallHomeProfile(_Frozen):
    """One profile of `show call-home profile all`. "Not yet set up" address lists are empty.
    `transport_method` as printed (`http`, `email`, `http and email`); the flags say which."""

    name: str
    status: str | None = None
    mode: str | None = None
    reporting_data: list[str] = []
    message_format: str | None = None
    transport_method: str | None = None
    transport_http: bool = False
    transport_email: bool = False
    http_addresses: list[str] = []
    email_addresses: list[str] = []
    other_addresses: list[str] = []


class CallHomeProfiles(_Frozen):
    profiles: list[CallHomeProfile] = []


class CallHomeSmartLicensing(_Frozen):
    """`show call-home smart-licensing`."""

    messages_enabled: bool
    profile: str | None = None
    profile_status: str | None = None
    destination_urls: list[str] = []


class CallHomeProfileState(_Frozen):
    name: str
    status: str


class CallHomeSettings(_Frozen):
    """`show call-home`. Settings printed as "Not yet set up" are None."""

    enabled: bool
    vrf: str | None = None
    source_interface: str | None = None
    source_ip: str | None = None
    http_proxy: str | None = None
    server_identity_check: bool = True
    profiles: list[CallHomeProfileState] = []
    smart_licensing_messages: bool = False


class VersionInfo(_Frozen):
    """`show version` of an IOS-XE switch."""

    version: str
    version_tuple: tuple[int, int, int]
    hostname: str | None = None
    platform: str | None = None
    model: str | None = None
    serial: str | None = None
    smart_licensing_status: str | None = None
    image: str | None = None
    uptime: str | None = None


class TrustpointConfig(_Frozen):
    name: str
    enrollment: str | None = None
    revocation_check: str | None = None


class CallHomeProfileConfig(_Frozen):
    """A `profile "NAME"` block under `call-home` in the running configuration."""

    name: str
    active: bool = True
    reporting_smart_licensing: bool = False
    reporting_smart_call_home: bool = False
    transport_http: bool = False
    transport_email: bool = True
    http_addresses: list[str] = []
    message_format: str | None = None


class CallHomeConfig(_Frozen):
    """Call-home and licensing transport settings read from `show running-config` (full or
    `| section call-home`)."""

    callhome_present: bool
    service_call_home: bool = False
    contact_email: str | None = None
    vrf: str | None = None
    source_interface: str | None = None
    server_identity_check: bool = True
    profiles: list[CallHomeProfileConfig] = []
    http_client_source_interface: str | None = None
    http_client_vrf: str | None = None
    trustpoints: list[TrustpointConfig] = []
    license_smart_transport: str | None = None
    license_smart_url_cslu: str | None = None
    license_smart_url_smart: str | None = None
    license_smart_vrf: str | None = None
    callhome_lines: list[str] = []
    # full `show running-config` only: its "! Last configuration change at" and
    # "! NVRAM config last updated at" times, as printed (without "by <user>")
    last_change: str | None = None
    nvram_updated: str | None = None


ParsedOutput = (
    LicenseStatus
    | LicenseSummary
    | CallHomeProfiles
    | CallHomeSmartLicensing
    | CallHomeSettings
    | VersionInfo
    | CallHomeConfig
)
