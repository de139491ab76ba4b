"""Run the mock in a background thread (own asyncio loop), for pytest and `fleetreg demo`.

`with MockFleet(6) as mock:` gives `mock.fleet` (state), `mock.inventory_dir` and `mock.env`
(credentials and tokens from fleet.env); leaving the block stops everything.
`MockFleet(6, api=True)` also serves the satellite's HTTPS API on the same loop (`mock.api`,
`mock.api_url`, `mock.ca_file`; client id/secret in `mock.env`, API settings in defaults.yaml).
The satellite's call-home/CSLU URLs always point at a real TLS endpoint on 127.0.0.1
(`mock.satellite_endpoint`, serving the satellite's certificate), so fleetreg's trust check runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import shutil
import socket
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mock_devices.interface import Device
from mock_devices.inventory_out import SatelliteApiInfo, write_inventory
from mock_devices.server import MockServer, bind_listen_sockets, load_or_create_host_key, new_event_loop

if TYPE_CHECKING:
    from mock_devices.fleet import Fleet
    from mock_devices.pki import SatellitePki
    from mock_devices.satellite_api import SatelliteApi
    from mock_devices.satellite_tls import SatelliteEndpoint
    from mock_devices.spec import SatelliteApiSpec

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
FREE_PORT_LOW, FREE_PORT_HIGH = 20000, 32000  # below Linux's ephemeral range (32768+)


class LoopService(Protocol):
    """Something else served on the fleet's loop (the satellite API), started after the switches."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...


