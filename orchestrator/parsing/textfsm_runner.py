"""Runs our TextFSM templates through clitable with our own ntc-templates-style index.
Turns a template's `Error` rule into a ParseError naming the command and the offending line."""

from __future__ import annotations

import re
from pathlib import Path

from textfsm import TextFSMError, clitable

import orchestrator
from orchestrator.errors import ParseError

PLATFORM = "cisco_xe"
INDEX_FILE = "index"

# Our templates use bare `-> Error`, which textfsm reports as "... Input Line: <line>".
_ERROR_INPUT_LINE = re.compile(r"Input Line: (?P<line>.*)$", re.DOTALL)


def default_template_dir() -> Path:
    return Path(orchestrator.__file__).resolve().parents[1] / "templates" / "textfsm"


def _cli_table(template_dir: str) -> clitable.CliTable:
    # A CliTable holds the last parse, so one per call (Nornir runs tasks in threads);
    # clitable itself caches the parsed index file.
    return clitable.CliTable(INDEX_FILE, template_dir)


def run_template(
    command: str, lines: list[str], *, template_dir: Path | None = None, host: str | None = None
) -> list[dict[str, str | list[str]]]:
    """Parse `lines` (already cleaned) with the template our index maps `command` to."""
    directory = template_dir or default_template_dir()
    if not (directory / INDEX_FILE).is_file():
        raise ParseError(f"TextFSM index not found in {directory}", command=command, host=host)
    table = _cli_table(str(directory))
    try:
        table.ParseCmd("\n".join(lines) + "\n", attributes={"Command": command, "Platform": PLATFORM})
    except clitable.CliTableError as exc:
        raise ParseError(f"no TextFSM template for this command: {exc}", command=command, host=host) from exc
    except TextFSMError as exc:
        match = _ERROR_INPUT_LINE.search(str(exc))
        bad_line = match.group("line") if match else None
        raise ParseError("output not recognised", command=command, unexpected_line=bad_line, host=host) from exc
    header = list(table.header)
    return [dict(zip(header, row.values, strict=True)) for row in table]
