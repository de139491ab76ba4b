"""The emulated Cisco cloud (CSSM) as switches registered to it see it: one smart account with
one virtual account, its registration tokens, and the product instances registered to it. A
classic switch reaches it through the call-home profile CiscoTAC-1 (its default destination,
tools.cisco.com) when the fleet has a way out (`reachable`); the lab's satellite never answers
for it. fleetreg uses it only to put a switch back where it was after a failed migration."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from mock_devices.config import CISCO_TAC_URL
from mock_devices.licensing import RegistrationOutcome
from mock_devices.satellite import TOKEN_EXPIRED, TOKEN_INVALID, TOKEN_USED_UP, Token

CLOUD_URLS = frozenset({CISCO_TAC_URL})


@dataclass
class CloudInstance:
    hostname: str
    pid: str
    serial: str
    registered_wall: float


@dataclass
class Cloud:
    smart_account: str
    virtual_account: str
    reachable: bool = True  # the switches have a path to tools.cisco.com (direct or a proxy)
    tokens: list[Token] = field(default_factory=list)
    instances: dict[str, CloudInstance] = field(default_factory=dict)  # by serial

    def urls(self) -> frozenset[str]:
        """The call-home URLs that reach the cloud from a switch (none without a way out)."""
        return CLOUD_URLS if self.reachable else frozenset()

    def record(self, hostname: str, pid: str, serial: str, now_wall: float) -> None:
        self.instances[serial] = CloudInstance(hostname, pid, serial, now_wall)

    def register(
        self, token_value: str, *, hostname: str, pid: str, serial: str, now_wall: float
    ) -> RegistrationOutcome:
        """A classic registration request arriving from CiscoTAC-1."""
        token = next((t for t in self.tokens if t.value == token_value), None)
        if token is None:
            return RegistrationOutcome(ok=False, failure_reason=TOKEN_INVALID, authority="cloud")
        if token.expires_wall <= now_wall:
            return RegistrationOutcome(ok=False, failure_reason=TOKEN_EXPIRED, authority="cloud")
        if token.used >= token.allowed_uses:
            return RegistrationOutcome(ok=False, failure_reason=TOKEN_USED_UP, authority="cloud")
        token.used += 1
        self.record(hostname, pid, serial, now_wall)
        return RegistrationOutcome(
            ok=True,
            smart_account=self.smart_account,
            virtual_account=self.virtual_account,
            export_allowed=token.export_controlled,
            authority="cloud",
        )

    def deregister(self, serial: str) -> bool:
        return self.instances.pop(serial, None) is not None

    def valid_token(self, now_wall: float) -> Token | None:
        return next((t for t in self.tokens if t.expires_wall > now_wall and t.used < t.allowed_uses), None)

    def dump(self) -> dict[str, object]:
        return {
            "smart_account": self.smart_account,
            "virtual_account": self.virtual_account,
            "reachable": self.reachable,
            "product_instances": [asdict(i) for i in self.instances.values()],
        }
