"""Typed HTTPS client for the satellite's API (SSM On-Prem API toolkit).

OAuth client credentials with a cached bearer, refreshed shortly before it expires and once
more on a 401; retries with exponential backoff and jitter on 429 (Retry-After honoured) and
5xx; timeouts. Every failure is a one-line SatelliteError naming the satellite and what was
asked, never the client secret, the bearer or a registration token."""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from fleetreg.core.errors import exception_chain
from fleetreg.core.satellite_models import (
    BearerToken,
    LicenseUsage,
    ProductInstanceInfo,
    RegistrationToken,
    SatelliteAuthError,
    SatelliteError,
    SatelliteNotFoundError,
    SatelliteTlsError,
    SatelliteUnreachableError,
    VirtualAccountInfo,
)
from pydantic import BaseModel, ValidationError

RETRYABLE_5XX = frozenset({500, 502, 503, 504})
RETRY_AFTER_CAP_S = 120.0
BEARER_SKEW_MAX_S = 30.0
MessageModel = TypeVar("MessageModel", bound=BaseModel)


# --- the client ------------------------------------------------------------------------------


def _tls_context(ca_file: str | None, verify_tls: bool, where: str) -> ssl.SSLContext | bool:
    if not verify_tls:
        return False
    try:
        return ssl.create_default_context(cafile=ca_file)
    except FileNotFoundError:
        raise SatelliteTlsError(f"{where}: CA file {ca_file} not found", field="satellite_api.ca_file") from None
    except (ssl.SSLError, OSError, ValueError):
        raise SatelliteTlsError(
            f"{where}: CA file {ca_file} is not a PEM certificate bundle", field="satellite_api.ca_file"
        ) from None


def _tls_failure(exc: BaseException) -> str | None:
    """The reason when `exc` is a TLS failure (certificate verify, handshake), else None."""
    for item in exception_chain(exc):
        if isinstance(item, ssl.SSLCertVerificationError):
            return f"certificate verify failed: {item.verify_message or item.reason}"
        if isinstance(item, ssl.SSLError):
            return f"TLS handshake failed: {item.reason or type(item).__name__}"
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return "certificate verify failed"
    return None


def _transport_reason(exc: httpx.TransportError, timeout: float) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connect timed out after {timeout:g}s"
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {timeout:g}s"
    for item in exception_chain(exc):
        if isinstance(item, ConnectionRefusedError):
            return "connection refused"
        if isinstance(item, OSError) and item.strerror:
            return item.strerror.lower()
    return type(exc).__name__


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - dt.datetime.now(dt.UTC)).total_seconds()
    return min(max(seconds, 0.0), RETRY_AFTER_CAP_S)


