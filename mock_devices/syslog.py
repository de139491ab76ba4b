"""A switch's asynchronous log messages, as a vty with `terminal monitor` shows them:
`*Dec  3 10:01:02.123: %SYS-5-CONFIG_I: Configured from console by netops on vty0 (127.0.0.1)`
(`service timestamps log datetime msec`, the default; `*`: the clock is not NTP-synchronised).

`SwitchLog` keeps the messages a switch has scheduled (at monotonic times: a registration that
completes later, an authorization four seconds after it) plus random link flaps, and hands out
the ones that are due, timestamped. Pure: the caller passes clock readings and the random source.
"""

from __future__ import annotations

import heapq
import random
import time
from collections.abc import Callable, Sequence

FLAP_DOWN_S = (2.0, 8.0)  # a flapping port comes back this long after it went down
LINEPROTO_AFTER_S = 1.0  # the line protocol follows the link one second later


def log_time(epoch: float) -> str:
    """'*Dec  3 10:01:02.123' (day padded to two columns, milliseconds)."""
    moment = time.gmtime(epoch)
    millis = round((epoch % 1) * 1000) % 1000
    return f"*{time.strftime('%b', moment)} {moment.tm_mday:>2} {time.strftime('%H:%M:%S', moment)}.{millis:03d}"


def log_line(epoch: float, message: str) -> str:
    return f"{log_time(epoch)}: {message}"


# --- message texts ---------------------------------------------------------------------------


def config_i(user: str, line: str, address: str) -> str:
    return f"%SYS-5-CONFIG_I: Configured from console by {user} on {line} ({address})"


def link_updown(interface: str, state: str) -> str:
    return f"%LINK-3-UPDOWN: Interface {interface}, changed state to {state}"


def lineproto_updown(interface: str, state: str) -> str:
    return f"%LINEPROTO-5-UPDOWN: Line protocol on Interface {interface}, changed state to {state}"


def agent_reg_success(udi: str) -> str:
    return (
        "%SMART_LIC-6-AGENT_REG_SUCCESS: Smart Agent for Licensing Registration with the Cisco Smart "
        f"Software Manager or satellite for udi {udi}"
    )


def agent_reg_failed(reason: str) -> str:
    return (
        "%SMART_LIC-3-AGENT_REG_FAILED: Smart Agent for Licensing Registration with the Cisco Smart "
        f"Software Manager or satellite failed: {reason}"
    )


def auth_renew_success(udi: str) -> str:
    return (
        "%SMART_LIC-6-AUTH_RENEW_SUCCESS: Authorization renewal with the Cisco Smart Software Manager "
        f"or satellite. State=Authorized for udi {udi}"
    )


IN_COMPLIANCE = "%SMART_LIC-5-IN_COMPLIANCE: All entitlements and licenses in use on this device are authorized"
OUT_OF_COMPLIANCE = "%SMART_LIC-3-OUT_OF_COMPLIANCE: One or more entitlements are out of compliance"
POLICY_INSTALL_SUCCESS = "%SMART_LIC-6-POLICY_INSTALL_SUCCESS: A new licensing policy was successfully installed"


def comm_failed(reason: str) -> str:
    return f"%SMART_LIC-3-COMM_FAILED: Communications failure with the Cisco Smart License Utility (CSLU) : {reason}"


# --- scheduling ------------------------------------------------------------------------------


class SwitchLog:
    """Messages of one switch due at monotonic times; `flap_mean_s`: mean seconds between random
    link flaps on `ports` (None: no flaps)."""

    def __init__(
        self,
        wall_at: Callable[[float], float],
        rng: random.Random,
        *,
        flap_mean_s: float | None = None,
        ports: Sequence[str] = (),
    ) -> None:
        self._wall_at = wall_at
        self._rng = rng
        self._flap_mean_s = flap_mean_s if ports else None
        self._ports = list(ports)
        self._queue: list[tuple[float, int, str]] = []
        self._order = 0
        self._next_flap: float | None = None

    def schedule(self, at_mono: float, message: str) -> None:
        heapq.heappush(self._queue, (at_mono, self._order, message))
        self._order += 1

    def next_due(self, now_mono: float) -> float | None:
        """When the next message is due (a flap's time is drawn the first time it is asked for)."""
        if self._flap_mean_s is not None and self._next_flap is None:
            self._next_flap = now_mono + self._rng.expovariate(1.0 / self._flap_mean_s)
        candidates = [t for t in (self._queue[0][0] if self._queue else None, self._next_flap) if t is not None]
        return min(candidates) if candidates else None

    def due(self, now_mono: float, *, monitored: bool) -> list[str]:
        """The timestamped lines due by `now_mono`, oldest first. Flaps happen only while someone
        monitors (a burst of flaps nobody saw would be noise of another kind)."""
        if self._next_flap is not None and self._next_flap <= now_mono:
            if monitored:
                self._flap(self._next_flap)
            self._next_flap = None
            self.next_due(now_mono)
        lines = []
        while self._queue and self._queue[0][0] <= now_mono:
            at, _, message = heapq.heappop(self._queue)
            lines.append(log_line(self._wall_at(at), message))
        return lines

    def _flap(self, at: float) -> None:
        port = self._rng.choice(self._ports)
        back = at + self._rng.uniform(*FLAP_DOWN_S)
        for when, state in ((at, "down"), (back, "up")):
            self.schedule(when, link_updown(port, state))
            self.schedule(when + LINEPROTO_AFTER_S, lineproto_updown(port, state))
