"""The apply stage's service layer: checks everything that can be checked before a switch
is touched, then drives the runner wave by wave, journals, and writes the final reports.
Also resume, on-demand backout and report regeneration, which share this machinery."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fleetreg.core.errors import FleetregError, InputError, InternalError, PlanFileError, RunFolderError
from fleetreg.core.exit_codes import ExitCode, run_exit_code
from fleetreg.core.host_flow import Finish, HostFlow, step_after
from fleetreg.core.host_outcome import HostOutcome
from fleetreg.core.inventory_model import Inventory
from fleetreg.core.licenses import token_problem_on_satellite
from fleetreg.core.plan_integrity import plan_differences
from fleetreg.core.plan_model import HostPlan, Plan
from fleetreg.core.planner import inventory_fingerprint, registers
from fleetreg.core.redact import Redactor
from fleetreg.core.satellite_models import RegistrationToken
from fleetreg.core.satellite_trust import TrustChecked
from fleetreg.core.settings import SatelliteApiSettings
from fleetreg.services.run_events import RunEvents
from fleetreg.services.run_reports import write_run_reports
from fleetreg.services.satellite import ApiTokenSource, client_from_settings
from fleetreg.services.soak import Pacing, SoakResult, soak
from fleetreg.services.verify import satellite_problems
from fleetreg.services.waves import ConfirmWave, WaveDriver
from fleetreg.shell.ca_files import ca_file_fingerprints
from fleetreg.shell.inventory import load_inventory
from fleetreg.shell.journal import JOURNAL_FILE, TERMINAL_STATES, HostRecord, Journal
from fleetreg.shell.lease import LOCK_FILE, Leases, plan_key, run_key, switch_keys
from fleetreg.shell.logsetup import watch_secrets
from fleetreg.shell.nornir_setup import build_nornir
from fleetreg.shell.plan_store import PLAN_FILE, current_digest, load_plan, plan_file, recorded_digest
from fleetreg.shell.runfolder import create_run, find_run
from fleetreg.shell.satellite_tls import check_plan_trust
from fleetreg.shell.scheduler import ApplyRunner, EventSink, RunnerOptions, WaveRunner
from fleetreg.shell.secrets import Credentials, credentials_from_env, resolve_ref, resolve_token
from fleetreg.shell.shards import ShardedRunner
from fleetreg.tasks.connection import DEFAULT_TRANSPORT
from fleetreg.tasks.host_keys import HostKeyPolicy
from fleetreg.tasks.netmiko_options import DEFAULT_NETMIKO_EXTRAS
from nornir.core import Nornir

SHORT_ID_LENGTH = 8  # of plan.json's sha256: what apply and backout ask the operator to type


@dataclass(frozen=True)
class Selection:
    """`apply --hosts/--group/--site/--filter`: the part of a reviewed plan this run acts on.
    The plan is still verified whole; the hosts left out are journaled as skipped."""

    hosts: frozenset[str]
    description: str  # the options as given, for the journal and the report


@dataclass
class ApplyOptions:
    runs_dir: Path = Path("runs")
    inventory_dir: Path | None = None  # default: the plan's
    secrets_file: Path | None = None
    workers: int = 20
    connect_timeout: float = 15
    auto_backout: bool = True
    session_logs: bool = True
    keep_configs: bool = False  # each switch's running config (read at precheck), masked, in configs/
    read_timeout: float = 30
    connect_retries: int = 3
    backoff_base_s: float = 1.0
    known_hosts: Path | None = None  # strict host-key checking; None: trust on first use (runs_dir)
    processes: int = 1  # worker processes per wave (1: all in this process)
    transport: str = DEFAULT_TRANSPORT  # tasks.connection.TRANSPORTS
    typeahead: bool = False  # the asyncssh transport types a section's settings at once
    netmiko_extras: dict = field(default_factory=lambda: dict(DEFAULT_NETMIKO_EXTRAS))
    satellite_unreachable_ok: bool = False  # go on when the satellite trust check cannot connect
    project_dir: Path = Path(".")  # whose templates/ the plan is derived again with: the plan's own
    plan_sha256: str | None = None  # the digest the change board signed off (plan output, runbook)


@dataclass
class ApplyResult:
    run_dir: Path
    outcomes: dict[str, HostOutcome]
    halted: str | None = None
    interrupted: bool = False  # stopped by a signal (Ctrl-C, SIGTERM): resumable
    stopped: str | None = None  # stopped at the window end or a gate's `stop`: resumable

    @property
    def exit_code(self) -> ExitCode:
        """fleetreg.core.exit_codes: 130 interrupted, 4 stopped, 5 halted, 1 some failed, 0 done."""
        return run_exit_code(
            (o.outcome for o in self.outcomes.values()),
            halted=self.halted is not None,
            stopped=self.stopped is not None,
            interrupted=self.interrupted,
        )

    @property
    def backout_exit_code(self) -> ExitCode:
        """A backout is done when every host it took on is backed out."""
        if self.interrupted:
            return ExitCode.INTERRUPTED
        done = all(o.outcome == "backed-out" for o in self.outcomes.values())
        return ExitCode.OK if done else ExitCode.HOSTS_FAILED

    @property
    def status(self) -> str:
        if self.interrupted:
            return "interrupted"
        if self.stopped:
            return "stopped"
        return "halted" if self.halted else "finished"


class Session:
    """Everything one apply/resume/backout run needs, loaded and checked up front: the plan is
    the one fleetreg wrote and would write again (verify_plan), then credentials and tokens.
    `check_trust`: check the CA each switch will get against the satellite's certificate first
    (apply and resume; not backout, which installs no CA)."""

    def __init__(self, plan_path: Path, options: ApplyOptions, *, check_trust: bool = False) -> None:
        self.plan = plan = load_plan(plan_path)
        self.options = options
        inventory_dir = options.inventory_dir or Path(plan.inventory_dir)
        inventory = load_inventory(inventory_dir, secrets_file=options.secrets_file, check_secrets=False)
        self.inventory = _plan_inventory(plan, inventory)
        verify_plan(plan, plan_path, self.inventory, project_dir=options.project_dir, signed_off=options.plan_sha256)
        self.digest = current_digest(plan_path)
        self.trust = TrustChecked()
        if check_trust:
            self.trust = check_plan_trust(
                plan, self.inventory, unreachable_ok=options.satellite_unreachable_ok, timeout=options.connect_timeout
            )
        self.redactor = Redactor()
        watch_secrets(self.redactor)  # whatever it learns is masked in every log record too
        self.credentials: Credentials = credentials_from_env(inventory_defaults=inventory.login_defaults)
        self.redactor.add(self.credentials.password, self.credentials.enable_secret)
        self.tokens = self._resolve_tokens()
        self.cloud_tokens = self._resolve_cloud_tokens()

    def _resolve_tokens(self) -> dict[str, str]:
        """Every token the plan will type, read now (from its reference, or from the satellite's
        API: reused or created), so a missing one stops the run before any switch is touched.
        Keys: the token reference, or `api:<virtual account>`."""
        tokens: dict[str, str] = {}
        from_api: dict[str, tuple[SatelliteApiSettings, Counter[str]]] = {}
        to_prove: dict[str, tuple[SatelliteApiSettings, Counter[tuple[str, str]]]] = {}
        for host in self.plan.hosts:
            if not registers(host):
                continue
            settings = self.inventory.by_name(host.name).settings
            if settings.satellite_api is not None and settings.uses_api_tokens:
                api = settings.satellite_api
                from_api.setdefault(api.model_dump_json(), (api, Counter()))[1][host.virtual_account] += 1
                continue
            if host.token_ref and host.token_ref not in tokens:
                tokens[host.token_ref] = resolve_token(host.token_ref, secrets_file=self.options.secrets_file)
            if settings.satellite_api is not None and host.token_ref:
                api = settings.satellite_api
                key = (host.token_ref, host.virtual_account)
                to_prove.setdefault(api.model_dump_json(), (api, Counter()))[1][key] += 1
        for api, needed in from_api.values():
            secret_ref = api.client_secret_ref
            self.redactor.add(
                resolve_ref(secret_ref, field="satellite_api.client_secret_ref", secrets_file=self.options.secrets_file)
            )
            with client_from_settings(api, secrets_file=self.options.secrets_file) as client:
                source = ApiTokenSource(client, description=f"fleetreg plan {self.plan.plan_id}")
                for va, count in needed.items():
                    tokens[f"api:{va}"] = source.token_for(va, needed_uses=count)
        self.redactor.add(*tokens.values())
        for api, needed_by in to_prove.values():
            self._prove_tokens(api, needed_by, tokens)
        return tokens

    def _prove_tokens(
        self, api: SatelliteApiSettings, needed: Counter[tuple[str, str]], tokens: dict[str, str]
    ) -> None:
        """Before any switch leaves its licensing server: each token the plan will type exists in
        its virtual account on the satellite, is not expired and has a use left per switch."""
        with client_from_settings(api, secrets_file=self.options.secrets_file) as client:
            listed: dict[str, list[RegistrationToken]] = {}
            for (ref, va), count in needed.items():
                if va not in listed:
                    listed[va] = client.tokens(va)
                problem = token_problem_on_satellite(
                    tokens[ref], va, listed[va], now=dt.datetime.now(dt.UTC), needed_uses=count
                )
                if problem is not None:
                    raise InputError(
                        f"the registration token {ref} {problem}; no switch was touched", field="token_ref"
                    )

    def _resolve_cloud_tokens(self) -> dict[str, str]:
        """The cloud tokens a rollback may type (only read, never used, unless a change fails
        after its switch left the cloud), read now so that a missing one stops the run before any
        switch is touched rather than when a switch needs it. Keys: the cloud token reference."""
        tokens = {
            ref: resolve_token(ref, field="cloud_token_ref", secrets_file=self.options.secrets_file)
            for ref in sorted({h.cloud_token_ref for h in self.plan.hosts if h.is_actionable and h.cloud_token_ref})
        }
        self.redactor.add(*tokens.values())
        return tokens

    def cloud_token(self, host: HostPlan) -> str:
        return self.cloud_tokens[host.cloud_token_ref or ""]

    def token(self, host: HostPlan) -> str:
        if self.inventory.by_name(host.name).settings.uses_api_tokens:
            return self.tokens[f"api:{host.virtual_account}"]
        return self.tokens[host.token_ref or ""]

    def satellite_postcheck(self, migrated: Sequence[HostPlan]) -> dict[str, str]:
        return satellite_problems(self.inventory, migrated, secrets_file=self.options.secrets_file)

    @property
    def short_id(self) -> str:
        """The first characters of plan.json's sha256: what the operator types to confirm."""
        return self.digest[:SHORT_ID_LENGTH]

    def select(self, names: Sequence[str] | None, description: str = "") -> Selection | None:
        """The plan's hosts among `names` (None: the whole plan, no selection)."""
        if names is None:
            return None
        wanted = set(names)
        return Selection(frozenset(h.name for h in self.plan.hosts if h.name in wanted), description)

    def nornir(self, hosts: Sequence[str]) -> Nornir:
        """Nornir over `hosts`: the run's credentials, host keys and transport."""
        o = self.options
        wanted = set(hosts)
        return build_nornir(
            self.inventory,
            self.credentials,
            workers=o.workers,
            connect_timeout=o.connect_timeout,
            extras=o.netmiko_extras,
            host_keys=HostKeyPolicy.for_runs(o.runs_dir, o.known_hosts),
            transport=o.transport,
            typeahead=o.typeahead,
        ).filter(filter_func=lambda h: h.name in wanted)

    def soak_check(self, pacing: Pacing) -> Callable[[Sequence[HostPlan], threading.Event], SoakResult]:
        def check(hosts: Sequence[HostPlan], stop: threading.Event) -> SoakResult:
            return soak(self.plan, hosts, self.nornir, pacing, stop, read_timeout=self.options.read_timeout)

        return check

    def runner(
        self, journal: Journal, run_id: str, run_dir: Path, hosts: Sequence[str], on_event: EventSink | None
    ) -> ApplyRunner:
        o = self.options
        nr = self.nornir(hosts)
        return ApplyRunner(
            nr,
            journal,
            run_id,
            run_dir,
            tokens=self.token,
            cloud_tokens=self.cloud_token,
            redactor=self.redactor,
            on_event=on_event,
            options=RunnerOptions(
                workers=o.workers,
                connect_retries=o.connect_retries,
                backoff_base_s=o.backoff_base_s,
                read_timeout_s=o.read_timeout,
                session_logs=o.session_logs,
                keep_configs=o.keep_configs,
            ),
        )

    def flow(self, host: HostPlan) -> HostFlow:
        s = self.inventory.by_name(host.name).settings
        return HostFlow.fresh(
            host,
            poll_interval_s=s.poll_interval_s,
            register_timeout_s=s.register_timeout_s,
            auto_backout=self.options.auto_backout,
            ack_wait_s=s.ack_wait_s,
        )

    def resumed_flow(self, host: HostPlan, record: HostRecord, journal: Journal, run_id: str) -> HostFlow:
        s = self.inventory.by_name(host.name).settings
        if record.state == "interrupted":
            resume_at = record.failed_step
        else:
            resume_at = journal.interrupted_step(run_id, host.name) or step_after(
                host, journal.last_done_step(run_id, host.name)
            )
        return HostFlow.resumed(
            host,
            resume_at,
            config_changed=record.config_changed,
            registered=record.registered,
            poll_interval_s=s.poll_interval_s,
            register_timeout_s=s.register_timeout_s,
            auto_backout=self.options.auto_backout,
            ack_wait_s=s.ack_wait_s,
        )


