"""The apply runner's scheduling, observed on a real run against the mock fleet: which steps
hold one of the `--workers` slots and which do not."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fleet_runs import fleet_env, plan_and_apply
from fleetreg.shell import scheduler as runner

pytestmark = pytest.mark.integration


class StepMonitor:
    """Counts what runs at the same time: steps that need a slot, and registration polls."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # steps run in worker threads
        self.slot_steps = 0
        self.max_slot_steps = 0
        self.polls = 0
        self.polls_beside_a_slot_step = 0

    def slot_step(self, task: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                self.slot_steps += 1
                self.max_slot_steps = max(self.max_slot_steps, self.slot_steps)
            try:
                return task(*args, **kwargs)
            finally:
                with self.lock:
                    self.slot_steps -= 1

        return run

    def poll(self, task: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                self.polls += 1
                if self.slot_steps:
                    self.polls_beside_a_slot_step += 1
            return task(*args, **kwargs)

        return run


def test_registration_polls_take_no_worker_slot(
    mock_fleet_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One worker, switches that take 2 s to register and 100 ms per command: while the first
    # switch polls its registration, the single slot is busy with the next switch's steps.
    mock = mock_fleet_factory(4, latency_ms=100, register_seconds=(2.0, 2.0))
    monitor = StepMonitor()
    for name, task in list(runner.STEP_TASKS.items()):
        wrap = monitor.poll if name in runner.POLL_STEPS else monitor.slot_step
        monkeypatch.setitem(runner.STEP_TASKS, name, wrap(task))

    with fleet_env(mock):
        code, _plan_dir, _apply_dir = plan_and_apply(mock, tmp_path / "runs", apply_args=("--workers", "1"))

    assert code == 0
    assert monitor.max_slot_steps == 1, "more steps ran at once than --workers allows"
    assert monitor.polls > 0
    assert monitor.polls_beside_a_slot_step > 0, "every poll waited for the only worker slot"
