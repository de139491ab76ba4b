"""Session framing around a command's output: CRLF, trailing spaces, the echoed
`host#command` line, a trailing `host#` prompt and the `Load for five secs` /
`Time source is` lines that `terminal exec prompt timestamp` adds. Pure functions."""

from __future__ import annotations

import re

# `c1000v-5#show license status`, `Router# show license summary`, `csr1#sh license status`
_ECHOED_COMMAND = re.compile(r"^[A-Za-z0-9][\w.:/()-]*[#>]\s*(?:sh|show)\b.*$", re.IGNORECASE)
_BARE_PROMPT = re.compile(r"^[A-Za-z0-9][\w.:/()-]*[#>]$")
_TIMESTAMP_HEADER = re.compile(r"^(?:Load for five secs:|Time source is )")


def output_lines(text: str) -> list[str]:
    """The command's own output lines, right-stripped, without framing or outer blank lines."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = _strip_outer_blanks(lines)
    if lines and _ECHOED_COMMAND.match(lines[0]):
        lines = lines[1:]
    while lines and _TIMESTAMP_HEADER.match(lines[0]):
        lines = lines[1:]
    lines = _strip_outer_blanks(lines)
    while lines and _BARE_PROMPT.match(lines[-1]):
        lines = _strip_outer_blanks(lines[:-1])
    return lines


def _strip_outer_blanks(lines: list[str]) -> list[str]:
    start = 0
    end = len(lines)
    while start < end and not lines[start]:
        start += 1
    while end > start and not lines[end - 1]:
        end -= 1
    return lines[start:end]


def first_line(lines: list[str]) -> str | None:
    return next((line for line in lines if line.strip()), None)
