"""The plan artifact (`plan.json`), as `terraform plan`: what apply will do, host by host.
No secrets: registration tokens appear only as their reference (`env:VAR`, `secrets:KEY`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fleetreg.core.facts import DeviceFacts
from fleetreg.core.prechecks import PrecheckResult
from fleetreg.core.steps import check_step_name
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

PLAN_FORMAT = 2  # 2: each host's discovered facts and the templates folder are recorded (apply re-derives)

Classification = Literal["to-migrate", "already-migrated", "wrong-virtual-account", "blocked"]
Mode = Literal["callhome", "cslu"]
# A planned step's name: one of fleetreg.core.steps.PLANNED_STEPS (its titles are there too).
StepName = Annotated[str, AfterValidator(check_step_name)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Step(_Frozen):
    name: StepName
    title: str
    commands: tuple[str, ...] = ()  # shown to humans; tokens as <token from env:VAR>


class PreState(_Frozen):
    version: str
    model: str | None
    serial: str | None
    licensing_mode: Literal["classic", "slp"]
    registered_to: str
    registration_status: str | None
    authorization_status: str | None
    smart_account: str | None
    virtual_account: str | None
    transport_type: str | None
    transport_url: str | None
    smart_licensing_urls: tuple[str, ...] = ()
    identity_check: bool = True
    source_interface: str | None = None
    unsaved_changes: bool | None = None  # running config changed after the last write memory


class HostPlan(_Frozen):
    name: str
    hostname: str
    port: int
    site: str | None
    virtual_account: str
    token_ref: str | None
    canary: bool = False
    wave_setting: int | None = None  # fleetreg.wave from the inventory: the wave it must be in
    classification: Classification
    reason: str
    mode: Mode | None = None
    mode_reason: str = ""
    pre: PreState | None = None
    fingerprint: str | None = None
    facts: DeviceFacts | None = None  # what the plan was derived from; apply derives it again and compares
    config_commands: tuple[str, ...] = ()
    backout_commands: tuple[str, ...] = ()
    diff: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    deregister: bool = False
    register_force: bool = False
    expected_url: str | None = None
    ca_file: str | None = None  # PEM installed by the install_ca step
    ca_sha1: str | None = None  # its fingerprint as IOS prints it, read at plan time
    # registered to the cloud before: where the CSSM token lives that registers it back after a
    # failed change (None: a failed change leaves it unregistered, NO_CLOUD_ROLLBACK_RISK)
    cloud_token_ref: str | None = None
    risks: tuple[str, ...] = ()
    # the read-only pre-checks run at plan time (core.prechecks); empty: none were run
    prechecks: tuple[PrecheckResult, ...] = ()
    wave: int | None = None

    @property
    def is_actionable(self) -> bool:
        return self.classification in ("to-migrate", "wrong-virtual-account")


class Wave(_Frozen):
    number: int  # 0 = canary
    name: str
    hosts: tuple[str, ...]
    max_failures: int


class WavePolicy(_Frozen):
    canary: int = Field(default=2, ge=0)  # hosts, in addition to those flagged `canary: true`
    wave_size: int = Field(default=50, ge=1)
    max_failures: str = "10%"  # per wave, a count ("3") or a percent ("10%")


class LicenseCheck(_Frozen):
    """Licenses on the satellite vs switches planned to register into a virtual account."""

    virtual_account: str
    available: int
    planned: int
    blocked: int


class Plan(_Frozen):
    format: int = PLAN_FORMAT
    plan_id: str
    created_at: str
    inventory_dir: str
    inventory_fingerprint: str
    discover_run: str | None = None
    project_dir: str | None = None  # whose templates/ overrode the bundled ones
    policy: WavePolicy
    hosts: tuple[HostPlan, ...]
    waves: tuple[Wave, ...]
    licenses: tuple[LicenseCheck, ...] = ()  # empty when the satellite API is not used

    @model_validator(mode="after")
    def _one_entry_per_host(self) -> Plan:
        seen: set[str] = set()
        for host in self.hosts:
            if host.name in seen:
                raise ValueError(f"host {host.name!r} is planned twice")
            seen.add(host.name)
        return self

    def host(self, name: str) -> HostPlan:
        for host in self.hosts:
            if host.name == name:
                return host
        raise KeyError(name)

    def hosts_by_name(self) -> dict[str, HostPlan]:
        """For callers that look up every host (a lookup with `host` is a scan)."""
        return {host.name: host for host in self.hosts}
