"""The echo of a line longer than the terminal width scrolls as on IOS: ten columns at a time,
with `$` at the left, redrawn with backspaces; `terminal width` sets the margin (80 by default)."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from mock_clients import netmiko_to

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _echo_device import EchoSession
from _switch_shell import run, switch_shell

from mock_devices.line_echo import LineEcho
from mock_devices.spec import FaultSpec, FleetSpec, SwitchSpec
from mock_devices.terminal import Terminal, Write
from mock_devices.testing import MockFleet

# Netmiko issue #160: what a Cisco IOS router echoed for this command (66 columns of input area)
ARCHIVE = "show archive config differences flash:/candidate_config.txt system:/running-config"


def typed(echo: LineEcho, text: str) -> bytes:
    return b"".join(echo.type(byte) for byte in text.encode())


def screen(data: bytes) -> str:
    """What a terminal shows on the current line after `data` (backspace moves left, text overwrites)."""
    line: list[str] = []
    column = 0
    for char in data.decode():
        if char == "\b":
            column = max(column - 1, 0)
        elif char in "\r\n":
            line, column = ([], 0) if char == "\n" else (line, 0)
        else:
            line[column : column + 1] = [char]
            column += 1
    return "".join(line).rstrip()


def test_scrolls_ten_columns_at_a_time_as_in_real_ios_echo() -> None:
    echo = LineEcho()
    echo.reset("router-ams-1#", 80)  # 13 columns of prompt: 66 for the line
    out = typed(echo, ARCHIVE)
    line = ARCHIVE.encode()
    assert out == (
        line[:66]
        + b"\b" * 66
        + b"$"
        + line[11:67]
        + b" " * 9
        + b"\b" * 9
        + line[67:76]
        + b"\b" * 66
        + b"$"
        + line[21:77]
        + b" " * 9
        + b"\b" * 9
        + line[77:]
    )
    assert echo.visible() == b"$" + line[21:]
    assert screen(out) == "$" + ARCHIVE[21:]


def test_the_configuration_guide_example_at_the_default_width() -> None:
    echo = LineEcho()
    prompt = "Router(config)#"
    echo.reset(prompt, 80)
    command = "access-list 101 permit tcp 10.15.22.25 255.255.255.0 10.15.22.35 255.255.255.0 eq 45"
    shown = prompt + screen(typed(echo, command))
    assert shown.startswith("Router(config)#$") and shown.endswith("255.255.255.0 eq 45")
    assert len(shown) <= 79
    assert shown == prompt + "$" + command[21:]


def test_backspace_scrolls_back_and_short_or_unlimited_lines_do_not_scroll() -> None:
    echo = LineEcho()
    echo.reset("sw1#", 40)  # 35 columns
    out = typed(echo, "x" * 36)
    assert echo.scrolled and out.endswith(b"\b" * 35 + b"$" + b"x" * 25 + b" " * 9 + b"\b" * 9)
    erased = b"".join(echo.erase() for _ in range(25))
    assert not echo.scrolled and echo.visible() == b"x" * 11
    assert screen(out + erased) == "x" * 11
    for width in (0, 512):
        echo.reset("sw1#", width)
        assert typed(echo, "y" * 300) == b"y" * 300
    echo.reset("a-very-long-hostname-for-a-prompt(config)#", 50)  # 7 columns left: too narrow to scroll
    assert typed(echo, "z" * 30) == b"z" * 30


def test_terminal_echo_follows_the_width_of_each_prompt() -> None:
    session = EchoSession("sw1", scrolls_long_lines=True)
    terminal = Terminal(session)
    terminal.start()
    while terminal.next_action() is not None:
        pass
    long_line = "show " + "x" * 90
    terminal.feed(long_line.encode())
    echoed = b"".join(a.data for a in iter(terminal.next_action, None) if isinstance(a, Write))
    shown = screen(echoed)
    assert shown == "$" + long_line[21:]  # 75 columns after `sw1#`: scrolled twice
    assert len("sw1#" + shown) <= 79
    terminal.feed(b"\r")
    while terminal.next_action() is not None:
        pass
    session.terminal_width = 0  # as `terminal width 0` leaves it, from the next prompt on
    terminal.feed(b"\r")
    while terminal.next_action() is not None:
        pass
    terminal.feed(long_line.encode())
    echoed = b"".join(a.data for a in iter(terminal.next_action, None) if isinstance(a, Write))
    assert echoed == long_line.encode()


def test_over_ssh_a_long_line_scrolls_until_terminal_width_is_raised(
    mock_fleet_factory: Callable[..., MockFleet],
) -> None:
    spec = FleetSpec(
        count=1,
        switches=[SwitchSpec(index=0, name="ams-sw-scroll", state="cloud")],
        faults=[FaultSpec(switches=["ams-sw-scroll"], scroll_long_lines=True)],
    )
    mock = mock_fleet_factory(spec=spec)
    command = "show running-config | include hostname|contact-email-addr|destination transport-method|active"

    async def scenario() -> tuple[bytes, bytes, bytes]:
        async with switch_shell(mock) as sh:
            prompt = b"ams-sw-scroll#"
            await sh.read_until(prompt)
            scrolled = await sh.command(command, prompt)
            await sh.command("terminal width 511", prompt)
            plain = await sh.command(command, prompt)
            await sh.command("terminal no width", prompt)
            again = await sh.command(command, prompt)
            return scrolled, plain, again

    scrolled, plain, again = run(scenario())
    echo, _, output = scrolled.partition(b"\r\n")
    shown = screen(echo)  # the input area as the client's terminal shows it
    assert b"\b" in echo and shown.startswith("$") and command.endswith(shown[1:])
    assert (len(command) - len(shown) + 1) % 10 == 1  # scrolled by tens: 11, 21, 31 ... characters hidden
    assert len("ams-sw-scroll#" + shown) <= 79
    assert output == plain.partition(b"\r\n")[2]  # the command ran as typed
    assert b"hostname ams-sw-scroll" in output
    assert plain.startswith(command.encode() + b"\r\n")
    assert again == scrolled


def test_netmiko_copes_because_it_raises_the_width_first(mock_fleet_factory: Callable[..., MockFleet]) -> None:

    spec = FleetSpec(count=1, faults=[FaultSpec(share=1.0, scroll_long_lines=True)])
    mock = mock_fleet_factory(spec=spec)
    connection = netmiko_to(mock, 0)
    try:
        output = connection.send_command("show running-config | include hostname|contact-email-addr|active|call-home")
    finally:
        connection.disconnect()
    assert re.search(r"^hostname ", output, re.M)
