"""The DeviceCli contract, over real SSH to emulated switches: both transports (asyncssh, the
default, and netmiko) must give the tasks the same answers and the same errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from cli_sessions import with_cli
from fleetreg.core.errors import AuthError, CommandError, CommandTimeout, ConnectError, DeviceError
from fleetreg.tasks.cli import ConfigLineRejected, DeviceCli
from fleetreg.tasks.connection import TRANSPORTS
from fleetreg.tasks.ssh_cli import SshCli

from mock_devices.testing import MockFleet


@pytest.fixture
def mock(mock_fleet_factory: Callable[..., MockFleet]) -> MockFleet:
    return mock_fleet_factory(3)


def set_faults(mock: MockFleet, name: str, **faults: Any) -> None:
    switch = mock.fleet.device(name)
    mock.call(setattr, switch, "faults", replace(switch.faults, **faults))


def names(mock: MockFleet) -> list[str]:
    return [d.name for d in mock.fleet.devices]


def rejection_of(cli: DeviceCli, lines: list[str]) -> ConfigLineRejected:
    """Type `lines`, which hold a bad one; the rejection, once back in exec mode."""
    try:
        cli.send_config(lines, read_timeout=10)
    except ConfigLineRejected as exc:
        cli.exit_config_mode()
        return exc
    raise AssertionError("the bad line was accepted")


def test_both_transports_return_the_same_text(mock: MockFleet) -> None:
    host = names(mock)[0]

    def read(cli: DeviceCli) -> list[str]:
        commands = ("show license status", "show version", "write memory")
        return [cli.send_command(c, read_timeout=10) for c in commands]

    answers = {transport: with_cli(mock, transport, host, read) for transport in TRANSPORTS}
    # the evaluation period counts down by the second between the two sessions
    ticking = re.compile(r"(Evaluation Period Remaining:).*")
    same = {t: [ticking.sub(r"\1 ...", a) for a in answers[t]] for t in answers}
    assert same["asyncssh"] == same["netmiko"]
    status = answers["asyncssh"][0]
    assert status.startswith("Smart Licensing is ENABLED") and "show license status" not in status
    assert not status.rstrip().endswith("#")  # no prompt left in the output


def test_config_lines_are_typed_and_a_rejected_line_stops_typing(mock: MockFleet, transport: str) -> None:
    host = names(mock)[1]

    def session(cli: DeviceCli) -> tuple[ConfigLineRejected, str]:
        cli.send_config(["call-home", " contact-email-addr noc@example.net"], read_timeout=10)
        lines = ["call-home", "no such command here", "contact-email-addr never@example.net"]
        rejected = rejection_of(cli, lines)
        return rejected, cli.send_command("show version", read_timeout=10)

    rejected, version = with_cli(mock, transport, host, session)
    assert rejected.line == "no such command here"
    assert rejected.error.startswith("% Invalid input")
    running = mock.call(mock.fleet.device(host).running_config_text)
    assert "contact-email-addr noc@example.net" in running and "never@example.net" not in running
    assert "Cisco IOS XE Software" in version  # still usable, back in exec mode


SECTION_WITH_A_BAD_SETTING = [
    "call-home",
    " contact-email-addr first@example.net",
    " no such setting",
    " vrf Mgmt-vrf",
    " exit",
    "call-home",
    " contact-email-addr never@example.net",
]


def test_a_refused_setting_stops_typing_at_the_end_of_its_section(mock: MockFleet, transport: str) -> None:
    host = names(mock)[2]

    def session(cli: DeviceCli) -> ConfigLineRejected:
        return rejection_of(cli, SECTION_WITH_A_BAD_SETTING)

    rejected = with_cli(mock, transport, host, session)
    assert rejected.line == "no such setting" and rejected.rejected == (("no such setting", rejected.error),)
    running = mock.call(mock.fleet.device(host).running_config_text)
    assert "contact-email-addr first@example.net" in running and "never@example.net" not in running
    # both transports type one line at a time by default: nothing after the refused line
    assert rejected.typed == 3 and " vrf Mgmt-vrf" not in running


def test_with_typeahead_a_refused_setting_stops_typing_at_the_end_of_its_section(mock: MockFleet) -> None:
    host = names(mock)[2]

    def session(cli: DeviceCli) -> ConfigLineRejected:
        return rejection_of(cli, SECTION_WITH_A_BAD_SETTING)

    rejected = with_cli(mock, "asyncssh", host, session, typeahead=True)
    running = mock.call(mock.fleet.device(host).running_config_text)
    assert rejected.line == "no such setting"
    # the section's settings went together: its siblings were typed too, the next section was not
    assert rejected.typed == 5 and " vrf Mgmt-vrf" in running and "never@example.net" not in running


@pytest.mark.parametrize(
    ("typeahead", "expected"),
    [
        (True, ["call-home\n", "contact-email-addr noc@example.net\nvrf Mgmt-vrf\nexit\n"]),
        (False, ["call-home\n", "contact-email-addr noc@example.net\n", "vrf Mgmt-vrf\n", "exit\n"]),
    ],
)
def test_asyncssh_waits_for_each_line_unless_typeahead(
    mock: MockFleet, monkeypatch: pytest.MonkeyPatch, typeahead: bool, expected: list[str]
) -> None:
    host = names(mock)[0]
    lines = ["call-home", " contact-email-addr noc@example.net", " vrf Mgmt-vrf", " exit"]
    waits: list[str] = []
    real_wait = SshCli._wait

    async def counted(self: SshCli, write: str | None, *args: Any, **kwargs: Any) -> str:
        waits.append(write or "")
        return await real_wait(self, write, *args, **kwargs)

    def session(cli: DeviceCli) -> str:
        monkeypatch.setattr(SshCli, "_wait", counted)
        transcript = cli.send_config(lines, read_timeout=10)
        monkeypatch.undo()
        return transcript

    transcript = with_cli(mock, "asyncssh", host, session, typeahead=typeahead)
    assert waits == ["configure terminal\n", *expected, "end\n"]
    assert all(line.strip() in transcript for line in lines)
    running = mock.call(mock.fleet.device(host).running_config_text)
    assert "contact-email-addr noc@example.net" in running and " vrf Mgmt-vrf" in running


def test_user_mode_login_with_a_banner_is_enabled(mock: MockFleet, transport: str) -> None:
    host = names(mock)[0]
    set_faults(mock, host, user_mode_login=True, banner="Authorised access only\nThis means you")

    def status(cli: DeviceCli) -> str:
        return cli.send_command("show license status", read_timeout=10)

    assert "Smart Licensing" in with_cli(mock, transport, host, status)


@pytest.mark.parametrize(
    ("fault", "enable_secret", "message"),
    [
        ("user_mode_login", "not-the-secret", "enable secret refused"),
        ("wrong_password", "", "authentication failed"),
    ],
)
def test_a_refused_login_is_an_auth_error(
    mock: MockFleet, transport: str, fault: str, enable_secret: str, message: str
) -> None:
    host = names(mock)[0]
    set_faults(mock, host, **{fault: True})

    def nothing(cli: DeviceCli) -> None:
        return None

    with pytest.raises(AuthError, match=message):
        with_cli(mock, transport, host, nothing, enable_secret=enable_secret)


def test_a_login_the_switch_answers_too_late_is_a_timeout_not_a_wrong_password(mock: MockFleet, transport: str) -> None:
    """Under a fleet's worth of logins the AAA server answers late: that is a timeout (retried),
    never reported as wrong credentials (which sends an engineer to check the password)."""
    host = names(mock)[0]
    set_faults(mock, host, auth_delay_s=4.0)

    def nothing(cli: DeviceCli) -> None:
        return None

    with pytest.raises(ConnectError) as caught:
        with_cli(mock, transport, host, nothing, connect_timeout=1.5)
    assert not isinstance(caught.value, AuthError)
    assert "timed out" in str(caught.value) and "PASSWORD" not in str(caught.value)


def test_a_hung_command_times_out(mock: MockFleet, transport: str) -> None:
    host = names(mock)[1]
    set_faults(mock, host, hang_command="show license status")

    def status(cli: DeviceCli) -> str:
        return cli.send_command("show license status", read_timeout=1)

    with pytest.raises(CommandTimeout, match="read timeout") as timed_out:
        with_cli(mock, transport, host, status)
    assert (timed_out.value.host, timed_out.value.step) == (host, "show license status")


def test_a_dropped_session_fails_the_next_command_at_once(mock: MockFleet, transport: str) -> None:
    host = names(mock)[2]
    set_faults(mock, host, drop_after_commands=3)  # login's two setup commands count

    def two(cli: DeviceCli) -> str:
        cli.send_command("show version", read_timeout=10)
        return cli.send_command("show license status", read_timeout=20)

    with pytest.raises(ConnectError):
        with_cli(mock, transport, host, two)


@pytest.mark.parametrize("answer", ["Command authorization failed.", "% Authorization failed.", "Command rejected: x"])
def test_authorization_refusals_are_refused_lines(mock: MockFleet, transport: str, answer: str) -> None:
    """Per-command authorization refused a command (TACACS+): an exec command raises
    CommandError naming the command without its token and the refusal; a config line is a
    ConfigLineRejected like `% Invalid input`. The session stays usable."""
    host = next(d.name for d in mock.fleet.devices if not d.hardware.slp)  # classic: has `license smart register`
    refuse = ("license smart register", "call-home")
    set_faults(mock, host, authorization_refuse=refuse, authorization_answer=answer)

    def refused(cli: DeviceCli) -> tuple[CommandError, ConfigLineRejected, str]:
        with pytest.raises(CommandError) as exec_refused:
            cli.send_command("license smart register idtoken Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5", read_timeout=10)
        config_refused = rejection_of(cli, ["hostname " + host, "call-home", " contact-email-addr a@b.c"])
        return exec_refused.value, config_refused, cli.send_command("show version", read_timeout=10)

    exec_refused, config_refused, version = with_cli(mock, transport, host, refused)
    assert (exec_refused.host, exec_refused.step) == (host, "license smart register")
    assert exec_refused.message == f"'license smart register' refused by the switch: {answer}"
    assert (config_refused.line, config_refused.error, config_refused.typed) == ("call-home", answer, 2)
    assert "Cisco IOS XE Software" in version


@pytest.mark.parametrize("refused", ["terminal width", "terminal no monitor"])
def test_a_session_setup_command_the_switch_refuses_stops_the_login(
    mock: MockFleet, transport: str, refused: str
) -> None:
    """Issue 17: both transports check the answer to their session setup: a switch that refuses
    `terminal width 511` would scroll long echoed lines with `$`; one that refuses `terminal no
    monitor` would interleave syslog with answers. The login fails naming the command."""
    host = names(mock)[1]
    set_faults(mock, host, authorization_refuse=[refused])
    with pytest.raises(DeviceError, match=rf"'{refused}[^']*' refused at login: Command authorization failed"):
        with_cli(mock, transport, host, lambda cli: cli.send_command("show version", read_timeout=10))