def _plan_inventory(plan: Plan, inventory: Inventory) -> Inventory:
    names = {h.name for h in inventory.hosts}
    missing = [h.name for h in plan.hosts if h.name not in names]
    if missing:
        raise PlanFileError(
            f"plan is from another inventory: host {missing[0]!r} is not in {inventory.directory}"
            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""),
            field="hosts",
        )
    selected = inventory.filter(hosts=[h.name for h in plan.hosts])
    actual = inventory_fingerprint(selected.hosts)
    if actual != plan.inventory_fingerprint:
        raise PlanFileError(
            f"inventory or settings changed since the plan (fingerprint {plan.inventory_fingerprint} != {actual}): "
            "run fleetreg plan again",
            field="inventory_fingerprint",
        )
    return selected


def verify_plan(
    plan: Plan, plan_path: Path, inventory: Inventory, *, project_dir: Path, signed_off: str | None = None
) -> None:
    """Refuse a plan fleetreg would not have produced (PlanFileError, exit 2, one line naming the
    host and what differs), and name a plan file changed since `fleetreg plan` wrote it. The
    templates are the ones of the project apply runs in (`project_dir`), never a folder the plan
    names; `signed_off`: the sha256 the change board approved, compared first when given."""
    where = str(plan_file(plan_path))
    digest = current_digest(plan_path)
    if signed_off is not None and signed_off.strip().lower() != digest:
        raise PlanFileError(f"plan.json's sha256 is {digest}, not the signed-off {signed_off.strip()}", file=where)
    templates = project_dir.resolve()
    if plan.project_dir is not None and Path(plan.project_dir) != templates:
        raise PlanFileError(
            f"the plan was derived with the templates of {plan.project_dir}, apply runs with those of {templates}: "
            "run apply from the plan's project folder (or --project)",
            file=where,
            field="project_dir",
        )
    recorded = recorded_digest(plan_path, plan.plan_id)
    if recorded is None:  # copied from elsewhere, or its plan_id edited: nothing vouches for it
        raise PlanFileError(
            f"fleetreg plan recorded no plan {plan.plan_id!r} in the journal of the runs folder holding it; "
            "apply a plan where fleetreg plan wrote it, or run fleetreg plan again",
            file=where,
        )
    changed = recorded != digest
    differences = plan_differences(
        plan,
        {entry.name: entry for entry in inventory.hosts},
        ca_sha1=ca_file_fingerprints(inventory.hosts),
        project_dir=templates,
    )
    if not (changed or differences):
        return
    what = "plan.json was changed after fleetreg wrote it" if changed else "not the plan fleetreg derives"
    if differences:
        more = f" (and {len(differences) - 1} more)" if len(differences) > 1 else ""
        detail = f": {differences[0]}{more}"
    else:
        detail = " (its digest differs from the one recorded at plan time)"
    raise PlanFileError(f"{what}{detail}; run fleetreg plan again", file=where)


