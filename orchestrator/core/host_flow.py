"""Per-host migration as a small state machine. Pure: it never touches a device or a file.
The runner executes the step this says is next, feeds the result back, and obeys the
action returned: run another step, poll again later, or finish with an outcome."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from fleetreg.core.facts import DriftFacts, drift_from, fingerprint, is_cloud_host
from fleetreg.core.outcomes import Outcome
from fleetreg.core.parsing.models import CallHomeConfig, LicenseStatus
from fleetreg.core.plan_model import HostPlan
from fleetreg.core.steps import ROLLBACK_STEPS

# Registration states as `show license status` prints them.
REGISTERED = "REGISTERED"
IN_PROGRESS = "REGISTRATION IN PROGRESS"
AUTHORIZED = "AUTHORIZED"
NO_LICENSES = "OUT OF COMPLIANCE"


@dataclass(frozen=True)
class RunStep:
    step: str


@dataclass(frozen=True)
class PollLater:
    step: str
    delay_s: float


@dataclass(frozen=True)
class Finish:
    outcome: Outcome
    reason: str | None = None
    failed_step: str | None = None


Action = RunStep | PollLater | Finish


@dataclass
class HostFlow:
    """Where one host is in its migration."""

    plan: HostPlan
    poll_interval_s: float
    register_timeout_s: float
    auto_backout: bool = True
    queue: list[str] = field(default_factory=list)
    ack_wait_s: float = 180.0  # SLP: how long to wait for the usage report's ACK before pending-ack
    config_changed: bool = False
    registered: bool = False
    polls: int = 0
    wait_started: float | None = None
    ack_baseline: str | None = None
    failure: Finish | None = None
    rollback_reason: str | None = None  # the backed-out reason, while the switch registers back to the cloud
    before_status: str | None = None
    after_status: str | None = None
    pre_config: str | None = None

    @classmethod
    def fresh(
        cls,
        plan: HostPlan,
        *,
        poll_interval_s: float,
        register_timeout_s: float,
        auto_backout: bool = True,
        ack_wait_s: float = 180.0,
    ) -> HostFlow:
        steps = ["precheck", *(s.name for s in plan.steps)]
        return cls(plan, poll_interval_s, register_timeout_s, auto_backout, queue=steps, ack_wait_s=ack_wait_s)

    @classmethod
    def resumed(
        cls,
        plan: HostPlan,
        resume_at: str | None,
        *,
        config_changed: bool,
        registered: bool,
        poll_interval_s: float,
        register_timeout_s: float,
        auto_backout: bool = True,
        ack_wait_s: float = 180.0,
    ) -> HostFlow:
        """A host a previous run left mid-way: re-read the switch ('recheck'), then go on from
        `resume_at`, the step that was interrupted or not yet started. Every step is safe to
        repeat after the recheck (config lines are declarative; licensing steps that already
        took effect are skipped by `recheck`)."""
        names: list[str] = [s.name for s in plan.steps]
        cut_short = "during backout"
        if resume_at in ROLLBACK_STEPS:  # the backout reads the switch first, then decides again
            if resume_at != "backout":  # the backout had ended
                cut_short = f"while registering it back to the cloud ({resume_at})"
            resume_at = "backout"
        if resume_at in (None, "precheck", "backup") or (resume_at not in names and resume_at != "backout"):
            return cls.fresh(
                plan,
                poll_interval_s=poll_interval_s,
                register_timeout_s=register_timeout_s,
                auto_backout=auto_backout,
                ack_wait_s=ack_wait_s,
            )
        queue = ["recheck", "backout"] if resume_at == "backout" else ["recheck", *names[names.index(resume_at) :]]
        flow = cls(
            plan,
            poll_interval_s,
            register_timeout_s,
            auto_backout,
            queue=queue,
            config_changed=config_changed,
            registered=registered,
            ack_wait_s=ack_wait_s,
        )
        if resume_at == "backout":
            flow.failure = Finish("failed", f"interrupted {cut_short}; backout repeated on resume", "backout")
        return flow

    @classmethod
    def for_backout(
        cls,
        plan: HostPlan,
        *,
        registered: bool,
        reason: str,
        poll_interval_s: float,
        register_timeout_s: float,
    ) -> HostFlow:
        """`fleetreg backout`: restore the captured call-home block on demand (and the cloud
        registration, where the plan holds a cloud token: polled like a registration)."""
        flow = cls(
            plan,
            poll_interval_s,
            register_timeout_s,
            True,
            queue=["backout"],
            config_changed=True,
            registered=registered,
        )
        flow.failure = Finish("failed", reason, None)
        return flow

    # -------------------------------------------------------------- driving
    def next_action(self) -> Action:
        if not self.queue:
            if self.failure is not None:
                return self.failure
            return Finish("migrated")
        return RunStep(self.queue[0])

    def step_done(self, step: str) -> Action:
        if self.queue and self.queue[0] == step:
            self.queue.pop(0)
        if step == "configure":
            self.config_changed = True
        if step == "register":
            self.registered = True
        return self.next_action()

    def step_failed(self, step: str, reason: str, *, changed_device: bool | None = None) -> Action:
        """A step failed: back out when the switch's config was changed, else finish failed."""
        if step in ("restore_cloud", "wait_cloud"):
            return self._rollback_finished(f"registering it back to the cloud failed: {reason}", restored=False)
        if step == "backout":
            first = self.failure
            at = f" at {first.failed_step}" if first and first.failed_step else ""
            retry = f"fleetreg backout RUN --hosts {self.plan.name}"
            return Finish(
                "failed",
                f"backout failed, the change is still on the switch (retry: {retry}): "
                f"{reason}; first failure{at}: {self._first_reason()}",
                step,
            )
        if changed_device or step == "configure":  # a config session cut short may have typed some lines
            self.config_changed = True
        self.failure = Finish("failed", reason, step)
        if self.config_changed and self.auto_backout:
            self.queue = ["backout"]
            return RunStep("backout")
        if self.config_changed:
            self.failure = Finish("failed", f"{reason} (config changed, not backed out: run fleetreg backout)", step)
        self.queue = []
        return self.failure

    def backout_done(
        self, raw_status: str, status: LicenseStatus, callhome: CallHomeConfig | None, note: str = ""
    ) -> Action:
        """The backout ran; `raw_status`: its `show license status` read after it, `status` and
        `callhome` what was read, parsed. The outcome's reason says what was found (one line,
        licensing_state), never assumed. A former cloud switch that reads back unregistered,
        with CiscoTAC-1 sending to the cloud again, registers back to the cloud when the plan
        holds a cloud token (restore_cloud, wait_cloud); without one the reason says what to run."""
        first = self.failure or Finish("failed", "unknown", None)
        self.queue = []
        self.config_changed = False
        self.after_status = raw_status
        done = f"; {note}" if note and note != "backed out" else ""
        reason = f"{first.reason}{done}; state after backout: {licensing_state(status, callhome)}"
        self.rollback_reason = reason
        if not self._left_the_cloud(status):
            return Finish("backed-out", reason, first.failed_step)
        if self.plan.cloud_token_ref is None:
            return self._rollback_finished("no cloud_token_ref in the plan", restored=False)
        if not reports_to_cloud(callhome):
            return self._rollback_finished("its call-home does not send to the cloud after the backout", restored=False)
        self.queue = ["restore_cloud"]
        return RunStep("restore_cloud")

    def restore_cloud_started(self) -> Action:
        """`license smart register` to the cloud was accepted (or one was under way): wait for it."""
        self.queue = ["wait_cloud"]
        self.wait_started = None
        return RunStep("wait_cloud")

    def cloud_polled(self, status: LicenseStatus, callhome: CallHomeConfig | None, raw: str, now: float) -> Action:
        """The registration back to the cloud, read back: registered to the cloud, or not."""
        self.polls += 1
        self.after_status = raw
        if self.wait_started is None:
            self.wait_started = now
        verdict, why = registration_verdict(status)
        found = licensing_state(status, callhome)
        # registered to the cloud again is what the rollback is for, whatever its account's licenses
        # say (OUT OF COMPLIANCE: `found` names it; another registration would not change that)
        if (status.registration_status or "") == REGISTERED and reports_to_cloud(callhome):
            if elsewhere := self._not_the_account_it_left(status):
                return self._rollback_finished(f"{found}: {elsewhere}", restored=False)
            return self._rollback_finished(f"registered back to the cloud: {found}", restored=True)
        if verdict == "failed":
            return self._rollback_finished(f"registering it back to the cloud failed: {why}", restored=False)
        if now - self.wait_started >= self.register_timeout_s:
            timed_out = f"registering it back to the cloud timed out after {self.register_timeout_s:g}s: {found}"
            still = status.registration_status == IN_PROGRESS  # it may still end registered: no second token use
            return self._rollback_finished(timed_out, restored=False, hint=CLOUD_STILL_REGISTERING if still else None)
        return PollLater("wait_cloud", self.poll_interval_s)

    def _not_the_account_it_left(self, status: LicenseStatus) -> str | None:
        """Registered, but not in the cloud account the switch left (as the plan read it): e.g. a
        registration to the satellite still under way at the backout, ended after it (IOS refuses
        another registration while one is in progress, so no cloud token was typed)."""
        pre = self.plan.pre
        if pre is None:
            return None
        left = (pre.smart_account, pre.virtual_account)
        now = (status.smart_account, status.virtual_account)
        if all(before is None or before == after for before, after in zip(left, now, strict=True)):
            return None
        return (
            f"registered in smart account {status.smart_account!r} / virtual account {status.virtual_account!r}, "
            f"not the cloud account it left ({pre.smart_account!r} / {pre.virtual_account!r})"
        )

    def _rollback_finished(self, what: str, *, restored: bool, hint: str | None = None) -> Finish:
        """The end of a rollback that took a former cloud switch off the cloud: backed out, with
        what became of its cloud registration (and, when it is not back, what to do: `hint`, by
        default the command to run)."""
        first = self.failure or Finish("failed", "unknown", None)
        self.queue = []
        reason = f"{self.rollback_reason or first.reason}; {what}"
        if not restored:
            va = self.plan.pre.virtual_account if self.plan.pre else "?"
            reason = f"{reason}; {hint or CLOUD_RESTORE_HINT.format(va=va)}"
        return Finish("backed-out", reason, first.failed_step)

    def _left_the_cloud(self, status: LicenseStatus) -> bool:
        """Registered to the cloud before the change, and not registered now (read back)."""
        was_cloud = self.plan.pre is not None and self.plan.pre.registered_to == "cloud"
        registered = (status.registration_status or "").partition(" ")[0] == REGISTERED
        return was_cloud and self.plan.mode == "callhome" and not registered

    def _first_reason(self) -> str:
        return self.failure.reason or "" if self.failure else ""

    # -------------------------------------------------------------- decisions on what the switch shows
    def precheck(self, facts: DriftFacts, raw_status: str) -> Action:
        self.before_status = raw_status
        self.pre_config = facts.config_excerpt
        if self.plan.fingerprint and fingerprint(facts) != self.plan.fingerprint:
            self.queue = []
            return Finish(
                "drifted", "changed since the plan: " + "; ".join(drift_from(self.plan.facts, facts)), "precheck"
            )
        if self.plan.mode == "cslu":
            self.ack_baseline = facts.license.last_ack_received
        return self.step_done("precheck")

    def recheck(self, status: LicenseStatus) -> Action:
        """After a resume: skip licensing steps that already took effect on the switch."""
        self.queue.pop(0)
        if self.plan.mode == "callhome":
            reg = status.registration_status or ""
            if reg == IN_PROGRESS or (reg == REGISTERED and status.virtual_account == self.plan.virtual_account):
                self.registered = True
                while self.queue and self.queue[0] in ("configure", "save_config", "deregister", "register"):
                    self.queue.pop(0)
            elif not reg.startswith(REGISTERED) and self.queue and self.queue[0] == "deregister":
                self.queue.pop(0)
        elif self.plan.mode == "cslu":
            self.ack_baseline = status.last_ack_received if self.queue[:1] != ["wait_ack"] else self.ack_baseline
        return self.next_action()

    def registration_polled(self, status: LicenseStatus, raw: str, now: float) -> Action:
        self.polls += 1
        self.after_status = raw  # the latest state read back; verify's replaces it
        if self.wait_started is None:
            self.wait_started = now
        verdict, reason = registration_verdict(status)
        if verdict == "failed":
            return self.step_failed("wait_registered", reason)
        if verdict == "registered":
            return self.step_done("wait_registered")
        if now - self.wait_started >= self.register_timeout_s:
            return self.step_failed("wait_registered", f"timed out after {self.register_timeout_s:g}s: {reason}")
        return PollLater("wait_registered", self.poll_interval_s)

    def ack_polled(self, status: LicenseStatus, now: float) -> Action:
        """SLP: the usage report's ACK. A switch that reports where planned but has no ACK after
        `ack_wait_s` ends `pending-ack`, never backed out: real satellites ACK minutes to a day
        after the push; `fleetreg verify` promotes it when the ACK comes."""
        self.polls += 1
        if self.wait_started is None:
            self.wait_started = now
        ack = status.last_ack_received
        if ack and ack not in ("<none>", "<empty>") and ack != self.ack_baseline:
            return self.step_done("wait_ack")
        if now - self.wait_started < self.ack_wait_s:
            return PollLater("wait_ack", self.poll_interval_s)
        problems = cslu_transport_problems(status, self.plan.expected_url)
        if status.failure_reason:
            problems.append(f"failure reason: {status.failure_reason}")
        if problems:
            return self.step_failed("wait_ack", f"no ACK after {self.ack_wait_s:g}s: {'; '.join(problems)}")
        self.queue = []
        return Finish(
            "pending-ack",
            f"reports to {self.plan.expected_url} as planned; no ACK within {self.ack_wait_s:g}s "
            f"(Last ACK received: {ack or 'none'}); fleetreg verify promotes it when the ACK comes",
        )

    def verified(self, status: LicenseStatus, callhome: CallHomeConfig | None, raw: str) -> Action:
        self.after_status = raw
        problems = verify_problems(self.plan, status, callhome)
        if problems:
            return self.step_failed("verify", "; ".join(problems))
        return self.step_done("verify")


