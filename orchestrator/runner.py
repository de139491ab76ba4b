"""The apply runner: executes a plan wave by wave with a bounded pool of SSH workers.

Design for a change window: a worker is busy only while it talks to a switch. A switch that
waits for its registration (5-15 s on a real satellite) gives its worker back and is polled
again from a timer heap, so the pool keeps starting other switches meanwhile. Switches that
are already under way go before new ones. Every step is journaled before and after it runs."""

from __future__ import annotations

import heapq
import os
import queue
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from nornir.core import Nornir
from nornir.core.inventory import Host
from nornir.core.processor import Processors
from nornir.core.task import Task

from orchestrator.errors import (
    AuthError,
    CommandError,
    CommandTimeout,
    ConnectError,
    DeviceError,
    FleetregError,
    HostKeyError,
)
from orchestrator.facts import build_facts
from orchestrator.host_flow import Action, Finish, HostFlow, PollLater
from orchestrator.journal import Journal
from orchestrator.pki import ca_fingerprints
from orchestrator.plan_model import HostPlan, Wave
from orchestrator.redact import Redactor
from orchestrator.runfolder import write_private
from tasks.backout import backout
from tasks.configure import configure, save_config
from tasks.connection import translate, transport_of
from tasks.discover import discover
from tasks.licensing import deregister, read_status, register, sync
from tasks.session_log import SessionLogSpec
from tasks.trust import install_ca
from tasks.verify import verify

TokenProvider = Callable[[HostPlan], str]  # the registration token for this switch
# Steps that only read: after a lost or timed-out session they are simply run again on a new one.
READ_ONLY_STEPS = frozenset({"precheck", "recheck", "wait_registered", "wait_ack", "verify"})
# ... and the backout, which is idempotent (declarative config lines, deregister, write memory):
# giving up on it after one lost session would leave the switch half-configured.
REPEATABLE_STEPS = READ_ONLY_STEPS | {"backout", "install_ca"}  # install_ca checks what is there first
EventSink = Callable[[str, str, str], None]  # (host, event, text)


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


@dataclass
class _Job:
    flow: HostFlow
    step: str
    attempt: int = 0  # connect attempts for this step
    started: bool = False


@dataclass
class _StepResult:
    value: Any = None
    error: FleetregError | None = None
    connect_failed: bool = False


