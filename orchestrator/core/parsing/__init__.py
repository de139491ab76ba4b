"""Parsers for the IOS-XE show commands fleetreg reads.

    from fleetreg.core.parsing import parse, normalise_command, SUPPORTED_COMMANDS
    status = parse("sh lic stat", text, host="sw1")   # -> LicenseStatus

Command output goes through our TextFSM templates (templates/textfsm, clitable index,
platform cisco_xe); the running configuration goes through hier_config.

Lines a template does not know in a known command's output are tolerated: collected (`parse_detailed`
returns them with the model) and logged once per command, device version and kind of line
(logger `fleetreg.parsing`, unknown_warning.py). The values fleetreg needs stay strict
(required_fields.py): output that is not the command's at all, or that lacks a required value or holds a
garbled one, raises ParseError naming the command, the host and the first unexpected line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from fleetreg.core.errors import ParseError
from fleetreg.core.parsing import commands as cmd
from fleetreg.core.parsing.callhome_config import parse_callhome_config
from fleetreg.core.parsing.callhome_show import (
    parse_profiles_rows,
    parse_settings_rows,
    parse_smart_licensing_rows,
)
from fleetreg.core.parsing.commands import SUPPORTED_COMMANDS, normalise_command
from fleetreg.core.parsing.license_status import parse_license_status_rows
from fleetreg.core.parsing.license_summary import parse_license_summary_rows
from fleetreg.core.parsing.models import (
    CallHomeConfig,
    CallHomeProfile,
    CallHomeProfileConfig,
    CallHomeProfiles,
    CallHomeProfileState,
    CallHomeSettings,
    CallHomeSmartLicensing,
    LicenseStatus,
    LicenseSummary,
    LicenseUsage,
    ParsedOutput,
    RegistrationAttempt,
    TrustpointConfig,
    VersionInfo,
)
from fleetreg.core.parsing.output_text import first_line, output_lines
from fleetreg.core.parsing.required import check_required
from fleetreg.core.parsing.textfsm_runner import default_template_dir, run_template
from fleetreg.core.parsing.unknown import UnknownOutput, unknown_from_rows
from fleetreg.core.parsing.unknown_warning import report_unknown
from fleetreg.core.parsing.version import parse_version_rows
from pydantic import BaseModel

__all__ = [
    "SUPPORTED_COMMANDS",
    "CallHomeConfig",
    "CallHomeProfile",
    "CallHomeProfileConfig",
    "CallHomeProfileState",
    "CallHomeProfiles",
    "CallHomeSettings",
    "CallHomeSmartLicensing",
    "LicenseStatus",
    "LicenseSummary",
    "LicenseUsage",
    "Parsed",
    "ParsedOutput",
    "RegistrationAttempt",
    "TrustpointConfig",
    "UnknownOutput",
    "VersionInfo",
    "default_template_dir",
    "normalise_command",
    "parse",
    "parse_as",
    "parse_detailed",
]

RowsParser = Callable[[list[dict[str, str | list[str]]], str, str | None], ParsedOutput]

_TEXTFSM_PARSERS: dict[str, RowsParser] = {
    cmd.SHOW_LICENSE_STATUS: parse_license_status_rows,
    cmd.SHOW_LICENSE_ALL: parse_license_status_rows,
    cmd.SHOW_LICENSE_SUMMARY: parse_license_summary_rows,
    cmd.SHOW_CALL_HOME_PROFILE_ALL: parse_profiles_rows,
    cmd.SHOW_CALL_HOME_SMART_LICENSING: parse_smart_licensing_rows,
    cmd.SHOW_CALL_HOME: parse_settings_rows,
    cmd.SHOW_VERSION: parse_version_rows,
}

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class Parsed:
    """A parsed output: its model, and the lines of it the parser did not know (kept, not fatal)."""

    model: ParsedOutput
    unknown: UnknownOutput = field(default_factory=UnknownOutput)


def parse(
    command: str,
    text: str,
    *,
    host: str | None = None,
    template_dir: Path | None = None,
    device_version: str | None = None,
) -> ParsedOutput:
    """Parse `text`, the output of `command` (abbreviations accepted), into its model.

    The same output parses to the same (frozen) model, so outputs seen before are not parsed
    again: a fleet polling its registration shows the same few states over and over. Unknown
    lines are logged once per command, `device_version` (when the caller knows it) and kind."""
    return parse_detailed(command, text, host=host, template_dir=template_dir, device_version=device_version).model


def parse_detailed(
    command: str,
    text: str,
    *,
    host: str | None = None,
    template_dir: Path | None = None,
    device_version: str | None = None,
) -> Parsed:
    """`parse`, with the lines the parser did not know."""
    try:
        canonical = normalise_command(command)
        parsed = _parse_text(canonical, output_lines(text), template_dir)
    except ParseError as exc:
        if host and not exc.host:
            raise ParseError(exc.message, command=exc.command, unexpected_line=exc.unexpected_line, host=host) from exc
        raise
    if parsed.unknown:
        version = device_version or (parsed.model.version if isinstance(parsed.model, VersionInfo) else None)
        report_unknown(canonical, parsed.unknown, host=host, device_version=version)
    return parsed


def _parse_text(canonical: str, lines: list[str], template_dir: Path | None) -> Parsed:
    if canonical == cmd.SHOW_RUNNING_CONFIG:  # one per switch, and large: never seen twice
        return _parse_outcome(canonical, lines, template_dir=template_dir)
    countdown = _countdown(canonical, lines)
    if countdown is None:
        return _parse_seen(canonical, tuple(lines), template_dir)
    return _parse_counting_down(canonical, lines, countdown, template_dir)


# IOS counts the evaluation period down every second, so two polls of a switch whose state has
# not changed still differ in that one line. It is parsed with the value replaced, which makes
# the rest a cache hit, and the model gets the value back.
_COUNTDOWN_COMMANDS = frozenset({cmd.SHOW_LICENSE_STATUS, cmd.SHOW_LICENSE_ALL})
_COUNTDOWN_LINE = re.compile(r"\s*Evaluation\s+Period\s+Remaining:\s+(.+)")
_COUNTDOWN_PLACEHOLDER = "<counting down>"


def _countdown(canonical: str, lines: list[str]) -> tuple[int, re.Match[str]] | None:
    """The one countdown line of `lines` (its index and match), if the command has one."""
    if canonical not in _COUNTDOWN_COMMANDS:
        return None
    found = [(i, m) for i, line in enumerate(lines) if "Remaining" in line and (m := _COUNTDOWN_LINE.fullmatch(line))]
    return found[0] if len(found) == 1 else None


def _parse_counting_down(
    canonical: str, lines: list[str], countdown: tuple[int, re.Match[str]], template_dir: Path | None
) -> Parsed:
    index, match = countdown
    masked = list(lines)
    masked[index] = lines[index][: match.start(1)] + _COUNTDOWN_PLACEHOLDER
    try:
        result = _parse_seen(canonical, tuple(masked), template_dir)
    except ParseError:
        result = None  # the error is reported for the real line below
    if (
        result is not None
        and isinstance(result.model, LicenseStatus)
        and result.model.evaluation_period_remaining == _COUNTDOWN_PLACEHOLDER
    ):
        model = result.model.model_copy(update={"evaluation_period_remaining": match.group(1)})
        return Parsed(model, result.unknown)
    return _parse_outcome(canonical, lines, template_dir=template_dir)  # the line was read some other way


@lru_cache(maxsize=2048)
def _parse_seen(canonical: str, lines: tuple[str, ...], template_dir: Path | None) -> Parsed:
    return _parse_outcome(canonical, list(lines), template_dir=template_dir)


def _parse(canonical: str, lines: list[str], *, template_dir: Path | None = None) -> ParsedOutput:
    """The model alone, uncached and host-free."""
    return _parse_outcome(canonical, lines, template_dir=template_dir).model


def _parse_outcome(canonical: str, lines: list[str], *, template_dir: Path | None = None) -> Parsed:
    """Pure and host-free, so its results can be shared; `parse` names the host in errors."""
    if canonical == cmd.SHOW_RUNNING_CONFIG_CALL_HOME:
        # An empty `| section call-home` is a real answer: call-home is not configured.
        return Parsed(parse_callhome_config(lines, command=canonical, section_only=True))
    if not lines:
        raise ParseError("output is empty", command=canonical, unexpected_line="")
    if canonical == cmd.SHOW_RUNNING_CONFIG:
        return Parsed(parse_callhome_config(lines, command=canonical, section_only=False))
    rows = run_template(canonical, lines, template_dir=template_dir)
    unknown = unknown_from_rows(rows)
    model = _TEXTFSM_PARSERS[canonical](rows, canonical, unknown.first or first_line(lines))
    check_required(canonical, rows, unexpected_line=unknown.first)
    return Parsed(model, unknown)


def parse_as(
    model: type[ModelT],
    command: str,
    text: str,
    *,
    host: str | None = None,
    template_dir: Path | None = None,
    device_version: str | None = None,
) -> ModelT:
    """`parse`, typed for callers that know which model the command yields."""
    result = parse(command, text, host=host, template_dir=template_dir, device_version=device_version)
    if not isinstance(result, model):
        raise ParseError(f"expected {model.__name__}, parser gave {type(result).__name__}", command=command, host=host)
    return result