def registration_verdict(status: LicenseStatus) -> tuple[Literal["registered", "pending", "failed"], str]:
    """What a classic switch's `show license status` says of its registration: registered (and
    authorized), still pending (the reason says what it shows), or failed (the reason why)."""
    reg = status.registration_status or ""
    auth = status.authorization_status or ""
    if status.failure_reason and not reg.startswith(REGISTERED) and reg != IN_PROGRESS:
        return "failed", f"registration failed: {status.failure_reason}"
    if "FAILED" in reg:
        return "failed", f"registration failed: {reg}"
    if reg == REGISTERED and auth == AUTHORIZED:
        return "registered", "REGISTERED / AUTHORIZED"
    if reg == REGISTERED and auth == NO_LICENSES:
        return "failed", f"no licenses left in {status.virtual_account!r}: authorization OUT OF COMPLIANCE"
    return "pending", f"status {reg or '?'} / {auth or '?'}"


# How long a host waits for the satellite once its SSH work is done: registration takes seconds
# to minutes, a CSLU sync's ACK about a second, and some hosts do not wait at all.
_WAIT_RANK = {"wait_registered": 0, "wait_ack": 1}


def longest_wait_first(plans: Iterable[HostPlan]) -> list[HostPlan]:
    """The order to start a wave's hosts in: those with the longest wait after their SSH steps
    first (then plan order). Their waits then overlap the SSH work of the short-wait hosts
    started after them, instead of trailing after the wave's last SSH step (LPT scheduling)."""
    return sorted(plans, key=lambda plan: min((_WAIT_RANK.get(s.name, 2) for s in plan.steps), default=2))