def open_journal(runs_dir: Path) -> Journal:
    return Journal(runs_dir / JOURNAL_FILE)


def apply_plan(
    plan_path: Path,
    options: ApplyOptions,
    *,
    confirm: ConfirmWave | None = None,
    on_event: EventSink | None = None,
    on_runner: Callable[[WaveRunner], None] | None = None,
    checked: Session | None = None,
    pacing: Pacing | None = None,
    selection: Selection | None = None,
) -> ApplyResult:
    """Run the plan at `plan_path`; `checked`: what `check_apply` returned for it (not loaded
    again); `selection`: the part of the plan to act on (the rest is journaled as skipped)."""
    session = checked or Session(plan_path, options, check_trust=True)
    plan = session.plan
    plan_file = plan_path / PLAN_FILE if plan_path.is_dir() else plan_path
    journal = open_journal(options.runs_dir)
    leases = Leases(journal, "apply")
    try:
        # one apply of a plan at a time: its lease before the run folder exists
        leases.lock(plan_file.parent / LOCK_FILE, plan_key(plan.plan_id), required=False)
        leases.take(dict.fromkeys([plan_key(plan.plan_id), *switch_keys(plan)]))
        run_dir = create_run("apply", options.runs_dir)
        run_id = run_dir.name
        leases.lock(run_dir / LOCK_FILE, run_key(run_id))
        leases.take(dict.fromkeys([plan_key(plan.plan_id), run_key(run_id), *switch_keys(plan)], run_id))
        shutil.copyfile(plan_file, run_dir / PLAN_FILE)
        (run_dir / PLAN_FILE).chmod(0o600)
        recorded: dict[str, object] = {"workers": options.workers, "auto_backout": options.auto_backout}
        if selection is not None:
            recorded.update(selection=selection.description, selected=sorted(selection.hosts))
        journal.start_run(run_id, "apply", plan.plan_id, run_dir, {h.name: h.wave for h in plan.hosts}, recorded)
        for host in plan.hosts:
            if not host.is_actionable:
                state = "already-migrated" if host.classification == "already-migrated" else "skipped"
                journal.host_finished(run_id, host.name, state, reason=host.reason)
            elif selection is not None and host.name not in selection.hosts:
                journal.host_finished(run_id, host.name, "skipped", reason=f"not selected ({selection.description})")
        flows = {
            h.name: session.flow(h)
            for h in plan.hosts
            if h.is_actionable and (selection is None or h.name in selection.hosts)
        }
        with own_failures(run_id, session.redactor):
            return _run_waves(
                session, journal, run_id, run_dir, flows, confirm, on_event, on_runner, pacing or Pacing(), "apply"
            )
    finally:
        leases.release()
        journal.close()


