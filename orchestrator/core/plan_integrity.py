"""Is this the plan fleetreg would have produced? Pure.

A reviewed plan is exactly what runs: before apply touches a switch, every actionable host is
planned again from the facts the plan recorded, the inventory's settings and the templates,
and must come out identical (commands, backout, steps, CA file and its fingerprint, the
fingerprint of the recorded facts; the recorded facts are bound to the live switch by apply's
pre-check, which compares that fingerprint with the switch's). Waves must list exactly the
plan's actionable hosts, as the wave policy gives them. Hosts the plan does not act on are not
compared: they are never touched."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fleetreg.core.errors import FleetregError
from fleetreg.core.facts import DeviceFacts
from fleetreg.core.inventory_model import HostEntry
from fleetreg.core.parsing.callhome_config import parse_callhome_config
from fleetreg.core.parsing.version import version_triple
from fleetreg.core.plan_model import HostPlan, Plan
from fleetreg.core.planner import DiscoverOutcome, assign_waves, plan_host

NOT_COMPARED = {"wave", "risks"}  # wave: checked with the waves; risks: the plan may add some
# Differences are named in this order, after the scalar fields: the most telling first.
FIELD_ORDER = ("config_commands", "backout_commands", "diff", "facts", "pre", "steps")


def plan_differences(
    plan: Plan,
    entries: Mapping[str, HostEntry],
    *,
    ca_sha1: Mapping[str, str],
    project_dir: Path | None = None,
) -> list[str]:
    """Each way `plan` differs from what fleetreg derives now, as one-line texts (none: it is)."""
    problems = [problem for host in plan.hosts if (problem := host_difference(host, entries, ca_sha1, project_dir))]
    problems += wave_differences(plan)
    return problems


def host_difference(
    host: HostPlan, entries: Mapping[str, HostEntry], ca_sha1: Mapping[str, str], project_dir: Path | None
) -> str | None:
    if not host.is_actionable:
        return None
    entry = entries.get(host.name)
    if entry is None:
        return f"host {host.name}: not in the inventory"
    if host.facts is None or host.facts.host != host.name:
        return f"host {host.name}: the plan records no discovered facts for it"
    if problem := facts_problem(host.facts):
        return f"host {host.name}: facts: {problem}"
    try:
        derived = plan_host(
            entry,
            DiscoverOutcome(host=host.name, facts=host.facts),
            project_dir=project_dir,
            ca_sha1=ca_sha1,
            prechecks=host.prechecks,  # recorded input, like the facts: what they made of the host is derived again
        )
    except Exception as exc:  # the recorded facts are input like any other: they may be anything
        return f"host {host.name}: cannot be planned again from its recorded facts ({type(exc).__name__})"
    planned, expected = host.model_dump(exclude=NOT_COMPARED), derived.model_dump(exclude=NOT_COMPARED)
    for field in sorted(planned, key=lambda name: FIELD_ORDER.index(name) if name in FIELD_ORDER else 0):
        if planned[field] != expected.get(field):
            return f"host {host.name}: {field} {_difference(planned[field], expected.get(field))}"
    missing = set(derived.risks) - set(host.risks)
    if missing:
        return f"host {host.name}: risks: the plan leaves out {sorted(missing)[0]!r}"
    return None


# What the planner reads of the parsed call-home config: each must follow from the recorded
# excerpt, which the fingerprint binds to the switch (the other fields are only shown).
CALLHOME_READ = (
    "callhome_present", "service_call_home", "vrf", "source_interface", "server_identity_check", "profiles",
    "http_client_source_interface", "http_client_vrf", "license_smart_transport", "license_smart_url_cslu",
    "license_smart_url_smart", "license_smart_vrf",
)  # fmt: skip


def facts_problem(facts: DeviceFacts) -> str | None:
    """Whether the recorded facts hold together: what the planner reads and the fingerprint does
    not cover (the version triple, the parsed call-home config) must follow from what it covers."""
    if version_triple(facts.version.version) != facts.version.version_tuple:
        return f"version_tuple {facts.version.version_tuple} does not follow from version {facts.version.version!r}"
    try:
        lines = [f"hostname {facts.version.hostname or facts.host}", *facts.config_excerpt.splitlines()]
        reparsed = parse_callhome_config(lines, command="show running-config", section_only=False)
    except FleetregError as exc:
        return f"config_excerpt does not parse ({exc.message})"
    except Exception as exc:  # recorded facts are input like any other: they may be anything
        return f"config_excerpt does not parse ({type(exc).__name__})"
    for field in CALLHOME_READ:
        if getattr(reparsed, field) != getattr(facts.callhome, field):
            return f"callhome.{field} does not follow from config_excerpt"
    return None


def _difference(planned: Any, expected: Any) -> str:
    if isinstance(planned, list | tuple) and isinstance(expected, list | tuple):
        for index, (a, b) in enumerate(zip(planned, expected, strict=False)):
            if a != b and isinstance(a, dict) and isinstance(b, dict):
                key = next(k for k in a if a[k] != b.get(k))
                return f"item {index + 1} ({a.get('name', '')}) {key} {_difference(a[key], b.get(key))}"
            if a != b:
                return f"item {index + 1} is {_short(a)}, fleetreg derives {_short(b)}"
        if len(planned) > len(expected):
            return f"has an extra item {_short(planned[len(expected)])}"
        return f"lacks {_short(expected[len(planned)])}"
    return f"is {_short(planned)}, fleetreg derives {_short(expected)}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 100 else text[:97] + "..."


def wave_differences(plan: Plan) -> list[str]:
    """Waves list every actionable host exactly once, and only those, as the wave policy gives."""
    actionable = {h.name for h in plan.hosts if h.is_actionable}
    listed = Counter(name for wave in plan.waves for name in wave.hosts)
    problems = [f"waves: host {name} is not a host the plan acts on" for name in sorted(set(listed) - actionable)]
    problems += [f"waves: host {name} is listed {n} times" for name, n in sorted(listed.items()) if n > 1]
    problems += [f"waves: host {name} is in no wave" for name in sorted(actionable - set(listed))]
    if problems:
        return problems
    hosts, waves = assign_waves((h.model_copy(update={"wave": None}) for h in plan.hosts), plan.policy)
    if tuple(waves) != plan.waves:
        return ["waves: they differ from what the plan's wave policy gives"]
    wave_of = {h.name: h.wave for h in hosts}
    return [
        f"host {h.name}: wave is {h.wave}, its wave lists it as {wave_of[h.name]}"
        for h in plan.hosts
        if h.wave != wave_of[h.name]
    ]
