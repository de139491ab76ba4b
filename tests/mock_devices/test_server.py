"""The SSH front end over real sockets (asyncssh client), against a stand-in IOS-like device."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _echo_device import ENABLE_SECRET, PASSWORD, USERNAME, EchoDevice

from mock_devices.interface import FleetInfo
from mock_devices.inventory_out import env_file_text, slug, token_env_var, write_inventory
from mock_devices.server import (
    HOST_KEY_FILE,
    MockServer,
    NotLoopbackError,
    bind_listen_sockets,
    check_loopback,
    load_or_create_host_key,
)
from mock_devices.terminal import MORE
from mock_devices.testing import BackgroundServer, MockFleet

QUIET_S = 0.3

TOKEN_CORP = "TOKEN-CORP-Q29ycG9yYXRlTmV0d29ya0RldmljZXNUb2tlbg%0A"
TOKEN_PUB = "TOKEN-PUB-UHVibGljTmV0d29ya0RldmljZXNUb2tlbg%3D%3D%0A"


@dataclass
class EchoFleet:
    server: BackgroundServer
    devices: list[EchoDevice]

    def device(self, index: int) -> EchoDevice:
        return self.devices[index]


@pytest.fixture
def echo_fleet(mock_host_key_dir: Path) -> Iterator[EchoFleet]:
    sockets = bind_listen_sockets([("127.0.0.1", 0)] * 3)
    devices = [
        EchoDevice("sw-exec", "127.0.0.1", sockets[0].getsockname()[1]),
        EchoDevice("sw-user", "127.0.0.1", sockets[1].getsockname()[1], privileged=False, banner_text="Hi\n"),
        EchoDevice("sw-one-vty", "127.0.0.1", sockets[2].getsockname()[1], max_sessions=1),
    ]
    server = BackgroundServer(devices, host_key_dir=mock_host_key_dir, sockets=sockets)
    server.start()
    try:
        yield EchoFleet(server, devices)
    finally:
        server.stop()


class Shell:
    def __init__(self, conn: asyncssh.SSHClientConnection, process: asyncssh.SSHClientProcess[bytes]):
        self.conn = conn
        self.process = process
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.process.stdin.write(data)

    async def read_until(self, suffix: bytes, timeout: float = 5.0) -> bytes:
        async def loop() -> bytes:
            while not self.buffer.endswith(suffix):
                try:
                    chunk = await self.process.stdout.read(65536)
                except asyncssh.ConnectionLost as error:
                    raise EOFError(f"connection lost; got {self.buffer!r}") from error
                if not chunk:
                    raise EOFError(f"closed; got {self.buffer!r}")
                self.buffer += chunk
            data, self.buffer = self.buffer, b""
            return data

        return await asyncio.wait_for(loop(), timeout)

    async def read_quiet(self, seconds: float = QUIET_S) -> bytes:
        """Whatever arrives within `seconds` (b"" if nothing)."""
        try:
            while True:
                chunk = await asyncio.wait_for(self.process.stdout.read(65536), seconds)
                if not chunk:
                    break
                self.buffer += chunk
        except TimeoutError:
            pass
        data, self.buffer = self.buffer, b""
        return data


@asynccontextmanager
async def shell(port: int, *, pty: bool = True, password: str = PASSWORD) -> AsyncIterator[Shell]:
    conn = await asyncssh.connect(
        "127.0.0.1", port, username=USERNAME, password=password, known_hosts=None, client_keys=None
    )
    try:
        process = await conn.create_process(term_type="vt100" if pty else None, encoding=None)
        yield Shell(conn, process)
    finally:
        conn.close()
        await conn.wait_closed()


def run(coroutine: object) -> None:
    asyncio.run(coroutine)  # type: ignore[arg-type]


def test_prompt_is_painted_at_shell_open_with_nothing_after(echo_fleet: EchoFleet) -> None:
    async def scenario() -> None:
        async with shell(echo_fleet.device(0).port) as sh:
            assert await sh.read_until(b"#") == b"sw-exec#"
            assert await sh.read_quiet() == b""
        async with shell(echo_fleet.device(1).port) as sh:
            assert await sh.read_until(b">") == b"Hi\r\nsw-user>"
            assert await sh.read_quiet() == b""

    run(scenario())


def test_echo_arrives_before_enter(echo_fleet: EchoFleet) -> None:
    async def scenario() -> None:
        async with shell(echo_fleet.device(0).port) as sh:
            await sh.read_until(b"#")
            sh.send(b"echo hi")
            assert await sh.read_until(b"echo hi") == b"echo hi"
            sh.send(b"\r")
            assert await sh.read_until(b"#") == b"\r\nhi\r\nsw-exec#"

    run(scenario())


def test_typed_ahead_input_is_echoed_only_when_the_switch_gets_to_it(echo_fleet: EchoFleet) -> None:
    async def scenario() -> None:
        async with shell(echo_fleet.device(0).port) as sh:
            await sh.read_until(b"#")
            sh.send(b"slow 0.6\n")
            assert await sh.read_until(b"slow 0.6\r\n") == b"slow 0.6\r\n"
            sh.send(b"echo next\n")
            assert await sh.read_quiet(0.3) == b""  # still running: no echo of the typed-ahead line
            out = await sh.read_until(b"next\r\nsw-exec#")
            assert out == b"slept 0.6\r\nsw-exec#echo next\r\nnext\r\nsw-exec#"

    run(scenario())


def test_cr_lf_crlf_count_once_and_nul_is_ignored(echo_fleet: EchoFleet) -> None:
    async def scenario() -> None:
        async with shell(echo_fleet.device(0).port) as sh:
            await sh.read_until(b"#")
            session = echo_fleet.device(0).sessions[0]
            for enter in (b"\r", b"\n", b"\r\n"):
                sh.send(b"echo x" + enter)
                assert await sh.read_until(b"x\r\nsw-exec#") == b"echo x\r\nx\r\nsw-exec#"
            sh.send(b"echo y\r")
            await sh.read_until(b"y\r\nsw-exec#")
            sh.send(b"\n\x00echo\x00 z\r\n")  # LF after a CR in an earlier packet: same Enter
            assert await sh.read_until(b"z\r\nsw-exec#") == b"echo z\r\nz\r\nsw-exec#"
            assert session.lines_seen == ["echo x"] * 3 + ["echo y", "echo z"]

    run(scenario())


def test_enable_secret_is_not_echoed(echo_fleet: EchoFleet) -> None:
    async def scenario() -> None:
        async with shell(echo_fleet.device(1).port) as sh:
            await sh.read_until(b">")
            sh.send(b"enable\n")
            assert await sh.read_until(b"Password: ") == b"enable\r\nPassword: "
            sh.send(ENABLE_SECRET.encode() + b"\n")
            assert await sh.read_until(b"#") == b"\r\nsw-user#"

    run(scenario())


def test_more_paging_over_the_wire(echo_fleet: EchoFleet) -> None:
    async def scenario() -> None:
        async with shell(echo_fleet.device(0).port) as sh:
            await sh.read_until(b"#")
            sh.send(b"show long\n")
            first = await sh.read_until(MORE)
            assert first.count(b"\r\n") == 24  # echo line + 23 output lines
            assert await sh.read_quiet() == b""
            sh.send(b"q")
            assert (await sh.read_until(b"#")).endswith(b"sw-exec#")
            sh.send(b"terminal length 0\nshow long\n")
            out = await sh.read_until(b"line 60\r\nsw-exec#")
            assert MORE not in out

    run(scenario())


def test_no_pty_shell_works_and_exec_requests_are_refused(echo_fleet: EchoFleet) -> None:
    async def scenario() -> None:
        async with shell(echo_fleet.device(0).port, pty=False) as sh:
            assert await sh.read_until(b"#") == b"sw-exec#"
            sh.send(b"echo nopty\n")
            assert await sh.read_until(b"sw-exec#") == b"echo nopty\r\nnopty\r\nsw-exec#"
        async with asyncssh.connect(
            "127.0.0.1", echo_fleet.device(0).port, username=USERNAME, password=PASSWORD, known_hosts=None
        ) as conn:
            with pytest.raises(asyncssh.ChannelOpenError):
                await conn.run("show version", check=False)

    run(scenario())


def test_wrong_password_is_refused(echo_fleet: EchoFleet) -> None:
    async def scenario() -> None:
        with pytest.raises(asyncssh.PermissionDenied):
            async with shell(echo_fleet.device(0).port, password="wrong"):
                pass

    run(scenario())
    assert echo_fleet.device(0).sessions == [] and echo_fleet.device(0).closed == []


def test_keyboard_interactive_login_over_the_wire(echo_fleet: EchoFleet) -> None:
    async def scenario() -> None:
        class Client(asyncssh.SSHClient):
            def kbdint_auth_requested(self) -> str:
                return ""

            def kbdint_challenge_received(
                self, name: str, instructions: str, lang: str, prompts: Sequence[tuple[str, bool]]
            ) -> list[str]:
                assert [prompt for prompt, _ in prompts] in ([], ["Password: "])
                return [PASSWORD] * len(prompts)

        conn, _ = await asyncssh.create_connection(
            Client,
            "127.0.0.1",
            echo_fleet.device(0).port,
            username=USERNAME,
            known_hosts=None,
            client_keys=None,
            preferred_auth="keyboard-interactive",
        )
        async with conn:
            process = await conn.create_process(term_type="vt100", encoding=None)
            assert await asyncio.wait_for(process.stdout.readexactly(8), 5) == b"sw-exec#"

    run(scenario())


def test_vty_exhausted_closes_the_connection_after_login(echo_fleet: EchoFleet) -> None:
    async def scenario() -> None:
        async with shell(echo_fleet.device(2).port) as first:
            await first.read_until(b"#")
            with pytest.raises((asyncssh.ChannelOpenError, asyncssh.ConnectionLost, asyncssh.DisconnectError)):
                async with shell(echo_fleet.device(2).port) as second:
                    await second.read_until(b"#")
            assert len(echo_fleet.device(2).sessions) == 1
        await asyncio.sleep(0.2)
        assert echo_fleet.device(2).sessions == []

    run(scenario())


def test_sessions_are_closed_when_the_client_goes_away(echo_fleet: EchoFleet) -> None:
    async def scenario() -> None:
        async with shell(echo_fleet.device(0).port) as sh:
            await sh.read_until(b"#")
            assert len(echo_fleet.device(0).sessions) == 1
        for _ in range(50):
            if not echo_fleet.device(0).sessions:
                break
            await asyncio.sleep(0.02)

    run(scenario())
    assert echo_fleet.device(0).sessions == []
    assert len(echo_fleet.device(0).closed) == 1


def test_drop_aborts_and_exit_closes(echo_fleet: EchoFleet) -> None:
    async def scenario() -> None:
        async with shell(echo_fleet.device(0).port) as sh:
            await sh.read_until(b"#")
            sh.send(b"drop\n")
            with pytest.raises(EOFError):
                await sh.read_until(b"#", timeout=5)
        async with shell(echo_fleet.device(0).port) as sh:
            await sh.read_until(b"#")
            sh.send(b"exit\n")
            with pytest.raises(EOFError):
                await sh.read_until(b"#", timeout=5)
            await asyncio.wait_for(sh.conn.wait_closed(), 5)  # the server closed the TCP session

    run(scenario())
    assert echo_fleet.device(0).sessions == []
    assert [s.lines_seen[-1] for s in echo_fleet.device(0).closed] == ["drop", "exit"]


def test_hang_keeps_the_connection_but_never_answers(echo_fleet: EchoFleet) -> None:
    async def scenario() -> None:
        async with shell(echo_fleet.device(0).port) as sh:
            await sh.read_until(b"#")
            sh.send(b"hang\n")
            await sh.read_until(b"hang\r\n")
            sh.send(b"echo still there?\n")
            assert await sh.read_quiet(0.4) == b""
            assert not sh.process.stdout.at_eof()

    run(scenario())


def test_stop_aborts_open_connections(mock_host_key_dir: Path) -> None:
    sockets = bind_listen_sockets([("127.0.0.1", 0)])
    device = EchoDevice("sw", "127.0.0.1", sockets[0].getsockname()[1])
    server = BackgroundServer([device], host_key_dir=mock_host_key_dir, sockets=sockets)
    server.start()

    async def scenario() -> None:
        async with shell(device.port) as sh:
            await sh.read_until(b"#")
            await asyncio.get_running_loop().run_in_executor(None, server.stop)
            with pytest.raises(EOFError):
                await sh.read_until(b"#", timeout=5)
        with pytest.raises(OSError):
            await asyncssh.connect("127.0.0.1", device.port, username=USERNAME, password=PASSWORD)

    try:
        run(scenario())
    finally:
        server.stop()
    assert device.sessions == []


def test_only_loopback_addresses_are_bound(mock_host_key_dir: Path) -> None:
    check_loopback("127.0.0.1")
    check_loopback("127.0.3.7")
    for address in ("0.0.0.0", "10.1.1.1", "::1", "localhost", ""):
        with pytest.raises(NotLoopbackError):
            check_loopback(address)
    with pytest.raises(NotLoopbackError):
        bind_listen_sockets([("0.0.0.0", 0)])
    key = load_or_create_host_key(mock_host_key_dir)
    with pytest.raises(NotLoopbackError):
        MockServer([EchoDevice("sw", "192.168.1.1", 22)], key)


def test_spread_addresses_bind_one_port_on_many_loopback_addresses(mock_host_key_dir: Path) -> None:
    probe = bind_listen_sockets([("127.0.0.1", 0)])
    port = probe[0].getsockname()[1]
    probe[0].close()
    hosts = ["127.0.0.2", "127.0.1.9"]
    sockets = bind_listen_sockets([(host, port) for host in hosts])
    devices = [EchoDevice(f"sw{i}", host, port) for i, host in enumerate(hosts)]
    server = BackgroundServer(devices, host_key_dir=mock_host_key_dir, sockets=sockets)
    server.start()

    async def scenario() -> None:
        for index, host in enumerate(hosts):
            async with asyncssh.connect(
                host, port, username=USERNAME, password=PASSWORD, known_hosts=None, client_keys=None
            ) as conn:
                process = await conn.create_process(term_type="vt100", encoding=None)
                prompt = f"sw{index}#".encode()
                assert await asyncio.wait_for(process.stdout.readexactly(len(prompt)), 5) == prompt

    try:
        run(scenario())
    finally:
        server.stop()


def test_host_key_is_generated_once_private_and_reused(tmp_path: Path) -> None:
    first = load_or_create_host_key(tmp_path / "state")
    path = tmp_path / "state" / HOST_KEY_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    second = load_or_create_host_key(tmp_path / "state")
    assert first.public_data == second.public_data
    assert first.algorithm == b"ssh-ed25519"


def test_inventory_writer_matches_the_contract(tmp_path: Path) -> None:
    @dataclass(frozen=True)
    class Host:
        name: str
        host: str
        port: int
        site: str
        virtual_account: str
        source_interface: str
        platform: str = "cisco_xe"
        canary: bool = False

    hosts = [
        Host(
            "ams-access-sw-0001-long-name",
            "127.0.0.1",
            22000,
            "AMS",
            "Corporate Network Devices",
            "Vlan781",
            canary=True,
        ),
        Host("fra-sw-2", "127.0.0.1", 22001, "FRA", "Public Network Devices", "Vlan10", platform="cisco_ios"),
    ]
    info = FleetInfo(
        satellite_url="https://ssm-onprem.fleetreg.test/Transportgateway/services/DeviceRequestHandler",
        cslu_tenant="https://ssm-onprem.fleetreg.test/cslu/v1/pi/TENANT",
        username="admin",
        password="pa ss'word",
        enable_secret="en$ecret",
        tokens={"Corporate Network Devices": TOKEN_CORP, "Public Network Devices": TOKEN_PUB},
    )
    directory = tmp_path / "inv"
    env = write_inventory(directory, hosts, info)

    defaults = yaml.safe_load((directory / "defaults.yaml").read_text())
    assert defaults["platform"] == "cisco_xe"
    fleetreg = defaults["data"]["fleetreg"]
    assert fleetreg["satellite_url"] == info.satellite_url
    assert fleetreg["cslu_tenant"] == info.cslu_tenant
    assert fleetreg["callhome_profile"] == "SSM-OnPrem"
    assert fleetreg["transport"] == "auto"
    assert fleetreg["server_identity_check"] == "disable"
    assert fleetreg["trustpoint"] == {"name": "SLA-TrustPoint", "mode": "revocation-check-none"}
    assert fleetreg["register_timeout_s"] == 120
    assert fleetreg["poll_interval_s"] == 1

    groups = yaml.safe_load((directory / "groups.yaml").read_text())
    assert groups["va_corporate_network_devices"] == {
        "data": {
            "fleetreg": {
                "virtual_account": "Corporate Network Devices",
                "token_ref": "env:FLEETREG_TOKEN_CORPORATE_NETWORK_DEVICES",
            }
        }
    }
    assert groups["site_ams"] == {"data": {"site": "AMS"}}
    assert set(groups) == {"va_corporate_network_devices", "va_public_network_devices", "site_ams", "site_fra"}

    hosts_doc = yaml.safe_load((directory / "hosts.yaml").read_text())
    assert hosts_doc["ams-access-sw-0001-long-name"] == {
        "hostname": "127.0.0.1",
        "port": 22000,
        "groups": ["va_corporate_network_devices", "site_ams"],
        "data": {"fleetreg": {"source_interface": "Vlan781", "canary": True}},
    }
    assert hosts_doc["fra-sw-2"]["platform"] == "cisco_ios"
    assert "canary" not in hosts_doc["fra-sw-2"]["data"]["fleetreg"]

    env_path = directory / "fleet.env"
    assert stat.S_IMODE(os.stat(env_path).st_mode) == 0o600
    assert env == {
        "FLEETREG_USERNAME": "admin",
        "FLEETREG_PASSWORD": "pa ss'word",
        "FLEETREG_ENABLE_SECRET": "en$ecret",
        "FLEETREG_TOKEN_CORPORATE_NETWORK_DEVICES": TOKEN_CORP,
        "FLEETREG_TOKEN_PUBLIC_NETWORK_DEVICES": TOKEN_PUB,
    }
    assert env_path.read_text() == env_file_text(env)
    assert "export FLEETREG_PASSWORD='pa ss'\"'\"'word'\n" in env_path.read_text()
    assert slug("  Lab / Test  VA ") == "lab_test_va"
    assert token_env_var("Lab / Test VA") == "FLEETREG_TOKEN_LAB_TEST_VA"
    # secrets stay out of the YAML files
    for name in ("defaults.yaml", "groups.yaml", "hosts.yaml"):
        text = (directory / name).read_text()
        assert TOKEN_CORP not in text and "pa ss" not in text


REPO = Path(__file__).resolve().parents[2]


def run_main(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_devices", *args], cwd=REPO, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.parametrize(
    "args",
    [
        ["serve", "--count", "many", "--inventory-out", "x"],
        ["serve", "--count", "2"],  # --inventory-out missing
        ["serve", "--count", "2", "--base-port", "70000", "--inventory-out", "x"],
        ["serve", "--count", "2", "--register-seconds", "9-3", "--inventory-out", "x"],
        ["bogus"],
    ],
)
def test_main_bad_arguments_exit_2_with_one_line(args: list[str]) -> None:
    done = run_main(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("mock_devices: error: ")


def test_main_bad_spec_exits_2_naming_the_file(tmp_path: Path) -> None:
    spec = tmp_path / "fleet.yaml"
    spec.write_text("count: -3\n")
    done = run_main("serve", "--spec", str(spec), "--inventory-out", str(tmp_path / "inv"))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert str(spec) in done.stderr and "count" in done.stderr


def test_main_serves_writes_inventory_and_state_and_stops_on_signals(tmp_path: Path) -> None:
    probe = bind_listen_sockets([("127.0.0.1", 0)])
    base_port = probe[0].getsockname()[1]
    probe[0].close()
    inventory, state = tmp_path / "inv", tmp_path / "state.json"
    process = subprocess.Popen(
        [
            sys.executable, "-m", "mock_devices", "serve", "--count", "3", "--base-port", str(base_port),
            "--state-dir", str(tmp_path / "key"), "--state-out", str(state), "--inventory-out", str(inventory),
        ],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line == (
            f"mock_devices: 3 switches listening on 127.0.0.1:{base_port}-{base_port + 2}; inventory in {inventory}\n"
        )
        hosts = yaml.safe_load((inventory / "hosts.yaml").read_text())
        assert sorted(entry["port"] for entry in hosts.values()) == [base_port, base_port + 1, base_port + 2]
        assert stat.S_IMODE(os.stat(inventory / "fleet.env").st_mode) == 0o600
        assert stat.S_IMODE(os.stat(tmp_path / "key" / HOST_KEY_FILE).st_mode) == 0o600

        process.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while not state.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        dumped = json.loads(state.read_text())
        assert sorted(dumped["devices"]) == sorted(hosts)
        state.unlink()

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert sorted(json.loads(state.read_text())["devices"]) == sorted(hosts)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_real_fleet_prompt_bytes_and_paging(mock_fleet: MockFleet) -> None:
    """The behaviour's switch behind the front end: exact prompt, --More-- at 24 lines, q back."""
    device = mock_fleet.fleet.devices[0]

    async def scenario() -> None:
        conn = await asyncssh.connect(
            device.host,
            device.port,
            username=mock_fleet.env["FLEETREG_USERNAME"],
            password=mock_fleet.env["FLEETREG_PASSWORD"],
            known_hosts=None,
            client_keys=None,
        )
        async with conn:
            sh = Shell(conn, await conn.create_process(term_type="xterm", term_size=(200, 50), encoding=None))
            prompt = f"{device.name}#".encode()
            assert await sh.read_until(prompt) == prompt
            assert await sh.read_quiet() == b""
            sh.send(b"show running-config\r")
            page = await sh.read_until(MORE)
            assert page.startswith(b"show running-config\r\n")
            assert page.count(b"\r\n") == 24  # echo + 23 lines of the 24-line terminal
            assert b"\n" not in page.replace(b"\r\n", b"")
            sh.send(b"q")
            assert (await sh.read_until(prompt)).endswith(prompt)
            sh.send(b"terminal length 0\r\nshow running-config\r\n")
            full = await sh.read_until(b"\r\nend\r\n" + prompt)
            assert MORE not in full

    run(scenario())
