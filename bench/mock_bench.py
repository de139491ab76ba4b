"""Benchmark of the mock fleet's SSH front end: CPU seconds the mock spends per session and per command.

    .venv/bin/python bench/mock_bench.py --switches 1000 --sessions 200 --commands 10

1. starts `python -m mock_devices serve` in a subprocess and waits for its ready line;
2. drives M concurrent asyncssh sessions (one per switch, round robin) from a separate client
   process, K commands each (`terminal length 0` first, then show commands);
3. drives one unmodified Netmiko session (cisco_xe) with K commands;
4. reads the mock's CPU time (utime+stime from /proc/<pid>/stat) around each phase,
   prints a Markdown table and writes bench/results/mock_bench.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "mock_bench.json"
COMMANDS = ("show version", "show license status", "show license summary", "show running-config")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of `pid` (all its threads), from /proc/<pid>/stat."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / CLOCK_TICKS


def process_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def read_env(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.startswith("export "):
            name, _, value = line[len("export ") :].partition("=")
            values[name] = shlex.split(value)[0] if value else ""
    return values


def read_hosts(path: Path) -> list[tuple[str, int]]:
    import yaml

    hosts = yaml.safe_load(path.read_text())
    return [(entry["hostname"], int(entry["port"])) for entry in hosts.values()]


# -- client side (runs in its own process) ---------------------------------------------------
class BenchSession:
    """One interactive shell driven like a script would: send a line, read up to the prompt."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.buffer = b""
        self.prompt = b""
        self.login_s = 0.0
        self.command_s: list[float] = []

    async def read_until(self, process: Any, check: Any) -> bytes:
        while not check(self.buffer):
            chunk = await asyncio.wait_for(process.stdout.read(65536), self.timeout)
            if not chunk:
                raise EOFError(f"{self.host}:{self.port} closed")
            self.buffer += chunk
        data, self.buffer = self.buffer, b""
        return data

    async def login(self, username: str, password: str) -> Any:
        import asyncssh

        started = time.perf_counter()
        conn = await asyncssh.connect(
            self.host, self.port, username=username, password=password, known_hosts=None, client_keys=None
        )
        process = await conn.create_process(term_type="vt100", encoding=None)
        first = await self.read_until(process, lambda data: data.rstrip().endswith((b"#", b">")))
        self.prompt = first.splitlines()[-1]
        self.login_s = time.perf_counter() - started
        return conn, process

    async def run(self, process: Any, commands: list[str]) -> None:
        for command in ["terminal length 0", *commands]:
            sent = time.perf_counter()
            process.stdin.write(command.encode() + b"\n")
            await self.read_until(process, lambda data: data.endswith(b"\n" + self.prompt))
            self.command_s.append(time.perf_counter() - sent)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def client_load(args: argparse.Namespace) -> dict[str, Any]:
    """Phase 1: all sessions log in; print READY and wait for GO on stdin; phase 2: commands."""
    env = read_env(Path(args.inventory) / "fleet.env")
    endpoints = read_hosts(Path(args.inventory) / "hosts.yaml")
    commands = [COMMANDS[i % len(COMMANDS)] for i in range(args.commands)]
    sessions = [BenchSession(*endpoints[i % len(endpoints)], args.timeout) for i in range(args.sessions)]
    started = time.perf_counter()
    logins = await asyncio.gather(
        *(s.login(env["FLEETREG_USERNAME"], env["FLEETREG_PASSWORD"]) for s in sessions), return_exceptions=True
    )
    login_wall = time.perf_counter() - started
    print("READY", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    live = [(s, r) for s, r in zip(sessions, logins, strict=True) if not isinstance(r, BaseException)]
    started = time.perf_counter()
    runs = await asyncio.gather(*(s.run(r[1], commands) for s, r in live), return_exceptions=True)
    command_wall = time.perf_counter() - started
    for _, (conn, _) in live:
        conn.close()
    errors = [f"{type(e).__name__}: {e}" for e in [*logins, *runs] if isinstance(e, BaseException)]
    ok = [s for (s, _), r in zip(live, runs, strict=True) if not isinstance(r, BaseException)]
    command_times = [t for s in ok for t in s.command_s]
    return {
        "login_wall_s": login_wall,
        "command_wall_s": command_wall,
        "sessions_ok": len(ok),
        "errors": errors[:5],
        "error_count": len(errors),
        "commands_per_session": args.commands + 1,
        "commands_ok": len(command_times),
        "login_p50_s": percentile([s.login_s for s in ok], 0.5),
        "login_p95_s": percentile([s.login_s for s in ok], 0.95),
        "command_p50_s": percentile(command_times, 0.5),
        "command_p95_s": percentile(command_times, 0.95),
    }


def netmiko_session(inventory: Path, commands: int) -> dict[str, Any]:
    from netmiko import ConnectHandler

    env = read_env(inventory / "fleet.env")
    host, port = read_hosts(inventory / "hosts.yaml")[0]
    started = time.perf_counter()
    connection = ConnectHandler(
        device_type="cisco_xe",
        host=host,
        port=port,
        username=env["FLEETREG_USERNAME"],
        password=env["FLEETREG_PASSWORD"],
        secret=env["FLEETREG_ENABLE_SECRET"],
    )
    connected = time.perf_counter()
    for i in range(commands):
        connection.send_command(COMMANDS[i % len(COMMANDS)])
    done = time.perf_counter()
    connection.disconnect()
    return {"login_s": connected - started, "commands_s": done - connected, "total_s": time.perf_counter() - started}


# -- orchestration ---------------------------------------------------------------------------
def start_mock(args: argparse.Namespace, workdir: Path) -> tuple[subprocess.Popen[str], float]:
    command = [
        sys.executable,
        "-m",
        "mock_devices",
        "serve",
        "--count",
        str(args.switches),
        "--base-port",
        str(args.base_port),
        "--latency-ms",
        str(args.latency_ms),
        "--state-dir",
        str(workdir / "state"),
        "--inventory-out",
        str(workdir / "inventory"),
    ]
    started = time.perf_counter()
    mock = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert mock.stdout is not None
    line = mock.stdout.readline()
    if "listening" not in line:
        mock.kill()
        raise SystemExit(f"mock did not start: {line.strip()} {mock.stderr.read() if mock.stderr else ''}")
    return mock, time.perf_counter() - started


def run_client_process(args: argparse.Namespace, inventory: Path, mock_pid: int) -> dict[str, Any]:
    """Run the load client; returns its result plus the mock's CPU seconds per phase."""
    command = [sys.executable, __file__, "--client", "--inventory", str(inventory)]
    command += ["--sessions", str(args.sessions), "--commands", str(args.commands), "--timeout", str(args.timeout)]
    client = subprocess.Popen(command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert client.stdin is not None and client.stdout is not None
    cpu_start = process_cpu_seconds(mock_pid)
    if client.stdout.readline().strip() != "READY":
        client.kill()
        raise SystemExit("load client failed during login")
    cpu_logged_in = process_cpu_seconds(mock_pid)
    client.stdin.write("GO\n")
    client.stdin.flush()
    result: dict[str, Any] = json.loads(client.stdout.read())
    cpu_done = process_cpu_seconds(mock_pid)
    if client.wait(timeout=60) != 0:
        raise SystemExit("load client failed")
    result["mock_cpu_login_s"] = cpu_logged_in - cpu_start
    result["mock_cpu_commands_s"] = cpu_done - cpu_logged_in
    return result


def markdown(result: dict[str, Any]) -> str:
    load, netmiko = result["load"], result["netmiko"]
    rows = [
        ("switches served (one process)", f"{result['switches']}"),
        ("mock start-up until all ports listen", f"{result['startup_s']:.2f} s"),
        ("mock RSS idle / after load", f"{result['rss_idle_mb']:.0f} MB / {result['rss_after_mb']:.0f} MB"),
        ("concurrent sessions (asyncssh client)", f"{load['sessions_ok']} ok, {load['error_count']} failed"),
        ("commands per session", f"{load['commands_per_session']}"),
        ("wall time: all logins / all commands", f"{load['login_wall_s']:.2f} s / {load['command_wall_s']:.2f} s"),
        ("login p50 / p95 (client-bound)", f"{load['login_p50_s'] * 1000:.0f} / {load['login_p95_s'] * 1000:.0f} ms"),
        ("command p50 / p95", f"{load['command_p50_s'] * 1000:.1f} / {load['command_p95_s'] * 1000:.1f} ms"),
        ("mock CPU: logins / commands", f"{load['mock_cpu_login_s']:.2f} s / {load['mock_cpu_commands_s']:.2f} s"),
        ("mock CPU per session login (SSH handshake + auth + shell)", f"{result['cpu_per_session_ms']:.1f} ms"),
        ("mock CPU per command", f"{result['cpu_per_command_ms']:.2f} ms"),
        ("Netmiko cisco_xe session: login / commands", f"{netmiko['login_s']:.2f} s / {netmiko['commands_s']:.2f} s"),
        ("mock CPU for the whole Netmiko session", f"{result['netmiko_cpu_s'] * 1000:.0f} ms"),
    ]
    lines = ["| measure | value |", "|---|---|", *(f"| {name} | {value} |" for name, value in rows)]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--switches", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--commands", type=int, default=10)
    parser.add_argument("--base-port", type=int, default=23000)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--inventory", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.client:
        print(json.dumps(asyncio.run(client_load(args))))
        return 0

    with tempfile.TemporaryDirectory(prefix="mock-bench-") as tmp:
        workdir = Path(tmp)
        mock, startup = start_mock(args, workdir)
        try:
            time.sleep(0.5)
            rss_idle = process_rss_mb(mock.pid)
            load = run_client_process(args, workdir / "inventory", mock.pid)
            time.sleep(0.2)  # let the mock finish closing the sessions
            cpu_after_load = process_cpu_seconds(mock.pid)
            netmiko = netmiko_session(workdir / "inventory", args.commands)
            time.sleep(0.2)
            cpu_after_netmiko = process_cpu_seconds(mock.pid)
            rss_after = process_rss_mb(mock.pid)
        finally:
            mock.send_signal(signal.SIGTERM)
            mock.wait(timeout=30)
    sessions = max(load["sessions_ok"], 1)
    result = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "switches": args.switches,
        "sessions": args.sessions,
        "latency_ms": args.latency_ms,
        "startup_s": startup,
        "rss_idle_mb": rss_idle,
        "rss_after_mb": rss_after,
        "load": load,
        "cpu_per_session_ms": load["mock_cpu_login_s"] / sessions * 1000,
        "cpu_per_command_ms": load["mock_cpu_commands_s"] / max(load["commands_ok"], 1) * 1000,
        "netmiko": netmiko,
        "netmiko_cpu_s": cpu_after_netmiko - cpu_after_load,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(markdown(result))
    print(f"\nwritten {args.output.relative_to(REPO) if args.output.is_relative_to(REPO) else args.output}")
    return 0 if load["error_count"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