def check_apply(plan_path: Path, options: ApplyOptions) -> Session:
    """Everything apply checks before it touches a switch (plan file, inventory and settings
    unchanged, the satellite's certificate against the CA to install, credentials, tokens), without
    starting a run: the CLI calls it before it shows any progress, so bad input ends in one error
    line. Pass the result to `apply_plan`. A plan another process is applying is refused first."""
    plan = load_plan(plan_path)
    journal = open_journal(options.runs_dir)
    try:
        Leases(journal, "apply").peek([plan_key(plan.plan_id), *switch_keys(plan)])
    finally:
        journal.close()
    return Session(plan_path, options, check_trust=True)


def check_resume(run: str, options: ApplyOptions) -> Session:
    """`check_apply` for `apply --resume RUN`: pass the result to `resume_apply`."""
    run_dir = find_run(run, options.runs_dir)
    journal = open_journal(options.runs_dir)
    try:
        plan_path = _resumable_plan(journal, run_dir)
        plan = load_plan(plan_path)
        Leases(journal, "apply --resume").peek(
            [run_key(run_dir.name), plan_key(plan.plan_id), *switch_keys(plan)],
            resuming=run_dir.name,
            lock=run_dir / LOCK_FILE,
        )
        return Session(plan_path, options, check_trust=True)
    finally:
        journal.close()


