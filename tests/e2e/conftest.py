"""Every end-to-end test here runs on both transports: stock Netmiko (the default) and the
opt-in asyncssh driver, chosen the way an operator would (FLEETREG_TRANSPORT, which the CLI's
--transport reads; shard processes inherit it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fleetreg.tasks.connection import TRANSPORTS


@pytest.fixture(params=TRANSPORTS, autouse=True)
def transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("FLEETREG_TRANSPORT", str(request.param))
    yield str(request.param)
