"""A raw interactive SSH shell (asyncssh client) on one switch of a started MockFleet: the bytes
exactly as a client receives them (echo, CR LF, backspaces, asynchronous messages)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import TypeVar

import asyncssh

from mock_devices.testing import MockFleet

QUIET_S = 0.3
T = TypeVar("T")


class SwitchShell:
    def __init__(self, process: asyncssh.SSHClientProcess[bytes]) -> None:
        self.process = process
        self.buffer = b""

    def send(self, text: str) -> None:
        self.process.stdin.write(text.encode())

    async def read_until(self, pattern: bytes | re.Pattern[bytes], timeout: float = 5.0) -> bytes:
        """Everything up to and including the first match of `pattern` (bytes: a suffix to wait for)."""
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))

        async def loop() -> bytes:
            while (found := regex.search(self.buffer)) is None:
                chunk = await self.process.stdout.read(65536)
                if not chunk:
                    raise EOFError(f"closed; got {self.buffer!r}")
                self.buffer += chunk
            data, self.buffer = self.buffer[: found.end()], self.buffer[found.end() :]
            return data

        try:
            return await asyncio.wait_for(loop(), timeout)
        except TimeoutError:
            raise TimeoutError(f"no {regex.pattern!r} within {timeout} s; got {self.buffer!r}") from None

    async def read_quiet(self, seconds: float = QUIET_S) -> bytes:
        """Whatever arrives until nothing more comes for `seconds`."""
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

    async def command(self, line: str, prompt: bytes, timeout: float = 5.0) -> bytes:
        """Send `line` and Enter; everything up to the next `prompt` (echo included)."""
        self.send(line + "\r")
        return await self.read_until(prompt, timeout)


@asynccontextmanager
async def switch_shell(mock: MockFleet, index: int = 0) -> AsyncIterator[SwitchShell]:
    device = mock.fleet.devices[index]
    conn = await asyncssh.connect(
        device.host,
        device.port,
        username=mock.env["FLEETREG_USERNAME"],
        password=mock.env["FLEETREG_PASSWORD"],
        known_hosts=None,
        client_keys=None,
    )
    try:
        process = await conn.create_process(term_type="vt100", encoding=None)
        yield SwitchShell(process)
    finally:
        conn.close()
        await conn.wait_closed()


def run(coroutine: Awaitable[T]) -> T:
    async def main() -> T:
        return await coroutine

    return asyncio.run(main())
