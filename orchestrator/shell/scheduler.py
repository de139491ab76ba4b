"""The apply runner: executes a plan wave by wave with a bounded number of SSH steps at once.

Design for a change window: a step holds one of the `workers` slots only while it talks to a
switch. A switch that waits for its registration (5-15 s on a real satellite) gives its slot
back and is polled again from a timer heap, so other switches start meanwhile; a poll over the
session the switch still has open (one `show license status`) takes no slot at all. Switches
that are already under way go before new ones, and new ones start longest wait first (switches
that register before those that only sync). Every step is journaled before and after it runs.

The scheduler and the journal run on one asyncio loop in the main thread; each step is a Nornir
task of `fleetreg.tasks` (the same functions a user's Nornir script runs), started with Nornir's
`Task.start` in a worker thread, over the host's Nornir connection (stock Netmiko through
nornir-netmiko by default; the opt-in asyncssh transport keeps its sessions on one background
loop, `tasks.event_loop.SESSIONS`)."""

from __future__ import annotations

import asyncio
import errno
import heapq
import importlib
import os
import random
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from fleetreg.core.errors import (
    AuthError,
    CommandError,
    CommandTimeout,
    ConnectError,
    DeviceError,
    FleetregError,
    HostKeyError,
    InternalError,
    RunFolderError,
)
from fleetreg.core.facts import build_drift_facts
from fleetreg.core.host_flow import Action, Finish, HostFlow, PollLater, longest_wait_first
from fleetreg.core.host_paths import host_file
from fleetreg.core.outcomes import FAILURE_OUTCOMES
from fleetreg.core.pki import ca_fingerprints
from fleetreg.core.plan_model import HostPlan, Wave
from fleetreg.core.redact import Redactor
from fleetreg.core.steps import POLL_STEPS, REPEATABLE_STEPS, ROLLBACK_STEPS, STEP_TABLE
from fleetreg.shell.discovery import RUNNING_CONFIG, save_masked_config
from fleetreg.shell.inbox import Inbox
from fleetreg.shell.journal import Journal
from fleetreg.shell.runfolder import write_private
from fleetreg.tasks import event_loop
from fleetreg.tasks.connection import SESSION_LOG_DATA, close_cli
from fleetreg.tasks.device_errors import translate
from fleetreg.tasks.session_log import SessionLogSpec
from nornir.core import Nornir
from nornir.core.inventory import Host
from nornir.core.processor import Processors
from nornir.core.task import Task

TokenProvider = Callable[[HostPlan], str]  # the registration token for this switch
# Each step's Nornir task (fleetreg.core.steps names them; resolved once, here in the shell).
STEP_TASKS: dict[str, Callable[..., Any]] = {
    spec.name: getattr(importlib.import_module(f"fleetreg.tasks.{spec.task.split(':')[0]}"), spec.task.split(":")[1])
    for spec in STEP_TABLE
    if spec.task is not None
}
EventSink = Callable[[str, str, str], None]  # (host, event, text)
NO_SPACE = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})  # fleetreg's disk, not the switch


class WaveRunner(Protocol):
    """What the apply service drives: this module's ApplyRunner, or orchestrator.shards."""

    stop_requested: threading.Event

    def request_stop(self) -> None: ...

    def run_wave(self, wave: Wave, flows: Mapping[str, HostFlow]) -> Any: ...


@dataclass(frozen=True)
class RunnerOptions:
    workers: int = 20
    connect_retries: int = 3
    backoff_base_s: float = 1.0
    backoff_max_s: float = 30.0
    read_timeout_s: float = 30.0
    session_logs: bool = True
    keep_configs: bool = False  # the running config read at precheck, masked, in configs/


@dataclass
class _Job:
    flow: HostFlow
    step: str
    attempt: int = 0  # connect attempts for this step
    started: bool = False
    slot: bool = True  # holds one of the workers slots (every step but a poll over an open session)


