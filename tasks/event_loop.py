"""The event loop every session runs on: uvloop (libuv) when installed, else asyncio's own.

Measured (bench/README.md): with asyncio's pure-Python loop, the loop's own machinery was
16 % of apply's CPU at 200 sessions; uvloop does the same work in C."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    try:
        import uvloop
    except ImportError:  # not on this platform (Windows): the standard loop works the same, slower
        return asyncio.new_event_loop
    return uvloop.new_event_loop


def run(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run(coro) on the fastest loop available. What exists when the loop starts
    (imports, inventory, plan) outlives the loop: frozen meanwhile, the collector skips it."""
    gc.freeze()
    try:
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            return runner.run(coro)
    finally:
        gc.unfreeze()


class BackgroundLoop:
    """One event loop in a daemon thread, for the asyncssh transport's sessions: synchronous
    callers (Nornir tasks in worker threads) hand it coroutines and wait for their results,
    while every session's reads and writes stay on the one loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = loop_factory()()
                started = threading.Event()

                def serve() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(started.set)
                    loop.run_forever()

                threading.Thread(target=serve, name="fleetreg-asyncssh-loop", daemon=True).start()
                started.wait()
                self._loop = loop
            return self._loop

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the loop and wait for it (from any thread but the loop's own)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop()).result()


SESSIONS = BackgroundLoop()  # the process's asyncssh sessions all live on this loop
