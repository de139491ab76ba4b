"""The planner: inventory entry + discovered facts -> what to do on each switch, and in
which wave. Pure: no I/O except reading the (user-editable) config templates."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fleetreg.core.cli_text import line_problem
from fleetreg.core.config_change import compute_change
from fleetreg.core.facts import DeviceFacts, fingerprint, registered_to
from fleetreg.core.inventory_model import HostEntry
from fleetreg.core.licenses import license_preflight
from fleetreg.core.plan_model import (
    Classification,
    HostPlan,
    LicenseCheck,
    Mode,
    Plan,
    PreState,
    Step,
    StepName,
    Wave,
    WavePolicy,
)
from fleetreg.core.prechecks import PrecheckResult, precheck_effect
from fleetreg.core.render import render
from fleetreg.core.satellite_models import LicenseUsage
from fleetreg.core.settings import MigrationSettings
from fleetreg.core.steps import STEP_TITLES

OLDEST_SUPPORTED = (16, 9, 0)
AUTHORIZED = "AUTHORIZED"


@dataclass(frozen=True)
class DiscoverOutcome:
    """One switch's discover result: facts, or why there are none."""

    host: str
    facts: DeviceFacts | None = None
    error_reason: str | None = None  # unreachable, auth failed, parse error, ...
    error: str | None = None  # one line, no secrets

    @property
    def ok(self) -> bool:
        return self.facts is not None


def choose_mode(s: MigrationSettings, facts: DeviceFacts) -> tuple[Mode | None, str]:
    """Transport per switch; (None, reason) when the setting cannot work on this image."""
    version = facts.version.version
    slp = facts.licensing_mode == "slp"
    if s.transport == "auto":
        if slp:
            return "cslu", f"auto: IOS-XE {version} uses Smart Licensing Using Policy (17.3.2+)"
        return "callhome", f"auto: IOS-XE {version} uses classic Smart Licensing (before 17.3.2)"
    if s.transport == "cslu" and not slp:
        return None, f"transport cslu needs Smart Licensing Using Policy (17.3.2+); switch runs {version}"
    if s.transport == "callhome" and slp:
        return None, f"transport callhome set, but IOS-XE {version} uses Smart Licensing Using Policy: use cslu"
    return s.transport, f"set in inventory: transport {s.transport}"


def _pre_state(facts: DeviceFacts, where: str) -> PreState:
    lic = facts.license
    return PreState(
        version=facts.version.version,
        model=facts.version.model,
        serial=facts.version.serial,
        licensing_mode=facts.licensing_mode,
        registered_to=where,
        registration_status=lic.registration_status,
        authorization_status=lic.authorization_status,
        smart_account=lic.smart_account,
        virtual_account=lic.virtual_account,
        transport_type=lic.transport_type,
        transport_url=lic.transport_url,
        smart_licensing_urls=tuple(facts.smart_licensing_urls()),
        identity_check=facts.callhome.server_identity_check,
        source_interface=facts.callhome.http_client_source_interface,
        unsaved_changes=facts.unsaved_changes,
    )


def _step(name: StepName, *commands: str) -> Step:
    return Step(name=name, title=STEP_TITLES[name], commands=tuple(commands))


# Risks of fleetreg's own connections: shown for every planned host, actionable or not.
API_TLS_RISK = (
    "satellite API certificate not verified (satellite_api.verify_tls: false): the API client "
    "secret and the registration tokens cross a connection anyone on the path can intercept"
)
ORCHESTRATOR_RISKS = frozenset({API_TLS_RISK})


# Without the satellite's API a token is only checked for its format before the switch leaves
# its licensing server: an expired or used-up one shows at `register`, after the deregister.
UNPROVEN_TOKEN_RISK = (
    "registration token not proven usable (no satellite_api): an expired or used-up token shows only "
    "at register, after the switch was deregistered (it is then backed out, unregistered)"
)


