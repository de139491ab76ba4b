"""Switches grouped by identical change for the runbook."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fleetreg.core.change_groups import change_groups, changes_per_wave, generalise, group_key, group_of
from fleetreg.core.facts import build_facts
from fleetreg.core.inventory_model import HostEntry
from fleetreg.core.plan_model import HostPlan, Plan, Step, WavePolicy
from fleetreg.core.planner import DiscoverOutcome, build_plan
from tests_support import entry, outputs


def plan_of(samples: Path, *entries_and_status: tuple[HostEntry, str]) -> Plan:
    entries, discovered = [], []
    for e, status in entries_and_status:
        entries.append(e)
        discovered.append(DiscoverOutcome(host=e.name, facts=build_facts("x", outputs(samples, status=status))))
    return build_plan(
        entries,
        discovered,
        policy=WavePolicy(canary=1, wave_size=2),
        plan_id="p",
        created_at="2026-12-03T00:00:00+00:00",
        inventory_dir="inventory",
    )


CLOUD = "sls_genie_sl_registered_csr1kv.txt"


def host(name: str, address: str, **settings: object) -> HostEntry:
    return dataclasses.replace(entry(name, **settings), hostname=address)


def test_switches_typing_the_same_lines_form_one_group_in_wave_order(samples: Path) -> None:
    plan = plan_of(samples, *((host(f"sw{i}", f"192.0.2.{i}"), CLOUD) for i in range(1, 6)))
    [group] = change_groups(plan)
    assert group.key == "A" and group.mode == "callhome" and group.hosts == tuple(f"sw{i}" for i in range(1, 6))
    assert group.by_wave == (("canary", ("sw1",)), ("wave 1", ("sw2", "sw3")), ("wave 2", ("sw4", "sw5")))
    assert group.classes == (("to-migrate", 5),)
    assert [s.name for s in group.steps][:2] == ["backup", "configure"]
    assert "no ip http client source-interface Vlan781" in group.backout
    assert changes_per_wave([group]) == {"canary": [("A", 1)], "wave 1": [("A", 2)], "wave 2": [("A", 2)]}
    assert group_of([group]) == {f"sw{i}": "A" for i in range(1, 6)}


def test_a_different_line_makes_another_group_largest_first(samples: Path) -> None:
    plan = plan_of(
        samples,
        (host("sw1", "192.0.2.1", source_interface="Vlan900"), CLOUD),
        (host("sw2", "192.0.2.2"), CLOUD),
        (host("sw3", "192.0.2.3"), CLOUD),
        (host("sw4", "192.0.2.4", virtual_account="Public", token_ref="env:FLEETREG_TOKEN_PUBLIC"), CLOUD),
    )
    groups = change_groups(plan)
    assert [(g.key, g.hosts) for g in groups] == [("A", ("sw2", "sw3")), ("B", ("sw1",)), ("C", ("sw4",))]
    configure = next(s for s in groups[1].steps if s.name == "configure")
    assert "ip http client source-interface Vlan900" in configure.commands


def _plan_with(commands: tuple[str, ...], name: str, address: str, serial: str | None = None) -> HostPlan:
    return HostPlan(
        name=name,
        hostname=address,
        port=22,
        site=None,
        virtual_account="VA",
        token_ref=None,
        classification="to-migrate",
        reason="",
        mode="callhome",
        steps=(Step(name="configure", title="Configure", commands=commands),),
    )


def test_values_naming_one_switch_become_placeholders_whole_tokens_only() -> None:
    sw1 = _plan_with(("snmp-server contact sw1 at 192.0.2.1", "description sw10 Vlan781"), "sw1", "192.0.2.1")
    assert generalise(sw1, sw1.steps[0].commands) == (
        "snmp-server contact <host> at <address>",
        "description sw10 Vlan781",
    )
    # an address several switches share (one lab address, the satellite's) names none of them
    assert generalise(sw1, ["ping 192.0.2.1"], shared=frozenset({"192.0.2.1"})) == ("ping 192.0.2.1",)


def test_groups_compare_lines_after_the_placeholders() -> None:
    plans = [
        _plan_with((f"snmp-server contact {name}",), name, f"192.0.2.{i}") for i, name in enumerate(["a1", "a2"], 1)
    ]
    plan = Plan(
        plan_id="p",
        created_at="c",
        inventory_dir="i",
        inventory_fingerprint="f",
        policy=WavePolicy(),
        hosts=tuple(p.model_copy(update={"wave": 1}) for p in plans),
        waves=(),
    )
    [group] = change_groups(plan)
    assert group.hosts == ("a1", "a2") and group.steps[0].commands == ("snmp-server contact <host>",)
    assert group.placeholders == ("<host>",)


def test_group_keys_go_on_after_z() -> None:
    assert [group_key(i) for i in (0, 1, 25, 26, 27, 51, 52)] == ["A", "B", "Z", "AA", "AB", "AZ", "BA"]