def _short_message(response: httpx.Response) -> str:
    """The server's own short explanation (error/message fields), one line, at most 160 chars."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    text = body.get("message") or body.get("error_description") or body.get("error") or ""
    return " ".join(str(text).split())[:160]


class SatelliteClient:
    """One satellite account over its API. Use as a context manager (or call close())."""

    def __init__(
        self,
        base_url: str,
        account: str,
        client_id: str,
        client_secret: str,
        ca_file: str | None = None,
        timeout: float = 15.0,
        retries: int = 4,
        *,
        verify_tls: bool = True,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.account = account
        self.where = f"satellite API {self.base_url}"
        self.ca_file = ca_file
        self.timeout = timeout
        self.retries = retries
        self._client_id = client_id
        self._client_secret = client_secret
        self._backoff_base = backoff_base_s
        self._backoff_cap = backoff_cap_s
        self._sleep = sleep
        self._monotonic = monotonic
        self._jitter = jitter
        self._bearer: str | None = None
        self._bearer_refresh_at = 0.0
        self._bearer_lock = threading.Lock()  # one client may serve several threads
        self.bearer_fetches = 0  # how many bearers this client obtained
        self.waits: list[float] = []  # every backoff slept, in seconds
        self._http = httpx.Client(
            base_url=self.base_url,
            verify=_tls_context(ca_file, verify_tls, self.where),
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json", "User-Agent": "fleetreg"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"SatelliteClient(base_url={self.base_url!r}, account={self.account!r})"

    def __enter__(self) -> SatelliteClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- API calls --

    def virtual_accounts(self) -> list[VirtualAccountInfo]:
        body = self._get_json("GET", self._account_path("virtual-accounts"), what="virtual accounts")
        return self._parse_list(VirtualAccountInfo, body, "virtualAccounts", "virtual accounts")

    def tokens(self, virtual_account: str) -> list[RegistrationToken]:
        what = f"tokens of virtual account {virtual_account!r}"
        body = self._get_json("GET", self._va_path(virtual_account, "tokens"), what=what)
        return self._parse_list(RegistrationToken, body, "tokens", what)

    def create_token(
        self,
        virtual_account: str,
        description: str = "fleetreg",
        expires_after_days: int = 30,
        export_controlled: bool = False,
    ) -> RegistrationToken:
        what = f"new token in virtual account {virtual_account!r}"
        payload = {
            "description": description,
            "expiresAfterDays": expires_after_days,
            "exportControlled": "Allowed" if export_controlled else "Not Allowed",
        }
        # not idempotent: a retried POST after a 5xx or a timeout could create a second token
        body = self._get_json(
            "POST", self._va_path(virtual_account, "tokens"), what=what, json=payload, idempotent=False
        )
        info = body.get("tokenInfo") if isinstance(body, dict) else None
        return self._parse(RegistrationToken, info, what)

    def devices(self, virtual_account: str) -> list[ProductInstanceInfo]:
        what = f"product instances of virtual account {virtual_account!r}"
        body = self._get_json("GET", self._va_path(virtual_account, "devices"), what=what)
        return self._parse_list(ProductInstanceInfo, body, "devices", what)

    def license_usage(self, virtual_accounts: Sequence[str] | None = None) -> list[LicenseUsage]:
        payload = {"virtualAccounts": list(virtual_accounts)} if virtual_accounts else {}
        body = self._get_json("POST", self._account_path("licenses"), what="license usage", json=payload)
        return self._parse_list(LicenseUsage, body, "licenses", "license usage")

    # -- plumbing --

    def _account_path(self, tail: str) -> str:
        return f"/api/v1/accounts/{quote(self.account, safe='')}/{tail}"

    def _va_path(self, virtual_account: str, tail: str) -> str:
        return self._account_path(f"virtual-accounts/{quote(virtual_account, safe='')}/{tail}")

    def _get_json(self, method: str, path: str, *, what: str, json: Any = None, idempotent: bool = True) -> Any:
        response = self._send(method, path, what=what, json=json, idempotent=idempotent, auth=True)
        try:
            return response.json()
        except ValueError:
            raise SatelliteError(f"{self.where}: answer to {what} is not JSON") from None

    def _parse(self, model: type[MessageModel], data: Any, what: str) -> MessageModel:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"]) or "(top level)"
            raise SatelliteError(f"{self.where}: unexpected answer to {what}: {where}: {error['msg']}") from None

    def _parse_list(self, model: type[MessageModel], body: Any, key: str, what: str) -> list[MessageModel]:
        items = body.get(key) if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise SatelliteError(f"{self.where}: unexpected answer to {what}: no {key!r} list")
        return [self._parse(model, item, what) for item in items]

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self._backoff_cap, self._backoff_base * 2**attempt)
        return ceiling * (0.5 + 0.5 * self._jitter())

    def _wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self._sleep(seconds)

    def _bearer_header(self) -> dict[str, str]:
        with self._bearer_lock:
            if self._bearer is None or self._monotonic() >= self._bearer_refresh_at:
                self._fetch_bearer()
            return {"Authorization": f"Bearer {self._bearer}"}

    def _fetch_bearer(self) -> None:
        self._bearer = None
        form = {"grant_type": "client_credentials", "client_id": self._client_id, "client_secret": self._client_secret}
        started = self._monotonic()
        response = self._send("POST", "/oauth/token", what="a bearer token", data=form, idempotent=True, auth=False)
        try:
            grant = BearerToken.model_validate(response.json())
        except (ValueError, ValidationError):
            raise SatelliteError(f"{self.where}: unexpected answer from /oauth/token (no access_token)") from None
        self._bearer = grant.access_token
        skew = min(BEARER_SKEW_MAX_S, grant.expires_in * 0.1)
        self._bearer_refresh_at = started + grant.expires_in - skew
        self.bearer_fetches += 1

    def _send(
        self,
        method: str,
        path: str,
        *,
        what: str,
        json: Any = None,
        data: dict[str, str] | None = None,
        idempotent: bool,
        auth: bool,
    ) -> httpx.Response:
        refreshed = False
        attempt = 0
        while True:
            headers = self._bearer_header() if auth else {}
            try:
                response = self._http.request(method, path, json=json, data=data, headers=headers)
            except httpx.TransportError as exc:
                reason = _tls_failure(exc)
                if reason is not None:
                    ca = f"CA file {self.ca_file}" if self.ca_file else "the system CA store"
                    raise SatelliteTlsError(f"{self.where}: {reason} (trusting {ca})") from None
                if idempotent and attempt < self.retries:
                    self._wait(self._backoff(attempt))
                    attempt += 1
                    continue
                reason = _transport_reason(exc, self.timeout)
                raise SatelliteUnreachableError(
                    f"{self.where}: unreachable ({reason}) asking for {what}, {attempt + 1} attempt(s)"
                ) from None
            status = response.status_code
            if status == 401 and auth and not refreshed:
                refreshed = True  # expired or revoked bearer: one fresh bearer, then give up
                self._bearer = None
                continue
            retryable = status == 429 or (status in RETRYABLE_5XX and idempotent)
            if retryable and attempt < self.retries:
                delay = _retry_after(response) if status == 429 else None
                self._wait(delay * (1 + 0.1 * self._jitter()) if delay else self._backoff(attempt))
                attempt += 1
                continue
            if status < 400:
                return response
            raise self._status_error(response, what, attempt + 1, auth)

    def _status_error(self, response: httpx.Response, what: str, attempts: int, auth: bool) -> SatelliteError:
        status = response.status_code
        server_says = _short_message(response)
        if not auth and status in (400, 401, 403):
            return SatelliteAuthError(
                f"{self.where}: bad client credentials (HTTP {status} on /oauth/token): check the client id and "
                f"secret references"
            )
        if status in (401, 403):
            return SatelliteAuthError(f"{self.where}: bearer token refused (HTTP {status}) asking for {what}")
        if status == 404:
            detail = server_says or f"{what} not found"
            return SatelliteNotFoundError(f"{self.where}: {detail} (HTTP 404; account {self.account!r})")
        if status == 429:
            return SatelliteError(f"{self.where}: rate-limited (HTTP 429) asking for {what}, gave up after {attempts}")
        suffix = f": {server_says}" if server_says else ""
        return SatelliteError(f"{self.where}: HTTP {status} asking for {what} after {attempts} attempt(s){suffix}")
