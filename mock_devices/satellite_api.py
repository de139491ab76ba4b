"""The emulated satellite's HTTPS API, shaped like SSM On-Prem's API toolkit.

It serves the SAME `Satellite` object the switches register with, on the SAME asyncio loop as
the SSH fleet (BackgroundServer / `serve` run it there), so the satellite is only ever touched
from one thread and needs no lock.

    POST /oauth/token                                            client credentials -> bearer
    GET  /api/v1/accounts/{account}/virtual-accounts               names, isDefault, cslu_tenant, cslu_url
    GET  /api/v1/accounts/{account}/virtual-accounts/{va}/tokens
    POST /api/v1/accounts/{account}/virtual-accounts/{va}/tokens  {description, expiresAfterDays,
                                                                   exportControlled} -> tokenInfo.token
    GET  /api/v1/accounts/{account}/virtual-accounts/{va}/devices  product instances
    POST /api/v1/accounts/{account}/licenses                       {virtualAccounts: [...]} -> usage

401 on a bad or expired bearer, 404 on an unknown account / VA, 429 when rate-limited.
`respond()` is the synchronous core (request in, response out); the rest is a small HTTP/1.1
server over asyncio streams with TLS with the satellite's own certificate (its PKI), or a CA generated at start.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import secrets
import socket
import ssl
import string
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from mock_devices.licensing import DAY
from mock_devices.pki import SatellitePki
from mock_devices.satellite import Satellite, Token
from mock_devices.spec import SatelliteApiSpec

API_ADDRESS = "127.0.0.1"
CA_FILE_NAME = "satellite-ca.pem"
MAX_BODY_BYTES = 1 << 20
MAX_HEADER_LINES = 100
IDLE_TIMEOUT_S = 30.0
DEFAULT_MAX_USES = 9999
REASONS = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


# --- TLS material ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TlsMaterial:
    """A self-signed CA and a server certificate it signed (PEM)."""

    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes = field(repr=False)


def generate_tls(host: str, *, ip: str = API_ADDRESS) -> TlsMaterial:
    """A fresh CA + server certificate for `host` (DNS SAN) and `ip` (IP SAN)."""
    return _material(SatellitePki.generate(host, ip=ip))


def _material(pki: SatellitePki) -> TlsMaterial:
    return TlsMaterial(pki.ca_pem.encode(), pki.server_cert_pem.encode(), pki.server_key_pem.encode())


def tls_for(satellite: Satellite) -> TlsMaterial:
    """The satellite's own TLS identity (its PKI: the CA the switches trust, one server certificate
    for call-home, CSLU and the API, as on a real SSM On-Prem), else a fresh CA."""
    return _material(satellite.pki or SatellitePki.for_host(satellite.host))


def server_ssl_context(material: TlsMaterial) -> ssl.SSLContext:
    """ssl can only load a key from a file: write it to a private temporary folder, load, delete."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    with tempfile.TemporaryDirectory(prefix="fleetreg-sat-tls-") as folder:
        cert_file, key_file = Path(folder) / "server.pem", Path(folder) / "server.key"
        cert_file.write_bytes(material.cert_pem)
        key_file.touch(mode=0o600)
        key_file.write_bytes(material.key_pem)
        context.load_cert_chain(cert_file, key_file)
    return context