def lease_run(leases: Leases, run_dir: Path, plan: Plan) -> None:
    """Resume and backout: the run folder's OS lock, then the run's and the plan's rows (a
    lease left by a killed holder of this run is taken over)."""
    leases.lock(run_dir / LOCK_FILE, run_key(run_dir.name))
    keys = [run_key(run_dir.name), plan_key(plan.plan_id), *switch_keys(plan)]
    leases.take(dict.fromkeys(keys, run_dir.name), resuming=run_dir.name)


@contextmanager
def own_failures(run_id: str, redactor: Redactor) -> Iterator[None]:
    """Once a run may have touched a switch, fleetreg's own failures (disk full, the journal,
    a bug) end as one InternalError (exit 3) that says how to go on; switches are left where
    the journal says (the runner starts nothing new once its journal fails)."""
    resume = f"switches are where the journal says; fleetreg apply --resume {run_id} finishes or backs them out"
    try:
        yield
    except InternalError as exc:
        raise InternalError(f"{exc.message}; {resume}", host=exc.host, step=exc.step, file=exc.file) from None
    except RunFolderError as exc:  # a file of the run that cannot be written: not the user's input
        raise InternalError(f"cannot write the run: {exc.message}; {resume}", file=exc.file) from None
    except FleetregError:
        raise
    except sqlite3.Error as exc:
        raise InternalError(f"journal failed: {redactor(str(exc))}; {resume}") from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        raise InternalError(f"{where}{exc.strerror or exc}; {resume}") from None
    except Exception as exc:
        raise InternalError(f"unexpected {type(exc).__name__}: {redactor(str(exc))}; {resume}") from None


