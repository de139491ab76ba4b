"""Small helpers to read TextFSM row dicts (empty string = line absent)."""

from __future__ import annotations

from collections.abc import Mapping

Row = Mapping[str, "str | list[str]"]


def text(row: Row, key: str) -> str | None:
    value = row.get(key)
    if isinstance(value, list):
        raise TypeError(f"TextFSM value {key} is a List value")
    return value or None


def items(row: Row, key: str) -> list[str]:
    value = row.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def not_set_up(value: str | None) -> str | None:
    """`show call-home` prints unset settings as "Not yet set up"."""
    return None if value is None or value.lower() == "not yet set up" else value
