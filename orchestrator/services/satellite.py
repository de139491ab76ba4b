"""What plan / apply / verify do with the satellite API: pure decisions plus thin calls.

- `client_from_settings`: a SatelliteClient from `fleetreg.satellite_api` (secrets by reference).
- `ApiTokenSource`: the registration token per virtual account for `token_source: api`.
(The pure decisions, pre-flight and post-check, are in fleetreg.core.licenses.)
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from fleetreg.core.cli_text import token_problem
from fleetreg.core.errors import SecretError
from fleetreg.core.inventory_model import Inventory
from fleetreg.core.licenses import token_problem_on_satellite
from fleetreg.core.satellite_models import LicenseUsage, ProductInstanceInfo, RegistrationToken, SatelliteError
from fleetreg.core.settings import SatelliteApiSettings
from fleetreg.shell.secrets import resolve_ref, resolve_token

if TYPE_CHECKING:
    from fleetreg.shell.satellite_client import SatelliteClient

TokenOrigin = Literal["reused", "created"]


# --- settings -> client ----------------------------------------------------------------------


def client_from_settings(
    api: SatelliteApiSettings,
    *,
    environ: Mapping[str, str] | None = None,
    secrets_file: Path | None = None,
) -> SatelliteClient:
    from fleetreg.shell.satellite_client import SatelliteClient  # httpx loads only for runs that use the API

    client_id = resolve_ref(
        api.client_id_ref, field="satellite_api.client_id_ref", environ=environ, secrets_file=secrets_file
    )
    return SatelliteClient(
        api.base_url,
        api.account,
        client_id,
        resolve_ref(
            api.client_secret_ref, field="satellite_api.client_secret_ref", environ=environ, secrets_file=secrets_file
        ),
        ca_file=api.ca_file,
        timeout=api.timeout_s,
        retries=api.retries,
        verify_tls=api.verify_tls,
    )


def satellite_apis(inventory: Inventory) -> list[SatelliteApiSettings]:
    """The distinct satellite APIs the inventory's hosts configure."""
    apis = {
        h.settings.satellite_api.model_dump_json(): h.settings.satellite_api
        for h in inventory.hosts
        if h.settings.satellite_api
    }
    return list(apis.values())


def satellite_license_usage(inventory: Inventory, secrets_file: Path | None) -> list[LicenseUsage] | None:
    """License usage from the satellite's API, when the inventory configures one (else None)."""
    apis = satellite_apis(inventory)
    if not apis:
        return None
    usage: list[LicenseUsage] = []
    for api in apis:
        with client_from_settings(api, secrets_file=secrets_file) as client:
            usage.extend(client.license_usage())
    return usage


def satellite_va_tenants(inventory: Inventory, secrets_file: Path | None) -> dict[str, str] | None:
    """Virtual account -> its CSLU tenant, from the satellite's API when the inventory configures
    one and the API tells tenants (else None: the plan checks tenants among themselves only)."""
    tenants: dict[str, str] = {}
    told = False
    for api in satellite_apis(inventory):
        with client_from_settings(api, secrets_file=secrets_file) as client:
            for va in client.virtual_accounts():
                if va.cslu_tenant is not None:
                    told = True
                    tenants[va.name] = va.cslu_tenant
    return tenants if told else None


def unusable_tokens(inventory: Inventory, secrets_file: Path | None) -> dict[str, str]:
    """Hosts whose registration token (from the environment or the secrets file) the satellite's
    API says cannot register them -> why (never the token): not a token of their virtual
    account, expired, revoked, or without a use left for each switch that shares it. Hosts
    without `satellite_api`, or whose token does not resolve (reported elsewhere), are skipped."""
    groups: dict[tuple[str, str, str], list[str]] = {}  # (api, virtual account, token ref) -> hosts
    apis: dict[str, SatelliteApiSettings] = {}
    for entry in inventory.hosts:
        s = entry.settings
        if s.satellite_api is None or s.uses_api_tokens or not s.token_ref:
            continue
        key = s.satellite_api.model_dump_json()
        apis[key] = s.satellite_api
        groups.setdefault((key, s.virtual_account, s.token_ref), []).append(entry.name)
    problems: dict[str, str] = {}
    for key, api in apis.items():
        with client_from_settings(api, secrets_file=secrets_file) as client:
            listed: dict[str, list[RegistrationToken]] = {}
            for (api_key, va, ref), hosts in groups.items():
                if api_key != key:
                    continue
                try:
                    token = resolve_token(ref, secrets_file=secrets_file)
                except SecretError:
                    continue
                if va not in listed:
                    listed[va] = client.tokens(va)
                problem = token_problem_on_satellite(token, va, listed[va], now=_utcnow(), needed_uses=len(hosts))
                if problem is not None:
                    problems.update({host: f"the registration token {ref} {problem}" for host in hosts})
    return problems


