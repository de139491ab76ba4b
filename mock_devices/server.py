"""asyncssh front end: one process, one listener per emulated switch, loopback only.

Per connection there is one `SwitchConnection` (auth, vty line) and at most one
`ShellSession` (the interactive shell around a `terminal.Terminal`). No threads and no tasks
per connection: asyncssh callbacks plus `loop.call_later` for reply delays.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import os
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncssh

from mock_devices.interface import Device, Session
from mock_devices.terminal import Close, Delay, Drop, Hang, Terminal, Write

HOST_KEY_FILE = "ssh_host_ed25519_key"
DEFAULT_STATE_DIR = Path("~/.cache/fleetreg-mock")
SERVER_VERSION = "Cisco-1.25"  # what IOS-XE announces: SSH-2.0-Cisco-1.25
# IOS-XE 17's ciphers: AES-GCM and AES-CTR, and CBC still offered for old clients
ENCRYPTION_ALGS = (
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
    "aes128-cbc",
    "aes256-cbc",
)
LOGIN_TIMEOUT_S = 60
LOG_SLACK_S = 0.001  # look for a due log message this much after its time (never a moment early)


class NotLoopbackError(ValueError):
    """The mock only ever binds 127.x.y.z addresses."""


def check_loopback(host: str) -> None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise NotLoopbackError(f"{host!r} is not an IPv4 address; the mock binds only 127.x.y.z") from None
    if address.version != 4 or not address.is_loopback:
        raise NotLoopbackError(f"{host} is not a 127.x.y.z loopback address; refusing to bind it")


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop when installed: the fleet's loop serves every switch, its own overhead counts."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def load_or_create_host_key(state_dir: Path | None = None) -> asyncssh.SSHKey:
    """The mock's ed25519 host key: generated once, stored 0600, reused by every run."""
    directory = (state_dir or DEFAULT_STATE_DIR).expanduser()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / HOST_KEY_FILE
    if path.exists():
        return asyncssh.read_private_key(str(path))
    key = asyncssh.generate_private_key("ssh-ed25519")
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.export_private_key())
    os.replace(temporary, path)  # concurrent first runs: last writer wins, both keys are valid files
    return asyncssh.read_private_key(str(path))