# A switch leaving the cloud with no cloud token to go back with (cloud_token_ref).
NO_CLOUD_ROLLBACK_RISK = (
    "no cloud_token_ref: if the change fails after the deregister, the switch stays unregistered "
    "(evaluation mode) until someone registers it again"
)


def _risks(s: MigrationSettings) -> tuple[str, ...]:
    risks = []
    if s.server_identity_check == "disable":
        risks.append(
            "TLS server identity check disabled (no http secure server-identity-check): "
            "the switch will accept any certificate for the satellite URL"
        )
    if s.allow_force:
        risks.append("register with force: overrides an existing registration")
    if s.satellite_api is not None and not s.satellite_api.verify_tls:
        risks.append(API_TLS_RISK)
    return tuple(risks)


def plan_risks(hosts: Iterable[HostPlan]) -> dict[str, int]:
    """Each risk of a plan with the number of hosts it concerns: the hosts fleetreg will change,
    and every host for the risks of fleetreg's own connections (ORCHESTRATOR_RISKS)."""
    counts: dict[str, int] = {}
    for host in hosts:
        for risk in host.risks:
            if host.is_actionable or risk in ORCHESTRATOR_RISKS:
                counts[risk] = counts.get(risk, 0) + 1
    return counts


def plan_host(
    entry: HostEntry,
    outcome: DiscoverOutcome,
    *,
    project_dir: Path | None = None,
    token_problem: str | None = None,
    cloud_token_problem: str | None = None,
    ca_sha1: Mapping[str, str] | None = None,
    trust_risks: Sequence[str] = (),
    prechecks: Sequence[PrecheckResult] = (),
) -> HostPlan:
    """The plan for one switch. `token_problem`: why its token reference cannot be read now
    (blocks it only if it has to register); `cloud_token_problem`: the same for its cloud token
    (blocks it only if it leaves the cloud). `trust_risks`: what the satellite trust check could
    not check for it (orchestrator.satellite_trust), reported as risks. `prechecks`: its
    plan-time pre-checks (core.prechecks), recorded; PRECHECK_POLICY blocks it or adds risks when
    the plan would act on it."""
    planned = _plan_host(
        entry,
        outcome,
        project_dir=project_dir,
        token_problem=token_problem,
        cloud_token_problem=cloud_token_problem,
        ca_sha1=ca_sha1,
        trust_risks=trust_risks,
    )
    if not prechecks:
        return planned
    planned = planned.model_copy(update={"prechecks": tuple(prechecks)})
    if not planned.is_actionable:
        return planned
    effect = precheck_effect(prechecks)
    risks = (*planned.risks, *(r for r in effect.risks if r not in planned.risks))
    if effect.blocked is not None:
        blocked = {"classification": "blocked", "reason": effect.blocked, "steps": (), "risks": risks}
        return planned.model_copy(update=blocked)
    return planned.model_copy(update={"risks": risks})