def step_after(plan: HostPlan, step: str | None) -> str | None:
    """The planned step that follows `step` (None: start from the beginning)."""
    names = [s.name for s in plan.steps]
    if step is None or step not in names:
        return None
    index = names.index(step) + 1
    return names[index] if index < len(names) else names[-1]


NO_ACK = "no ACK received from the satellite"
# A registration back to the cloud still under way when fleetreg stopped waiting for it.
CLOUD_STILL_REGISTERING = (
    "its registration is still in progress: read `show license status` before registering it again "
    "(a second registration spends another token use)"
)
CISCO_TAC_DEFAULT_LABEL = "(CiscoTAC-1 default)"  # CiscoTAC-1 with no address: tools.cisco.com
# What to run on a switch a failed change left unregistered that was on the cloud before it.
CLOUD_RESTORE_HINT = (
    "it is no longer registered to the cloud: to restore that, register it on the switch with "
    "`license smart register` and a CSSM token of virtual account {va!r}"
)


def active_sl_destinations(callhome: CallHomeConfig | None) -> list[str]:
    """Where the call-home config sends Smart Licensing data: each active profile's HTTP URLs."""
    if callhome is None:
        return []
    return [
        url
        for p in callhome.profiles
        if p.active and p.reporting_smart_licensing and p.transport_http
        for url in (p.http_addresses or [CISCO_TAC_DEFAULT_LABEL] if p.name == "CiscoTAC-1" else p.http_addresses)
    ]


