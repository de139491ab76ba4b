"""Fleet spec: what the mock fleet looks like (YAML, validated with pydantic). Every field has a
default, so an empty spec is a realistic fault-free fleet."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import quote, unquote

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mock_devices.platform import MODELS, is_slp_version

StartState = Literal["cloud", "eval", "satellite", "satellite_wrong_va"]
# An SSM On-Prem tenant as it stands in /cslu/v1/pi/<tenant>: unreserved characters or %XX
TENANT = re.compile(r"(?:[A-Za-z0-9\-._~]|%[0-9A-Fa-f]{2})+")
LOCAL_ACCOUNT_ID = 1  # the n of a tenant <Account%20Name>-<n>


def default_tenant(virtual_account: str) -> str:
    """A virtual account's tenant as SSM On-Prem names it: 'Corporate%20Network%20Devices-1'."""
    return f"{quote(virtual_account, safe='')}-{LOCAL_ACCOUNT_ID}"


def _check_tenant(value: str | None) -> str | None:
    if value is not None and not TENANT.fullmatch(value):
        raise ValueError(f"{value!r} is not a percent-encoded tenant (letters, digits, - . _ ~ and %XX)")
    return value


class SpecError(ValueError):
    """A fleet spec that cannot be used; one line with file (and line) and field. The mock
    stands alone: it imports nothing of fleetreg's."""

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None, line: int | None = None):
        self.message = " ".join(message.split())
        self.file, self.field, self.line = file, field, line
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = [f"{self.file}:{self.line}" if self.file and self.line else self.file or ""]
        where += [f"field {self.field}"] if self.field else []
        context = ", ".join(part for part in where if part)
        return f"{context}: {self.message}" if context else self.message

    def __str__(self) -> str:
        return self.one_line()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenSpec(_Strict):
    value: str = Field(min_length=8)
    expires_in_days: float = 30.0  # negative: already expired
    allowed_uses: int = Field(default=1000, ge=0)
    used: int = Field(default=0, ge=0)
    export_controlled: bool = False
    # the written fleet.env hands out this token for its VA even when it cannot work (expired, used
    # up), as a team's environment can; default: the VA's first valid token
    in_env: bool = False


class VirtualAccountSpec(_Strict):
    name: str = Field(min_length=1)
    tokens: list[TokenSpec] = Field(default_factory=list)  # empty: one generated valid token
    licenses: dict[str, int] | None = None  # pool name (entitlement tag) -> count; None: generous pools
    # the tenant in its CSLU URL (https://<host>/cslu/v1/pi/<tenant>): SLP usage reported to that URL
    # lands in this VA; None: as SSM On-Prem names it, <name percent-encoded>-1
    cslu_tenant: str | None = None

    @field_validator("cslu_tenant")
    @classmethod
    def _tenant(cls, value: str | None) -> str | None:
        return _check_tenant(value)


class SatelliteApiSpec(_Strict):
    """The satellite's HTTPS API (served only when asked for: MockFleet(api=True), serve --api)."""

    client_id: str = Field(default="fleetreg-api", min_length=1)
    client_secret: str = Field(default="Lab-Api-Secret-7f3c", min_length=8)
    bearer_seconds: int = Field(default=3600, ge=1)
    rate_limit_per_second: float | None = Field(default=None, gt=0)  # None: no rate limit
    rate_limit_burst: int = Field(default=5, ge=1)
    retry_after_seconds: int = Field(default=1, ge=0)  # Retry-After on a 429
    hide_devices: list[str] = Field(default_factory=list)  # fault: serials or host names left out of /devices