# --- registration tokens ---------------------------------------------------------------------


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def choose_reusable_token(
    tokens: Sequence[RegistrationToken],
    *,
    now: dt.datetime,
    min_valid: dt.timedelta,
    needed_uses: int,
    export_controlled: bool,
) -> RegistrationToken | None:
    """The token valid longest among those still valid for `min_valid`, with `needed_uses` uses
    left and the wanted export-control setting; None when none qualifies."""
    usable = [
        t
        for t in tokens
        if t.status.upper() not in ("EXPIRED", "USED_UP", "REVOKED")
        and t.expiration_date - now >= min_valid
        and (t.uses_left is None or t.uses_left >= needed_uses)
        and t.export_controlled == export_controlled
    ]
    return max(usable, key=lambda t: t.expiration_date, default=None)


class ApiTokenSource:
    """Registration tokens from the satellite API, one per virtual account for the whole run:
    an existing valid token is reused, else one is created. Held in memory only (never written,
    never in repr); safe to call from worker threads."""

    def __init__(
        self,
        client: SatelliteClient,
        *,
        description: str = "fleetreg",
        expires_after_days: int = 30,
        export_controlled: bool = False,
        min_valid: dt.timedelta = dt.timedelta(days=1),
        now: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self._client = client
        self._description = description
        self._expires_after_days = expires_after_days
        self._export_controlled = export_controlled
        self._min_valid = min_valid
        self._now = now
        self._tokens: dict[str, str] = {}
        self.origins: dict[str, TokenOrigin] = {}  # virtual account -> "reused" | "created"
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ApiTokenSource(virtual_accounts={sorted(self._tokens)})"

    def token_for(self, virtual_account: str, needed_uses: int = 1) -> str:
        """The token for `virtual_account`. `needed_uses`: registrations this run will make in it
        (ask once with the VA's host count; later calls return the cached token)."""
        with self._lock:
            cached = self._tokens.get(virtual_account)
            if cached is not None:
                return cached
            reusable = choose_reusable_token(
                self._client.tokens(virtual_account),
                now=self._now(),
                min_valid=self._min_valid,
                needed_uses=needed_uses,
                export_controlled=self._export_controlled,
            )
            origin: TokenOrigin
            if reusable is not None:
                token, origin = reusable, "reused"
            else:
                token = self._client.create_token(
                    virtual_account,
                    description=self._description,
                    expires_after_days=self._expires_after_days,
                    export_controlled=self._export_controlled,
                )
                origin = "created"
            if problem := token_problem(token.token):
                raise SatelliteError(
                    f"the satellite API's registration token for virtual account {virtual_account!r} {problem}",
                    field="token",
                )
            self._tokens[virtual_account] = token.token
            self.origins[virtual_account] = origin
            return token.token


def devices_by_virtual_account(
    client: SatelliteClient, virtual_accounts: Iterable[str] | None = None
) -> dict[str, list[ProductInstanceInfo]]:
    """Product instances of the given VAs (default: every VA of the account, so a switch in the
    wrong VA is named as such)."""
    names = list(virtual_accounts) if virtual_accounts is not None else [va.name for va in client.virtual_accounts()]
    return {name: client.devices(name) for name in names}


# --- status (fleetreg satellite status) ------------------------------------------------------


class VirtualAccountStatus(NamedTuple):
    name: str
    is_default: bool
    licenses: list[LicenseUsage]
    devices: list[ProductInstanceInfo]

    @property
    def total(self) -> int:
        return sum(row.quantity for row in self.licenses)

    @property
    def in_use(self) -> int:
        return sum(row.in_use for row in self.licenses)

    @property
    def available(self) -> int:
        return sum(row.available for row in self.licenses)


class SatelliteStatus(NamedTuple):
    base_url: str
    account: str
    virtual_accounts: list[VirtualAccountStatus]

    def document(self) -> dict[str, object]:
        """JSON-ready: accounts, VAs with license totals, pools and product instances."""
        return {
            "base_url": self.base_url,
            "account": self.account,
            "virtual_accounts": [
                {
                    "name": va.name,
                    "is_default": va.is_default,
                    "licenses_total": va.total,
                    "licenses_in_use": va.in_use,
                    "licenses_available": va.available,
                    "product_instance_count": len(va.devices),
                    "licenses": [row.model_dump(mode="json") for row in va.licenses],
                    "product_instances": [device.model_dump(mode="json") for device in va.devices],
                }
                for va in self.virtual_accounts
            ],
        }


def fetch_status(client: SatelliteClient) -> SatelliteStatus:
    """Virtual accounts, license usage and product instances of the client's account."""
    accounts = client.virtual_accounts()
    usage = client.license_usage()
    vas = [
        VirtualAccountStatus(
            va.name,
            va.is_default,
            [row for row in usage if row.virtual_account == va.name],
            client.devices(va.name),
        )
        for va in accounts
    ]
    return SatelliteStatus(client.base_url, client.account, vas)