class BackgroundServer:
    """A MockServer for `devices` (and any `services`) on its own event loop in a daemon thread."""

    def __init__(
        self,
        devices: Sequence[Device],
        *,
        host_key_dir: Path | None = None,
        sockets: Sequence[socket.socket] | None = None,
        services: Sequence[LoopService] = (),
    ) -> None:
        self.devices = list(devices)
        self._services = list(services)
        self._host_key_dir = host_key_dir
        self._sockets = list(sockets) if sockets is not None else None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._ready: Future[None] = Future()
        self.server: MockServer | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("BackgroundServer already started")
        self._thread = threading.Thread(target=self._run, name="mock-devices", daemon=True)
        self._thread.start()
        try:
            self._ready.result(timeout=START_TIMEOUT_S)
        except BaseException:
            self.stop()
            raise

    def _run(self) -> None:
        loop = new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as error:  # startup failures are re-raised in start()
            if not self._ready.done():
                self._ready.set_exception(error)
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _serve(self) -> None:
        self._stop_event = asyncio.Event()
        host_key = load_or_create_host_key(self._host_key_dir)
        server = MockServer(self.devices, host_key)
        self.server = server
        started: list[LoopService] = []
        try:
            await server.start(self._sockets)
            for service in self._services:
                await service.start()
                started.append(service)
            self._ready.set_result(None)
            await self._stop_event.wait()
        finally:
            for service in reversed(started):
                await service.stop()
            await server.stop()

    def call(self, function: Any, *args: Any) -> Any:
        """Run `function(*args)` on the server's loop thread and return its result."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("BackgroundServer not running")

        async def invoke() -> Any:
            return function(*args)

        return asyncio.run_coroutine_threadsafe(invoke(), loop).result(timeout=STOP_TIMEOUT_S)

    def stop(self) -> None:
        """Close listeners, abort connections, join the thread. Safe to call twice."""
        thread, loop, stop_event = self._thread, self._loop, self._stop_event
        if thread is None:
            return
        if loop is not None and stop_event is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(stop_event.set)
        thread.join(timeout=STOP_TIMEOUT_S)
        if thread.is_alive():
            raise RuntimeError("mock_devices server thread did not stop")
        self._thread = None
        if self._sockets:
            for sock in self._sockets:  # closed by asyncssh already; this covers failed starts
                sock.close()


class MockFleet:
    """A started fleet of emulated switches: `fleet` (state), `inventory_dir`, `env`."""

    def __init__(
        self,
        count: int | None = None,
        *,
        spec: Any = None,
        base_port: int = 0,
        latency_ms: float = 0,
        jitter_ms: float = 0,
        register_seconds: tuple[float, float] = (0.5, 1.0),
        seed: int = 1,
        inventory_dir: Path | None = None,
        spread_addresses: bool = False,
        host_key_dir: Path | None = None,
        api: bool = False,
        api_tokens: bool = False,
    ) -> None:
        self._count = count
        self._api_wanted = api or api_tokens
        self._api_tokens = api_tokens  # the written inventory takes registration tokens from the API
        self.api: SatelliteApi | None = None
        self.satellite_endpoint: SatelliteEndpoint | None = None
        self._satellite_port: int | None = None
        self.api_url: str | None = None
        self.ca_file: Path | None = None
        self._api_spec: SatelliteApiSpec | None = None
        self._spec = spec
        self._base_port = base_port
        self._latency_ms = latency_ms
        self._jitter_ms = jitter_ms
        self._register_seconds = register_seconds
        self._seed = seed
        self._requested_inventory_dir = inventory_dir
        self._spread = spread_addresses
        self._host_key_dir = host_key_dir
        self._server: BackgroundServer | None = None
        self._temporary_dir: Path | None = None
        self.fleet: Fleet
        self.inventory_dir: Path
        self.env: dict[str, str] = {}

    def _build(self, base_port: int) -> Fleet:
        from mock_devices.fleet import FleetSpec, build_fleet, load_spec

        spec = self._spec
        if isinstance(spec, str | Path):
            spec = load_spec(Path(spec))
            self._spec = spec
        self._api_spec = (spec or FleetSpec(seed=self._seed)).satellite.api
        return build_fleet(
            self._count,
            spec=spec,
            base_port=base_port,
            spread_addresses=self._spread,
            latency_ms=self._latency_ms,
            jitter_ms=self._jitter_ms,
            register_seconds=self._register_seconds,
            seed=self._seed,
            satellite_port=self._satellite_port,
        )

    def _build_and_bind(self) -> tuple[Fleet, list[socket.socket]]:
        if self._base_port:
            fleet = self._build(self._base_port)
            return fleet, bind_listen_sockets([(d.host, d.port) for d in fleet.devices])
        chooser = random.Random()
        last_error: OSError | None = None
        for _ in range(50):
            fleet = self._build(chooser.randrange(FREE_PORT_LOW, FREE_PORT_HIGH))
            endpoints = [(d.host, d.port) for d in fleet.devices]
            if max(port for _, port in endpoints) >= FREE_PORT_HIGH + 2000:
                continue
            try:
                return fleet, bind_listen_sockets(endpoints)
            except OSError as error:
                last_error = error
        raise OSError(f"no free port range found for {len(fleet.devices)} switches: {last_error}")

    def start(self) -> MockFleet:
        from mock_devices.satellite_tls import bind_satellite_socket

        satellite_sock = bind_satellite_socket()
        self._satellite_port = satellite_sock.getsockname()[1]
        try:
            fleet, sockets = self._build_and_bind()
        except BaseException:
            satellite_sock.close()
            raise
        self.fleet = fleet
        try:
            endpoint = self._prepare_satellite_endpoint(fleet, satellite_sock)
            if self._requested_inventory_dir is not None:
                self.inventory_dir = self._requested_inventory_dir
            else:
                self._temporary_dir = Path(tempfile.mkdtemp(prefix="fleetreg-mock-inventory-"))
                self.inventory_dir = self._temporary_dir
            services: list[LoopService] = [endpoint]
            if self._api_wanted:
                services.append(self._prepare_api(fleet))
            api_info = self._api_info() if self.api is not None else None
            self.env = write_inventory(self.inventory_dir, fleet.inventory_hosts(), fleet.info, satellite_api=api_info)
            self._server = BackgroundServer(
                fleet.devices, host_key_dir=self._host_key_dir, sockets=sockets, services=services
            )
            self._server.start()
        except BaseException:
            for sock in sockets:
                sock.close()
            satellite_sock.close()
            self.stop()
            raise
        return self

    def _prepare_satellite_endpoint(self, fleet: Fleet, sock: socket.socket) -> SatelliteEndpoint:
        from mock_devices.satellite_api import tls_for
        from mock_devices.satellite_tls import SatelliteEndpoint

        self.satellite_endpoint = SatelliteEndpoint(tls_for(fleet.satellite), sock)
        return self.satellite_endpoint

    def _prepare_api(self, fleet: Fleet) -> SatelliteApi:
        """TLS material, CA file in the inventory folder and a bound socket, before the loop starts."""
        from mock_devices.satellite_api import SatelliteApi, bind_api_socket, tls_for, write_ca_file

        tls = tls_for(fleet.satellite)
        self.ca_file = write_ca_file(self.inventory_dir, tls)
        wall = fleet.devices[0].clock.wall if fleet.devices else None
        sock = bind_api_socket()
        try:
            kwargs: dict[str, Any] = {"wall": wall} if wall is not None else {}
            self.api = SatelliteApi(fleet.satellite, self._api_spec, tls=tls, sock=sock, **kwargs)
        except BaseException:
            sock.close()
            raise
        self.api_url = self.api.url
        return self.api

    def _api_info(self) -> SatelliteApiInfo:
        assert self.api is not None and self.api_url is not None and self.ca_file is not None
        return SatelliteApiInfo(
            base_url=self.api_url,
            account=self.fleet.satellite.account,
            client_id=self.api.spec.client_id,
            client_secret=self.api.spec.client_secret,
            ca_file=str(self.ca_file),
            token_source="api" if self._api_tokens else "env",
        )

    def replace_satellite_certificate(self, pki: SatellitePki) -> None:
        """The satellite now presents `pki`'s server certificate (signed by `pki`'s CA), to the
        switches and on its TLS endpoint, from the next connection on."""
        from mock_devices.satellite_api import TlsMaterial

        endpoint = self.satellite_endpoint
        assert endpoint is not None
        material = TlsMaterial(pki.ca_pem.encode(), pki.server_cert_pem.encode(), pki.server_key_pem.encode())

        def replace() -> None:
            self.fleet.satellite.pki = pki
            endpoint.present(material)

        self.call(replace)

    def advance_clock(self, seconds: float) -> None:
        """Let `seconds` pass at once for every switch and the satellite (e.g. an ACK due in hours)."""
        self.call(self.fleet.advance_clock, seconds)

    def call(self, function: Any, *args: Any) -> Any:
        """Run `function(*args)` on the server thread (consistent reads of fleet state)."""
        if self._server is None:
            raise RuntimeError("MockFleet not started")
        return self._server.call(function, *args)

    def stop(self) -> None:
        server, self._server = self._server, None
        try:
            if server is not None:
                server.stop()
        finally:
            if self.api is not None:
                self.api.close_socket()  # covers a start that failed before the loop took it
            if self.satellite_endpoint is not None:
                self.satellite_endpoint.close_socket()
            if self._temporary_dir is not None:
                shutil.rmtree(self._temporary_dir, ignore_errors=True)
                self._temporary_dir = None

    def __enter__(self) -> MockFleet:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
