"""Foreign output (not the command's at all) raises ParseError naming the command and the first
unexpected line, never a half-filled model."""

from __future__ import annotations

from pathlib import Path

import pytest
from fleetreg.core.errors import ParseError
from fleetreg.core.parsing import SUPPORTED_COMMANDS, parse, parse_detailed

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples"
INVALID = "% Invalid input detected at '^' marker."
PARAGRAPH = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\nSed do eiusmod tempor incididunt.\n"


@pytest.mark.parametrize("command", SUPPORTED_COMMANDS)
def test_invalid_input_marker(command: str) -> None:
    text = f"sw1#{command}\n                ^\n{INVALID}\n\nsw1#"
    with pytest.raises(ParseError) as info:
        parse(command, text, host="sw1")
    assert info.value.command == command
    assert info.value.host == "sw1"
    assert info.value.unexpected_line in {INVALID, "                ^"}
    assert command in str(info.value)


@pytest.mark.parametrize("command", [c for c in SUPPORTED_COMMANDS if "|" not in c])
def test_random_paragraph(command: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(command, PARAGRAPH)
    assert info.value.unexpected_line == "Lorem ipsum dolor sit amet, consectetur adipiscing elit."


@pytest.mark.parametrize("command", [c for c in SUPPORTED_COMMANDS if "|" not in c])
@pytest.mark.parametrize("text", ["", "\n\n", "sw1#show version\nsw1#"])
def test_empty_output(command: str, text: str) -> None:
    with pytest.raises(ParseError, match="empty"):
        parse(command, text)


def test_wrong_command_for_output() -> None:
    with pytest.raises(ParseError) as info:
        parse("show license status", (SAMPLES / "slsum_genie_c9300stack_account.txt").read_text())
    assert info.value.unexpected_line == "License Usage:"


def test_unknown_line_inside_read_section_is_tolerated_and_collected() -> None:
    """Issue 17: a line IOS adds inside a block we read no longer fails the output; it is
    collected (and logged once), and everything fleetreg reads is unchanged."""
    original = (SAMPLES / "sls_ntc_slp_transport_off.txt").read_text()
    text = original.replace(
        "Smart Licensing Using Policy:\n  Status: ENABLED\n",
        "Smart Licensing Using Policy:\n  Status: ENABLED\n  something odd\n",
    )
    parsed = parse_detailed("show license status", text)
    assert parsed.unknown.lines == ("  something odd",)
    assert parsed.model == parse("show license status", original)


def test_truncated_status_without_any_state_line() -> None:
    with pytest.raises(ParseError, match="no Smart Licensing status block"):
        parse("show license status", "Utility:\n  Status: DISABLED\n")
