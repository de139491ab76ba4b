"""Checks a template's rows against the values its command requires (required_fields.py): a
missing or garbled one is a ParseError naming the command (`parse` adds the host)."""

from __future__ import annotations

from collections.abc import Sequence

from fleetreg.core.errors import ParseError
from fleetreg.core.parsing.required_fields import MODE_WORDS, REQUIRED, CommandFields, Field, Mode
from fleetreg.core.parsing.rows import Row, text


def check_required(command: str, rows: Sequence[Row], *, unexpected_line: str | None = None) -> str:
    """Raise ParseError when a value `command` requires is missing or garbled in `rows`; return the
    mode that applied. `unexpected_line` (the first line the template did not know) goes into the
    error for a missing value: it is often where the format changed."""
    spec = REQUIRED.get(command)
    if spec is None or not rows:
        return "any"
    mode = _mode(spec, rows[-1])
    for row in rows if spec.records == "each" else rows[-1:]:
        where = _where(spec, mode, row)
        for field in mode.fields:
            _check(command, field, row, where, unexpected_line)
    return mode.name


def _mode(spec: CommandFields, row: Row) -> Mode:
    return next(mode for mode in spec.modes if mode.marker is None or text(row, mode.marker))


def _where(spec: CommandFields, mode: Mode, row: Row) -> str:
    if mode.name in MODE_WORDS:
        return f" ({MODE_WORDS[mode.name]})"
    if spec.record_name is not None and (name := text(row, spec.record_name[0])):
        return f" ({spec.record_name[1]} {name!r})"
    return ""


def _value(field: Field, row: Row) -> str | None:
    value = text(row, field.value)
    if value is None and field.printed_empty is not None and text(row, field.printed_empty):
        return ""  # the line is there, with nothing after its colon
    return value


def _check(command: str, field: Field, row: Row, where: str, unexpected_line: str | None) -> None:
    if field.only_if is not None:
        other, pattern = field.only_if
        if not pattern.fullmatch(text(row, other) or ""):
            return
    value = _value(field, row)
    if value is None:
        raise ParseError(
            f"required field {field.label!r} missing{where}", command=command, unexpected_line=unexpected_line
        )
    if not field.shape.fullmatch(value):
        raise ParseError(
            f"required field {field.label!r} is garbled{where}: {value!r} is not {field.known}", command=command
        )
