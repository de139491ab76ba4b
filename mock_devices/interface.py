"""The one small seam between the SSH front end (server.py, terminal.py) and the switch
behaviour (switch.py and friends). The front end knows bytes, echo, line endings, paging and
sockets; the behaviour knows IOS modes, commands, config and licensing. Neither imports the
other's internals: they meet only here.

Flow per SSH connection:
    device = fleet.devices[port]
    device.check_login(username, password)        -> bool     (auth)
    session = device.open_session()               -> Session | None  (None: vty lines exhausted)
    front end writes session.banner(), then session.prompt()
    for every line the user enters (CR, LF or CRLF = one Enter):
        reply = session.handle_line(line)
        (front end sleeps reply.delay_s, then writes reply.output, then reply.prompt;
         pages output with --More-- when session.terminal_length > 0 and reply.paginate)
    asynchronous log messages: session.take_logs() when the listener given to
        session.set_log_listener() is called or session.next_log_in() seconds have passed
    device.close_session(session)                 (always, also when the client drops)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Reply:
    """What the switch answers to one line of input.

    `output` uses "\n" line endings (the front end sends "\r\n"); it does not include the
    echo of the input line nor the next prompt. `prompt` is painted after the output, e.g.
    "sw1#", "sw1(config)#", "Password: ", "Destination filename [startup-config]? ".
    """

    output: str
    prompt: str
    echo_next: bool = True  # False while the next input is a secret (enable "Password: ")
    paginate: bool = True  # long output may stop at --More-- when terminal length > 0
    delay_s: float = 0.0  # latency fault: answer no sooner than this after the line arrived
    hang: bool = False  # never answer (hung command fault); the front end just stops replying
    drop: bool = False  # drop the TCP connection instead of answering (session-drop fault)
    close: bool = False  # send output, then close the session (exit/logout from exec mode)


class Session(Protocol):
    """One CLI session (one vty line) on one switch."""

    terminal_length: int  # 0 = no paging; set by `terminal length N`, default 24
    terminal_width: int  # `terminal width N`, default 80; 0: no margin

    @property
    def scrolls_long_lines(self) -> bool:
        """The echo of a line longer than the terminal width scrolls left with `$`, as IOS does."""
        ...

    @property
    def logging_synchronous(self) -> bool:
        """Log messages wait for a command's output and the typed line is reprinted after them."""
        ...

    def set_log_listener(self, listener: Callable[[], None] | None) -> None:
        """`listener()` is called (on the loop thread) when log messages are waiting for take_logs()."""
        ...

    def take_logs(self) -> list[str]:
        """The log messages due now for this vty (one line each, no line ending)."""
        ...

    def next_log_in(self) -> float | None:
        """Seconds until a log message may be due (None: none expected); the front end looks then."""
        ...

    def banner(self) -> str:
        """Text shown before the first prompt (login banner / MOTD), "" for none."""
        ...

    def prompt(self) -> str:
        """The prompt to paint now, e.g. "sw1#" or "sw1>" (no trailing space)."""
        ...

    def handle_line(self, line: str) -> Reply:
        """Execute one line of input exactly as typed (no line ending)."""
        ...


class Device(Protocol):
    """One emulated switch as the SSH front end sees it."""

    name: str  # inventory name
    host: str  # loopback address it listens on, e.g. 127.0.0.1
    port: int

    def check_login(self, username: str, password: str) -> bool: ...

    def open_session(self) -> Session | None:
        """A new CLI session, or None when all vty lines are busy (connection refused)."""
        ...

    def close_session(self, session: Session) -> None: ...


@dataclass
class FleetInfo:
    """What `--inventory-out` needs to write a Nornir inventory for the served fleet."""

    satellite_url: str  # call-home URL of the emulated satellite
    cslu_tenant: str | None  # the default virtual account's tenant (one fleet-wide setting)
    username: str
    password: str
    enable_secret: str
    tokens: dict[str, str] = field(default_factory=dict)  # virtual account -> valid token
    ca_pem: str | None = None  # the satellite CA certificate, PEM (trust issue)
    identity_check: str = "disable"  # "verify": switches check the satellite's certificate
    cslu_tenants: dict[str, str] = field(default_factory=dict)  # virtual account -> its CSLU tenant
    cloud_token: str | None = None  # a CSSM token for registering back to the cloud (rollback)
