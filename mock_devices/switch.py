"""One emulated Catalyst switch: identity, configs, licensing state, faults, vty sessions.
State is per switch and shared by all its sessions."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mock_devices import reachability, syslog
from mock_devices.cloud import Cloud
from mock_devices.config import SwitchConfig, normalize_interface, render_running_config, render_startup_config
from mock_devices.licensing import (
    ClassicLicensing,
    Clock,
    PendingRegistration,
    RegistrationOutcome,
    SlpLicensing,
    callhome_route,
    cslu_path_error,
    ios_config_time,
)
from mock_devices.pki import SATELLITE_IP
from mock_devices.platform import Hardware
from mock_devices.satellite import Satellite
from mock_devices.syslog import SwitchLog

if TYPE_CHECKING:
    from mock_devices.session import CliSession


AUTHORIZATION_FAILED = "Command authorization failed."  # IOS's answer when TACACS+ refuses a command
CLIENT_ADDRESS = "127.0.0.1"  # where vty sessions come from (the mock listens on loopback only)
AUTHORIZED_AFTER_S = 4.0  # the authorization follows a registration this long after
CSLU_UNKNOWN_TENANT = "HTTP 404 Not Found: no virtual account has this tenant"  # the satellite refuses the report


@dataclass(frozen=True)
class Faults:
    """Faults injected into one switch (all off by default)."""

    wrong_password: bool = False
    auth_delay_s: float = 0.0  # an AAA server slow to answer: the password's check takes this long
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    drop_after_commands: int | None = None
    drop_in_config_after: int | None = None
    hang_command: str | None = None
    # the typed line (spaces collapsed) starting with this runs, then the session drops before its
    # answer: it took effect, the client never learns it (set at run time, e.g. with a token in it)
    drop_after_line: str | None = None
    max_sessions: int | None = None
    registration_failure: str | None = None  # registrations to the satellite and SLP syncs fail so (not the cloud)
    ack_delay_s: float | None = None  # SLP: the ACK arrives this long after the sync (None: the fleet's)
    banner: str | None = None
    user_mode_login: bool = False
    scroll_long_lines: bool = False  # the echo of a line longer than the terminal width scrolls with `$`
    syslog: bool = False  # log messages to vty sessions with `terminal monitor`
    syslog_flap_s: float | None = None  # mean seconds between random link flaps (implies syslog)
    monitor_at_login: bool = False  # sessions start with `terminal monitor`
    no_logging_synchronous: bool = False  # messages land where they fall, the typed line is not reprinted
    # per-command authorization (AAA, TACACS+): lines refused, as prefixes of the typed line
    # (spaces collapsed) or of its command keywords; refused lines are answered with
    # `authorization_answer` and change nothing
    authorization_refuse: tuple[str, ...] = ()
    authorization_answer: str = AUTHORIZATION_FAILED
    # reachability from the switch (read-only checks: ping, show clock, show ntp status)
    satellite_unreachable: bool = False  # no echo comes back from the satellite, from any interface
    dns_fails: bool = False  # its name server does not resolve the satellite's names
    ntp_unsynchronized: bool = False  # NTP configured, never synchronised (show clock: `*`)
    ntp_disabled: bool = False  # no NTP configured (%NTP is not enabled.)
    clock_offset_s: float = 0.0  # its clock runs this far from the fleet's (show clock shows it)


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    enable_secret: str


class Switch:
    """Implements interface.Device."""

    def __init__(
        self,
        *,
        name: str,
        host: str,
        port: int,
        hardware: Hardware,
        config: SwitchConfig,
        site: str,
        virtual_account: str,
        source_interface: str,
        satellite: Satellite,
        credentials: Credentials,
        clock: Clock,
        faults: Faults | None = None,
        register_seconds: float = 2.0,
        sync_ack_seconds: float = 1.0,
        vty_lines: int = 16,
        classic: ClassicLicensing | None = None,
        slp: SlpLicensing | None = None,
        seed: int = 0,
        cloud: Cloud | None = None,
    ) -> None:
        self.name = name
        self.host = host
        self.port = port
        self.hardware = hardware
        self.config = config
        self.startup_config = config.clone()
        self.site = site
        self.virtual_account = virtual_account
        self.source_interface = source_interface
        self.satellite = satellite
        self.cloud = cloud  # Cisco's cloud (CSSM); None: no way to it
        self.credentials = credentials
        self.clock = clock
        self.faults = faults or Faults()
        self.register_seconds = register_seconds
        self.sync_ack_seconds = sync_ack_seconds
        self.vty_lines = vty_lines
        self.classic = classic if classic is not None else (None if hardware.slp else ClassicLicensing())
        self.slp = slp if slp is not None else (SlpLicensing() if hardware.slp else None)
        self.seed = seed
        self.sessions: list[CliSession] = []
        self.sessions_opened = 0  # CLI sessions since start (tests: who logged in)
        self.authorization_refused: list[str] = []  # lines refused by command authorization (an AAA log)
        self.unsaved_changes = False
        self.log: SwitchLog | None = None  # its log messages (None: it sends none to vty lines)
        if self.faults.syslog or self.faults.syslog_flap_s:
            self.log = SwitchLog(
                clock.wall_at,
                random.Random(seed),
                flap_mean_s=self.faults.syslog_flap_s,
                ports=hardware.info.access_ports(),
            )
        self.boot_wall = clock.wall() - hardware.uptime_s
        self.last_change_wall = clock.wall() - 3600.0
        self.last_change_user = credentials.username
        self.saved_wall = self.last_change_wall

    # --- interface.Device -----------------------------------------------------------------

    def check_login(self, username: str, password: str) -> bool:
        if self.faults.wrong_password:
            return False
        return username == self.credentials.username and password == self.credentials.password

    def open_session(self) -> CliSession | None:
        from mock_devices.session import CliSession

        limit = self.vty_lines
        if self.faults.max_sessions is not None:
            limit = min(limit, self.faults.max_sessions)
        if len(self.sessions) >= limit:
            return None
        used = {s.vty for s in self.sessions}
        vty = next(line for line in range(len(self.sessions) + 1) if line not in used)
        session = CliSession(self, seed=self.seed * 1000 + len(self.sessions), vty=vty)
        self.sessions.append(session)
        self.sessions_opened += 1
        return session

    def close_session(self, session: object) -> None:
        if session in self.sessions:
            self.sessions.remove(session)

    def authorization_refusal(self, line: str, command: str) -> str | None:
        """What the switch answers when command authorization refuses `line` (typed; `command`:
        its keywords), or None: authorized. A refusal is logged in `authorization_refused`."""
        refuse = self.faults.authorization_refuse
        typed = " ".join(line.split())
        if not any(typed.startswith(prefix) or command.startswith(prefix) for prefix in refuse):
            return None
        self.authorization_refused.append(typed)
        return self.faults.authorization_answer

    # --- read-only checks (mock_devices.reachability) -----------------------------------------

    def switch_wall(self) -> float:
        """The time this switch's clock shows (the fleet's, moved by the clock_offset_s fault)."""
        return self.clock.wall() + self.faults.clock_offset_s

    def ping(self, request: reachability.PingRequest) -> tuple[str, float]:
        """The output of a ping and how long it took; changes nothing on the switch."""
        names = {h.lower() for h in self.satellite.reachable_hosts if not reachability.is_address(h)}
        target = request.target
        if reachability.is_address(target):
            resolved: str | None = target
        else:
            known = target.lower() in names and not self.faults.dns_fails
            resolved = SATELLITE_IP if known else None
        source = normalize_interface(request.source) if request.source is not None else None
        interface = self.config.interface(source) if source is not None else None
        address = interface.ip_address.split()[0] if interface is not None and interface.ip_address else None
        addresses = {SATELLITE_IP, *(h for h in self.satellite.reachable_hosts if reachability.is_address(h))}
        replies = (
            resolved in addresses
            and not self.faults.satellite_unreachable
            and (request.source is None or source == self.source_interface)
        )
        text = reachability.ping_text(request, resolved=resolved, source_address=address, replies=replies)
        per_echo = min(reachability.TIMED_OUT_ECHO_S, request.timeout_s)
        waited = 0.0 if replies or resolved is None else request.repeat * per_echo
        return text, waited

    def show_clock(self) -> str:
        return reachability.clock_text(self.switch_wall(), authoritative=self._ntp_synchronized())

    def show_ntp_status(self) -> str:
        wall = self.switch_wall()
        return reachability.ntp_status_text(
            enabled=not self.faults.ntp_disabled,
            synchronized=self._ntp_synchronized(),
            wall=wall,
            uptime_s=wall - self.boot_wall,
            offset_ms=0.5,
        )

    def _ntp_synchronized(self) -> bool:
        return not (self.faults.ntp_disabled or self.faults.ntp_unsynchronized)

    # --- state ----------------------------------------------------------------------------

    @property
    def hostname(self) -> str:
        return self.config.hostname

    def tick(self) -> None:
        """Complete registrations and syncs whose time has come; hand out due log messages."""
        now = self.clock.now()
        if self.classic is not None:
            pending = self.classic.pending
            if self.classic.resolve(now, self.clock.wall_at, self._ask) and pending is not None:
                self._log_registration(pending.completes_mono)
        if self.slp is not None:
            pending_ack = self.slp.pending
            first_policy = self.slp.policy_installed_wall is None
            if self.slp.resolve(now, self.clock.wall_at) and pending_ack is not None and first_policy:
                self._log(pending_ack.due_mono, syslog.POLICY_INSTALL_SUCCESS)
        self._deliver_logs()

    # --- log messages -----------------------------------------------------------------------

    def _log(self, at_mono: float, message: str) -> None:
        if self.log is not None:
            self.log.schedule(at_mono, message)

    def _log_registration(self, at_mono: float) -> None:
        assert self.classic is not None
        udi = f"PID:{self.hardware.model},SN:{self.hardware.serial}"
        if not self.classic.registered:
            self._log(at_mono, syslog.agent_reg_failed(self.classic.failure_reason or ""))
            return
        self._log(at_mono, syslog.agent_reg_success(udi))
        self._log(at_mono + AUTHORIZED_AFTER_S, syslog.auth_renew_success(udi))
        compliance = syslog.IN_COMPLIANCE if self.classic.authorization == "AUTHORIZED" else syslog.OUT_OF_COMPLIANCE
        self._log(at_mono + AUTHORIZED_AFTER_S, compliance)

    def config_exited(self, session: CliSession) -> None:
        """A session left configuration mode: %SYS-5-CONFIG_I."""
        message = syslog.config_i(self.credentials.username, f"vty{session.vty}", CLIENT_ADDRESS)
        self._log(self.clock.now(), message)
        self._deliver_logs()

    def next_log_due(self) -> float | None:
        """When this switch may next have a log message (monotonic), or None."""
        if self.log is None:
            return None
        times = [self.log.next_due(self.clock.now())]
        if self.classic is not None and self.classic.pending is not None:
            times.append(self.classic.pending.completes_mono)
        if self.slp is not None and self.slp.pending is not None:
            times.append(self.slp.pending.due_mono)
        known = [t for t in times if t is not None]
        return min(known) if known else None

    def _deliver_logs(self) -> None:
        if self.log is None:
            return
        monitors = [s for s in self.sessions if s.monitor]
        lines = self.log.due(self.clock.now(), monitored=bool(monitors))
        for session in monitors:
            session.receive_logs(lines)

    def time_moved(self) -> None:
        """The fleet's clock jumped: sessions look again for due messages."""
        for session in self.sessions:
            session.wake()

    def _ask(self, pending: PendingRegistration) -> RegistrationOutcome:
        if pending.authority == "cloud" and self.cloud is not None:
            return self.cloud.register(
                pending.token,
                hostname=self.hostname,
                pid=self.hardware.model,
                serial=self.hardware.serial,
                now_wall=self.clock.wall(),
            )
        return self.satellite.register(
            pending.token,
            hostname=self.hostname,
            pid=self.hardware.model,
            serial=self.hardware.serial,
            license_name=self.hardware.info.network_tag,
            now_wall=self.clock.wall(),
        )

    def mark_changed(self, user: str) -> None:
        self.unsaved_changes = True
        self.last_change_wall = self.clock.wall()
        self.last_change_user = user

    def write_memory(self) -> None:
        self.startup_config = self.config.clone()
        self.unsaved_changes = False
        self.saved_wall = self.clock.wall()

    def running_config_text(self) -> str:
        when = f"{ios_config_time(self.last_change_wall)} by {self.last_change_user}"
        saved = f"{ios_config_time(self.saved_wall)} by {self.last_change_user}"
        return render_running_config(self.config, when, saved)

    def startup_config_text(self) -> str:
        return render_startup_config(self.startup_config, ios_config_time(self.saved_wall))

    # --- licensing commands ------------------------------------------------------------------

    def register(self, token: str, *, force: bool) -> str:
        assert self.classic is not None
        self.tick()
        was_on = self.classic.registered_to if self.classic.registered else None
        authority, path_error = callhome_route(
            self.config,
            self.satellite.callhome_urls(),
            self.source_interface,
            self.satellite.tls_pki,
            self.cloud.urls() if self.cloud is not None else (),
        )
        output = self.classic.start_registration(
            token,
            force=force,
            now_mono=self.clock.now(),
            now_wall=self.clock.wall(),
            delay_s=self.register_seconds,
            failure_reason=path_error if authority == "cloud" else self.faults.registration_failure or path_error,
            authority=authority,
        )
        if force and was_on is not None and self.classic.pending is not None:
            self._released_by(was_on)
        return output

    def _released_by(self, authority: str | None) -> None:
        """The switch left `authority` ("satellite", "cloud"): it frees the instance there."""
        if authority == "satellite":
            self.satellite.deregister(self.hardware.serial)
        elif authority == "cloud" and self.cloud is not None:
            self.cloud.deregister(self.hardware.serial)

    def deregister(self) -> str:
        assert self.classic is not None
        self.tick()
        self._released_by(self.classic.deregister(self.clock.wall()))
        return ""

    def renew(self) -> str:
        self.tick()
        return ""

    def sync(self) -> str:
        """`license smart sync all`: the usage report reaches the satellite now (which lists the
        switch in the VA of the URL's tenant) or fails; the ACK follows `sync_ack_seconds` later."""
        assert self.slp is not None
        self.tick()
        reason = self.faults.registration_failure or cslu_path_error(
            self.config, self.satellite.reaches_cslu, self.source_interface, self.satellite.tls_pki
        )
        ack = None
        if reason is None:
            tenant = self.satellite.cslu_tenant_in(self.config.slp_url_cslu or "") or ""
            ack = self.satellite.report_usage(
                tenant=tenant,
                hostname=self.hostname,
                pid=self.hardware.model,
                serial=self.hardware.serial,
                license_name=self.hardware.info.network_tag,
                now_wall=self.clock.wall(),
            )
            reason = None if ack is not None else CSLU_UNKNOWN_TENANT
        self.slp.start_sync(
            now_mono=self.clock.now(),
            now_wall=self.clock.wall(),
            ack_delay_s=self.sync_ack_seconds,
            ack=ack,
            failure_reason=reason,
        )
        if reason is not None:
            self._log(self.clock.now(), syslog.comm_failed(reason))
            self._deliver_logs()
        return ""

    def dump(self) -> dict[str, object]:
        self.tick()
        licensing: dict[str, object]
        if self.classic is not None:
            licensing = {"mode": "classic", **self.classic.snapshot(self.clock.wall())}
        else:
            assert self.slp is not None
            licensing = {"mode": "slp", **self.slp.snapshot()}
        return {
            "name": self.name,
            "hostname": self.hostname,
            "host": self.host,
            "port": self.port,
            "site": self.site,
            "model": self.hardware.model,
            "serial": self.hardware.serial,
            "version": self.hardware.version,
            "target_virtual_account": self.virtual_account,
            "unsaved_changes": self.unsaved_changes,
            "running_config": self.running_config_text(),
            "startup_config": self.startup_config_text(),
            "licensing": licensing,
        }
