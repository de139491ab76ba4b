"""Making a fresh Netmiko session fit for fleetreg, and throwing away a broken one.

- A session the switch closes (vty line cleared, TCP reset) fails the next read at once;
  Netmiko alone only polls `recv_ready()`, which stays False on a closed paramiko channel, so
  a dropped session looked like a silent switch until the read timeout ran out.
- A login that lands at `switch>` (user EXEC) is enabled with the enable secret; a refused
  secret is an AuthError naming FLEETREG_ENABLE_SECRET, not a later `% Invalid input`.
- A session in an unknown state (lost, hung, timed out) is closed without the polite `exit`
  dialogue, which would wait on a switch that no longer answers."""

from __future__ import annotations

from fleetreg.core.errors import AuthError
from netmiko import BaseConnection
from netmiko.channel import SSHChannel
from netmiko.exceptions import ReadException


class ClosedAwareChannel(SSHChannel):
    """Netmiko's SSH channel; a read on a channel the switch closed raises instead of waiting."""

    def read_buffer(self) -> str:
        output = super().read_buffer()
        chan = self.remote_conn
        if not output and chan is not None and (chan.closed or chan.eof_received) and not chan.recv_ready():
            raise ReadException("Channel stream closed by remote device.")
        return output


def make_ready(conn: BaseConnection, *, host: str) -> BaseConnection:
    """`conn`, prepared once after login: closed-aware channel, privileged EXEC. Netmiko and
    paramiko errors propagate for the caller's translation; a refused enable is an AuthError."""
    if isinstance(conn.channel, SSHChannel) and not isinstance(conn.channel, ClosedAwareChannel):
        conn.channel = ClosedAwareChannel(conn.remote_conn, encoding=conn.encoding)
    if not conn.check_enable_mode():
        try:
            conn.enable()
        except ValueError:  # Netmiko: "Failed to enter enable mode"
            raise AuthError(
                "could not enter privileged EXEC mode: enable secret refused (check FLEETREG_ENABLE_SECRET)",
                host=host,
                step="enable",
            ) from None
    return conn


def abort(conn: BaseConnection) -> None:
    """Close the session at once (no `exit`, no config-mode check) and its session log."""
    try:
        conn.paramiko_cleanup()
    except Exception:
        pass
    finally:
        if conn.session_log:
            conn.session_log.close()