def _plan_host(
    entry: HostEntry,
    outcome: DiscoverOutcome,
    *,
    project_dir: Path | None,
    token_problem: str | None,
    cloud_token_problem: str | None,
    ca_sha1: Mapping[str, str] | None,
    trust_risks: Sequence[str],
) -> HostPlan:
    s = entry.settings
    base: dict[str, Any] = {
        "name": entry.name,
        "hostname": entry.hostname,
        "port": entry.port,
        "site": entry.site,
        "virtual_account": s.virtual_account,
        "token_ref": s.token_ref,
        "canary": s.canary,
        "wave_setting": s.wave,
        "risks": (*_risks(s), *trust_risks),
    }
    if outcome.facts is None:
        return HostPlan(**base, classification="blocked", reason=f"{outcome.error_reason}: {outcome.error}")
    facts = outcome.facts
    where = registered_to(facts, s.satellite_host)
    pre = _pre_state(facts, where)
    base.update(pre=pre, fingerprint=fingerprint(facts), facts=facts)
    if facts.unsaved_changes:
        base["risks"] = (
            *base["risks"],
            "unsaved configuration changes on the switch: the change's write memory will save them too",
        )
    if tuple(facts.version.version_tuple) < OLDEST_SUPPORTED:
        return HostPlan(**base, classification="blocked", reason=f"unsupported version: IOS-XE {facts.version.version}")
    mode, mode_reason = choose_mode(s, facts)
    if mode is None:
        return HostPlan(**base, classification="blocked", reason=mode_reason, mode_reason=mode_reason)
    base.update(mode=mode, mode_reason=mode_reason)

    expected_url = s.satellite_url if mode == "callhome" else s.cslu_url
    if mode == "cslu" and expected_url is None:
        return HostPlan(**base, classification="blocked", reason="missing setting: cslu_tenant (needed for cslu)")
    template = "config/callhome.j2" if mode == "callhome" else "config/slp.j2"
    snippet = render(template, project_dir=project_dir, s=s, cslu_url=expected_url, current=facts)
    change = compute_change(facts.config_excerpt, snippet)
    untypable = next(
        (
            f"{line.strip()!r} {problem}"
            for line in (*change.commands, *change.backout)
            if (problem := line_problem(line))
        ),
        None,
    )
    if untypable:  # e.g. a URL the switch holds, with a `?` typed there with Ctrl-V: not for fleetreg to type
        return HostPlan(**base, classification="blocked", reason=f"a line to type: {untypable}")
    ca_step: tuple[Step, ...] = ()
    if s.trustpoint.mode == "ca-file" and s.trustpoint.ca_file:
        sha1 = (ca_sha1 or {}).get(s.trustpoint.ca_file)
        if sha1 is None:
            return HostPlan(**base, classification="blocked", reason=f"CA file not readable: {s.trustpoint.ca_file}")
        base.update(ca_file=s.trustpoint.ca_file, ca_sha1=sha1)
        ca_step = (
            _step(
                "install_ca",
                f"crypto pki trustpoint {s.trustpoint.name}",
                " enrollment terminal",
                " revocation-check none",
                f"crypto pki authenticate {s.trustpoint.name}",
                f"  <paste {s.trustpoint.ca_file}>, quit; answer yes only if SHA1 = {sha1}",
            ),
        )
    base.update(
        expected_url=expected_url,
        config_commands=change.commands,
        backout_commands=change.backout,
        diff=change.diff,
    )

    in_planned_va = facts.license.virtual_account == s.virtual_account
    on_satellite = where == "satellite"
    if mode == "callhome":
        authorized = facts.license.authorization_status == AUTHORIZED
        if on_satellite and in_planned_va and authorized and change.is_noop:
            return HostPlan(**base, classification="already-migrated", reason="registered to the satellite in its VA")
        needs_registration = not (on_satellite and in_planned_va and authorized)
        if needs_registration and not s.token_ref and not s.uses_api_tokens:
            return HostPlan(**base, classification="blocked", reason="missing token reference (token_ref)")
        if needs_registration and token_problem:
            return HostPlan(**base, classification="blocked", reason=f"token reference: {token_problem}")
        classification: Classification = "wrong-virtual-account" if on_satellite and not in_planned_va else "to-migrate"
        reason = {
            "wrong-virtual-account": f"on the satellite in VA {facts.license.virtual_account!r}, "
            f"planned {s.virtual_account!r}",
            "to-migrate": f"registered to {where}" if needs_registration else "config differs from intended",
        }[classification]
        deregister = where in ("cloud", "other-satellite", "satellite") and needs_registration
        if deregister and s.satellite_api is None:
            base["risks"] = (*base["risks"], UNPROVEN_TOKEN_RISK)
        if deregister and where == "cloud":
            if s.cloud_token_ref is None:
                base["risks"] = (*base["risks"], NO_CLOUD_ROLLBACK_RISK)
            elif cloud_token_problem:
                reason = f"cloud token reference: {cloud_token_problem}"
                return HostPlan(**base, classification="blocked", reason=reason)
            else:
                base["cloud_token_ref"] = s.cloud_token_ref
        steps = _callhome_steps(change.commands, deregister, needs_registration, s, ca_step)
        return HostPlan(
            **base,
            classification=classification,
            reason=reason,
            steps=steps,
            deregister=deregister,
            register_force=s.allow_force,
        )

    # Smart Licensing Using Policy: the switch reports usage to the satellite; no idtoken.
    if on_satellite and change.is_noop:
        return HostPlan(**base, classification="already-migrated", reason="reports to the satellite (ACK received)")
    steps = (
        _step("backup", "show running-config (call-home, license smart, trustpoint lines)"),
        *ca_step,
        *((_step("configure", *change.commands), _step("save_config", "write memory")) if change.commands else ()),
        _step("sync", "license smart sync all"),
        _step("wait_ack", "show license status  (until Last ACK received is after the sync)"),
        _step("verify", f"show license status  (transport cslu, Cslu address {expected_url})"),
    )
    return HostPlan(**base, classification="to-migrate", reason=f"reports to {where}", steps=steps)