class SatelliteSpec(_Strict):
    host: str = "ssm-onprem.fleetreg.test"
    account: str = "FleetReg Lab"
    # The default virtual account (isDefault in the API; the fleet-wide `cslu_tenant` of the written
    # defaults.yaml is its tenant); None: the first one. `cslu_tenant`: that VA's tenant, for specs
    # written when one tenant served the whole fleet (a VA's own `cslu_tenant` is the usual place).
    cslu_tenant: str | None = None
    tenant_virtual_account: str | None = None
    virtual_accounts: list[VirtualAccountSpec] = Field(
        default_factory=lambda: [
            VirtualAccountSpec(name="Corporate Network Devices"),
            VirtualAccountSpec(name="Public Network Devices"),
        ],
        min_length=1,
    )
    api: SatelliteApiSpec = Field(default_factory=SatelliteApiSpec)
    # TLS server identity. `disable`: switches do not check the satellite's certificate and the
    # inventory asks for the common recipe (no http secure server-identity-check). `verify`: switches
    # check it (URL host on the certificate + its CA in a trustpoint) and the inventory asks fleetreg
    # to install the CA (trustpoint mode ca-file, CA in <inventory>/satellite-ca.pem).
    identity: Literal["disable", "verify"] = "verify"
    # other names that resolve to the satellite but are not on its certificate; None: the host's
    # short name (ssm-onprem for ssm-onprem.fleetreg.test)
    aliases: list[str] | None = None

    @field_validator("cslu_tenant")
    @classmethod
    def _tenant(cls, value: str | None) -> str | None:
        return _check_tenant(value)

    @property
    def default_virtual_account(self) -> str:
        return self.tenant_virtual_account or self.virtual_accounts[0].name

    def tenants(self) -> dict[str, str]:
        """Virtual account name -> its CSLU tenant."""
        default = self.default_virtual_account
        return {
            va.name: va.cslu_tenant
            or (self.cslu_tenant if va.name == default and self.cslu_tenant else None)
            or default_tenant(va.name)
            for va in self.virtual_accounts
        }

    @model_validator(mode="after")
    def _consistent(self) -> SatelliteSpec:
        names = [va.name for va in self.virtual_accounts]
        if len(set(names)) != len(names):
            raise ValueError("virtual account names must be unique")
        if self.tenant_virtual_account and self.tenant_virtual_account not in names:
            raise ValueError(f"tenant_virtual_account {self.tenant_virtual_account!r} is not a satellite VA")
        default = next(va for va in self.virtual_accounts if va.name == self.default_virtual_account)
        if self.cslu_tenant and default.cslu_tenant and self.cslu_tenant != default.cslu_tenant:
            raise ValueError(f"cslu_tenant {self.cslu_tenant!r} differs from {default.name!r}'s own cslu_tenant")
        tenants = [unquote(t) for t in self.tenants().values()]
        if len(set(tenants)) != len(tenants):
            raise ValueError("each virtual account needs its own cslu_tenant")
        return self


class CredentialsSpec(_Strict):
    username: str = "fleetreg"
    password: str = "Lab-Passw0rd"
    enable_secret: str = "Lab-Enable1"


class CloudSpec(_Strict):
    """Cisco's cloud (CSSM), where the fleet's cloud-registered switches are: one virtual account.
    Switches reach it through CiscoTAC-1 while `reachable`; fleetreg registers a switch back to it
    after a failed migration, with a cloud token (`in_inventory`: the written inventory gives every
    virtual-account group a `cloud_token_ref` to it)."""

    smart_account: str = "ACME Corp"
    virtual_account: str = "Campus Switches"
    reachable: bool = True
    tokens: list[TokenSpec] = Field(default_factory=list)  # empty: one generated valid token
    in_inventory: bool = True


