"""A mixed fleet planned without SSH (build_plan from real sample outputs), and a simulated apply
run over it (outcomes and journal timings), for the report, runbook and chart tests."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fleetreg.core.facts import DeviceFacts, build_facts
from fleetreg.core.host_outcome import HostOutcome, read_back
from fleetreg.core.plan_model import Plan, WavePolicy
from fleetreg.core.planner import DiscoverOutcome, build_plan
from fleetreg.core.run_timeline import HostTiming, RunRecord, StepTiming
from fleetreg.core.satellite_models import LicenseUsage
from tests_support import SATELLITE, entry, outputs, slp_version

CORPORATE = "Corporate Network Devices"
PUBLIC = "Public Network Devices"
SAMPLE_VA = "RADKit-LMM-NA"  # the VA in sls_genie_sl_registered_csr1kv.txt
RUN_START = 1_800_000_000.0


def migrated_running_config(samples: Path) -> str:
    """The sample running config after a finished migration (satellite profile active)."""
    text = (samples / "runcfg_libgr_c9200l_17.6_full.txt").read_text()
    edits = [
        (
            ' profile "CiscoTAC-1"\n  active\n  destination transport-method http\n',
            ' profile "CiscoTAC-1"\n  no active\n  destination transport-method http\n'
            ' profile "SSM-OnPrem"\n  reporting smart-licensing-data\n  destination transport-method http\n'
            f"  no destination transport-method email\n  destination address http {SATELLITE}\n"
            "  destination preferred-msg-format xml\n  active\n",
        ),
        (" enrollment pkcs12\n revocation-check crl\n", " enrollment pkcs12\n revocation-check none\n"),
        ("ip http secure-server\n", "ip http secure-server\nip http client source-interface Vlan781\n"),
    ]
    for old, new in edits:
        assert old in text, f"sample running config changed: {old!r} not found"
        text = text.replace(old, new)
    return text


def _facts(samples: Path) -> dict[str, DeviceFacts]:
    running = (samples / "runcfg_libgr_c9200l_17.6_full.txt").read_text()
    with_old_source = running.replace(
        "ip http secure-server\n", "ip http secure-server\nip http client source-interface Vlan10\n"
    )
    slp = outputs(samples, version=slp_version(samples), status="sls_ntc_slp_smart_slepolicy.txt")
    migrated = outputs(samples, status="sls_genie_sl_registered_csr1kv.txt", running=migrated_running_config(samples))
    return {
        "cloud": build_facts("x", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt")),
        "cloud-vlan10": build_facts(
            "x", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt", running=with_old_source)
        ),
        "slp": build_facts("x", slp),
        "on-satellite": build_facts("x", migrated),
    }


# One position in 20 decides what a switch is: mostly classic switches on the cloud, some SLP,
# a few already on the satellite (in their VA, or in another one), some unreachable, and some
# whose previous `ip http client source-interface` the backout restores.
KINDS = ["cloud"] * 11 + ["cloud-vlan10", "slp", "slp", "slp", "slp", "already", "wrong-va", "blocked", "unreachable"]


def mixed_fleet_plan(samples: Path, count: int, *, wave_size: int = 50, canary: int = 5, licenses: bool = True) -> Plan:
    """`count` switches over 10 sites and two virtual accounts (site S9 uses Vlan900 as source)."""
    facts = _facts(samples)
    entries, discovered = [], []
    for i in range(count):
        name = f"s{i % 10}-sw{i:04d}"
        site = f"S{i % 10}"
        va, token = (CORPORATE, "env:FLEETREG_TOKEN_CORPORATE") if i % 10 < 6 else (PUBLIC, "env:FLEETREG_TOKEN_PUBLIC")
        kind = KINDS[i % len(KINDS)]
        settings: dict[str, object] = {"virtual_account": va, "token_ref": token}
        if site == "S9":
            settings["source_interface"] = "Vlan900"
        if kind == "already":
            settings["virtual_account"] = SAMPLE_VA
        entries.append(dataclasses.replace(entry(name, **settings), site=site, hostname=f"192.0.2.{i % 250 + 1}"))
        if kind == "blocked":
            discovered.append(DiscoverOutcome(host=name, error_reason="auth failed", error="authentication failed"))
        elif kind == "unreachable":
            discovered.append(DiscoverOutcome(host=name, error_reason="unreachable", error="connection refused"))
        else:
            source = {"already": "on-satellite", "wrong-va": "on-satellite"}.get(kind, kind)
            discovered.append(DiscoverOutcome(host=name, facts=facts[source]))
    usage = None
    if licenses:
        usage = [
            LicenseUsage(
                virtual_account=CORPORATE, license="C9300 DNA Advantage", quantity=count, in_use=10, available=count
            ),
            # fewer than planned: the last switches planned into Public are blocked
            LicenseUsage(
                virtual_account=PUBLIC, license="C9300 DNA Advantage", quantity=count, in_use=0, available=count // 5
            ),
        ]
    return build_plan(
        entries,
        discovered,
        policy=WavePolicy(canary=canary, wave_size=wave_size),
        plan_id="20261203-fleet",
        created_at="2026-12-03T00:00:00+00:00",
        inventory_dir="inventory",
        license_usage=usage,
    )


def simulated_run(
    samples: Path, plan: Plan, *, failed: frozenset[str] = frozenset(), backed_out: frozenset[str] = frozenset()
) -> tuple[dict[str, HostOutcome], RunRecord]:
    """Every wave ran back to back; each switch took 40 s (failures stop at register). A failed
    switch is backed out unless listed in `failed`."""
    after_text = (samples / "sls_genie_sl_registered_csr1kv.txt").read_text()
    outcomes: dict[str, HostOutcome] = {}
    hosts: list[HostTiming] = []
    steps: list[StepTiming] = []
    clock = RUN_START
    by_name = plan.hosts_by_name()
    for wave in plan.waves:
        wave_end = clock
        for index, name in enumerate(wave.hosts):
            start = clock + (index % 20) * 2.0
            t = start
            state = "failed" if name in failed else ("backed-out" if name in backed_out else "migrated")
            for step in ["precheck", *(s.name for s in by_name[name].steps)]:
                seconds = 30.0 if step.startswith("wait_") else 1.5
                bad = state != "migrated" and step in ("register", "sync")
                steps.append(StepTiming(name, step, "failed" if bad else "done", t, t + seconds))
                t += seconds
                if bad:
                    break
            hosts.append(HostTiming(name, wave.number, state, start, t))
            wave_end = max(wave_end, t)
            read = next(
                (s for s in reversed(steps) if s.host == name and s.step in ("verify", "wait_registered", "wait_ack")),
                None,
            )
            outcomes[name] = HostOutcome(
                outcome=state,
                failed_step="register" if state != "migrated" else None,
                reason="registration failed: The token has expired." if state != "migrated" else None,
                duration_s=t - start,
                started_at=start,
                finished_at=t,
                after_status=after_text if read else None,
                after=read_back(after_text, step=read.step, read_at=read.finished_at) if read else None,
            )
        clock = wave_end + 5.0
    for h in plan.hosts:
        if not h.is_actionable:
            state = "already-migrated" if h.classification == "already-migrated" else "skipped"
            outcomes[h.name] = HostOutcome(outcome=state, reason=h.reason)
            hosts.append(HostTiming(h.name, None, state, None, RUN_START))
    run = RunRecord("20261203-apply", RUN_START, clock, 20, tuple(hosts), tuple(steps))
    return outcomes, run