def _callhome_steps(
    commands: Sequence[str], deregister: bool, register: bool, s: MigrationSettings, ca_step: tuple[Step, ...]
) -> tuple[Step, ...]:
    steps = [_step("backup", "show running-config (call-home, license smart, trustpoint lines)"), *ca_step]
    if commands:
        steps += [_step("configure", *commands), _step("save_config", "write memory")]
    if deregister:
        steps.append(_step("deregister", "license smart deregister"))
    if register:
        force = " force" if s.allow_force else ""
        steps += [
            _step("register", f"license smart register idtoken <token from {token_origin(s)}>{force}"),
            _step(
                "wait_registered",
                f"show license status  (every {s.poll_interval_s:g}s, up to {s.register_timeout_s:g}s)",
            ),
        ]
    steps += [
        _step("save_final", "write memory"),
        _step("verify", f"show license status  (REGISTERED, AUTHORIZED, VA {s.virtual_account!r})"),
    ]
    return tuple(steps)


def token_origin(s: MigrationSettings) -> str:
    if s.uses_api_tokens:
        return f"the satellite API, virtual account {s.virtual_account}"
    return str(s.token_ref)


def max_failures(policy: WavePolicy, wave_len: int) -> int:
    text = policy.max_failures.strip()
    if text.endswith("%"):
        return max(0, math.floor(wave_len * float(text[:-1]) / 100))
    return int(text)


def assign_waves(hosts: Iterable[HostPlan], policy: WavePolicy) -> tuple[list[HostPlan], list[Wave]]:
    """Canary wave first (hosts flagged `canary`, topped up to `policy.canary` hosts), then
    waves of `wave_size` in a stable order (site, name). A host whose inventory sets its wave
    (`fleetreg.wave: N`; 0 is the canary wave) joins wave N instead, beyond `wave_size`, and a
    wave number no other host reaches is made for it. Only actionable hosts get a wave."""
    hosts = list(hosts)
    actionable = sorted((h for h in hosts if h.is_actionable), key=lambda h: (h.site or "", h.name))
    placed = [h for h in actionable if h.wave_setting is not None]
    free = [h for h in actionable if h.wave_setting is None]
    flagged = [h.name for h in free if h.canary]
    others = [h.name for h in free if not h.canary]
    topup = max(0, policy.canary - len(flagged))
    canary, rest = flagged + others[:topup], others[topup:]
    members: dict[int, list[str]] = {0: canary} if canary else {}
    for index, start in enumerate(range(0, len(rest), policy.wave_size)):
        members[index + 1] = rest[start : start + policy.wave_size]
    for host in placed:
        members.setdefault(host.wave_setting or 0, []).append(host.name)
    waves: list[Wave] = []
    wave_of: dict[str, int] = {}
    for number in sorted(members):
        names = members[number]
        name = "canary" if number == 0 else f"wave {number}"
        waves.append(Wave(number=number, name=name, hosts=tuple(names), max_failures=max_failures(policy, len(names))))
        wave_of.update(dict.fromkeys(names, number))
    planned = [h.model_copy(update={"wave": wave_of.get(h.name)}) for h in hosts]
    return planned, waves


