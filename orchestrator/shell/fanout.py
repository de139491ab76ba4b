"""Run one read-only Nornir task of `fleetreg.tasks` on many switches at once, with Nornir's own
runner (`nr.run`, its threaded runner's workers), a callback as each switch finishes, and every
session closed after. Used by discover (plan) and verify; apply has its own scheduler
(fleetreg.shell.scheduler), built for multi-step, resumable work."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fleetreg.core.errors import FleetregError
from fleetreg.tasks.connection import close_cli
from fleetreg.tasks.device_errors import translate
from nornir.core import Nornir
from nornir.core.inventory import Host
from nornir.core.processor import Processor
from nornir.core.task import AggregatedResult, MultiResult, Result, Task

T = TypeVar("T")
Progress = Callable[[str, bool], None]  # (host, ok) after each host
Then = Callable[[Host, Any], Any]  # what to make of a task's result, in the worker, per host


def run_on_hosts(
    nr: Nornir,
    names: Iterable[str],
    task: Callable[..., Result],
    *,
    name: str,
    then: Then | None = None,
    on_host_done: Progress | None = None,
    **params: Any,
) -> dict[str, Any | FleetregError]:
    """`task(**params)` on the named hosts (called `name` in errors), `then(host, result)` on each
    success: per host its value, or the error."""
    wanted = set(names)
    selected = nr.filter(filter_func=lambda host: host.name in wanted)
    processors: list[Processor] = [_Progress(on_host_done)] if on_host_done is not None else []
    aggregated: AggregatedResult = selected.with_processors(processors).run(
        task=_session_task, name=name, step=task, then=then, on_failed=True, raise_on_error=False, **params
    )
    for host_name in aggregated.failed_hosts:
        nr.data.failed_hosts.discard(host_name)  # a later run on the same Nornir object starts afresh
    return {host: _value(host, multi, name) for host, multi in aggregated.items()}


def _session_task(task: Task, step: Callable[..., Result], then: Then | None, **params: Any) -> Result:
    """`step` over the host's session, then the session closed (dropped if the step failed)."""
    try:
        result = step(task, **params)
    except BaseException:
        close_cli(task.host, politely=False)
        raise
    close_cli(task.host, politely=True)
    value = then(task.host, result.result) if then is not None else result.result
    return Result(host=task.host, result=value)


def _value(host: str, multi: MultiResult, name: str) -> Any | FleetregError:
    result = multi[0]
    if not result.failed:
        return result.result
    if result.exception is None:
        return FleetregError(f"{name} failed", host=host, step=name)
    return translate(result.exception, host=host, step=name)


class _Progress:
    """A Nornir processor: reports each host as its task ends."""

    def __init__(self, on_host_done: Progress) -> None:
        self.on_host_done = on_host_done

    def task_started(self, task: Task) -> None:
        pass

    def task_completed(self, task: Task, result: AggregatedResult) -> None:
        pass

    def task_instance_started(self, task: Task, host: Host) -> None:
        pass

    def task_instance_completed(self, task: Task, host: Host, result: MultiResult) -> None:
        self.on_host_done(host.name, not result.failed)

    def subtask_instance_started(self, task: Task, host: Host) -> None:
        pass

    def subtask_instance_completed(self, task: Task, host: Host, result: MultiResult) -> None:
        pass
