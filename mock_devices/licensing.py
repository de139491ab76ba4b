"""Licensing state machines of one switch, pure: the caller passes the clock readings and the
satellite's answers. Registration (classic) and usage reporting (SLP) are asynchronous on a
real switch; here they complete lazily the first time someone looks after their due time.

Classic Smart Licensing:  UNREGISTERED --register--> REGISTRATION IN PROGRESS
                              --(N s later)--> REGISTERED (AUTHORIZED | OUT OF COMPLIANCE)
                                          or   UNREGISTERED - REGISTRATION FAILED
SLP: sync (the usage report reaches the satellite at once, or is refused) --(ACK delay, seconds
to hours)--> ACK received (Last ACK received: <time>); a refused or undeliverable report is never
acknowledged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from mock_devices.config import CallHomeProfile, SwitchConfig
from mock_devices.pki import SatellitePki

DAY = 86400.0
HTTP_SEND_FAILURE = "Fail to send out Call Home HTTP message."
ALREADY_REGISTERED = "% Device is already registered. To re-register, use the force option."
ALREADY_IN_PROGRESS = "% Registration is already in progress."
REGISTER_STARTED = (
    "Registration process is in progress. Use the 'show license status' command to check the progress and result"
)


@dataclass
class Clock:
    """Monotonic time drives state changes; wall time (epoch seconds) is what the switch prints."""

    monotonic: Callable[[], float] = time.monotonic
    wall_start: float = field(default_factory=time.time)
    mono_start: float | None = None
    skipped: float = 0.0  # seconds skipped by advance()

    def __post_init__(self) -> None:
        if self.mono_start is None:
            self.mono_start = self.monotonic()

    def now(self) -> float:
        return self.monotonic() + self.skipped

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass at once (an ACK due in hours arrives now); time never goes back."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.skipped += seconds

    def wall_at(self, mono: float) -> float:
        assert self.mono_start is not None
        return self.wall_start + (mono - self.mono_start)

    def wall(self) -> float:
        return self.wall_at(self.now())


def ios_time(epoch: float, zone: str = "UTC") -> str:
    """'Mar 13 08:09:24 2024 UTC', the format of every licensing timestamp."""
    return time.strftime("%b %d %H:%M:%S %Y", time.gmtime(epoch)) + f" {zone}"


def ios_config_time(epoch: float) -> str:
    """'08:12:31 UTC Wed Mar 13 2024', as in '! Last configuration change at ...'."""
    return time.strftime("%H:%M:%S UTC %a %b %d %Y", time.gmtime(epoch))


def duration_text(seconds: float) -> str:
    """'71 days, 22 hours, 1 minutes, 59 seconds' (Evaluation Period Remaining)."""
    total = max(0, int(seconds))
    days, rem = divmod(total, 86400)
    hours, rem = divmod(rem, 3600)
    minutes, secs = divmod(rem, 60)
    return f"{days} days, {hours} hours, {minutes} minutes, {secs} seconds"


# --- where licensing messages go -----------------------------------------------------------


def smart_licensing_profile(cfg: SwitchConfig) -> CallHomeProfile | None:
    """The call-home profile that carries Smart Licensing messages: the first active one that
    reports smart-licensing data (CiscoTAC-1 comes first, so it wins while still active)."""
    return next((p for p in cfg.call_home.profiles if p.active and p.reports_smart_licensing), None)


TLS_NOT_VALIDATED = "Cannot establish secure connection because server TLS cert cannot be validated"


def server_identity_error(cfg: SwitchConfig, url: str, pki: SatellitePki | None, *, transport: str) -> str | None:
    """The TLS check of the switch's HTTPS client against the satellite at `url`, or None when it
    passes. The one place that decides it, for call-home (`transport="callhome"`) and SLP ("cslu").

    `pki` None: the lab satellite's TLS is not checked (fleets built without identity enforcement).
    The check is on unless `no http secure server-identity-check` (call-home) or
    `no license smart server-identity-check` (SLP) is configured; with it off, IOS accepts any server
    certificate (the common recipe). With it on, the server certificate must chain to a CA held by
    some trustpoint (a different CA fails like no CA) and the URL's host must be one of the names on
    the certificate (its DNS name or its IP address, both in the subjectAltName)."""
    parts = urlsplit(url)
    if pki is None or parts.scheme.lower() != "https":
        return None
    check_on = cfg.call_home.identity_check if transport == "callhome" else cfg.slp_identity_check
    if not check_on:
        return None
    prefix = f"{HTTP_SEND_FAILURE} " if transport == "callhome" else ""
    ca = pki.ca
    if not cfg.trusts_ca(ca.sha1):
        issuer = ",".join(ca.subject)
        return f"{prefix}{TLS_NOT_VALIDATED} (certificate chain validation failed: issuer {issuer} is in no trustpoint)"
    host = parts.hostname or ""
    if not pki.names_host(host):
        return f"{prefix}{TLS_NOT_VALIDATED} (server identity check failed: {host} is not a name on the certificate)"
    return None


Authority = Literal["satellite", "cloud"]


def callhome_route(
    cfg: SwitchConfig,
    satellite_urls: Collection[str],
    reachable_interface: str,
    pki: SatellitePki | None = None,
    cloud_urls: Collection[str] = (),
) -> tuple[Authority, str | None]:
    """Where a classic registration goes and why it cannot get there (None: it can). The one
    place that decides transport success. `satellite_urls`: the URLs that reach the satellite's
    call-home endpoint (one per host name that resolves to it), over the switch's HTTP client
    source interface only; `cloud_urls`: those that reach Cisco's cloud (CiscoTAC-1's default
    destination, when the fleet has a way out), over whatever route the switch has."""
    profile = smart_licensing_profile(cfg)
    if not cfg.service_call_home or profile is None or not profile.transport_http:
        return "satellite", HTTP_SEND_FAILURE
    urls = profile.effective_http_urls()
    if any(u in cloud_urls for u in urls):
        return "cloud", None
    url = next((u for u in urls if u in satellite_urls), None)
    if url is None:
        return "satellite", HTTP_SEND_FAILURE  # a typo'd URL, or tools.cisco.com without a way out
    if cfg.ip_http_client_source_interface != reachable_interface:
        return "satellite", HTTP_SEND_FAILURE
    return "satellite", server_identity_error(cfg, url, pki, transport="callhome")


def callhome_path_error(
    cfg: SwitchConfig, satellite_urls: Collection[str], reachable_interface: str, pki: SatellitePki | None = None
) -> str | None:
    """Why a classic registration cannot reach the satellite, or None when it can."""
    return callhome_route(cfg, satellite_urls, reachable_interface, pki)[1]


def effective_slp_transport(cfg: SwitchConfig) -> str:
    return cfg.slp_transport or "cslu"


def cslu_path_error(
    cfg: SwitchConfig, reaches_cslu: Callable[[str], bool], reachable_interface: str, pki: SatellitePki | None = None
) -> str | None:
    """Why an SLP usage report cannot reach the satellite's CSLU endpoint, or None. `reaches_cslu(url)`:
    the URL's host, port and path lead to the satellite's CSLU endpoint (whatever its tenant)."""
    if effective_slp_transport(cfg) != "cslu":
        return "Transport is not cslu"
    if cfg.slp_url_cslu is None or not reaches_cslu(cfg.slp_url_cslu):
        return "Fail to send out HTTP message."
    if cfg.ip_http_client_source_interface != reachable_interface:
        return "Fail to send out HTTP message."
    return server_identity_error(cfg, cfg.slp_url_cslu, pki, transport="cslu")


# --- classic Smart Licensing -----------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationOutcome:
    """The satellite's (or cloud's) answer to a registration request."""

    ok: bool
    smart_account: str = ""
    virtual_account: str = ""
    authorized: bool = True  # False: registered but no license left -> OUT OF COMPLIANCE
    export_allowed: bool = False
    failure_reason: str = ""
    authority: str = "satellite"  # who answered: "satellite" | "cloud"


@dataclass
class PendingRegistration:
    token: str
    started_wall: float
    completes_mono: float
    failure_reason: str | None  # known up front (no path to the satellite, injected fault)
    authority: str = "satellite"  # where the request goes: "satellite" | "cloud"


@dataclass
class ClassicLicensing:
    status: str = "UNREGISTERED"  # UNREGISTERED | REGISTRATION IN PROGRESS | REGISTERED | FAILED
    authorization: str = "EVAL MODE"  # EVAL MODE | EVAL EXPIRED | AUTHORIZED | OUT OF COMPLIANCE
    registered_to: str | None = None  # "cloud" | "satellite"
    smart_account: str | None = None
    virtual_account: str | None = None
    export_allowed: bool = False
    registered_wall: float | None = None
    authorized_wall: float | None = None
    failed_wall: float | None = None
    failure_reason: str | None = None
    eval_remaining_s: float = 90 * DAY
    eval_counted_at_wall: float | None = None  # eval clock runs from here while in EVAL MODE
    pending: PendingRegistration | None = None

    @property
    def registered(self) -> bool:
        return self.status == "REGISTERED"

    def eval_remaining(self, now_wall: float) -> float:
        if self.eval_counted_at_wall is None:
            return self.eval_remaining_s
        return max(0.0, self.eval_remaining_s - (now_wall - self.eval_counted_at_wall))

    def start_registration(
        self,
        token: str,
        *,
        force: bool,
        now_mono: float,
        now_wall: float,
        delay_s: float,
        failure_reason: str | None,
        authority: str = "satellite",
    ) -> str:
        """`license smart register idtoken T [force]`: returns what the switch prints."""
        if self.status == "REGISTRATION IN PROGRESS":
            return ALREADY_IN_PROGRESS + "\n"
        if self.registered and not force:
            return ALREADY_REGISTERED + "\n"
        self.status = "REGISTRATION IN PROGRESS"
        self.pending = PendingRegistration(token, now_wall, now_mono + delay_s, failure_reason, authority)
        return REGISTER_STARTED + "\n"

    def resolve(
        self,
        now_mono: float,
        wall_at: Callable[[float], float],
        ask: Callable[[PendingRegistration], RegistrationOutcome],
    ) -> bool:
        """Complete a due registration. `ask(pending)` asks its authority, the satellite or the
        cloud (consumes a token use and a license). Returns True when the state changed."""
        pending = self.pending
        if pending is None or now_mono < pending.completes_mono:
            return False
        self.pending = None
        done_wall = wall_at(pending.completes_mono)
        outcome = (
            RegistrationOutcome(ok=False, failure_reason=pending.failure_reason)
            if pending.failure_reason
            else ask(pending)
        )
        if not outcome.ok:
            self._fail(done_wall, outcome.failure_reason)
            return True
        self.status = "REGISTERED"
        self.registered_to = outcome.authority
        self.smart_account = outcome.smart_account
        self.virtual_account = outcome.virtual_account
        self.export_allowed = outcome.export_allowed
        self.registered_wall = done_wall
        self.authorized_wall = done_wall + 4
        self.authorization = "AUTHORIZED" if outcome.authorized else "OUT OF COMPLIANCE"
        self.failure_reason = None
        self.failed_wall = None
        return True

    def _fail(self, when: float, reason: str) -> None:
        self._to_eval(when)
        self.status = "FAILED"
        self.failed_wall = when
        self.failure_reason = reason

    def _to_eval(self, when: float) -> None:
        if self.authorization not in ("EVAL MODE", "EVAL EXPIRED"):
            self.eval_counted_at_wall = when
        self.status = "UNREGISTERED"
        self.authorization = "EVAL MODE" if self.eval_remaining(when) > 0 else "EVAL EXPIRED"
        self.registered_to = None
        self.smart_account = None
        self.virtual_account = None
        self.export_allowed = False
        self.registered_wall = None
        self.authorized_wall = None

    def deregister(self, now_wall: float) -> str | None:
        """`license smart deregister`: back to UNREGISTERED / EVAL MODE. Returns where it was
        registered ("cloud", "satellite" or None) so the caller can free the satellite's license."""
        previous = self.registered_to
        self.pending = None
        self._to_eval(now_wall)
        self.failure_reason = None
        self.failed_wall = None
        return previous

    def snapshot(self, now_wall: float) -> dict[str, object]:
        return {
            "status": self.status,
            "authorization": self.authorization,
            "registered_to": self.registered_to,
            "smart_account": self.smart_account,
            "virtual_account": self.virtual_account,
            "registered_at": ios_time(self.registered_wall) if self.registered_wall else None,
            "failure_reason": self.failure_reason,
            "eval_remaining_s": round(self.eval_remaining(now_wall)),
        }