def inventory_fingerprint(entries: Iterable[HostEntry]) -> str:
    """Digest of what a plan was made from (hosts, addresses, resolved settings), so apply
    refuses a plan made from another inventory or from settings edited since."""
    import hashlib
    import json

    material = sorted(
        (e.name, e.hostname, e.port, e.settings.model_dump_json(exclude=_unset_settings(e.settings) or None))
        for e in entries
    )
    return hashlib.sha256(json.dumps(material).encode()).hexdigest()[:16]


# Settings added after plans were first written: left out of the fingerprint while at their
# default, so that a plan made before they existed keeps its fingerprint.
LATER_SETTINGS = ("wave", "max_clock_skew_s", "cloud_token_ref")


def _unset_settings(s: MigrationSettings) -> set[str]:
    return {name for name in LATER_SETTINGS if getattr(s, name) == MigrationSettings.model_fields[name].default}


def build_plan(
    entries: Sequence[HostEntry],
    outcomes: Sequence[DiscoverOutcome],
    *,
    policy: WavePolicy,
    plan_id: str,
    created_at: str,
    inventory_dir: str,
    discover_run: str | None = None,
    project_dir: Path | None = None,
    license_usage: Sequence[LicenseUsage] | None = None,
    token_problems: Mapping[str, str] | None = None,
    cloud_token_problems: Mapping[str, str] | None = None,
    ca_sha1: Mapping[str, str] | None = None,
    trust_risks: Mapping[str, Sequence[str]] | None = None,
    va_tenants: Mapping[str, str] | None = None,
    prechecks: Mapping[str, Sequence[PrecheckResult]] | None = None,
) -> Plan:
    """Plan every entry. With `license_usage` (from the satellite's API), switches that would
    register into a virtual account beyond its available licenses are blocked; with `va_tenants`
    (virtual account -> its CSLU tenant, from the API) so are SLP switches whose URL names
    another virtual account's tenant (tenant_check_hosts)."""
    by_host = {o.host: o for o in outcomes}
    host_plans = [
        plan_host(
            entry,
            by_host.get(entry.name)
            or DiscoverOutcome(host=entry.name, error_reason="not discovered", error="no discover result"),
            project_dir=project_dir,
            token_problem=(token_problems or {}).get(entry.name),
            cloud_token_problem=(cloud_token_problems or {}).get(entry.name),
            ca_sha1=ca_sha1,
            trust_risks=(trust_risks or {}).get(entry.name, ()),
            prechecks=(prechecks or {}).get(entry.name, ()),
        )
        for entry in entries
    ]
    host_plans = tenant_check_hosts(host_plans, va_tenants)
    licenses: list[LicenseCheck] = []
    if license_usage is not None:
        host_plans, licenses = license_preflight_hosts(host_plans, license_usage)
    planned, waves = assign_waves(host_plans, policy)
    return Plan(
        plan_id=plan_id,
        created_at=created_at,
        inventory_dir=inventory_dir,
        inventory_fingerprint=inventory_fingerprint(entries),
        discover_run=discover_run,
        project_dir=str(project_dir.resolve()) if project_dir is not None else None,
        policy=policy,
        hosts=tuple(planned),
        waves=tuple(waves),
        licenses=tuple(licenses),
    )


def registers(host: HostPlan) -> bool:
    return host.is_actionable and any(step.name == "register" for step in host.steps)