def raise_fd_limit() -> int:
    """Soft NOFILE limit up to the hard limit (1,000 listeners + sessions need it)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


def bind_listen_sockets(endpoints: Sequence[tuple[str, int]]) -> list[socket.socket]:
    """Bind (and listen on) every (host, port); on any failure close what was bound and raise OSError."""
    bound: list[socket.socket] = []
    try:
        for host, port in endpoints:
            check_loopback(host)
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            bound.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(128)
            sock.setblocking(False)
    except BaseException:
        for sock in bound:
            sock.close()
        raise
    return bound


class ShellSession(asyncssh.SSHServerSession[bytes]):
    """The interactive shell of one connection: feeds bytes to the Terminal, runs its actions."""

    def __init__(self, connection: SwitchConnection, cli: Session) -> None:
        self._connection = connection
        self._cli = cli
        self._terminal = Terminal(cli)
        self._chan: asyncssh.SSHServerChannel[bytes] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._log_timer: asyncio.TimerHandle | None = None  # when the next log message may be due
        self._log_soon = False
        self._stopped = False

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self._chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes: Any) -> bool:
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        return False

    def break_received(self, msec: int) -> bool:
        return True

    def session_started(self) -> None:
        self._cli.set_log_listener(self._logs_waiting)
        self._terminal.start()
        self._pump()

    def data_received(self, data: bytes, datatype: int | None) -> None:
        self._terminal.feed(data, asyncio.get_running_loop().time())
        if self._timer is None:
            self._pump()

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._stopped = True
        self._cli.set_log_listener(None)
        for timer in (self._timer, self._log_timer):
            if timer is not None:
                timer.cancel()
        self._timer = self._log_timer = None
        self._connection.close()  # IOS drops the TCP session with its only shell

    # -- asynchronous log messages --

    def _logs_waiting(self) -> None:
        """The behaviour has messages for this vty (called on the loop thread, maybe mid-command)."""
        if not self._stopped and not self._log_soon:
            self._log_soon = True
            asyncio.get_running_loop().call_soon(self._deliver_logs)

    def _deliver_logs(self) -> None:
        self._log_soon = False
        if self._stopped:
            return
        for line in self._cli.take_logs():
            self._terminal.log(line)
        if self._timer is None:
            self._pump()
        else:  # a reply is being delayed: its timer pumps the messages out with it
            self._arm_log_timer()

    def _arm_log_timer(self) -> None:
        if self._log_timer is not None:
            self._log_timer.cancel()
            self._log_timer = None
        delay = None if self._stopped else self._cli.next_log_in()
        if delay is not None:
            self._log_timer = asyncio.get_running_loop().call_later(delay + LOG_SLACK_S, self._deliver_logs)

    # -- the vty's output --

    def _pump(self) -> None:
        self._drain()
        self._arm_log_timer()

    def _drain(self) -> None:
        self._timer = None
        chan = self._chan
        while not self._stopped and chan is not None:
            action = self._terminal.next_action()
            if action is None:
                return
            if isinstance(action, Write):
                chan.write(action.data)
            elif isinstance(action, Delay):
                loop = asyncio.get_running_loop()
                wait_s = action.since + action.seconds - loop.time()
                if wait_s > 0:
                    self._timer = loop.call_later(wait_s, self._pump)
                    return
            elif isinstance(action, Hang):
                return
            elif isinstance(action, Drop):
                self._stopped = True
                self._connection.abort()
                return
            elif isinstance(action, Close):
                self._stopped = True
                chan.exit(0)
                return


class SwitchConnection(asyncssh.SSHServer):
    """One SSH connection to one switch: login, one vty line, at most one shell."""

    def __init__(self, server: MockServer, device: Device) -> None:
        self._server = server
        self._device = device
        self._conn: asyncssh.SSHServerConnection | None = None
        self._cli: Session | None = None
        self._shell: ShellSession | None = None
        self._closed = False

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._server.connections.discard(self)
        cli, self._cli = self._cli, None
        if cli is not None:
            self._device.close_session(cli)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    async def validate_password(self, username: str, password: str) -> bool:
        delay = float(getattr(getattr(self._device, "faults", None), "auth_delay_s", 0.0))
        if delay:
            await asyncio.sleep(delay)  # a slow AAA server, as under a fleet's worth of logins
        return self._device.check_login(username, password)

    def kbdint_auth_supported(self) -> bool:
        return True

    def get_kbdint_challenge(self, username: str, lang: str, submethods: str) -> Any:
        return "", "", "", [("Password: ", False)]

    def validate_kbdint_response(self, username: str, responses: Sequence[str]) -> bool:
        return len(responses) == 1 and self._device.check_login(username, responses[0])

    def auth_completed(self) -> None:
        if self._closed:
            return
        self._cli = self._device.open_session()

    def session_requested(self) -> ShellSession | bool:
        if self._cli is None:  # all vty lines busy: IOS closes the connection right after login
            self.close()
            return False
        if self._shell is not None or self._closed:
            return False
        self._shell = ShellSession(self, self._cli)
        return self._shell

    def close(self) -> None:
        if self._conn is not None and not self._closed:
            self._conn.close()

    def abort(self) -> None:
        if self._conn is not None and not self._closed:
            self._conn.abort()


class MockServer:
    """Serves `devices`, each on its own (host, port). Start and stop inside one event loop."""

    def __init__(self, devices: Sequence[Device], host_key: asyncssh.SSHKey) -> None:
        for device in devices:
            check_loopback(device.host)
        self.devices = list(devices)
        self.connections: set[SwitchConnection] = set()
        self._acceptors: list[asyncssh.SSHAcceptor] = []
        self._options = asyncssh.SSHServerConnectionOptions(
            server_host_keys=[host_key],
            server_version=SERVER_VERSION,
            line_editor=False,
            encoding=None,
            allow_pty=True,
            x11_forwarding=False,
            agent_forwarding=False,
            allow_scp=False,
            login_timeout=LOGIN_TIMEOUT_S,
            keepalive_interval=0,
            encryption_algs=list(ENCRYPTION_ALGS),
        )

    async def start(self, sockets: Sequence[socket.socket] | None = None) -> None:
        """Listen for every device; `sockets` (same order as devices) are pre-bound listeners."""
        if sockets is None:
            sockets = bind_listen_sockets([(device.host, device.port) for device in self.devices])
        if len(sockets) != len(self.devices):
            raise ValueError(f"{len(sockets)} sockets for {len(self.devices)} devices")
        try:
            for device, sock in zip(self.devices, sockets, strict=True):
                acceptor = await asyncssh.listen(
                    sock=sock,
                    options=self._options,
                    server_factory=functools.partial(SwitchConnection, self, device),
                    config=None,
                )
                self._acceptors.append(acceptor)
        except BaseException:
            await self.stop()
            for sock in sockets[len(self._acceptors) :]:
                sock.close()
            raise

    async def stop(self) -> None:
        """Close every listener and abort every connection (sessions are closed on the devices)."""
        acceptors, self._acceptors = self._acceptors, []
        for acceptor in acceptors:
            acceptor.close()
        for connection in list(self.connections):
            connection.abort()
        for acceptor in acceptors:
            await acceptor.wait_closed()
        # let aborted connections run their connection_lost callbacks
        for _ in range(3):
            if not self.connections:
                break
            await asyncio.sleep(0)
