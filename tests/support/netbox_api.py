"""A tiny NetBox API on 127.0.0.1 for inventory tests: it answers `GET /api/dcim/devices/` with
recorded NetBox answers (tests/fixtures/netbox/<version>/devices-page-*.json, one file per page,
as NetBox paginates), checks the API token as NetBox does, and records what was asked."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "netbox"
RECORDED_BASE = "https://netbox.example.net"  # the NetBox the answers were recorded from
TOKEN = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"


def recorded_pages(version: str) -> list[dict[str, Any]]:
    """The recorded answers of one NetBox version, page by page."""
    files = sorted((FIXTURES / version).glob("devices-page-*.json"))
    return [json.loads(path.read_text()) for path in files]


@dataclass
class NetBoxApi:
    pages: list[dict[str, Any]]
    token: str = TOKEN
    requests: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)
    url: str = ""

    def answer(self, path: str, query: dict[str, list[str]], authorization: str | None) -> tuple[int, Any]:
        self.requests.append((path, query))
        if authorization != f"Token {self.token}":
            return 403, {"detail": "Invalid token"}
        if path != "/api/dcim/devices/":
            return 404, {"detail": "Not found."}
        offset = int(query.get("offset", ["0"])[0])
        start = 0
        for page in self.pages:
            if start == offset:
                return 200, json.loads(json.dumps(page).replace(RECORDED_BASE, self.url))
            start += len(page["results"])
        return 200, {"count": start, "next": None, "previous": None, "results": []}


@contextmanager
def netbox_api(pages: list[dict[str, Any]], token: str = TOKEN) -> Iterator[NetBoxApi]:
    """The API serving `pages` (copied: a test may change them first) on a free port of 127.0.0.1."""
    api = NetBoxApi(copy.deepcopy(pages), token)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            status, body = api.answer(parts.path, parse_qs(parts.query), self.headers.get("Authorization"))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