def bind_api_socket(port: int = 0) -> socket.socket:
    """A listening TCP socket on 127.0.0.1 (port 0: a free one), bound before the loop starts."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((API_ADDRESS, port))
        sock.listen(128)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


# --- the synchronous core --------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # without the query string
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    body: bytes = b""


@dataclass(frozen=True)
class Response:
    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)

    def encode(self, *, close: bool) -> bytes:
        payload = json.dumps(self.body).encode("utf-8")
        lines = [f"HTTP/1.1 {self.status} {REASONS.get(self.status, 'Status')}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        lines += [
            "Content-Type: application/json",
            f"Content-Length: {len(payload)}",
            f"Connection: {'close' if close else 'keep-alive'}",
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


def _error(status: int, error: str, message: str, **headers: str) -> Response:
    return Response(status, {"error": error, "message": message}, headers)


def iso_time(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _new_token_value() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(86)) + "%0A"


@dataclass
class _Bearer:
    client_id: str
    expires_mono: float


class SatelliteApi:
    """The API over `satellite`. `respond()` must run on the loop thread that owns the fleet."""

    def __init__(
        self,
        satellite: Satellite,
        spec: SatelliteApiSpec | None = None,
        *,
        tls: TlsMaterial | None = None,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        sock: socket.socket | None = None,
    ) -> None:
        self.satellite = satellite
        self.spec = spec or SatelliteApiSpec()
        self.tls = tls or tls_for(satellite)
        self._wall = wall
        self._monotonic = monotonic
        self._sock = sock
        self._bearers: dict[str, _Bearer] = {}
        self._descriptions: dict[str, str] = {}  # token value -> description given at creation
        self.hidden_devices: set[str] = set(self.spec.hide_devices)
        self._bucket = float(self.spec.rate_limit_burst)
        self._bucket_at = monotonic()
        self._injected: list[int] = []  # statuses for the next requests (fault injection)
        self.counts: Counter[str] = Counter()  # "POST /oauth/token", "status 429", ...
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.port: int | None = sock.getsockname()[1] if sock is not None else None

    # -- fault injection and inspection (call on the loop thread, e.g. MockFleet.call) --

    def inject_failures(self, status: int, count: int = 1) -> None:
        """The next `count` requests answer `status` (e.g. 503) before anything else is checked."""
        self._injected.extend([status] * count)

    def expire_bearers(self) -> None:
        """Every issued bearer expires now (the client still believes it valid)."""
        now = self._monotonic()
        for bearer in self._bearers.values():
            bearer.expires_mono = min(bearer.expires_mono, now)

    def hide_device(self, serial_or_hostname: str) -> None:
        self.hidden_devices.add(serial_or_hostname)

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("SatelliteApi not started")
        return f"https://{API_ADDRESS}:{self.port}"

    # -- request handling --

    def respond(self, request: Request) -> Response:
        self.counts[f"{request.method} {_route_name(request.path)}"] += 1
        response = self._respond(request)
        self.counts[f"status {response.status}"] += 1
        return response

    def _respond(self, request: Request) -> Response:
        if self._injected:
            status = self._injected.pop(0)
            return _error(status, "injected", f"injected failure {status}")
        if not self._take_rate_token():
            retry = str(self.spec.retry_after_seconds)
            return _error(429, "too_many_requests", "rate limit exceeded", **{"Retry-After": retry})
        parts = [unquote(part) for part in request.path.strip("/").split("/")]
        if parts == ["oauth", "token"]:
            return self._oauth_token(request) if request.method == "POST" else _method_not_allowed()
        if len(parts) < 5 or parts[:3] != ["api", "v1", "accounts"]:
            return _error(404, "not_found", "no such resource")
        unauthorized = self._check_bearer(request)
        if unauthorized is not None:
            return unauthorized
        account, rest = parts[3], parts[4:]
        if account != self.satellite.account:
            return _error(404, "not_found", f"account {account!r} not found")
        if rest == ["licenses"]:
            return self._licenses(request) if request.method == "POST" else _method_not_allowed()
        if rest[0] != "virtual-accounts":
            return _error(404, "not_found", "no such resource")
        if len(rest) == 1:
            return self._virtual_accounts() if request.method == "GET" else _method_not_allowed()
        va = rest[1]
        if va not in self.satellite.virtual_accounts:
            return _error(404, "not_found", f"virtual account {va!r} not found in account {account!r}")
        if rest[2:] == ["tokens"]:
            if request.method == "GET":
                return self._tokens(va)
            if request.method == "POST":
                return self._create_token(va, request)
            return _method_not_allowed()
        if rest[2:] == ["devices"]:
            return self._devices(va) if request.method == "GET" else _method_not_allowed()
        return _error(404, "not_found", "no such resource")

    def _take_rate_token(self) -> bool:
        rate = self.spec.rate_limit_per_second
        if rate is None:
            return True
        now = self._monotonic()
        self._bucket = min(float(self.spec.rate_limit_burst), self._bucket + (now - self._bucket_at) * rate)
        self._bucket_at = now
        if self._bucket < 1.0:
            return False
        self._bucket -= 1.0
        return True

    def _oauth_token(self, request: Request) -> Response:
        params = dict(request.query)
        content_type = request.headers.get("content-type", "")
        if request.body and content_type.startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(request.body.decode("utf-8", "replace")))
        basic = _basic_credentials(request.headers.get("authorization", ""))
        if basic is not None:
            params.setdefault("client_id", basic[0])
            params.setdefault("client_secret", basic[1])
        if params.get("grant_type") != "client_credentials":
            return Response(400, {"error": "unsupported_grant_type", "error_description": "use client_credentials"})
        good_id = secrets.compare_digest(params.get("client_id", ""), self.spec.client_id)
        good_secret = secrets.compare_digest(params.get("client_secret", ""), self.spec.client_secret)
        if not (good_id and good_secret):
            return Response(401, {"error": "invalid_client", "error_description": "Bad client credentials"})
        now = self._monotonic()
        self._bearers = {k: b for k, b in self._bearers.items() if b.expires_mono > now}
        value = secrets.token_urlsafe(32)
        self._bearers[value] = _Bearer(self.spec.client_id, now + self.spec.bearer_seconds)
        return Response(
            200,
            {"access_token": value, "token_type": "bearer", "expires_in": self.spec.bearer_seconds, "scope": "read"},
            {"Cache-Control": "no-store"},
        )

    def _check_bearer(self, request: Request) -> Response | None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        bearer = self._bearers.get(value.strip()) if scheme.lower() == "bearer" else None
        if bearer is None:
            return _error(
                401, "invalid_token", "missing or unknown bearer token", **{"WWW-Authenticate": 'Bearer realm="ssm"'}
            )
        if bearer.expires_mono <= self._monotonic():
            return _error(
                401,
                "invalid_token",
                "access token expired",
                **{"WWW-Authenticate": 'Bearer error="invalid_token", error_description="expired"'},
            )
        return None

    def _virtual_accounts(self) -> Response:
        default = self.satellite.default_va
        return Response(
            200,
            {
                "virtualAccounts": [
                    {
                        "name": name,
                        "description": "",
                        "isDefault": name == default,
                        "cslu_tenant": va.cslu_tenant,  # SLP: https://<host>/cslu/v1/pi/<tenant> lands here
                        "cslu_url": self.satellite.cslu_url_for(name),
                    }
                    for name, va in self.satellite.virtual_accounts.items()
                ]
            },
        )

    def _token_document(self, token: Token) -> dict[str, Any]:
        now = self._wall()
        status = "EXPIRED" if token.expires_wall <= now else "USED_UP" if token.used >= token.allowed_uses else "ACTIVE"
        return {
            "token": token.value,
            "description": self._descriptions.get(token.value, ""),
            "expirationDate": iso_time(token.expires_wall),
            "exportControlled": "Allowed" if token.export_controlled else "Not Allowed",
            "maxUses": token.allowed_uses,
            "uses": token.used,
            "status": status,
        }

    def _tokens(self, va: str) -> Response:
        tokens = [self._token_document(t) for t in self.satellite.tokens if t.virtual_account == va]
        return Response(200, {"tokens": tokens})

    def _create_token(self, va: str, request: Request) -> Response:
        body = _json_body(request)
        if not isinstance(body, dict):
            return _error(400, "bad_request", "expected a JSON object")
        days = body.get("expiresAfterDays")
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
            return _error(400, "bad_request", "expiresAfterDays must be an integer from 1 to 365")
        description = body.get("description", "")
        if not isinstance(description, str) or len(description) > 100:
            return _error(400, "bad_request", "description must be text of at most 100 characters")
        export = body.get("exportControlled", False)
        if export in ("Allowed", "Not Allowed"):
            export = export == "Allowed"
        if not isinstance(export, bool):
            return _error(400, "bad_request", "exportControlled must be true/false or 'Allowed'/'Not Allowed'")
        max_uses = body.get("maxUses", DEFAULT_MAX_USES)
        if isinstance(max_uses, bool) or not isinstance(max_uses, int) or max_uses < 1:
            return _error(400, "bad_request", "maxUses must be a positive integer")
        token = Token(_new_token_value(), va, self._wall() + days * DAY, max_uses, 0, export)
        self.satellite.tokens.append(token)
        self._descriptions[token.value] = description
        info = {**self._token_document(token), "expiresAfterDays": days, "virtualAccount": va}
        return Response(201, {"tokenInfo": info})

    def _devices(self, va: str) -> Response:
        devices = [
            {
                "hostname": pi.hostname,
                "pid": pi.pid,
                "serialNumber": pi.serial,
                "virtualAccount": pi.virtual_account,
                "registrationType": pi.kind,
                "lastContact": iso_time(pi.registered_wall),
                "license": pi.license,
                "licenseAuthorized": pi.license_consumed,
            }
            for pi in self.satellite.product_instances.values()
            if pi.virtual_account == va and not ({pi.serial, pi.hostname} & self.hidden_devices)
        ]
        return Response(200, {"totalRecords": len(devices), "devices": devices})

    def _licenses(self, request: Request) -> Response:
        body = _json_body(request) if request.body else {}
        wanted = body.get("virtualAccounts") if isinstance(body, dict) else None
        names = wanted or list(self.satellite.virtual_accounts)
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            return _error(400, "bad_request", "virtualAccounts must be a list of names")
        unknown = [n for n in names if n not in self.satellite.virtual_accounts]
        if unknown:
            return _error(404, "not_found", f"virtual account {unknown[0]!r} not found in account")
        licenses = []
        for name in names:
            for license_name, pool in self.satellite.virtual_accounts[name].licenses.items():
                available = max(pool.total - pool.in_use, 0)
                licenses.append(
                    {
                        "virtualAccount": name,
                        "license": license_name,
                        "quantity": pool.total,
                        "inUse": pool.in_use,
                        "available": available,
                        "status": "In Compliance" if pool.in_use <= pool.total else "Out of Compliance",
                    }
                )
        return Response(200, {"totalRecords": len(licenses), "licenses": licenses})

    # -- the HTTP/1.1 server over asyncio streams --

    async def start(self) -> None:
        """Listen with TLS on the socket given at construction, else on 127.0.0.1 and a free port."""
        sock = self._sock or bind_api_socket()
        self._sock = sock
        self.port = sock.getsockname()[1]
        self._server = await asyncio.start_server(self._connection, sock=sock, ssl=server_ssl_context(self.tls))

    def close_socket(self) -> None:
        if self._sock is not None:
            self._sock.close()

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        if server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 5)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            while True:
                try:
                    request = await asyncio.wait_for(_read_request(reader), IDLE_TIMEOUT_S)
                except _BadRequest as bad:
                    writer.write(_error(bad.status, "bad_request", bad.message).encode(close=True))
                    await writer.drain()
                    break
                if request is None:
                    break
                close = request.headers.get("connection", "").lower() == "close"
                writer.write(self.respond(request).encode(close=close))
                await writer.drain()
                if close:
                    break
        except (TimeoutError, ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 2)


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    line = await reader.readline()
    if not line:
        return None
    try:
        method, target, _version = line.decode("latin-1").split()
    except ValueError:
        raise _BadRequest(400, "malformed request line") from None
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    else:
        raise _BadRequest(400, "too many header lines")
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise _BadRequest(400, "chunked bodies are not supported; send Content-Length")
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        raise _BadRequest(400, "bad Content-Length") from None
    if length < 0 or length > MAX_BODY_BYTES:
        raise _BadRequest(413, "body too large")
    body = await reader.readexactly(length) if length else b""
    split = urlsplit(target)
    return Request(method.upper(), split.path or "/", dict(parse_qsl(split.query)), headers, body)


def _json_body(request: Request) -> Any:
    try:
        return json.loads(request.body or b"null")
    except ValueError:
        return None


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except ValueError:
        return None
    client_id, sep, client_secret = decoded.partition(":")
    return (unquote(client_id), unquote(client_secret)) if sep else None


def _method_not_allowed() -> Response:
    return _error(405, "method_not_allowed", "method not allowed here")


def _route_name(path: str) -> str:
    """'/api/v1/accounts/X/virtual-accounts/Y/tokens' -> with {account} and {va} (counts without names)."""
    parts = path.strip("/").split("/")
    if parts[:3] == ["api", "v1", "accounts"] and len(parts) > 3:
        parts[3] = "{account}"
        if len(parts) > 5 and parts[4] == "virtual-accounts":
            parts[5] = "{va}"
    return "/" + "/".join(parts)


def write_ca_file(directory: Path, material: TlsMaterial) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CA_FILE_NAME
    path.write_bytes(material.ca_pem)
    return path
