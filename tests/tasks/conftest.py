"""Fixtures for task-level tests: every DeviceCli contract runs over each transport."""

from __future__ import annotations

import pytest
from fleetreg.tasks.connection import TRANSPORTS


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)