def reports_to_cloud(callhome: CallHomeConfig | None) -> bool:
    """The call-home config sends Smart Licensing data to Cisco's cloud only (CiscoTAC-1's
    default destination, or cisco.com URLs)."""
    destinations = active_sl_destinations(callhome)
    return bool(destinations) and all(
        d == CISCO_TAC_DEFAULT_LABEL or is_cloud_host(urlsplit(d).hostname or "") for d in destinations
    )


def registered_to_url(status: LicenseStatus, callhome: CallHomeConfig | None, url: str | None) -> bool:
    """Read back: is the switch registered (classic) or reporting (SLP) to `url`?"""
    if url is None:
        return False
    if status.mode == "slp":
        return status.transport_url == url
    return (status.registration_status or "").startswith(REGISTERED) and active_sl_destinations(callhome) == [url]


def licensing_state(status: LicenseStatus, callhome: CallHomeConfig | None) -> str:
    """The licensing state a switch reads back, as one line for reports."""
    if status.mode == "slp":
        ack = status.last_ack_received or "none"
        return (
            f"SLP transport {status.transport_type or '?'} {status.transport_url or ''}".rstrip() + f", last ACK {ack}"
        )
    where = ", ".join(active_sl_destinations(callhome)) or "no active smart-licensing destination"
    account = f" in {status.virtual_account!r}" if status.virtual_account else ""
    reg, auth = status.registration_status or "?", status.authorization_status or "?"
    return f"{reg} / {auth}{account}, reporting to {where}"


