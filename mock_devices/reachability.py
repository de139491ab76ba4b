"""What a switch answers to the read-only checks an engineer runs before a change: `ping` (to the
satellite, from a source interface, by address or by name through the switch's name server),
`show clock` and `show ntp status`, as IOS-XE 17.x prints them. Pure text builders plus the one
rule deciding whether an echo comes back; nothing here changes the switch.

Formats: IOS-XE's ping (ntc-templates' recorded `ping ... source` outputs: `Type escape sequence
to abort.`, `Sending N, 100-byte ICMP Echos to A, timeout is T seconds:`, `Packet sent with a
source address of S`, one `!` or `.` per echo, `Success rate is P percent (a/b)[, round-trip
min/avg/max = x/y/z ms]`); name resolution (`Translating "name"...domain server (A) [OK]`, or
`% Unrecognized host or address, or protocol not running.`); `show clock` (`*` not
authoritative, `.` authoritative but NTP lost, nothing: synchronised); `show ntp status`
(genieparser's recorded IOS outputs; `%NTP is not enabled.` when no NTP is configured)."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Sequence
from dataclasses import dataclass

NAME_SERVER = "10.78.0.53"  # the switches' `ip name-server` (the lab's DNS)
NTP_SERVER = "10.78.0.123"  # their `ntp server`, stratum 2
PING_BYTES = 100
# A timed-out echo waits this long in the emulator (IOS waits the full timeout): keeps a failing
# ping visibly slower than a good one without slowing a test fleet down
TIMED_OUT_ECHO_S = 0.1
UNRECOGNIZED_HOST = "% Unrecognized host or address, or protocol not running.\n"
NTP_NOT_ENABLED = "%NTP is not enabled.\n"


@dataclass(frozen=True)
class PingRequest:
    target: str
    source: str | None  # an interface name as typed
    repeat: int = 5
    timeout_s: int = 2


def parse_ping(args: str) -> PingRequest | int:
    """`<target> [source <if>] [repeat <n>] [timeout <s>]` (keywords abbreviated as IOS allows),
    or the index in `args` of the first word not understood (for the caret)."""
    words = args.split()
    if not words:
        return 0
    target, source, repeat, timeout = words[0], None, 5, 2
    at = len(words[0])
    i = 1
    while i < len(words):
        word = words[i].lower()
        position = args.index(words[i], at)
        value = words[i + 1] if i + 1 < len(words) else None
        if value is None:
            return position
        if "source".startswith(word) and len(word) >= 2:
            source = value
            # `source vlan 781`: the interface number may follow as a word of its own
            if i + 2 < len(words) and words[i + 2].isdigit():
                source, i = value + words[i + 2], i + 1
        elif "repeat".startswith(word) and len(word) >= 1 and value.isdigit() and 1 <= int(value) <= 2147483647:
            repeat = int(value)
        elif "timeout".startswith(word) and len(word) >= 1 and value.isdigit() and int(value) <= 3600:
            timeout = int(value)
        else:
            return position
        at = args.index(words[i + 1], position) + len(words[i + 1])
        i += 2
    return PingRequest(target, source, repeat, timeout)


def is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def ping_text(
    request: PingRequest,
    *,
    resolved: str | None,
    source_address: str | None,
    replies: bool,
    name_server: str = NAME_SERVER,
) -> str:
    """The whole output of one ping. `resolved`: the target's address (None: the name does not
    resolve); `replies`: every echo comes back (else every one times out)."""
    lines: list[str] = []
    named = not is_address(request.target)
    if named:
        ok = " [OK]" if resolved is not None else ""
        lines.append(f'Translating "{request.target}"...domain server ({name_server}){ok}')
    if resolved is None:
        return "\n".join(lines) + "\n" + UNRECOGNIZED_HOST
    lines += [
        "Type escape sequence to abort.",
        f"Sending {request.repeat}, {PING_BYTES}-byte ICMP Echos to {resolved}, "
        f"timeout is {request.timeout_s} seconds:",
    ]
    if source_address is not None:
        lines.append(f"Packet sent with a source address of {source_address} ")
    n = request.repeat
    if replies:
        lines.append("!" * n)
        lines.append(f"Success rate is 100 percent ({n}/{n}), round-trip min/avg/max = 1/1/2 ms")
    else:
        lines.append("." * n)
        lines.append(f"Success rate is 0 percent (0/{n})")
    return "\n".join(lines) + "\n"


def clock_text(wall: float, *, authoritative: bool, ntp_lost: bool = False) -> str:
    """`show clock`: '*08:09:10.123 UTC Thu Dec 3 2026' (day of month not padded, as IOS prints it)."""
    flag = "*" if not authoritative else ("." if ntp_lost else "")
    when = time.gmtime(wall)
    millis = int((wall % 1) * 1000)
    day = time.strftime("%a %b", when) + f" {when.tm_mday} {when.tm_year}"
    return f"{flag}{time.strftime('%H:%M:%S', when)}.{millis:03d} UTC {day}\n"


def _ntp_time(wall: float) -> str:
    ntp_seconds = int(wall) + 2208988800  # NTP's era starts in 1900
    fraction = int((wall % 1) * 2**32)
    when = time.gmtime(wall)
    stamp = time.strftime("%H:%M:%S", when) + f".{int((wall % 1) * 1000):03d} UTC " + time.strftime("%a %b", when)
    return f"{ntp_seconds:08X}.{fraction:08X} ({stamp} {when.tm_mday} {when.tm_year})"


def ntp_status_text(*, enabled: bool, synchronized: bool, wall: float, uptime_s: float, offset_ms: float) -> str:
    if not enabled:
        return NTP_NOT_ENABLED
    uptime = int(uptime_s * 100)
    if synchronized:
        lines: Sequence[str] = (
            f"Clock is synchronized, stratum 3, reference is {NTP_SERVER}   ",
            "nominal freq is 250.0000 Hz, actual freq is 249.9990 Hz, precision is 2**10",
            f"ntp uptime is {uptime} (1/100 of seconds), resolution is 4000",
            f"reference time is {_ntp_time(wall - 350)}",
            f"clock offset is {offset_ms:.4f} msec, root delay is 1.02 msec",
            "root dispersion is 3.51 msec, peer dispersion is 0.50 msec",
            "loopfilter state is 'CTRL' (Normal Controlled Loop), drift is 0.000003999 s/s",
            "system poll interval is 1024, last update was 350 sec ago.",
        )
    else:
        lines = (
            "Clock is unsynchronized, stratum 16, no reference clock",
            "nominal freq is 250.0000 Hz, actual freq is 250.0000 Hz, precision is 2**10",
            f"ntp uptime is {uptime} (1/100 of seconds), resolution is 4000",
            "reference time is 00000000.00000000 (00:00:00.000 UTC Mon Jan 1 1900)",
            "clock offset is 0.0000 msec, root delay is 0.00 msec",
            "root dispersion is 0.37 msec, peer dispersion is 0.00 msec",
            "loopfilter state is 'FSET' (Drift set from file), drift is 0.000000000 s/s",
            "system poll interval is 8, never updated.",
        )
    return "\n".join(lines) + "\n"
