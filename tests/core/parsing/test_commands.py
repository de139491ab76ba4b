from __future__ import annotations

import pytest
from fleetreg.core.errors import ParseError
from fleetreg.core.parsing import SUPPORTED_COMMANDS, normalise_command, parse


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("sh lic stat", "show license status"),
        ("show license status", "show license status"),
        ("SH LIC STATUS", "show license status"),
        ("show lic all", "show license all"),
        ("sh lic summ", "show license summary"),
        ("sh call-home", "show call-home"),
        ("show call-home profile all", "show call-home profile all"),
        ("sh call-h pro all", "show call-home profile all"),
        ("sh call-home smart", "show call-home smart-licensing"),
        ("sh ver", "show version"),
        ("sh run", "show running-config"),
        ("show running-config", "show running-config"),
        ("sh run | sec call-home", "show running-config | section call-home"),
        ("show running-config | section call-home", "show running-config | section call-home"),
        ("show run | s call-home", "show running-config | section call-home"),
        ("  sh run|sec call-home  ", "show running-config | section call-home"),
    ],
)
def test_abbreviations_normalise(typed: str, canonical: str) -> None:
    assert normalise_command(typed) == canonical
    assert canonical in SUPPORTED_COMMANDS


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "show",
        "s lic stat",
        "show license",
        "show license bogus",
        "sh lic stat extra",
        "sh run | inc call-home",
        "sh ver | sec call-home",
        "show ip interface brief",
    ],
)
def test_unsupported_commands(typed: str) -> None:
    with pytest.raises(ParseError) as info:
        normalise_command(typed)
    assert "unsupported command" in str(info.value)
    assert info.value.command == typed.strip()


def test_parse_names_the_host_for_an_unsupported_command_too() -> None:
    with pytest.raises(ParseError) as info:
        parse("show bogus", "anything", host="sw1")
    assert (info.value.host, info.value.command) == ("sw1", "show bogus")
