"""The scheduler's inbox: results taken all at once, the first waited for up to a deadline."""

from __future__ import annotations

import asyncio

from fleetreg.shell.inbox import Inbox


def test_what_was_put_is_taken_at_once_in_order() -> None:
    async def run() -> list[int]:
        inbox: Inbox[int] = Inbox()
        inbox.put(1)
        inbox.put(2)
        return await inbox.take(10)

    assert asyncio.run(run()) == [1, 2]


def test_a_put_wakes_the_waiting_taker() -> None:
    async def run() -> tuple[list[str], list[str]]:
        inbox: Inbox[str] = Inbox()
        asyncio.get_running_loop().call_soon(inbox.put, "step done")
        first = await inbox.take(60)  # returns as soon as the put happens, not after 60 s
        return first, await inbox.take(0)

    assert asyncio.run(asyncio.wait_for(run(), 5)) == (["step done"], [])


def test_nothing_before_the_deadline_gives_an_empty_list() -> None:
    async def run() -> list[int]:
        inbox: Inbox[int] = Inbox()
        return await inbox.take(0.01)

    assert asyncio.run(run()) == []