class MixSpec(_Strict):
    """Shares (any positive weights; they are normalised)."""

    models: dict[str, float] = Field(
        default_factory=lambda: {"C9200L-48P-4X": 0.35, "C9300-48P": 0.45, "C9500-40X": 0.2}
    )
    classic_versions: dict[str, float] = Field(default_factory=lambda: {"16.9.5": 0.3, "16.12.8": 0.5, "17.3.1": 0.2})
    slp_versions: dict[str, float] = Field(default_factory=lambda: {"17.6.5": 0.6, "17.9.4": 0.4})
    # starting state of classic switches; SLP switches use `slp` (transport smart/off) or satellite
    states: dict[str, float] = Field(
        default_factory=lambda: {"cloud": 0.4, "eval": 0.2, "slp": 0.3, "satellite": 0.1, "satellite_wrong_va": 0.0}
    )

    @field_validator("models")
    @classmethod
    def _known_models(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(MODELS))
        if unknown:
            raise ValueError(f"unknown model(s) {unknown}; known: {sorted(MODELS)}")
        return value

    @field_validator("classic_versions")
    @classmethod
    def _classic(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [v for v in value if is_slp_version(v)]
        if bad:
            raise ValueError(f"{bad} are SLP versions (17.3.2+), not classic")
        return value

    @field_validator("slp_versions")
    @classmethod
    def _slp(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [v for v in value if not is_slp_version(v)]
        if bad:
            raise ValueError(f"{bad} are classic versions, not SLP (17.3.2+)")
        return value

    @field_validator("states")
    @classmethod
    def _states(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - {"cloud", "eval", "slp", "satellite", "satellite_wrong_va"})
        if unknown:
            raise ValueError(f"unknown state(s) {unknown}")
        if sum(value.values()) <= 0:
            raise ValueError("shares must add up to more than 0")
        return value


class FaultSpec(_Strict):
    """Faults for the switches named in `switches`, or for a `share` of the fleet."""

    switches: list[str] = Field(default_factory=list)
    share: float = Field(default=0.0, ge=0.0, le=1.0)
    wrong_password: bool = False
    auth_delay_s: float = Field(default=0.0, ge=0.0)  # the AAA server answers the login this late
    latency_ms: float = Field(default=0.0, ge=0.0)
    jitter_ms: float = Field(default=0.0, ge=0.0)
    drop_after_commands: int | None = Field(default=None, ge=0)
    drop_in_config_after: int | None = Field(default=None, ge=0)  # config-mode commands before the drop
    hang_command: str | None = None  # canonical command prefix, e.g. "license smart register"
    max_sessions: int | None = Field(default=None, ge=0)
    registration_failure: str | None = None
    # SLP: the satellite's ACK arrives this long after `license smart sync all` (seconds; minutes to
    # about a day on real satellites); None: the fleet's `sync_ack_seconds`
    ack_delay_s: float | None = Field(default=None, ge=0.0, le=7 * 86400.0)
    long_hostname: bool = False
    # the switch also has an active user call-home profile "NOC" for Smart Call Home data, sending by
    # http and by email (`show call-home profile all`: `Transport Method: http and email`)
    callhome_noc_profile: bool = False
    banner: str | None = None
    user_mode_login: bool = False
    # the echo of a typed line longer than the terminal width (80 columns unless `terminal width`)
    # scrolls left ten columns at a time with `$` at the left, as IOS does
    scroll_long_lines: bool = False
    # Asynchronous log messages on vty lines with `terminal monitor` on: %SYS-5-CONFIG_I when a
    # session leaves configuration mode, %SMART_LIC-... on licensing events (registration, SLP
    # report failures), and %LINK-3-UPDOWN / %LINEPROTO-5-UPDOWN flaps every `syslog_flap_s`
    # seconds on average (random; None: none). `monitor_at_login`: vty sessions start with
    # `terminal monitor` on (as a vty autocommand leaves them); `no_logging_synchronous`: messages
    # land where they fall, between output lines, and the typed line is not reprinted.
    syslog: bool = False
    syslog_flap_s: float | None = Field(default=None, gt=0.0)
    monitor_at_login: bool = False
    no_logging_synchronous: bool = False
    # Per-command authorization (AAA, TACACS+) refuses these commands, e.g. ["license smart
    # register", "call-home"]: prefixes of the typed line (spaces collapsed) or of its full
    # keywords ("sh run" is "show running-config"), exec and config alike. A refused command
    # changes nothing; the switch answers `authorization_answer` (default "Command authorization
    # failed.", as IOS does; also seen: "% Authorization failed.", "Command rejected: ...").
    authorization_refuse: list[str] = Field(default_factory=list)
    authorization_answer: str | None = None
    # What the read-only pre-checks find (ping, show clock, show ntp status): the satellite does not
    # answer pings from the switch; its name server does not resolve the satellite's names; NTP
    # configured but never synchronised / not configured (%NTP is not enabled.); its clock this many
    # seconds away from the fleet's (negative: behind)
    satellite_unreachable: bool = False
    dns_fails: bool = False
    ntp_unsynchronized: bool = False
    ntp_disabled: bool = False
    clock_offset_s: float = Field(default=0.0, ge=-10 * 365 * 86400.0, le=10 * 365 * 86400.0)

    @field_validator("authorization_refuse")
    @classmethod
    def _prefixes(cls, value: list[str]) -> list[str]:
        if any(not " ".join(prefix.split()) for prefix in value):
            raise ValueError("an empty prefix would refuse every command")
        return [" ".join(prefix.split()) for prefix in value]

    @field_validator("authorization_answer")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is not None and (not value.strip() or "\n" in value or "\r" in value):
            raise ValueError("the answer is one non-empty line")
        return value

    @model_validator(mode="after")
    def _targets(self) -> FaultSpec:
        if not self.switches and self.share == 0.0:
            raise ValueError("a fault needs `switches` or a `share` above 0")
        return self


class SwitchSpec(_Strict):
    """Pin one switch (by index, 0-based) to a given model/version/state/site/VA."""

    index: int = Field(ge=0)
    name: str | None = None
    model: str | None = None
    version: str | None = None
    state: Literal["cloud", "eval", "slp", "satellite", "satellite_wrong_va"] | None = None
    site: str | None = None
    virtual_account: str | None = None


class FleetSpec(_Strict):
    count: int = Field(default=20, ge=1, le=5000)
    seed: int = 1
    sites: list[str] = Field(default_factory=lambda: ["AMS", "LON", "NYC"], min_length=1)
    mix: MixSpec = Field(default_factory=MixSpec)
    satellite: SatelliteSpec = Field(default_factory=SatelliteSpec)
    credentials: CredentialsSpec = Field(default_factory=CredentialsSpec)
    cloud: CloudSpec = Field(default_factory=CloudSpec)
    source_interface: str = "Vlan781"
    vty_lines: int = Field(default=16, ge=1)
    register_seconds: tuple[float, float] | None = None  # overrides build_fleet's argument
    sync_ack_seconds: float = Field(default=1.0, ge=0.0)  # SLP ACK delay; a fault's ack_delay_s overrides it
    faults: list[FaultSpec] = Field(default_factory=list)
    switches: list[SwitchSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> FleetSpec:
        names = {va.name for va in self.satellite.virtual_accounts}
        for pinned in self.switches:
            if pinned.virtual_account and pinned.virtual_account not in names:
                raise ValueError(
                    f"switches[{pinned.index}].virtual_account {pinned.virtual_account!r} is not a satellite VA"
                )
            if pinned.model and pinned.model not in MODELS:
                raise ValueError(f"switches[{pinned.index}].model {pinned.model!r} is unknown")
        return self


def _first_error(exc: ValidationError) -> tuple[str, str]:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "(top level)"
    return field, error["msg"]


def parse_spec(data: object, *, source: str = "<spec>") -> FleetSpec:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SpecError("a fleet spec must be a mapping", file=source)
    try:
        return FleetSpec.model_validate(data)
    except ValidationError as exc:
        field, message = _first_error(exc)
        raise SpecError(message, file=source, field=field) from None


def load_spec(path: Path) -> FleetSpec:
    """Read and validate a YAML fleet spec; errors are one line naming the file and field."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read fleet spec: {exc.strerror}", file=str(path)) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise SpecError(f"not valid YAML: {getattr(exc, 'problem', exc)}", file=str(path), line=line) from None
    return parse_spec(data, source=str(path))
