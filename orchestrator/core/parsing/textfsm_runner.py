"""Runs our TextFSM templates through clitable with our own ntc-templates-style index.
Turns a template's `Error` rule into a ParseError naming the command and the offending line."""

from __future__ import annotations

import functools
import os
import re
import threading
from pathlib import Path

import textfsm
from fleetreg.core.errors import ParseError
from fleetreg.templates import BUNDLED_DIR
from textfsm import TextFSMError, clitable

PLATFORM = "cisco_xe"
INDEX_FILE = "index"

# Our templates use bare `-> Error`, which textfsm reports as "... Input Line: <line>".
_ERROR_INPUT_LINE = re.compile(r"Input Line: (?P<line>.*)$", re.DOTALL)


@functools.cache
def default_template_dir() -> Path:
    return BUNDLED_DIR / "textfsm"


# Compiling a template costs ~4x parsing with it, and a migration parses `show license status`
# on every registration poll. A TextFSM object keeps state between parses, so each thread keeps
# its own: the index (command -> template name) and the compiled templates, per template folder.
_per_thread = threading.local()


def _index(template_dir: str) -> clitable.CliTable:
    tables: dict[str, clitable.CliTable] = _per_thread.__dict__.setdefault("tables", {})
    if template_dir not in tables:
        tables[template_dir] = clitable.CliTable(INDEX_FILE, template_dir)
    return tables[template_dir]


def _compiled(template_dir: str, name: str) -> textfsm.TextFSM:
    compiled: dict[tuple[str, str], textfsm.TextFSM] = _per_thread.__dict__.setdefault("compiled", {})
    key = (template_dir, name)
    if key not in compiled:
        with open(os.path.join(template_dir, name), encoding="utf-8") as handle:
            compiled[key] = textfsm.TextFSM(handle)
    fsm = compiled[key]
    fsm.Reset()
    return fsm


def run_template(
    command: str, lines: list[str], *, template_dir: Path | None = None, host: str | None = None
) -> list[dict[str, str | list[str]]]:
    """Parse `lines` (already cleaned) with the template our index maps `command` to."""
    directory = template_dir or default_template_dir()
    if not (directory / INDEX_FILE).is_file():
        raise ParseError(f"TextFSM index not found in {directory}", command=command, host=host)
    index = _index(str(directory))
    row = index.index.GetRowMatch({"Command": command, "Platform": PLATFORM})
    if not row:
        raise ParseError("no TextFSM template for this command in the index", command=command, host=host)
    fsm = _compiled(str(directory), index.index.index[row]["Template"])
    try:
        rows = fsm.ParseText("\n".join(lines) + "\n")
    except TextFSMError as exc:
        match = _ERROR_INPUT_LINE.search(str(exc))
        bad_line = match.group("line") if match else None
        raise ParseError("output not recognised", command=command, unexpected_line=bad_line, host=host) from exc
    header = list(fsm.header)
    return [dict(zip(header, values, strict=True)) for values in rows]
