"""What a template did not recognise in a known command's output: tolerated, kept, reported.

Every template collects, in its List value `UNKNOWN` and in output order, each line no rule knows:
the header of a block it does not know (its body is passed over) or a line IOS added inside a block
it knows. The raw output itself stays with the caller."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from fleetreg.core.parsing.rows import Row, items

UNKNOWN_VALUE = "UNKNOWN"
_LABEL_END = re.compile(r":(?:\s|$)")
_NUMBER = re.compile(r"\d+")
_LABEL_MAX = 60


@dataclass(frozen=True)
class UnknownOutput:
    """The unknown lines of one output, as printed (right-stripped), in order."""

    lines: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.lines)

    @property
    def first(self) -> str | None:
        return self.lines[0] if self.lines else None

    @property
    def blocks(self) -> tuple[str, ...]:
        """Headers of unknown blocks ("Device Telemetry Report Summary"), without the colon."""
        return tuple(line[:-1] for line in self.lines if is_block_header(line))

    @property
    def inner_lines(self) -> tuple[str, ...]:
        """Unknown lines that are not block headers (inside a known block, or stray)."""
        return tuple(line for line in self.lines if not is_block_header(line))

    def labels(self) -> tuple[str, ...]:
        """What the unknown lines are, without their values: the same on every switch of an image
        (`  Foo: 12` and `  Foo: 13` are both `Foo`), sorted and without repeats."""
        return tuple(sorted({label_of(line) for line in self.lines}))


def is_block_header(line: str) -> bool:
    return bool(line) and not line[0].isspace() and line.endswith(":")


def label_of(line: str) -> str:
    """`  Data Channel: AVAILABLE` -> `Data Channel`; a line without a `name:` keeps its words,
    numbers masked (`Reports on disk 0` -> `Reports on disk #`)."""
    text = " ".join(line.split())
    end = _LABEL_END.search(text)
    label = text[: end.start()] if end else text
    return _NUMBER.sub("#", label)[:_LABEL_MAX]


def unknown_from_rows(rows: Sequence[Row]) -> UnknownOutput:
    """The UNKNOWN list of a template's rows. Templates with several records declare it
    Filldown, so the last record holds every unknown line."""
    return UnknownOutput(tuple(items(rows[-1], UNKNOWN_VALUE))) if rows else UnknownOutput()
