"""The emulated SSM On-Prem satellite: one local account, virtual accounts with license pools,
registration tokens, and the product instances registered (classic) or reported (SLP)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

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


@dataclass
class Satellite:
    host: str
    account: str
    cslu_tenant: str
    virtual_accounts: dict[str, VirtualAccount] = field(default_factory=dict)
    tokens: list[Token] = field(default_factory=list)
    product_instances: dict[str, ProductInstance] = field(default_factory=dict)  # by serial
    tenant_virtual_account: str | None = None  # VA bound to the CSLU tenant
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
    def cslu_url(self) -> str:
        return f"https://{self._authority}/cslu/v1/pi/{self.cslu_tenant}"

    @property
    def reachable_hosts(self) -> tuple[str, ...]:
        """Every host name a switch can use to reach it: its name, its address, its aliases."""
        return (self.host, SATELLITE_IP, *self.aliases)

    def callhome_urls(self) -> frozenset[str]:
        return frozenset(
            f"https://{self._with_port(h)}/Transportgateway/services/DeviceRequestHandler" for h in self.reachable_hosts
        )

    def cslu_urls(self) -> frozenset[str]:
        return frozenset(f"https://{self._with_port(h)}/cslu/v1/pi/{self.cslu_tenant}" for h in self.reachable_hosts)

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
        self,
        *,
        hostname: str,
        pid: str,
        serial: str,
        license_name: str,
        now_wall: float,
        virtual_account: str | None = None,
    ) -> SlpAck | None:
        """An SLP usage report on the CSLU endpoint: lands in the VA bound to the tenant unless
        the product instance already sits in (or the fleet spec assigns) another VA."""
        existing = self.product_instances.get(serial)
        target = virtual_account or (existing.virtual_account if existing else None) or self.tenant_virtual_account
        if target is None or target not in self.virtual_accounts:
            return None
        if existing is None or existing.virtual_account != target:
            self.record_product_instance(hostname, pid, serial, target, license_name, now_wall, "slp")
        return SlpAck(self.account, target)

    def dump(self) -> dict[str, object]:
        return {
            "account": self.account,
            "host": self.host,
            "callhome_url": self.callhome_url,
            "cslu_url": self.cslu_url,
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
