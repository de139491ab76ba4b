"""`show version` rows -> VersionInfo."""

from __future__ import annotations

import re

from fleetreg.core.errors import ParseError
from fleetreg.core.parsing.models import VersionInfo
from fleetreg.core.parsing.rows import text

_TRAIN = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


def parse_version_rows(rows: list[dict[str, str | list[str]]], command: str, first: str | None) -> VersionInfo:
    version = text(rows[0], "VERSION") if len(rows) == 1 else None
    if version is None:
        raise ParseError("no IOS-XE version banner found", command=command, unexpected_line=first)
    row = rows[0]
    major, minor, rebuild = version_triple(version) or (0, 0, 0)
    model = text(row, "MODEL_NUMBER") or text(row, "PROCESSOR_MODEL")
    return VersionInfo(
        version=version,
        version_tuple=(major, minor, rebuild),
        hostname=text(row, "HOSTNAME"),
        platform=model,
        model=model,
        serial=text(row, "SYSTEM_SERIAL") or text(row, "PROCESSOR_BOARD_ID"),
        smart_licensing_status=text(row, "SMART_LICENSING_STATUS"),
        image=text(row, "IMAGE"),
        uptime=text(row, "UPTIME"),
    )


def version_triple(version: str) -> tuple[int, int, int] | None:
    """(17, 6, 5) of '17.06.05' or '17.6.5a'; None when it is not an IOS-XE train."""
    train = _TRAIN.match(version)
    if train is None:
        return None
    major, minor, rebuild = (int(part) for part in train.groups())
    return major, minor, rebuild