def _resumable_plan(journal: Journal, run_dir: Path) -> Path:
    info = journal.run_info(run_dir.name)
    if info is None or info["kind"] != "apply":
        raise RunFolderError("not an apply run in the journal: nothing to resume", file=str(run_dir))
    return run_dir / PLAN_FILE


def resume_apply(
    run: str,
    options: ApplyOptions,
    *,
    confirm: ConfirmWave | None = None,
    on_event: EventSink | None = None,
    on_runner: Callable[[WaveRunner], None] | None = None,
    checked: Session | None = None,
    pacing: Pacing | None = None,
) -> ApplyResult:
    """Continue run `run`; `checked`: what `check_resume` returned for it (not verified again).
    Hosts a narrowed run left out stay skipped."""
    run_dir = find_run(run, options.runs_dir)
    journal = open_journal(options.runs_dir)
    leases = Leases(journal, "apply --resume")
    try:
        plan_path = _resumable_plan(journal, run_dir)
        lease_run(leases, run_dir, load_plan(plan_path))
        session = checked or Session(plan_path, options, check_trust=True)
        plan = session.plan
        records = journal.hosts(run_dir.name)
        flows: dict[str, HostFlow] = {}
        for host in plan.hosts:
            record = records.get(host.name)
            if record is None or record.state in TERMINAL_STATES or not host.is_actionable:
                continue
            flows[host.name] = (
                session.flow(host)
                if record.state == "pending"
                else session.resumed_flow(host, record, journal, run_dir.name)
            )
        journal.set_run_status(run_dir.name, "running")
        with own_failures(run_dir.name, session.redactor):
            return _run_waves(
                session,
                journal,
                run_dir.name,
                run_dir,
                flows,
                confirm,
                on_event,
                on_runner,
                pacing or Pacing(),
                "resume",
            )
    finally:
        leases.release()
        journal.close()


