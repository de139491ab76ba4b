"""Switches grouped by identical change, so a method of procedure for a thousand switches shows
each distinct change once.

Two switches make the same change when fleetreg will type the same lines on both: the same
steps with the same commands, the same backout lines, checked against the same expected state.
Only the values that name the one switch (its inventory name, its address, its serial and its
model, when no other switch of the plan has the same) are set aside: they are replaced by
placeholders (`<host>`, `<address>`, `<serial>`, `<model>`) before comparing. Everything else
stays literal and so splits groups: the virtual account and its token reference, the satellite
URL, the source interface, the trustpoint and the CA fingerprint, and every line of the backout
(it restores what each switch had), because the change board must see every line typed."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence, Set
from dataclasses import dataclass

from fleetreg.core.plan_model import HostPlan, Plan, Step


@dataclass(frozen=True)
class ChangeGroup:
    key: str  # A, B, ..., Z, AA, ...: the largest group first
    mode: str
    virtual_account: str
    expected_url: str | None
    steps: tuple[Step, ...]  # commands with the placeholders
    backout: tuple[str, ...]
    hosts: tuple[str, ...]  # plan order
    by_wave: tuple[tuple[str, tuple[str, ...]], ...]  # (wave name, hosts of this group in it, in wave order)
    classes: tuple[tuple[str, int], ...]  # (classification, hosts)
    risks: tuple[str, ...]
    placeholders: tuple[str, ...]  # those that occur in its lines


def _own_values(host: HostPlan) -> list[tuple[str, str]]:
    values = [(host.name, "<host>"), (host.hostname, "<address>")]
    if host.pre is not None:
        values += [(host.pre.serial or "", "<serial>"), (host.pre.model or "", "<model>")]
    return [(value, placeholder) for value, placeholder in values if value]


def _patterns(host: HostPlan, shared: Set[str]) -> list[tuple[re.Pattern[str], str]]:
    # values other hosts have too (one address for a whole lab, a model) name no one switch
    values = sorted({(v, p) for v, p in _own_values(host) if v not in shared}, key=lambda vp: -len(vp[0]))
    # whole tokens only: never the `sw1` inside `sw10` or `Vlan781`
    return [(re.compile(rf"(?<![\w.-]){re.escape(v)}(?![\w.-])"), p) for v, p in values]


def generalise(host: HostPlan, lines: Sequence[str], shared: Set[str] = frozenset()) -> tuple[str, ...]:
    """The lines with the host's own values replaced by placeholders (`shared`: values that are
    not the host's own because other hosts of the plan have them too)."""
    patterns = _patterns(host, shared)
    out = []
    for line in lines:
        for pattern, placeholder in patterns:
            line = pattern.sub(placeholder, line)
        out.append(line)
    return tuple(out)


def shared_values(hosts: Sequence[HostPlan]) -> frozenset[str]:
    """Values that more than one host has (as its name, address, serial or model)."""
    counts = Counter(value for h in hosts for value in {v for v, _ in _own_values(h)})
    return frozenset(value for value, n in counts.items() if n > 1)


def _signature(host: HostPlan, shared: Set[str]) -> tuple[object, ...]:
    steps = tuple((s.name, s.title, generalise(host, s.commands, shared)) for s in host.steps)
    backout = generalise(host, host.backout_commands, shared)
    return (host.mode, host.virtual_account, host.expected_url, steps, backout)


def group_key(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


PLACEHOLDERS = ("<host>", "<address>", "<serial>", "<model>")


def change_groups(plan: Plan) -> list[ChangeGroup]:
    """The plan's actionable hosts grouped by identical change, largest group first."""
    actionable = [h for h in plan.hosts if h.is_actionable]
    shared = shared_values(plan.hosts)
    members: dict[tuple[object, ...], list[HostPlan]] = {}
    for host in actionable:
        members.setdefault(_signature(host, shared), []).append(host)
    ordered = sorted(members.values(), key=lambda hosts: -len(hosts))  # stable: first seen first among equals
    groups = []
    for index, hosts in enumerate(ordered):
        first = hosts[0]
        steps = tuple(s.model_copy(update={"commands": generalise(first, s.commands, shared)}) for s in first.steps)
        backout = generalise(first, first.backout_commands, shared)
        names = {h.name for h in hosts}
        by_wave = {w.name: [n for n in w.hosts if n in names] for w in plan.waves}
        text = "\n".join([*(c for s in steps for c in s.commands), *backout])
        groups.append(
            ChangeGroup(
                key=group_key(index),
                mode=first.mode or "",
                virtual_account=first.virtual_account,
                expected_url=first.expected_url,
                steps=steps,
                backout=backout,
                hosts=tuple(h.name for h in hosts),
                by_wave=tuple((wave, tuple(members)) for wave, members in by_wave.items() if members),
                classes=tuple(Counter(h.classification for h in hosts).most_common()),
                risks=tuple(dict.fromkeys(r for h in hosts for r in h.risks)),
                placeholders=tuple(p for p in PLACEHOLDERS if p in text),
            )
        )
    return groups


def group_of(groups: Sequence[ChangeGroup]) -> dict[str, str]:
    """Host -> the key of its change group."""
    return {host: g.key for g in groups for host in g.hosts}


def changes_per_wave(groups: Sequence[ChangeGroup]) -> dict[str, list[tuple[str, int]]]:
    """Wave name -> (group key, hosts) of the changes it makes, largest group first."""
    per_wave: dict[str, list[tuple[str, int]]] = {}
    for g in groups:
        for wave, names in g.by_wave:
            per_wave.setdefault(wave, []).append((g.key, len(names)))
    return per_wave
