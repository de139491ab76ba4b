"""The vty line discipline, byte for byte, without sockets."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _echo_device import ENABLE_SECRET, LONG_LINES, EchoSession

from mock_devices.interface import Reply
from mock_devices.terminal import (
    MORE,
    MORE_ERASE,
    Action,
    Close,
    Delay,
    Drop,
    Hang,
    Mode,
    Terminal,
    Write,
    to_wire,
)


def drain(terminal: Terminal) -> list[Action]:
    actions: list[Action] = []
    while (action := terminal.next_action()) is not None:
        actions.append(action)
    return actions


def written(actions: list[Action]) -> bytes:
    return b"".join(action.data for action in actions if isinstance(action, Write))


def started(session: EchoSession) -> Terminal:
    terminal = Terminal(session)
    terminal.start()
    drain(terminal)
    return terminal


def type_in(terminal: Terminal, data: bytes) -> list[Action]:
    terminal.feed(data)
    return drain(terminal)


def test_start_paints_banner_then_prompt_and_nothing_after() -> None:
    terminal = Terminal(EchoSession("sw1", privileged=False, banner_text="Authorized access only\nLine 2"))
    terminal.start()
    assert drain(terminal) == [Write(b"Authorized access only\r\nLine 2\r\nsw1>")]


def test_start_without_banner_is_just_the_prompt() -> None:
    terminal = Terminal(EchoSession("core-sw-ams-01"))
    terminal.start()
    assert drain(terminal) == [Write(b"core-sw-ams-01#")]


def test_each_character_is_echoed_before_enter() -> None:
    session = EchoSession("sw1")
    terminal = started(session)
    assert type_in(terminal, b"s") == [Write(b"s")]
    assert type_in(terminal, b"how") == [Write(b"how")]
    assert session.lines_seen == []


def test_enter_runs_the_line_and_writes_crlf_output_then_prompt() -> None:
    session = EchoSession("sw1")
    terminal = started(session)
    actions = type_in(terminal, b"echo a\nb\r")
    assert written(actions) == (b"echo a\r\na\r\nsw1#b\r\n% Invalid input detected at '^' marker.\r\n[b]\r\nsw1#")
    assert len(actions) == 1  # adjacent writes are merged into one packet
    assert session.lines_seen == ["echo a", "b"]


def test_cr_lf_and_crlf_each_count_once() -> None:
    for enter in (b"\r", b"\n", b"\r\n"):
        session = EchoSession("sw1")
        terminal = started(session)
        out = written(type_in(terminal, b"echo x" + enter))
        assert out == b"echo x\r\nx\r\nsw1#", enter
        assert session.lines_seen == ["echo x"], enter


def test_crlf_split_across_packets_counts_once() -> None:
    session = EchoSession("sw1")
    terminal = started(session)
    type_in(terminal, b"echo x\r")
    assert written(type_in(terminal, b"\n")) == b""
    assert session.lines_seen == ["echo x"]
    # two CRs are two Enters
    type_in(terminal, b"\r\r")
    assert session.lines_seen == ["echo x", "", ""]


def test_nul_bytes_are_ignored() -> None:
    session = EchoSession("sw1")
    terminal = started(session)
    out = written(type_in(terminal, b"ec\x00ho y\r\x00\n"))
    assert out == b"echo y\r\ny\r\nsw1#"
    assert session.lines_seen == ["echo y"]


def test_backspace_and_delete_erase_one_character() -> None:
    session = EchoSession("sw1")
    terminal = started(session)
    assert written(type_in(terminal, b"echo ab\x08")) == b"echo ab\b \b"
    assert written(type_in(terminal, b"\x7fc\r")) == b"\b \bc\r\nc\r\nsw1#"
    assert session.lines_seen == ["echo c"]
    # backspace on an empty line echoes nothing
    assert written(type_in(terminal, b"\x08\x7f")) == b""


def test_enable_password_is_not_echoed() -> None:
    session = EchoSession("sw1", privileged=False)
    terminal = started(session)
    assert written(type_in(terminal, b"enable\r")) == b"enable\r\nPassword: "
    out = written(type_in(terminal, ENABLE_SECRET.encode() + b"\r"))
    assert out == b"\r\nsw1#"
    assert ENABLE_SECRET.encode() not in out
    assert session.privileged
    # echo comes back after the secret
    assert type_in(terminal, b"x") == [Write(b"x")]


def test_typed_ahead_input_waits_for_the_running_command() -> None:
    session = EchoSession("sw1")
    terminal = started(session)
    terminal.feed(b"slow 0.5\recho later\r")
    assert terminal.next_action() == Write(b"slow 0.5\r\n")
    assert terminal.next_action() == Delay(0.5)
    # input arriving while the command runs is queued, not echoed
    terminal.feed(b"echo third\r")
    assert session.lines_seen == ["slow 0.5"]
    rest = drain(terminal)
    assert written(rest) == (b"slept 0.5\r\nsw1#echo later\r\nlater\r\nsw1#echo third\r\nthird\r\nsw1#")
    assert session.lines_seen == ["slow 0.5", "echo later", "echo third"]


def test_paging_stops_at_more_and_nothing_follows_it() -> None:
    session = EchoSession("sw1")
    terminal = started(session)
    out = written(type_in(terminal, b"show long\r"))
    expected_first = "".join(f"line {i}\n" for i in range(1, 24))
    assert out == b"show long\r\n" + to_wire(expected_first) + MORE
    assert terminal.mode is Mode.MORE
    # Enter: one more line
    out = written(type_in(terminal, b"\r"))
    assert out == MORE_ERASE + b"line 24\r\n" + MORE
    # space: next page (23 lines)
    out = written(type_in(terminal, b" "))
    assert out == MORE_ERASE + to_wire("".join(f"line {i}\n" for i in range(25, 48))) + MORE
    # q: quit, back to the prompt
    out = written(type_in(terminal, b"q"))
    assert out == MORE_ERASE + b"sw1#"
    assert terminal.mode is Mode.LINE


def test_paging_to_the_end_then_prompt() -> None:
    session = EchoSession("sw1")
    terminal = started(session)
    type_in(terminal, b"show long\r")
    type_in(terminal, b" ")
    out = written(type_in(terminal, b" "))
    assert out == MORE_ERASE + to_wire("".join(f"line {i}\n" for i in range(47, LONG_LINES + 1))) + b"sw1#"


def test_terminal_length_zero_disables_paging() -> None:
    session = EchoSession("sw1")
    terminal = started(session)
    type_in(terminal, b"terminal length 0\r")
    out = written(type_in(terminal, b"show long\r"))
    assert MORE not in out
    assert out.endswith(b"line 60\r\nsw1#")


def test_ctrl_z_in_config_mode_is_end() -> None:
    session = EchoSession("sw1")
    terminal = started(session)
    type_in(terminal, b"configure terminal\r")
    out = written(type_in(terminal, b"host\x1a"))
    assert out == b"host^Z\r\nsw1#"
    assert session.lines_seen == ["configure terminal", "end"]


def test_ctrl_c_in_exec_repaints_the_prompt() -> None:
    session = EchoSession("sw1")
    terminal = started(session)
    out = written(type_in(terminal, b"show\x03"))
    assert out == b"show\r\nsw1#"
    assert session.lines_seen == []
    type_in(terminal, b"echo z\r")
    assert session.lines_seen == ["echo z"]


def test_arrow_key_escape_sequences_are_ignored() -> None:
    session = EchoSession("sw1")
    terminal = started(session)
    out = written(type_in(terminal, b"echo \x1b[Aq\r"))
    assert out == b"echo q\r\nq\r\nsw1#"


def test_hang_stops_answering_and_discards_input() -> None:
    session = EchoSession("sw1")
    terminal = started(session)
    assert type_in(terminal, b"hang\r") == [Write(b"hang\r\n"), Hang()]
    assert type_in(terminal, b"echo x\r") == []
    assert session.lines_seen == ["hang"]


def test_drop_and_close_actions() -> None:
    terminal = started(EchoSession("sw1"))
    assert type_in(terminal, b"drop\r") == [Write(b"drop\r\n"), Drop()]
    terminal = started(EchoSession("sw1"))
    assert type_in(terminal, b"exit\recho x\r") == [Write(b"exit\r\n"), Close()]


def test_reply_output_line_endings_are_normalised() -> None:
    class Fixed(EchoSession):
        def handle_line(self, line: str) -> Reply:
            return Reply("a\nb\r\nc", "sw1#", paginate=False)

    terminal = started(Fixed("sw1"))
    assert written(type_in(terminal, b"x\r")) == b"x\r\na\r\nb\r\nc\r\nsw1#"
