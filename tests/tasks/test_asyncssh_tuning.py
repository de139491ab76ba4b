"""asyncssh costs fleetreg does without: IGNOREs (kept with CBC), packet log lines nobody logs,
a thread hop per login, an AES-GCM key object per packet."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import asyncssh
import pytest
from asyncssh import encryption as asyncssh_encryption
from asyncssh import packet as asyncssh_packet
from asyncssh.crypto.cipher import GCMCipher
from cli_sessions import with_cli

from tasks.asyncssh_tuning import (
    KeptKeyGCMCipher,
    install,
    keep_gcm_keys,
    options_built_inline,
    sends_cbc,
    skip_empty_ignore_packets,
)
from tasks.cli import DeviceCli
from tasks.ssh_cli import SshCli


async def plain_connect(mock: Any, **options: Any) -> asyncssh.SSHClientConnection:
    """asyncssh without fleetreg's client, to the mock's first switch (no file read)."""
    device, env = mock.fleet.devices[0], mock.env
    return await asyncssh.connect(
        device.host,
        device.port,
        username=env["FLEETREG_USERNAME"],
        password=env["FLEETREG_PASSWORD"],
        known_hosts=None,
        client_keys=None,
        agent_path=None,
        config=None,
        **options,
    )


def _conn(cipher: bytes, *, client: bool = True) -> SimpleNamespace:
    other = b"aes128-gcm@openssh.com"
    return SimpleNamespace(
        is_client=lambda: client,
        _enc_alg_cs=cipher if client else other,
        _enc_alg_sc=other if client else cipher,
    )


@pytest.mark.parametrize(
    ("cipher", "client", "cbc"),
    [
        (b"aes128-gcm@openssh.com", True, False),
        (b"aes256-ctr", False, False),
        (b"chacha20-poly1305@openssh.com", True, False),
        (b"aes128-cbc", True, True),
        (b"aes256-cbc", False, True),
    ],
)
def test_the_sending_direction_cipher_decides(cipher: bytes, client: bool, cbc: bool) -> None:
    assert sends_cbc(_conn(cipher, client=client)) is cbc


def test_a_connection_whose_cipher_cannot_be_read_keeps_the_ignores() -> None:
    assert sends_cbc(SimpleNamespace(is_client=lambda: True)) is True


@pytest.mark.integration
def test_one_packet_per_command_line_with_gcm(mock_fleet_factory) -> None:
    mock = mock_fleet_factory(1)
    host = mock.fleet.devices[0].name
    commands = 10

    async def count_packets(cli: DeviceCli) -> tuple[int, bytes]:
        assert isinstance(cli, SshCli)
        conn = cli._conn
        before = conn._send_seq
        for _ in range(commands):
            await cli.send_command("show version", read_timeout=10)
        return conn._send_seq - before, conn._enc_alg_cs

    sent, cipher = with_cli(mock, "asyncssh", host, count_packets)
    assert cipher == b"aes128-gcm@openssh.com"
    assert sent <= commands + 2, f"{sent} packets for {commands} command lines (IGNOREs still sent?)"


@pytest.mark.integration
def test_a_cbc_session_still_sends_an_ignore_before_each_packet(mock_fleet_factory) -> None:
    mock = mock_fleet_factory(1)
    commands = 10

    async def count_packets() -> tuple[int, bytes]:
        skip_empty_ignore_packets()
        conn = await plain_connect(mock, encryption_algs=["aes128-cbc"])
        try:
            writer, _reader, _stderr = await conn.open_session(term_type="vt100")
            before = conn._send_seq
            for _ in range(commands):
                writer.write("\n")
            await asyncio.sleep(0.2)
            return conn._send_seq - before, conn._enc_alg_cs
        finally:
            conn.close()

    sent, cipher = asyncio.run(count_packets())
    assert cipher == b"aes128-cbc"
    assert sent >= 2 * commands, f"{sent} packets for {commands} writes: the CBC countermeasure was dropped"


@pytest.mark.integration
@pytest.mark.parametrize(("debug_level", "logged"), [(1, False), (2, False), (3, True)])
def test_packets_are_logged_only_at_asyncssh_debug_level_3(
    mock_fleet_factory,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    debug_level: int,
    logged: bool,
) -> None:
    """The per-packet log line is no longer formatted for nothing (asyncssh's formatting sizes
    each packet with `plural`), and is still written when asked for."""
    mock = mock_fleet_factory(1)
    host = mock.fleet.devices[0].name
    formatted = 0
    plural = asyncssh_packet.plural

    def counting_plural(*args: Any) -> str:
        nonlocal formatted
        formatted += 1
        return plural(*args)

    monkeypatch.setattr(asyncssh_packet, "plural", counting_plural)

    async def one_command(cli: DeviceCli) -> None:
        await cli.send_command("show version", read_timeout=10)

    asyncssh.set_debug_level(debug_level)
    try:
        with caplog.at_level(logging.DEBUG, logger="asyncssh"):
            with_cli(mock, "asyncssh", host, one_command)
    finally:
        asyncssh.set_debug_level(1)
    packet_lines = [m for r in caplog.records if re.search(r"\] (Sent|Received) MSG_", m := r.getMessage())]
    assert bool(packet_lines) is logged
    assert bool(formatted) is logged
    if logged:
        assert any("MSG_CHANNEL_DATA" in line for line in packet_lines)


class _CountingExecutor(ThreadPoolExecutor):
    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


@pytest.mark.integration
@pytest.mark.parametrize("inline", [True, False])
def test_fleetreg_sessions_build_their_options_without_a_thread(mock_fleet_factory, inline: bool) -> None:
    """Inside options_built_inline no work goes to the loop's executor; outside it asyncssh
    builds its options there as it always did."""
    mock = mock_fleet_factory(1)

    async def connect_once() -> int:
        install()
        executor = _CountingExecutor()
        asyncio.get_running_loop().set_default_executor(executor)
        scope = options_built_inline() if inline else contextlib.nullcontext()
        with scope:
            conn = await plain_connect(mock)
        conn.close()
        await conn.wait_closed()
        return executor.submitted

    submitted = asyncio.run(connect_once())
    assert (submitted == 0) is inline


@pytest.mark.parametrize("key_size", [16, 32])
@pytest.mark.parametrize("iv_tail", [b"\x00" * 8, b"\xff" * 8, bytes(range(8))], ids=["zero", "wraps", "any"])
def test_the_kept_key_gcm_cipher_seals_and_opens_as_asyncssh_does(key_size: int, iv_tail: bytes) -> None:
    """Same ciphertext, tag and nonce sequence (the counter wraps at 2**64), same None on a bad tag."""
    key, iv = bytes(range(key_size)), b"\x01\x02\x03\x04" + iv_tail
    theirs_out, ours_out = GCMCipher("aes128-gcm", key, iv), KeptKeyGCMCipher("aes128-gcm", key, iv)
    theirs_in, ours_in = GCMCipher("aes128-gcm", key, iv), KeptKeyGCMCipher("aes128-gcm", key, iv)
    for n, size in enumerate([16, 32, 1024, 48, 16]):
        header, data = (size).to_bytes(4, "big"), bytes([n]) * size
        sealed = ours_out.encrypt_and_sign(header, data)
        assert sealed == theirs_out.encrypt_and_sign(header, data)
        body, tag = sealed[0][4:], sealed[1]
        if n == 2:  # a tampered tag: refused by both, and both counters still move on
            bad = bytes([tag[0] ^ 1]) + tag[1:]
            assert ours_in.verify_and_decrypt(header, body, bad) is None
            assert theirs_in.verify_and_decrypt(header, body, bad) is None
            continue
        assert ours_in.verify_and_decrypt(header, body, tag) == data
        assert theirs_in.verify_and_decrypt(header, body, tag) == data


def test_gcm_sessions_use_the_kept_key_cipher() -> None:
    install()
    assert asyncssh_encryption.GCMCipher is KeptKeyGCMCipher
    keep_gcm_keys()  # a second install changes nothing
    assert (
        asyncssh_encryption.GCMEncryption.new("aes128-gcm", bytes(16), bytes(12))._cipher.__class__ is KeptKeyGCMCipher
    )


def test_a_second_install_changes_nothing() -> None:
    def patched() -> tuple[object, ...]:
        return (
            asyncssh.connection.SSHConnection.send_packet,
            asyncssh_packet.SSHPacketLogger._log_packet,
            asyncssh.connection.SSHClientConnectionOptions.__dict__["construct"],
            asyncssh_encryption.GCMCipher,
        )

    install()
    first = patched()
    install()
    assert patched() == first
