"""The values fleetreg needs from each command, per licensing mode: declared once, as data.

Templates tolerate lines they do not know; these values stay strict (required.py checks them):
missing, or without one of their known shapes, they are a ParseError naming command and host.
Templates capture them loosely, so that a garbled value is reported as such.

The known shapes accept every form in the public samples (../shared/samples), the written
variants (tests/fixtures/outputs) and the emulator's outputs; tests check all of them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from fleetreg.core.parsing import commands as cmd


@dataclass(frozen=True)
class Field:
    """One value a command's template must yield."""

    value: str  # TextFSM value name
    label: str  # where IOS prints it, for messages
    shape: re.Pattern[str]  # its known forms (the whole value)
    known: str  # the known forms, in words
    only_if: tuple[str, re.Pattern[str]] | None = None  # required only when that value matches
    printed_empty: str | None = None  # a TextFSM value set when IOS printed this one as nothing


@dataclass(frozen=True)
class Mode:
    """A licensing mode of an output, selected when its `marker` value is set (None: always),
    with the fields it requires."""

    name: str
    marker: str | None
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class CommandFields:
    modes: tuple[Mode, ...]  # the first whose marker is set applies; the last has none
    records: Literal["last", "each"] = "last"  # "each": every record (one per call-home profile)
    record_name: tuple[str, str] | None = None  # (TextFSM value, word) naming a record in messages


def _one_of(states: Sequence[str], suffix: str = "", flags: int = 0) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(re.escape(state) for state in states) + ")" + suffix, flags)


def _words(states: Sequence[str]) -> str:
    return "one of " + ", ".join(states)


# Classic Smart Licensing states as `show license status` prints them. The base states follow
# CISCO-SMART-LIC-MIB (notRegistered, registrationInProgress, registrationRetryInProgress,
# registrationFailed, registrationCompleted; enforce modes authorized, notAuthorized,
# outOfCompliance, gracePeriod[Expired]) and the outputs; IOS may add a qualifier after " - "
# (UNREGISTERED - REGISTRATION FAILED, REGISTERED - SPECIFIC LICENSE RESERVATION, AUTHORIZED - RESERVED).
QUALIFIER = r"(?: - [A-Z]+(?: [A-Z]+)*)?"
REGISTRATION_STATES = (
    "REGISTERED",
    "UNREGISTERED",
    "REGISTRATION IN PROGRESS",
    "REGISTRATION RETRY IN PROGRESS",
    "REGISTRATION FAILED",
)
AUTHORIZATION_STATES = (
    "AUTHORIZED",
    "NOT AUTHORIZED",
    "AUTHORIZATION EXPIRED",
    "OUT OF COMPLIANCE",
    "EVAL MODE",
    "EVAL EXPIRED",
    "GRACE PERIOD",
    "GRACE PERIOD EXPIRED",
    "No Licenses in Use",
)
# `license smart transport {automatic|callhome|cslu|off|smart}`, as `Transport: Type:` prints it.
TRANSPORT_TYPES = ("Callhome", "cslu", "Smart", "Transport Off", "off", "Automatic")
ENABLED_DISABLED = re.compile(r"ENABLED|DISABLED")

SL_ENABLED = Field("SL_ENABLED", "Smart Licensing is ENABLED/DISABLED", ENABLED_DISABLED, "ENABLED or DISABLED")
REGISTRATION_STATUS = Field(
    "REG_STATUS",
    "Registration: Status",
    _one_of(REGISTRATION_STATES, QUALIFIER),
    _words(REGISTRATION_STATES) + " (optionally ' - <qualifier>')",
)
AUTHORIZATION_STATUS = Field(
    "AUTH_STATUS",
    "License Authorization: Status",
    _one_of(AUTHORIZATION_STATES, QUALIFIER),
    _words(AUTHORIZATION_STATES) + " (optionally ' - <qualifier>')",
)
SLP_STATUS = Field("SLP_STATUS", "Smart Licensing Using Policy: Status", ENABLED_DISABLED, "ENABLED or DISABLED")
TRANSPORT_TYPE = Field(
    "TRANSPORT_TYPE", "Transport: Type", _one_of(TRANSPORT_TYPES, flags=re.IGNORECASE), _words(TRANSPORT_TYPES)
)
TRANSPORT_URL = Field(
    "TRANSPORT_URL",
    "Transport: Cslu address / URL",
    re.compile(r"(?:https?://\S+|<empty>|<none>)?"),
    "an http(s) URL, <empty> or <none>",
    only_if=("TRANSPORT_TYPE", re.compile(r"cslu|smart", re.IGNORECASE)),
    printed_empty="EMPTY_TRANSPORT_URL",
)
LICENSE_USAGE = Field("USAGE_SECTION", "License Usage:", re.compile("License Usage"), "the License Usage table")
IOS_XE_VERSION = Field(
    "VERSION",
    "Cisco IOS XE Software, Version",
    re.compile(r"\d+\.\d+\.\d+\S*"),
    "an IOS-XE release (16.09.03, 17.06.05a)",
)
CALL_HOME_FEATURE = Field("FEATURE", "call home feature", re.compile("enable|disable"), "enable or disable")
SMART_LICENSE_MESSAGES = Field(
    "MESSAGES", "Smart-license messages", re.compile("enabled|disabled"), "enabled or disabled"
)
PROFILE_STATUS = Field("STATUS", "Profile status", re.compile("ACTIVE|INACTIVE"), "ACTIVE or INACTIVE")
PROFILE_TRANSPORT = Field(
    "TRANSPORT_METHOD",
    "Transport Method",
    re.compile(r"(?:http|email)(?: and (?:http|email))?"),
    "http, email or 'http and email'",
)

CLASSIC = Mode("classic", None, (SL_ENABLED, REGISTRATION_STATUS, AUTHORIZATION_STATUS))
SLP = Mode("slp", "SLP_SECTION", (SLP_STATUS, TRANSPORT_TYPE, TRANSPORT_URL))
_LICENSE_STATUS = CommandFields((SLP, CLASSIC))


def _always(*fields: Field) -> tuple[Mode, ...]:
    return (Mode("any", None, fields),)


REQUIRED: Mapping[str, CommandFields] = {
    cmd.SHOW_LICENSE_STATUS: _LICENSE_STATUS,
    cmd.SHOW_LICENSE_ALL: _LICENSE_STATUS,
    cmd.SHOW_LICENSE_SUMMARY: CommandFields((Mode("slp", "ACCOUNT_SECTION", (LICENSE_USAGE,)), CLASSIC)),
    cmd.SHOW_VERSION: CommandFields(_always(IOS_XE_VERSION)),
    cmd.SHOW_CALL_HOME: CommandFields(_always(CALL_HOME_FEATURE)),
    cmd.SHOW_CALL_HOME_SMART_LICENSING: CommandFields(_always(SMART_LICENSE_MESSAGES)),
    cmd.SHOW_CALL_HOME_PROFILE_ALL: CommandFields(
        _always(PROFILE_STATUS, PROFILE_TRANSPORT), records="each", record_name=("NAME", "profile")
    ),
}

MODE_WORDS = {"classic": "classic Smart Licensing", "slp": "Smart Licensing Using Policy"}
