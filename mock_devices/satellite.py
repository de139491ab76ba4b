"""The emulated SSM On-Prem satellite: one local account, virtual accounts with license pools,
registration tokens, and the product instances registered (classic) or reported (SLP). Each
virtual account has its own CSLU tenant: an SLP usage report to https://<host>/cslu/v1/pi/<tenant>
lands in that tenant's virtual account; a report to an unknown tenant is refused."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from urllib.parse import unquote, urlsplit

from mock_devices.licensing import RegistrationOutcome, SlpAck, ios_time
from mock_devices.pki import SATELLITE_IP, SatellitePki

TOKEN_INVALID = '{"token":["The token is not valid."]}'
TOKEN_EXPIRED = '{"token":["The token has expired."]}'
TOKEN_USED_UP = '{"token":["The token has been used the maximum number of times."]}'


@dataclass
class Token:
    value: str
    virtual_account: str
    expires_wall: float
    allowed_uses: int
    used: int = 0
    export_controlled: bool = False


@dataclass
class LicensePool:
    total: int
    in_use: int = 0


@dataclass
class VirtualAccount:
    name: str
    licenses: dict[str, LicensePool] = field(default_factory=dict)
    cslu_tenant: str = ""  # the tenant in /cslu/v1/pi/<tenant> (percent-encoded)


@dataclass
class ProductInstance:
    hostname: str
    pid: str
    serial: str
    virtual_account: str
    registered_wall: float
    kind: str  # "classic" (registered with a token) | "slp" (reported usage)
    license: str
    license_consumed: bool


CSLU_PATH = "/cslu/v1/pi/"


@dataclass
class Satellite:
    host: str
    account: str
    virtual_accounts: dict[str, VirtualAccount] = field(default_factory=dict)
    tokens: list[Token] = field(default_factory=list)
    product_instances: dict[str, ProductInstance] = field(default_factory=dict)  # by serial
    default_virtual_account: str | None = None  # isDefault in the API; None: the first one
    pki: SatellitePki | None = None  # its TLS identity (CA + server certificate)
    identity_enforced: bool = False  # switches check its certificate (else: the lab's TLS is not checked)
    aliases: tuple[str, ...] = ()  # other host names that resolve to it but are not on its certificate
    # the port of its HTTPS endpoint on 127.0.0.1 (mock_devices.satellite_tls), when one is served:
    # its URLs are then https://127.0.0.1:<port>/..., reachable for real from where fleetreg runs
    port: int | None = None

    @property
    def _authority(self) -> str:
        return f"{SATELLITE_IP}:{self.port}" if self.port is not None else self.host

    def _with_port(self, host: str) -> str:
        return f"{host}:{self.port}" if self.port is not None else host

    @property
    def callhome_url(self) -> str:
        return f"https://{self._authority}/Transportgateway/services/DeviceRequestHandler"

    @property
    def default_va(self) -> str | None:
        return self.default_virtual_account or next(iter(self.virtual_accounts), None)

    @property
    def cslu_tenant(self) -> str:
        """The default virtual account's tenant (what one fleet-wide tenant setting points at)."""
        va = self.default_va
        return self.virtual_accounts[va].cslu_tenant if va is not None else ""

    @property
    def cslu_url(self) -> str:
        """The default virtual account's CSLU URL."""
        return f"https://{self._authority}{CSLU_PATH}{self.cslu_tenant}"

    def cslu_url_for(self, virtual_account: str) -> str:
        return f"https://{self._authority}{CSLU_PATH}{self.virtual_accounts[virtual_account].cslu_tenant}"

    @property
    def reachable_hosts(self) -> tuple[str, ...]:
        """Every host name a switch can use to reach it: its name, its address, its aliases."""
        return (self.host, SATELLITE_IP, *self.aliases)

    def callhome_urls(self) -> frozenset[str]:
        return frozenset(
            f"https://{self._with_port(h)}/Transportgateway/services/DeviceRequestHandler" for h in self.reachable_hosts
        )

    def cslu_tenant_in(self, url: str) -> str | None:
        """The tenant of a URL that reaches the satellite's CSLU endpoint (known to it or not), or
        None when the URL does not reach it (another host or port, not https, not /cslu/v1/pi/...)."""
        parts = urlsplit(url)
        authorities = {self._with_port(h).lower() for h in self.reachable_hosts}
        if parts.scheme.lower() != "https" or parts.netloc.lower() not in authorities:
            return None
        if not parts.path.startswith(CSLU_PATH) or parts.query or parts.fragment:
            return None
        tenant = parts.path[len(CSLU_PATH) :]
        return tenant if tenant and "/" not in tenant else None

    def reaches_cslu(self, url: str) -> bool:
        return self.cslu_tenant_in(url) is not None

    def virtual_account_of_tenant(self, tenant: str) -> str | None:
        wanted = unquote(tenant)
        return next((va.name for va in self.virtual_accounts.values() if unquote(va.cslu_tenant) == wanted), None)

    @property
    def tls_pki(self) -> SatellitePki | None:
        """The PKI switches validate against, or None when the fleet does not enforce TLS identity."""
        return self.pki if self.identity_enforced else None

    def token(self, value: str) -> Token | None:
        return next((t for t in self.tokens if t.value == value), None)

    def valid_token_for(self, virtual_account: str, now_wall: float) -> Token | None:
        return next(
            (
                t
                for t in self.tokens
                if t.virtual_account == virtual_account and t.expires_wall > now_wall and t.used < t.allowed_uses
            ),
            None,
        )

    def _consume_license(self, virtual_account: str, license_name: str) -> bool:
        pool = self.virtual_accounts[virtual_account].licenses.get(license_name)
        if pool is None or pool.in_use >= pool.total:
            return False
        pool.in_use += 1
        return True

    def _release(self, instance: ProductInstance) -> None:
        if instance.license_consumed:
            pool = self.virtual_accounts[instance.virtual_account].licenses.get(instance.license)
            if pool is not None and pool.in_use > 0:
                pool.in_use -= 1

    def record_product_instance(
        self, hostname: str, pid: str, serial: str, virtual_account: str, license_name: str, now_wall: float, kind: str
    ) -> bool:
        previous = self.product_instances.pop(serial, None)
        if previous is not None:
            self._release(previous)
        consumed = self._consume_license(virtual_account, license_name)
        self.product_instances[serial] = ProductInstance(
            hostname, pid, serial, virtual_account, now_wall, kind, license_name, consumed
        )
        return consumed

    def register(
        self, token_value: str, *, hostname: str, pid: str, serial: str, license_name: str, now_wall: float
    ) -> RegistrationOutcome:
        """A classic registration request arriving over call-home."""
        token = self.token(token_value)
        if token is None:
            return RegistrationOutcome(ok=False, failure_reason=TOKEN_INVALID)
        if token.expires_wall <= now_wall:
            return RegistrationOutcome(ok=False, failure_reason=TOKEN_EXPIRED)
        if token.used >= token.allowed_uses:
            return RegistrationOutcome(ok=False, failure_reason=TOKEN_USED_UP)
        token.used += 1
        consumed = self.record_product_instance(
            hostname, pid, serial, token.virtual_account, license_name, now_wall, "classic"
        )
        return RegistrationOutcome(
            ok=True,
            smart_account=self.account,
            virtual_account=token.virtual_account,
            authorized=consumed,
            export_allowed=token.export_controlled,
        )

    def deregister(self, serial: str) -> bool:
        instance = self.product_instances.pop(serial, None)
        if instance is None:
            return False
        self._release(instance)
        return True

    def report_usage(
        self, *, tenant: str, hostname: str, pid: str, serial: str, license_name: str, now_wall: float
    ) -> SlpAck | None:
        """An SLP usage report posted to /cslu/v1/pi/<tenant>: the product instance lands in (or
        moves to) that tenant's virtual account. None: an unknown tenant, the report is refused."""
        target = self.virtual_account_of_tenant(tenant)
        if target is None:
            return None
        existing = self.product_instances.get(serial)
        if existing is None or existing.virtual_account != target:
            self.record_product_instance(hostname, pid, serial, target, license_name, now_wall, "slp")
        return SlpAck(self.account, target)

    def dump(self) -> dict[str, object]:
        return {
            "account": self.account,
            "host": self.host,
            "callhome_url": self.callhome_url,
            "cslu_url": self.cslu_url,
            "cslu_tenants": {name: va.cslu_tenant for name, va in self.virtual_accounts.items()},
            "identity_enforced": self.identity_enforced,
            "ca_fingerprint_sha1": self.pki.ca_fingerprint_sha1 if self.pki is not None else None,
            "virtual_accounts": {
                name: {lic: {"total": p.total, "in_use": p.in_use} for lic, p in va.licenses.items()}
                for name, va in self.virtual_accounts.items()
            },
            "tokens": [
                {
                    "virtual_account": t.virtual_account,
                    "expires": ios_time(t.expires_wall),
                    "allowed_uses": t.allowed_uses,
                    "used": t.used,
                    "export_controlled": t.export_controlled,
                }
                for t in self.tokens
            ],
            "product_instances": [
                {**asdict(pi), "registered": ios_time(pi.registered_wall)} for pi in self.product_instances.values()
            ],
        }
