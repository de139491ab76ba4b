"""Every step of a switch's migration, declared once: its name (as journals, plans and reports
show it), its title, what it does to the switch, whether it may simply run again after a lost
session, and the Nornir task in `fleetreg.tasks` that carries it (the scheduler resolves it;
the core imports no task). Plans, the runner, resume, reports and the runbook all read this
table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["read", "write", "poll", "local"]  # local: fleetreg's own disk, no device I/O


@dataclass(frozen=True)
class StepSpec:
    name: str
    title: str
    kind: Kind
    repeatable: bool  # safe to run again on a new session after a lost or timed-out one
    task: str | None  # "module:function" in fleetreg.tasks (None: done by fleetreg itself)
    change: str | None = None  # what it changes on the switch beyond config lines (the change list)


STEP_TABLE: tuple[StepSpec, ...] = (
    StepSpec("precheck", "Re-read the switch and compare it with the plan", "read", True, "discover:discover"),
    StepSpec("recheck", "Re-read the licensing state after a resume", "read", True, "licensing:read_status"),
    StepSpec("backup", "Back up the call-home, trustpoint and license lines", "local", True, None),
    StepSpec(
        "install_ca",
        "Install the satellite's CA certificate (crypto pki authenticate, fingerprint checked)",
        "write",
        True,  # it checks what the trustpoint holds first
        "trust:install_trust",
        "crypto pki authenticate (satellite CA into the trustpoint, fingerprint checked)",
    ),
    StepSpec("configure", "Configure (one config session)", "write", False, "configure:configure"),
    StepSpec("save_config", "Save the configuration (write memory)", "write", False, "configure:save_config"),
    StepSpec(
        "deregister",
        "Deregister from the current licensing server",
        "write",
        False,
        "licensing:deregister",
        "license smart deregister",
    ),
    StepSpec(
        "register",
        "Register with the satellite's virtual account token",
        "write",
        False,
        "licensing:register",
        "license smart register idtoken",
    ),
    StepSpec("wait_registered", "Wait for REGISTERED and AUTHORIZED", "poll", True, "licensing:read_status"),
    StepSpec(
        "sync",
        "Send usage to the satellite (license smart sync all)",
        "write",
        False,
        "licensing:sync",
        "license smart sync all",
    ),
    StepSpec("wait_ack", "Wait for the satellite's ACK", "poll", True, "licensing:read_status"),
    StepSpec("save_final", "Save the configuration (write memory)", "write", False, "configure:save_config"),
    StepSpec("verify", "Verify show license status", "read", True, "verify:verify"),
    # idempotent (declarative config lines, deregister, write memory): giving up on it after one
    # lost session would leave the switch half-configured
    StepSpec("backout", "Back out: restore the call-home block, save", "write", True, "backout:backout"),
    # after a backout that left a former cloud switch unregistered, when the plan holds a cloud
    # token: register it back to the cloud (CiscoTAC-1, restored by the backout) and wait for it.
    # A kill is resumed from the backout, which reads the switch first. restore_cloud reads the
    # switch before it types (registered or a registration under way: nothing typed), so after a
    # lost session it runs again on a new one: the session may have dropped once the switch had
    # started the registration, which only a read can tell.
    StepSpec(
        "restore_cloud",
        "Register back to the cloud (CSSM) with the virtual account's cloud token",
        "write",
        True,
        "licensing:restore_cloud",
        "license smart register idtoken (a cloud token) force",
    ),
    StepSpec("wait_cloud", "Wait for REGISTERED to the cloud", "poll", True, "verify:verify"),
)
STEPS: dict[str, StepSpec] = {step.name: step for step in STEP_TABLE}
ROLLBACK_STEPS = ("backout", "restore_cloud", "wait_cloud")  # run after a failure, never planned
PLANNED_STEPS = tuple(
    name for name in STEPS if name not in ("precheck", "recheck", *ROLLBACK_STEPS)
)  # what a plan may list, in this order
READ_ONLY_STEPS = frozenset(s.name for s in STEP_TABLE if s.kind in ("read", "poll"))
REPEATABLE_STEPS = frozenset(s.name for s in STEP_TABLE if s.repeatable)
POLL_STEPS = frozenset(s.name for s in STEP_TABLE if s.kind == "poll")
STEP_TITLES = {s.name: s.title for s in STEP_TABLE}
STEP_CHANGES = {s.name: s.change for s in STEP_TABLE if s.change}


def check_step_name(name: str) -> str:
    """A plan's step name: one of PLANNED_STEPS (pydantic validator)."""
    if name not in PLANNED_STEPS:
        raise ValueError(f"unknown step {name!r} (known: {', '.join(PLANNED_STEPS)})")
    return name