# --- Smart Licensing Using Policy ------------------------------------------------------------


@dataclass(frozen=True)
class SlpAck:
    smart_account: str
    virtual_account: str


@dataclass
class PendingAck:
    ack: SlpAck
    due_mono: float  # when the satellite's acknowledgement arrives


@dataclass
class SlpLicensing:
    smart_account: str | None = None
    virtual_account: str | None = None
    account_as_of_wall: float | None = None
    last_ack_wall: float | None = None
    last_report_push_wall: float | None = None
    policy_installed_wall: float | None = None  # None: CISCO default policy
    trust_installed_wall: float | None = None
    acked_by: str | None = None  # "cloud" | "satellite"
    last_failure: str | None = None
    pending: PendingAck | None = None

    def start_sync(
        self, *, now_mono: float, now_wall: float, ack_delay_s: float, ack: SlpAck | None, failure_reason: str | None
    ) -> None:
        """`license smart sync all`: the usage report is pushed now. `ack`: the satellite took it and
        acknowledges it `ack_delay_s` later; None: it never will (`failure_reason` says why)."""
        self.last_report_push_wall = now_wall
        if ack is None:
            self.last_failure = failure_reason or "No ACK received"
            return
        self.last_failure = None
        self.pending = PendingAck(ack, now_mono + ack_delay_s)

    def resolve(self, now_mono: float, wall_at: Callable[[float], float]) -> bool:
        """Install an acknowledgement whose time has come; True when one was."""
        pending = self.pending
        if pending is None or now_mono < pending.due_mono:
            return False
        self.pending = None
        when = wall_at(pending.due_mono)
        ack = pending.ack
        self.smart_account = ack.smart_account
        self.virtual_account = ack.virtual_account
        self.account_as_of_wall = when
        self.last_ack_wall = when
        self.policy_installed_wall = self.policy_installed_wall or when
        self.acked_by = "satellite"
        self.last_failure = None
        return True

    def snapshot(self) -> dict[str, object]:
        return {
            "smart_account": self.smart_account,
            "virtual_account": self.virtual_account,
            "acked_by": self.acked_by,
            "last_ack": ios_time(self.last_ack_wall) if self.last_ack_wall else None,
            "last_report_push": ios_time(self.last_report_push_wall) if self.last_report_push_wall else None,
            "last_failure": self.last_failure,
            "ack_pending": self.pending is not None,
        }