def cslu_transport_problems(status: LicenseStatus, expected_url: str | None) -> list[str]:
    """An SLP switch's transport as read back against the plan: type cslu, the planned URL."""
    problems = []
    if (status.transport_type or "").lower() != "cslu":
        problems.append(f"transport is {status.transport_type!r}, expected cslu")
    if status.transport_url != expected_url:
        problems.append(f"Cslu address is {status.transport_url!r}, expected {expected_url!r}")
    return problems


def verify_problems(plan: HostPlan, status: LicenseStatus, callhome: CallHomeConfig | None) -> list[str]:
    """What the parsed post-state gets wrong against the plan; empty when migrated."""
    problems = readback_problems(plan.mode or "callhome", plan.virtual_account, plan.expected_url, status, callhome)
    before = plan.facts.license.last_ack_received if plan.facts is not None else None
    if plan.mode == "cslu" and plan.is_actionable and NO_ACK not in problems and status.last_ack_received == before:
        problems.append(NO_ACK)  # the only ACK is the one from before the change (to its old server)
    return problems


def readback_problems(
    mode: str, virtual_account: str, expected_url: str | None, status: LicenseStatus, callhome: CallHomeConfig | None
) -> list[str]:
    """What a switch read back (`show license status`, its call-home section) gets wrong against
    where it should report (`expected_url`) and, for call-home, its virtual account."""
    problems: list[str] = []
    if mode == "cslu":
        problems = cslu_transport_problems(status, expected_url)
        if not status.last_ack_received or status.last_ack_received in ("<none>", "<empty>"):
            problems.append(NO_ACK)
        return problems
    if status.registration_status != REGISTERED:
        problems.append(f"registration status {status.registration_status!r}, expected REGISTERED")
    if status.authorization_status != AUTHORIZED:
        problems.append(f"authorization {status.authorization_status!r}, expected AUTHORIZED")
    if status.virtual_account != virtual_account:
        problems.append(f"virtual account {status.virtual_account!r}, expected {virtual_account!r}")
    if callhome is not None:
        active_urls = active_sl_destinations(callhome)
        if active_urls != [expected_url]:
            problems.append(f"active smart-licensing call-home destinations {active_urls}, expected [{expected_url!r}]")
    return problems
