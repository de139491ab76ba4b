"""`show call-home`, `show call-home profile all` and `show call-home smart-licensing` rows -> models."""

from __future__ import annotations

from fleetreg.core.errors import ParseError
from fleetreg.core.parsing.models import (
    CallHomeProfile,
    CallHomeProfiles,
    CallHomeProfileState,
    CallHomeSettings,
    CallHomeSmartLicensing,
)
from fleetreg.core.parsing.rows import Row, items, not_set_up, text

Rows = list[dict[str, str | list[str]]]


def parse_profiles_rows(rows: Rows, command: str, first: str | None) -> CallHomeProfiles:
    if not rows:
        raise ParseError("no call-home profile found", command=command, unexpected_line=first)
    return CallHomeProfiles(profiles=[_profile(row) for row in rows])


def _profile(row: Row) -> CallHomeProfile:
    reporting = text(row, "REPORTING_DATA")
    method = text(row, "TRANSPORT_METHOD")
    methods = set(method.split(" and ")) if method else set()
    return CallHomeProfile(
        name=text(row, "NAME") or "",
        status=text(row, "STATUS"),
        mode=text(row, "MODE"),
        reporting_data=[part.strip() for part in reporting.split(",")] if reporting else [],
        message_format=text(row, "MESSAGE_FORMAT"),
        transport_method=method,
        transport_http="http" in methods,
        transport_email="email" in methods,
        http_addresses=_addresses(items(row, "HTTP_ADDRESSES")),
        email_addresses=_addresses(items(row, "EMAIL_ADDRESSES")),
        other_addresses=_addresses(items(row, "OTHER_ADDRESSES")),
    )


def _addresses(values: list[str]) -> list[str]:
    return [value for value in values if not_set_up(value) is not None]


def parse_smart_licensing_rows(rows: Rows, command: str, first: str | None) -> CallHomeSmartLicensing:
    if len(rows) != 1 or not (text(rows[0], "SETTINGS_SECTION") or text(rows[0], "MESSAGES")):
        raise ParseError("no smart-licensing transport settings found", command=command, unexpected_line=first)
    row = rows[0]
    return CallHomeSmartLicensing(
        messages_enabled=text(row, "MESSAGES") == "enabled",
        profile=text(row, "PROFILE"),
        profile_status=text(row, "PROFILE_STATUS"),
        destination_urls=items(row, "DESTINATION_URLS"),
    )


def parse_settings_rows(rows: Rows, command: str, first: str | None) -> CallHomeSettings:
    if len(rows) != 1 or not text(rows[0], "SETTINGS_SECTION"):
        raise ParseError("no call home settings found", command=command, unexpected_line=first)
    row = rows[0]
    names = items(row, "PROFILE_NAMES")
    statuses = items(row, "PROFILE_STATUSES")
    return CallHomeSettings(
        enabled=text(row, "FEATURE") == "enable",
        vrf=not_set_up(text(row, "VRF")),
        source_interface=not_set_up(text(row, "SOURCE_INTERFACE")),
        source_ip=not_set_up(text(row, "SOURCE_IP")),
        http_proxy=not_set_up(text(row, "HTTP_PROXY")),
        server_identity_check=text(row, "SERVER_IDENTITY_CHECK") != "disabled",
        profiles=[CallHomeProfileState(name=name, status=status) for name, status in zip(names, statuses, strict=True)],
        smart_licensing_messages=text(row, "SMART_LICENSING_MESSAGES") == "enabled",
    )
