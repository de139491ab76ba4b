"""Driving one emulated switch's CLI in-process (no SSH) with a clock the test moves: the
licensing tests of the emulator."""

from __future__ import annotations

from mock_devices.fleet import Fleet
from mock_devices.interface import Reply
from mock_devices.session import CliSession


class FakeClock:
    def __init__(self) -> None:
        self.t = 500.0

    def __call__(self) -> float:
        return self.t


def run(session: CliSession, *lines: str) -> Reply:
    reply = Reply("", "")
    for line in lines:
        reply = session.handle_line(line)
    return reply


def migrate_config(fleet: Fleet, s: CliSession, *, url: str | None = None, source: str = "Vlan781") -> None:
    run(
        s,
        "configure terminal",
        "call-home",
        'profile "CiscoTAC-1"',
        "no active",
        "exit",
        'profile "SSM-OnPrem"',
        "reporting smart-licensing-data",
        "destination transport-method http",
        "no destination transport-method email",
        f"destination address http {url or fleet.satellite.callhome_url}",
        "active",
        "exit",
        "exit",
        f"ip http client source-interface {source}",
        "end",
        "write memory",
    )


def registration_block(s: CliSession) -> list[str]:
    return run(s, "show license status | section Registration").output.splitlines()