def takes_a_license(host: HostPlan) -> bool:
    """The switch becomes a product instance of its virtual account: it registers (call-home) or
    sends its first usage report there (SLP)."""
    return host.is_actionable and any(step.name in ("register", "sync") for step in host.steps)


def cslu_tenant_of(url: str | None) -> str | None:
    """The tenant of an SSM On-Prem CSLU URL (`.../cslu/v1/pi/<tenant>`), as written in it."""
    if not url or "/cslu/v1/pi/" not in url:
        return None
    return url.rsplit("/cslu/v1/pi/", 1)[1].split("/")[0] or None


def tenant_problems(hosts: Sequence[HostPlan], va_tenants: Mapping[str, str] | None = None) -> dict[str, str]:
    """SLP switches that would land in another virtual account than planned -> why. On SSM
    On-Prem the tenant in the CSLU URL selects the virtual account: one tenant used for two
    virtual accounts puts them all in one; with `va_tenants` (from the satellite's API) a tenant
    must be the planned virtual account's own."""
    slp = [h for h in hosts if h.is_actionable and h.mode == "cslu"]
    accounts_of: dict[str, set[str]] = {}
    for host in slp:
        if (tenant := cslu_tenant_of(host.expected_url)) is not None:
            accounts_of.setdefault(tenant, set()).add(host.virtual_account)
    va_of_tenant = {tenant: va for va, tenant in (va_tenants or {}).items()}
    problems: dict[str, str] = {}
    for host in slp:
        tenant = cslu_tenant_of(host.expected_url)
        if tenant is None:
            continue
        shared = sorted(accounts_of.get(tenant, ()))
        if len(shared) > 1:
            problems[host.name] = (
                f"cslu tenant {tenant!r} is set for virtual accounts {', '.join(map(repr, shared))}: the tenant "
                "selects the virtual account on the satellite (set cslu_tenant per virtual account group)"
            )
        elif va_tenants is not None and va_tenants.get(host.virtual_account) != tenant:
            found = va_of_tenant.get(tenant)
            where = f"virtual account {found!r}" if found else "no virtual account"
            problems[host.name] = (
                f"cslu tenant {tenant!r} is {where} on the satellite, planned {host.virtual_account!r}"
                + (f" (its tenant: {va_tenants[host.virtual_account]!r})" if host.virtual_account in va_tenants else "")
            )
    return problems


def tenant_check_hosts(hosts: Sequence[HostPlan], va_tenants: Mapping[str, str] | None) -> list[HostPlan]:
    """`hosts` with the SLP switches tenant_problems finds blocked."""
    problems = tenant_problems(hosts, va_tenants)
    return [
        h.model_copy(update={"classification": "blocked", "reason": problems[h.name], "steps": ()})
        if h.name in problems
        else h
        for h in hosts
    ]


def license_preflight_hosts(
    hosts: Sequence[HostPlan], usage: Sequence[LicenseUsage]
) -> tuple[list[HostPlan], list[LicenseCheck]]:
    """Block the switches a virtual account has no license left for (the last ones in plan order)."""
    planned: dict[str, list[str]] = {}
    for host in sorted(hosts, key=lambda h: (not h.canary, h.site or "", h.name)):
        if takes_a_license(host):
            planned.setdefault(host.virtual_account, []).append(host.name)
    blocked = license_preflight(planned, usage)
    available: dict[str, int] = {}
    for row in usage:
        available[row.virtual_account] = available.get(row.virtual_account, 0) + max(row.available, 0)
    checks = [
        LicenseCheck(
            virtual_account=va,
            available=available.get(va, 0),
            planned=len(names),
            blocked=sum(1 for n in names if n in blocked),
        )
        for va, names in sorted(planned.items())
    ]
    updated = [
        h.model_copy(update={"classification": "blocked", "reason": blocked[h.name], "steps": ()})
        if h.name in blocked
        else h
        for h in hosts
    ]
    return updated, checks
