"""The event loop every session runs on: uvloop (libuv) when installed, else asyncio's own.

Measured (bench/README.md): with asyncio's pure-Python loop, the loop's own machinery was
16 % of apply's CPU at 200 sessions; uvloop does the same work in C."""

from __future__ import annotations

import asyncio
import gc
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