@dataclass
class _InFlight:
    """Steps under way: those holding a worker slot, and polls riding on an open session."""

    slots: int = 0
    polls: int = 0

    def add(self, job: _Job) -> None:
        if job.slot:
            self.slots += 1
        else:
            self.polls += 1

    def remove(self, job: _Job) -> None:
        if job.slot:
            self.slots -= 1
        else:
            self.polls -= 1

    def __bool__(self) -> bool:
        return bool(self.slots or self.polls)


@dataclass
class _StepResult:
    value: Any = None
    error: FleetregError | None = None
    connect_failed: bool = False
    fault: InternalError | None = None  # fleetreg's own failure during the step (its disk)


@dataclass
class WaveReport:
    wave: Wave
    finished: dict[str, Finish] = field(default_factory=dict)

    @property
    def failures(self) -> int:
        return sum(1 for f in self.finished.values() if f.outcome in FAILURE_OUTCOMES)


class ApplyRunner:
    def __init__(
        self,
        nr: Nornir,
        journal: Journal,
        run_id: str,
        run_dir: Path,
        *,
        tokens: TokenProvider,
        redactor: Redactor,
        options: RunnerOptions,
        on_event: EventSink | None = None,
        clock: Callable[[], float] = time.monotonic,
        cloud_tokens: TokenProvider | None = None,
    ) -> None:
        self.nr = nr
        self.journal = journal
        self.run_id = run_id
        self.run_dir = run_dir
        self.tokens = tokens
        self.cloud_tokens = cloud_tokens  # the CSSM token a rollback registers back to the cloud with
        self.redact = redactor
        self.options = options
        self.on_event = on_event or (lambda host, event, text: None)
        self.clock = clock
        self.stop_requested = threading.Event()
        self.fault: InternalError | None = None  # fleetreg's own failure (journal, disk): the run stops
        self._seq = 0
        self._random = random.Random()
        self._step_ids: dict[tuple[str, str], int] = {}
        self._flags: dict[str, tuple[bool, bool]] = {}  # last journaled (config changed, registered)
        self._open: set[str] = set()  # hosts whose session is open
        self._closing: set[asyncio.Future[None]] = set()
        self._executor: ThreadPoolExecutor | None = None  # the threads steps run in
        (run_dir / "backups").mkdir(mode=0o700, exist_ok=True)
        if options.session_logs:
            (run_dir / "session-logs").mkdir(mode=0o700, exist_ok=True)

    # ================================================================ public
    def request_stop(self) -> None:
        """Ctrl-C: start no new host and no new step; steps under way finish."""
        self.stop_requested.set()

    def run_wave(self, wave: Wave, flows: Mapping[str, HostFlow]) -> WaveReport:
        return event_loop.run(self._run_wave(wave, flows))

    async def _run_wave(self, wave: Wave, flows: Mapping[str, HostFlow]) -> WaveReport:
        report = WaveReport(wave)
        starting_order = longest_wait_first(flows[h].plan for h in wave.hosts if h in flows)
        pending_new: deque[str] = deque(plan.name for plan in starting_order)
        continuing: deque[_Job] = deque()
        timers: list[tuple[float, int, _Job]] = []
        inflight = _InFlight()
        finished: Inbox[tuple[_Job, _StepResult]] = Inbox()
        running: set[asyncio.Task[None]] = set()
        # workers for the steps holding a slot, as many again for polls over open sessions
        self._executor = ThreadPoolExecutor(max_workers=2 * self.options.workers, thread_name_prefix="fleetreg-step")
        done: list[tuple[_Job, _StepResult]] = []
        try:
            while pending_new or continuing or timers or inflight or done:
                # one round: what finished, what is due, what can start; one journal commit
                starting: list[_Job] = []
                for job, _result in done:
                    inflight.remove(job)
                try:
                    with self.journal.batch():
                        for job, result in done:
                            self._handle(job, result, report, continuing, timers)
                        if self.stop_requested.is_set():
                            for job in [*continuing, *(t[2] for t in timers)]:
                                self._interrupted(job, report)
                            continuing.clear()
                            timers.clear()
                            pending_new.clear()
                        self._take_due(timers, continuing, starting)
                        slots = self.options.workers - inflight.slots
                        while slots > 0 and (continuing or pending_new):
                            next_job = (
                                continuing.popleft()
                                if continuing
                                else self._first_job(flows[pending_new.popleft()], report)
                            )
                            if next_job is not None:
                                self._journal_start(next_job)
                                starting.append(next_job)
                                slots -= 1
                except Exception as exc:
                    # The journal (or a file of the run) cannot be written, or a bug: this round's
                    # commit is rolled back, so the journal still says which step each switch was in.
                    # Start nothing new; let the steps under way end (none is cut mid-dialogue);
                    # `apply --resume` re-reads each switch and finishes or backs it out.
                    self.journal.abandon()
                    self._failed(exc)
                    starting = []
                    continuing.clear()
                    timers.clear()
                    pending_new.clear()
                for job in starting:  # journaled as started (committed) before they run
                    inflight.add(job)
                    task = asyncio.create_task(self._execute_into(job, finished))
                    running.add(task)
                    task.add_done_callback(running.discard)
                timeout = max(0.0, timers[0][0] - self.clock()) if timers else None
                if not inflight:
                    done = []
                    if timers:
                        await self._sleep(timeout or 0.0)
                    continue
                # the steps finished by now, waiting for the first until the next timer is due
                # (0.5 s at most, so that Ctrl-C is seen)
                done = await finished.take(min(timeout, 0.5) if timeout is not None else 0.5)
        finally:
            await self._close_all()
            self._executor.shutdown(wait=False, cancel_futures=True)
        if self.fault is not None:
            raise self.fault
        return report

    def _failed(self, exc: BaseException) -> None:
        """fleetreg's own failure: the first one is kept (and raised once the steps under way
        have ended); the run stops as after Ctrl-C."""
        if self.fault is None:
            if isinstance(exc, FleetregError):
                self.fault = InternalError(exc.message, host=exc.host, step=exc.step, file=exc.file)
            elif isinstance(exc, sqlite3.Error):
                self.fault = InternalError(f"journal write failed: {exc}", file=str(self.journal.path))
            elif isinstance(exc, OSError):
                where = str(exc.filename) if exc.filename else None
                self.fault = InternalError(exc.strerror or str(exc), file=where)
            else:
                self.fault = InternalError(f"unexpected {type(exc).__name__}: {self.redact(str(exc))}")
        self.stop_requested.set()

    # ================================================================ scheduling
    async def _sleep(self, seconds: float) -> None:
        await asyncio.sleep(min(seconds, 0.5))  # Ctrl-C (stop_requested) is seen within 0.5 s

    def _take_due(self, timers: list[tuple[float, int, _Job]], continuing: deque[_Job], starting: list[_Job]) -> None:
        """Jobs whose timer is due: a poll over an open session starts now, without a slot; the
        others (a poll that must log in again, a retry) queue for a slot."""
        now = self.clock()
        while timers and timers[0][0] <= now:
            due = heapq.heappop(timers)[2]
            due.slot = not (due.step in POLL_STEPS and due.flow.plan.name in self._open)
            if due.slot:
                continuing.append(due)
            else:
                self._journal_start(due)
                starting.append(due)

    def _first_job(self, flow: HostFlow, report: WaveReport) -> _Job | None:
        action = flow.next_action()
        if isinstance(action, Finish):
            self._finish(flow, action, report)
            return None
        return _Job(flow, action.step)

    def _journal_start(self, job: _Job) -> None:
        if not job.started:
            job.started = True
            key = (job.flow.plan.name, job.step)
            self._step_ids[key] = self.journal.step_started(self.run_id, *key)

    def _journal_end(self, job: _Job, status: str, detail: str | None) -> None:
        step_id = self._step_ids.pop((job.flow.plan.name, job.step), None)
        if step_id is not None:
            self.journal.step_finished(step_id, status, self.redact(detail))

    def _handle(
        self,
        job: _Job,
        result: _StepResult,
        report: WaveReport,
        continuing: deque[_Job],
        timers: list[tuple[float, int, _Job]],
    ) -> None:
        flow, host = job.flow, job.flow.plan.name
        if result.fault is not None:  # the step stays journaled as started: resume runs it again
            self._failed(result.fault)
            self._interrupted(job, report)
            return
        retryable = result.connect_failed or (session_unusable(result.error) and job.step in REPEATABLE_STEPS)
        if retryable and job.attempt + 1 < self.options.connect_retries and result.error is not None:
            job.attempt += 1
            delay = self._backoff(job.attempt)
            self.on_event(host, "retry", f"{result.error.message}; retrying in {delay:.1f}s")
            self._schedule(timers, delay, job)
            return
        polling = False
        if result.error is not None:
            self._journal_end(job, "failed", result.error.one_line())
            self.on_event(host, "step-failed", f"{job.step}: {self.redact(result.error.message)}")
            action = flow.step_failed(job.step, self.redact(result.error.message) or "")
        else:
            failure_before = flow.failure
            action = self._decide(job, result.value)
            polling = isinstance(action, PollLater) and action.step == job.step
            if not polling:
                # failed: what the step read made the flow fail (a rollback step ends the story, and a
                # resumed rollback's recheck finds the failure already there)
                failed = flow.failure is not failure_before and job.step not in ROLLBACK_STEPS
                self._journal_end(
                    job, "failed" if failed else "done", f"{flow.polls} polls" if job.step.startswith("wait_") else None
                )
        # what the flow now knows about the switch, for a resume: config changed, registered (and
        # the poll count, once a wait ends). A poll that changed neither writes nothing.
        flags = (flow.config_changed, flow.registered)
        if not polling or self._flags.get(host) != flags:
            self._flags[host] = flags
            self.journal.host_flags(
                self.run_id, host, config_changed=flow.config_changed, registered=flow.registered, polls=flow.polls
            )
        if isinstance(action, Finish):
            self._finish(flow, action, report)
        elif self.stop_requested.is_set():
            self._interrupted(_Job(flow, action.step), report)
        elif isinstance(action, PollLater):
            same = action.step == job.step
            self._schedule(
                timers, action.delay_s, _Job(flow, action.step, started=same) if same else _Job(flow, action.step)
            )
        else:
            continuing.append(_Job(flow, action.step))

    def _schedule(self, timers: list[tuple[float, int, _Job]], delay: float, job: _Job) -> None:
        self._seq += 1
        heapq.heappush(timers, (self.clock() + delay, self._seq, job))

    def _backoff(self, attempt: int) -> float:
        base = min(self.options.backoff_max_s, self.options.backoff_base_s * (2 ** (attempt - 1)))
        return base * (0.5 + self._random.random())  # full jitter around the base, so AAA is not hit in lockstep

    def _decide(self, job: _Job, value: Any) -> Action:
        flow, step = job.flow, job.step
        if step == "precheck":
            facts, raw_status = value
            return flow.precheck(facts, raw_status)
        if step == "recheck":
            return flow.recheck(value[1])
        if step == "wait_registered":
            raw, status = value
            return flow.registration_polled(status, raw, self.clock())
        if step == "wait_ack":
            raw, status = value
            return flow.ack_polled(status, self.clock())
        if step == "verify":
            raw, status, callhome = value
            return flow.verified(status, callhome, raw)
        if step == "backout":
            return flow.backout_done(value.raw_status, value.status, value.callhome, value.note)
        if step == "restore_cloud":
            return flow.restore_cloud_started()
        if step == "wait_cloud":
            raw, status, callhome = value
            return flow.cloud_polled(status, callhome, raw, self.clock())
        return flow.step_done(step)

    def _finish(self, flow: HostFlow, action: Finish, report: WaveReport) -> None:
        host = flow.plan.name
        self.journal.host_finished(
            self.run_id, host, action.outcome, failed_step=action.failed_step, reason=self.redact(action.reason)
        )
        report.finished[host] = action
        self._close(host)
        self._save_status(flow)
        self.on_event(host, action.outcome, self.redact(action.reason) or "")

    def _interrupted(self, job: _Job, report: WaveReport) -> None:
        host = job.flow.plan.name
        why = "fleetreg failed" if self.fault is not None else "stopped by the operator (Ctrl-C)"
        self._journal_end(job, "interrupted", f"{why}; resume with fleetreg apply --resume")
        self.journal.host_finished(
            self.run_id,
            host,
            "interrupted",
            failed_step=job.step,
            reason=f"stopped before {job.step}; resume with fleetreg apply --resume",
        )
        report.finished[host] = Finish("interrupted", f"stopped before {job.step}", job.step)
        self._close(host)
        self.on_event(host, "interrupted", job.step)

    def _save_status(self, flow: HostFlow) -> None:
        status_dir = self.run_dir / "status"
        status_dir.mkdir(mode=0o700, exist_ok=True)
        for when, text in (("before", flow.before_status), ("after", flow.after_status)):
            if text:
                write_private(host_file(status_dir, flow.plan.name, f".{when}.txt"), self.redact(text) or "")

    def _close(self, name: str, *, politely: bool = True) -> None:
        """Log out of the host's session (in a worker thread: the scheduler does not wait)."""
        if name in self._open:
            self._open.discard(name)
            host = self.nr.inventory.hosts[name]
            closing = asyncio.get_running_loop().run_in_executor(self._executor, _close_quietly, host, politely)
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)

    async def _close_all(self) -> None:
        for name in list(self._open):
            self._close(name, politely=False)
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    # ================================================================ execution (worker threads)
    async def _execute_into(self, job: _Job, finished: Inbox[tuple[_Job, _StepResult]]) -> None:
        name = job.flow.plan.name
        result = await asyncio.get_running_loop().run_in_executor(self._executor, self._execute, job)
        if result.error is not None and result.error.step == "connect":
            self._open.discard(name)  # device_cli dropped what it had
        elif result.error is None and result.fault is None and job.step in STEP_TASKS:
            self._open.add(name)
        elif name in self._open and (session_unusable(result.error) or result.fault is not None):
            self._close(name, politely=False)
        finished.put((job, result))

    def _execute(self, job: _Job) -> _StepResult:
        """One step, in a worker thread. Never raises: the outcome is the result."""
        name = job.flow.plan.name
        try:
            return _StepResult(value=self._run_step(job))
        except InternalError as exc:
            return _StepResult(fault=exc)
        except RunFolderError as exc:  # a file of the run (backup, kept config): fleetreg's, not the switch's
            return _StepResult(fault=InternalError(exc.message, host=name, step=job.step, file=exc.file))
        except FleetregError as exc:
            if exc.step == "connect":
                return _StepResult(error=exc, connect_failed=not isinstance(exc, AuthError | HostKeyError))
            exc.step = exc.step or job.step
            return _StepResult(error=exc)
        except Exception as exc:
            if isinstance(exc, OSError) and exc.errno in NO_SPACE:  # its disk, not the switch
                where = str(exc.filename) if exc.filename else None
                return _StepResult(fault=InternalError(exc.strerror or str(exc), host=name, step=job.step, file=where))
            return _StepResult(error=translate(exc, host=name, step=job.step))

    def _run_task(self, host: Host, name: str, **params: Any) -> Any:
        """The step's Nornir task on `host`, as Nornir runs it (Task.start); its result value,
        or the exception the task failed with."""
        if host.name not in self._open and self.options.session_logs:
            log_path = host_file(self.run_dir / "session-logs", host.name, ".log")
            os.close(os.open(log_path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600))
            host.data[SESSION_LOG_DATA] = SessionLogSpec(log_path, tuple(sorted(self.redact.secrets)))
        task = Task(
            STEP_TASKS[name], nornir=self.nr, global_dry_run=False, processors=Processors(), name=name, **params
        )
        result = task.start(host)[0]
        if result.failed:
            raise result.exception or DeviceError(f"{name} failed", host=host.name, step=name)
        return result.result

    def _run_step(self, job: _Job) -> Any:
        plan = job.flow.plan
        timeout = self.options.read_timeout_s
        step = job.step
        host = self.nr.inventory.hosts[plan.name]
        settings = host.data.get("settings")
        if step == "precheck":
            outputs = self._run_task(host, step, read_timeout=timeout)
            trustpoints = (settings.trustpoint.name,) if settings is not None else ()
            facts = build_drift_facts(plan.name, outputs, trustpoints=trustpoints)
            if self.options.keep_configs and RUNNING_CONFIG in outputs:
                save_masked_config(self.run_dir, plan.name, self.redact(outputs[RUNNING_CONFIG]) or "")
            return facts, outputs["show license status"]
        if step == "backup":
            write_private(host_file(self.run_dir / "backups", plan.name, ".cfg"), self._backup_text(job.flow))
            return None
        if step == "install_ca":
            assert settings is not None
            pem = read_ca_file(plan)
            return self._run_task(
                host, step, trustpoint=settings.trustpoint.name, ca_pem=pem, expected_sha1=plan.ca_sha1 or "",
                read_timeout=timeout,
            )  # fmt: skip
        if step == "configure":
            return self._run_task(host, step, commands=plan.config_commands, read_timeout=timeout)
        if step in ("save_config", "save_final"):
            return self._run_task(host, step, read_timeout=timeout * 2, step=step)
        if step == "register":
            token = self.tokens(plan)
            return self._run_task(host, step, token=token, force=plan.register_force, read_timeout=timeout * 2)
        if step in ("deregister", "sync"):
            return self._run_task(host, step, read_timeout=timeout * 2)
        if step == "verify":
            return self._run_task(host, step, mode=plan.mode or "callhome", read_timeout=timeout)
        if step == "backout":
            return self._run_task(
                host,
                step,
                commands=plan.backout_commands,
                deregister_first=job.flow.registered and plan.mode == "callhome",
                mode=plan.mode or "callhome",
                satellite_url=plan.expected_url,
                read_timeout=timeout,
            )
        if step == "restore_cloud":
            if self.cloud_tokens is None:
                raise FleetregError("no cloud token was read for this run", host=plan.name, step=step)
            return self._run_task(host, step, token=self.cloud_tokens(plan), read_timeout=timeout * 2)
        if step == "wait_cloud":
            return self._run_task(host, step, mode="callhome", read_timeout=timeout)
        if step in STEP_TASKS:  # the reads: recheck, wait_registered, wait_ack
            return self._run_task(host, step, read_timeout=timeout)
        raise FleetregError(f"unknown step {step!r}", host=plan.name)

    def _backup_text(self, flow: HostFlow) -> str:
        plan = flow.plan
        lines = [
            f"! fleetreg backup of {plan.name} ({plan.hostname}), run {self.run_id}, "
            f"plan fingerprint {plan.fingerprint}",
            "! call-home, trustpoint and license lines as they were before the change:",
            *(flow.pre_config or "").splitlines(),
            "! backout lines (config mode), as planned:",
            *(f"!   {c}" for c in plan.backout_commands),
        ]
        return "\n".join(lines) + "\n"


def _close_quietly(host: Host, politely: bool) -> None:
    close_cli(host, politely=politely)
    host.data.pop(SESSION_LOG_DATA, None)


def session_unusable(exc: BaseException | None) -> bool:
    """After this error the session's state is unknown (lost, hung, timed out, not enabled):
    it is not used again. A clean `%` rejection (CommandError) leaves it usable."""
    if isinstance(exc, CommandTimeout | ConnectError | AuthError):
        return True
    return isinstance(exc, DeviceError) and not isinstance(exc, CommandError)


def read_ca_file(plan: HostPlan) -> str:
    """The CA PEM the plan reviewed: refused if the file changed since (fingerprint differs)."""
    path = plan.ca_file or ""
    try:
        pem = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read the CA file {path}: {exc}", host=plan.name, step="install_ca") from None
    if ca_fingerprints(pem)[1] != plan.ca_sha1:
        raise CommandError(
            f"CA file {path} changed since the plan (SHA1 {ca_fingerprints(pem)[1]}, plan has {plan.ca_sha1})",
            host=plan.name,
            step="install_ca",
        )
    return pem