@dataclass
class WaveReport:
    wave: Wave
    finished: dict[str, Finish] = field(default_factory=dict)

    @property
    def failures(self) -> int:
        return sum(1 for f in self.finished.values() if f.outcome in ("failed", "backed-out"))


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
    ) -> None:
        self.nr = nr
        self.journal = journal
        self.run_id = run_id
        self.run_dir = run_dir
        self.tokens = tokens
        self.redact = redactor
        self.options = options
        self.on_event = on_event or (lambda host, event, text: None)
        self.clock = clock
        self.stop_requested = threading.Event()
        self._seq = 0
        self._random = random.Random()
        self._step_ids: dict[tuple[str, str], int] = {}
        self._flags: dict[str, tuple[bool, bool]] = {}  # last journaled (config changed, registered)
        (run_dir / "backups").mkdir(mode=0o700, exist_ok=True)
        if options.session_logs:
            (run_dir / "session-logs").mkdir(mode=0o700, exist_ok=True)

    # ================================================================ public
    def request_stop(self) -> None:
        """Ctrl-C: start no new host and no new step; steps under way finish."""
        self.stop_requested.set()

    def run_wave(self, wave: Wave, flows: Mapping[str, HostFlow]) -> WaveReport:
        report = WaveReport(wave)
        pending_new: deque[str] = deque(h for h in wave.hosts if h in flows)
        continuing: deque[_Job] = deque()
        timers: list[tuple[float, int, _Job]] = []
        inflight: dict[Future[_StepResult], _Job] = {}
        # finished steps arrive here: O(1) per step, where wait() on every in-flight future was O(workers)
        finished: queue.SimpleQueue[Future[_StepResult]] = queue.SimpleQueue()
        with ThreadPoolExecutor(max_workers=self.options.workers, thread_name_prefix="fleetreg") as pool:
            while pending_new or continuing or timers or inflight:
                now = self.clock()
                while timers and timers[0][0] <= now:
                    continuing.append(heapq.heappop(timers)[2])
                if self.stop_requested.is_set():
                    for job in [*continuing, *(t[2] for t in timers)]:
                        self._interrupted(job, report)
                    continuing.clear()
                    timers.clear()
                    pending_new.clear()
                while len(inflight) < self.options.workers and (continuing or pending_new):
                    next_job = (
                        continuing.popleft() if continuing else self._first_job(flows[pending_new.popleft()], report)
                    )
                    if next_job is None:
                        continue
                    job = next_job
                    self._journal_start(job)
                    future = pool.submit(self._execute, job)
                    inflight[future] = job
                    future.add_done_callback(finished.put)
                timeout = max(0.0, timers[0][0] - self.clock()) if timers else None
                if not inflight:
                    if timers:
                        self._sleep(timeout or 0.0)
                    continue
                for future in self._finished_steps(finished, timeout):
                    job = inflight.pop(future)
                    self._handle(job, future.result(), report, continuing, timers)
        return report

    # ================================================================ scheduling
    def _sleep(self, seconds: float) -> None:
        self.stop_requested.wait(min(seconds, 0.5))

    @staticmethod
    def _finished_steps(
        finished: queue.SimpleQueue[Future[_StepResult]], timeout: float | None
    ) -> list[Future[_StepResult]]:
        """The steps finished by now, waiting for the first up to `timeout` (and 0.5 s at most,
        so that Ctrl-C is seen); empty when none finished."""
        try:
            done = [finished.get(timeout=min(timeout, 0.5) if timeout is not None else 0.5)]
        except queue.Empty:
            return []
        while True:
            try:
                done.append(finished.get_nowait())
            except queue.Empty:
                return done

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
            action = self._decide(job, result.value)
            polling = isinstance(action, PollLater) and action.step == job.step
            if not polling:
                self._journal_end(
                    job,
                    "done" if flow.failure is None or job.step == "backout" else "failed",
                    f"{flow.polls} polls" if job.step.startswith("wait_") else None,
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
            return flow.backout_done()
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
        self._journal_end(job, "interrupted", "stopped by the operator (Ctrl-C); resume with fleetreg apply --resume")
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
                write_private(status_dir / f"{flow.plan.name}.{when}.txt", self.redact(text) or "")

    def _close(self, name: str) -> None:
        host = self.nr.inventory.hosts.get(name)
        if host is None:
            return
        try:
            host.close_connection(transport_of(host))
        except Exception:
            host.connections.pop(transport_of(host), None)

    # ================================================================ execution (worker threads)
    def _execute(self, job: _Job) -> _StepResult:
        host = self.nr.inventory.hosts[job.flow.plan.name]
        try:
            self._connect(host)
        except FleetregError as exc:
            return _StepResult(error=exc, connect_failed=not isinstance(exc, AuthError | HostKeyError))
        try:
            return _StepResult(value=self._run_step(host, job))
        except FleetregError as exc:
            if session_unusable(exc):
                self._drop(host)
            return _StepResult(error=exc)
        except Exception as exc:
            self._drop(host)
            return _StepResult(error=translate(exc, host=host.name, step=job.step))

    def _connect(self, host: Host) -> None:
        transport = transport_of(host)
        if transport in host.connections:
            return
        if self.options.session_logs:
            extras = host.connection_options[transport].extras or {}
            log_path = self.run_dir / "session-logs" / f"{host.name}.log"
            os.close(os.open(log_path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600))
            extras["session_log"] = SessionLogSpec(log_path, tuple(sorted(self.redact.secrets)))
            host.connection_options[transport].extras = extras
        try:
            host.open_connection(transport, configuration=self.nr.config)
        except Exception as exc:
            self._drop(host)  # a login that failed half-way (e.g. at enable) must not hold a vty line
            raise translate(exc, host=host.name, step="connect") from None

    def _drop(self, host: Host) -> None:
        """Forget a session in an unknown state; the next step logs in afresh."""
        plugin = host.connections.pop(transport_of(host), None)
        if plugin is not None and plugin.connection is not None:
            plugin.connection.abort()

    def _task(self, host: Host, func: Callable[..., Any], **kwargs: Any) -> Any:
        result = Task(func, nornir=self.nr, global_dry_run=False, processors=Processors(), **kwargs).start(host)
        first = result[0]
        if first.failed:
            exc = first.exception
            raise (
                exc
                if isinstance(exc, FleetregError)
                else translate(exc or RuntimeError(str(first.result)), host=host.name, step=func.__name__)
            )
        return first.result

    def _run_step(self, host: Host, job: _Job) -> Any:
        plan = job.flow.plan
        timeout = self.options.read_timeout_s
        step = job.step
        if step == "precheck":
            outputs = self._task(host, discover, read_timeout=timeout)
            trustpoints = (host.data["settings"].trustpoint.name,) if "settings" in host.data else ()
            facts = build_facts(host.name, outputs, trustpoints=trustpoints)
            return facts, outputs["show license status"]
        if step == "backup":
            write_private(self.run_dir / "backups" / f"{host.name}.cfg", self._backup_text(job.flow))
            return None
        if step == "recheck":
            return self._task(host, read_status, step="recheck", read_timeout=timeout)
        if step == "install_ca":
            return self._task(
                host,
                install_ca,
                trustpoint=host.data["settings"].trustpoint.name,
                ca_pem=read_ca_file(plan),
                expected_sha1=plan.ca_sha1,
                read_timeout=timeout,
            )
        if step == "configure":
            return self._task(host, configure, commands=plan.config_commands, read_timeout=timeout)
        if step in ("save_config", "save_final"):
            return self._task(host, save_config, step=step, read_timeout=timeout * 2)
        if step == "deregister":
            return self._task(host, deregister, read_timeout=timeout * 2)
        if step == "register":
            token = self.tokens(plan)
            return self._task(host, register, token=token, force=plan.register_force, read_timeout=timeout * 2)
        if step in ("wait_registered", "wait_ack"):
            return self._task(host, read_status, step=step, read_timeout=timeout)
        if step == "sync":
            return self._task(host, sync, read_timeout=timeout * 2)
        if step == "verify":
            return self._task(host, verify, mode=plan.mode or "callhome", read_timeout=timeout)
        if step == "backout":
            return self._task(
                host,
                backout,
                commands=plan.backout_commands,
                deregister_first=job.flow.registered and plan.mode == "callhome",
                read_timeout=timeout,
            )
        raise FleetregError(f"unknown step {step!r}", host=host.name)

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