def _run_waves(
    session: Session,
    journal: Journal,
    run_id: str,
    run_dir: Path,
    flows: Mapping[str, HostFlow],
    confirm: ConfirmWave | None,
    on_event: EventSink | None,
    on_runner: Callable[[WaveRunner], None] | None,
    pacing: Pacing,
    kind: str,
) -> ApplyResult:
    plan = session.plan
    started = time.monotonic()
    events = RunEvents(run_id, plan, journal, redactor=session.redactor, on_event=on_event)
    runner: WaveRunner
    if session.options.processes > 1 and len(flows) > 1:
        runner = ShardedRunner(journal, run_id, run_dir, session.options, session.options.processes, events.host_event)
    else:
        runner = session.runner(journal, run_id, run_dir, list(flows), events.host_event)
    if on_runner:
        on_runner(runner)
    waves = sum(1 for wave in plan.waves if any(h in flows for h in wave.hosts))
    events.run_started(kind, len(flows), waves, f"plan {plan.plan_id} ({session.short_id})")
    driver = WaveDriver(
        plan,
        flows,
        runner,
        journal,
        run_id,
        events,
        workers=session.options.workers,
        pacing=pacing,
        confirm=confirm,
        soak_check=session.soak_check(pacing),
    )
    end = driver.run()
    interrupted = runner.stop_requested.is_set()
    records = journal.hosts(run_id)
    migrated = [h for h in plan.hosts if h.name in flows and records[h.name].state == "migrated"]
    for host, problem in session.satellite_postcheck(migrated).items():
        reason = session.redactor(problem)
        journal.host_finished(run_id, host, "failed", failed_step="satellite_check", reason=reason)
        events.host_event(host, "failed", reason or "")
    if end.halted:
        for host, record in journal.hosts(run_id).items():
            if record.state == "pending":
                journal.host_finished(run_id, host, "skipped", reason=f"not run: {end.halted}")
    result_status = (
        "interrupted" if interrupted else ("stopped" if end.stopped else ("halted" if end.halted else "finished"))
    )
    journal.set_run_status(run_id, result_status)
    outcomes = write_run_reports(run_dir, journal, run_id, plan, redactor=session.redactor)
    result = ApplyResult(run_dir, outcomes, halted=end.halted, interrupted=interrupted, stopped=end.stopped)
    events.run_finished(result.status, finish_counts(outcomes), int(result.exit_code), time.monotonic() - started)
    return result


def regenerate_reports(run: str, runs_dir: Path) -> tuple[Path, dict[str, HostOutcome]]:
    run_dir = find_run(run, runs_dir)
    journal = open_journal(runs_dir)
    try:
        if journal.run_info(run_dir.name) is None:
            raise RunFolderError("not an apply run in the journal", file=str(run_dir))
        plan = load_plan(run_dir / PLAN_FILE)
        return run_dir, write_run_reports(run_dir, journal, run_dir.name, plan)
    finally:
        journal.close()


def finish_counts(outcomes: Mapping[str, HostOutcome]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes.values():
        counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
    return counts


__all__ = ["ApplyOptions", "ApplyResult", "Finish", "apply_plan", "regenerate_reports", "resume_apply"]
