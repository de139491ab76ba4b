"""`python -m mock_devices serve ...`: serve an emulated fleet until SIGINT/SIGTERM.

Prints one line when every switch listens (and, with --api, the satellite's HTTPS API URL; its CA
goes to the inventory folder and its settings to defaults.yaml). SIGUSR1 (and shutdown) writes --state-out with
Fleet.dump_state(). Bad arguments or spec: one line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from mock_devices.interface import Device
from mock_devices.inventory_out import SatelliteApiInfo, write_inventory
from mock_devices.server import (
    DEFAULT_STATE_DIR,
    MockServer,
    NotLoopbackError,
    bind_listen_sockets,
    load_or_create_host_key,
    new_event_loop,
    raise_fd_limit,
)

PROG = "mock_devices"


class UsageError(Exception):
    """A bad argument or fleet spec (exit 2)."""


class OneLineArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def parse_seconds_range(text: str) -> tuple[float, float]:
    """'5-15' -> (5.0, 15.0); '7' -> (7.0, 7.0)."""
    low_text, _, high_text = text.partition("-")
    try:
        low = float(low_text)
        high = float(high_text) if high_text else low
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected SECONDS or MIN-MAX, got {text!r}") from None
    if low < 0 or high < low:
        raise argparse.ArgumentTypeError(f"expected 0 <= MIN <= MAX, got {text!r}")
    return low, high


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range: {value}")
    return value


def _port_or_zero(text: str) -> int:
    return 0 if text.strip() == "0" else _port(text)


def _non_negative(kind: type) -> Any:
    def convert(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value < 0:
            raise argparse.ArgumentTypeError(f"must not be negative: {text}")
        return value

    return convert


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineArgumentParser(prog=f"python -m {PROG}", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineArgumentParser)
    serve = commands.add_parser("serve", help="serve an emulated fleet of IOS-XE switches over SSH")
    serve.add_argument("--count", type=_non_negative(int), help="number of switches (default: from --spec)")
    serve.add_argument("--base-port", type=_port, default=22000, help="port of the first switch")
    serve.add_argument("--spec", type=Path, help="YAML fleet spec")
    serve.add_argument("--latency-ms", type=_non_negative(float), default=0.0)
    serve.add_argument("--jitter-ms", type=_non_negative(float), default=0.0)
    serve.add_argument("--register-seconds", type=parse_seconds_range, default=(1.0, 3.0), metavar="MIN-MAX")
    serve.add_argument("--spread-addresses", action="store_true", help="one 127.0.x.y address per switch, same port")
    serve.add_argument("--seed", type=int, default=1)
    serve.add_argument("--state-out", type=Path, help="JSON state dump on SIGUSR1 and at exit")
    serve.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR, help="where the host key lives")
    serve.add_argument("--inventory-out", type=Path, required=True, help="write the Nornir inventory here")
    serve.add_argument("--api", action="store_true", help="also serve the satellite's HTTPS API on 127.0.0.1")
    serve.add_argument("--api-port", type=_port_or_zero, default=0, help="port of the API (default: a free one)")
    return parser


def endpoints_summary(devices: Sequence[Device]) -> str:
    """'127.0.0.1:22000-22499' or '127.0.0.1-127.0.3.250:22000'."""
    hosts = sorted({device.host for device in devices}, key=lambda h: tuple(int(p) for p in h.split(".")))
    ports = sorted({device.port for device in devices})
    host_part = hosts[0] if len(hosts) == 1 else f"{hosts[0]}-{hosts[-1]}"
    port_part = str(ports[0]) if len(ports) == 1 else f"{ports[0]}-{ports[-1]}"
    return f"{host_part}:{port_part}"


def write_state(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(state, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    os.replace(temporary, path)


async def serve(args: argparse.Namespace) -> int:
    from mock_devices.fleet import FleetSpec, build_fleet, load_spec
    from mock_devices.satellite_api import SatelliteApi, bind_api_socket, tls_for, write_ca_file
    from mock_devices.satellite_tls import SatelliteEndpoint, bind_satellite_socket

    if args.count is None and args.spec is None:
        raise UsageError("give --count or --spec")
    satellite_sock = bind_satellite_socket()
    try:
        spec = load_spec(args.spec) if args.spec is not None else None
        fleet = build_fleet(
            args.count,
            spec=spec,
            base_port=args.base_port,
            spread_addresses=args.spread_addresses,
            latency_ms=args.latency_ms,
            jitter_ms=args.jitter_ms,
            register_seconds=args.register_seconds,
            seed=args.seed,
            satellite_port=satellite_sock.getsockname()[1],
        )
    except (ValueError, OSError) as error:
        satellite_sock.close()
        raise UsageError(" ".join(str(error).split())) from error
    if not fleet.devices:
        raise UsageError("the fleet has no switches")
    raise_fd_limit()
    host_key = load_or_create_host_key(args.state_dir)
    try:
        server = MockServer(fleet.devices, host_key)
    except NotLoopbackError as error:
        raise UsageError(str(error)) from error
    sockets = bind_listen_sockets([(device.host, device.port) for device in fleet.devices])
    await server.start(sockets)
    endpoint = SatelliteEndpoint(tls_for(fleet.satellite), satellite_sock)
    await endpoint.start()
    api: SatelliteApi | None = None
    api_info: SatelliteApiInfo | None = None
    if args.api:
        tls = tls_for(fleet.satellite)
        ca_file = write_ca_file(args.inventory_out, tls)
        api_spec = (spec or FleetSpec(seed=args.seed)).satellite.api
        api = SatelliteApi(
            fleet.satellite, api_spec, tls=tls, wall=fleet.devices[0].clock.wall, sock=bind_api_socket(args.api_port)
        )
        await api.start()
        api_info = SatelliteApiInfo(
            api.url, fleet.satellite.account, api_spec.client_id, api_spec.client_secret, str(ca_file)
        )
    write_inventory(args.inventory_out, fleet.inventory_hosts(), fleet.info, satellite_api=api_info)

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def dump_state() -> None:
        if args.state_out is not None:
            write_state(args.state_out, fleet.dump_state())

    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, dump_state)
    api_part = f"; satellite API {api.url} (CA {api_info.ca_file})" if api is not None and api_info else ""
    print(
        f"{PROG}: {len(fleet.devices)} switches listening on {endpoints_summary(fleet.devices)};"
        f" inventory in {args.inventory_out}{api_part}",
        flush=True,
    )
    try:
        await stop.wait()
    finally:
        if api is not None:
            await api.stop()
        await endpoint.stop()
        await server.stop()
        dump_state()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        with asyncio.Runner(loop_factory=new_event_loop) as runner:
            return runner.run(serve(args))
    except UsageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{PROG}: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
