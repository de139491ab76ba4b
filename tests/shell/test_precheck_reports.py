"""Plan-time pre-checks in the reports: the runbook summarises them per check (failing switches by
name) and keeps tick boxes only for what could not be run; report.html and hosts.csv show them
per switch; the planner blocks or flags switches as PRECHECK_POLICY says, and apply's
re-derivation reproduces it from the recorded results."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from fleetreg.core.facts import build_facts
from fleetreg.core.plan_integrity import plan_differences
from fleetreg.core.plan_model import WavePolicy
from fleetreg.core.planner import DiscoverOutcome, build_plan
from fleetreg.core.prechecks import PrecheckResult
from fleetreg.shell.reports import render_csv, render_html, render_runbook
from tests_support import entry, outputs  # type: ignore[import-not-found]

OK = {
    "satellite_name_resolves": PrecheckResult(check="satellite_name_resolves", status="skipped", detail="by address"),
    "satellite_reachable": PrecheckResult(check="satellite_reachable", status="ok", detail="satellite 10.1.1.5: 2/2"),
    "clock_skew": PrecheckResult(check="clock_skew", status="ok", detail="clock 0 s ahead"),
    "ntp_synchronized": PrecheckResult(check="ntp_synchronized", status="ok", detail="synchronised"),
}


def _checks(**changed: tuple[str, str]) -> tuple[PrecheckResult, ...]:
    return tuple(
        PrecheckResult(check=name, status=changed[name][0], detail=changed[name][1]) if name in changed else result  # type: ignore[arg-type]
        for name, result in OK.items()
    )


def make_plan(samples: Path):
    facts = build_facts("sw1", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt"))
    names = ["sw1", "sw2", "sw3", "sw4", "sw5"]
    prechecks = {
        "sw1": _checks(),
        "sw2": _checks(satellite_reachable=("failed", "satellite 10.1.1.5 from Vlan781: 0/2 echoes")),
        "sw3": _checks(ntp_synchronized=("warning", "NTP unsynchronised (stratum 16)")),
        "sw4": _checks(clock_skew=("not-run", "could not be run: Command authorization failed.")),
        "sw5": _checks(clock_skew=("failed", "clock 3600 s ahead of fleetreg's clock (limit 300 s)")),
    }
    return build_plan(
        [entry(name) for name in names],
        [DiscoverOutcome(host=name, facts=facts.model_copy(update={"host": name})) for name in names],
        policy=WavePolicy(canary=1, wave_size=5),
        plan_id="20261203-plan",
        created_at="2026-12-03T00:00:00+00:00",
        inventory_dir="inventory",
        prechecks=prechecks,
    )


def test_policy_blocks_and_flags(samples: Path) -> None:
    plan = make_plan(samples)
    by_name = plan.hosts_by_name()
    assert by_name["sw1"].classification == "to-migrate"
    assert by_name["sw2"].classification == "blocked" and by_name["sw2"].steps == ()
    assert by_name["sw2"].reason == "pre-check satellite_reachable: satellite 10.1.1.5 from Vlan781: 0/2 echoes"
    assert by_name["sw5"].reason.startswith("pre-check clock_skew: clock 3600 s ahead")
    assert by_name["sw3"].classification == "to-migrate"
    assert any("NTP not synchronised" in r for r in by_name["sw3"].risks)
    assert by_name["sw4"].classification == "to-migrate"  # could not be run: a tick box, not a block
    assert all(h.prechecks for h in plan.hosts)
    assert {name for w in plan.waves for name in w.hosts} == {"sw1", "sw3", "sw4"}


def test_apply_rederives_the_same_plan_and_refuses_an_edited_result(samples: Path) -> None:
    plan = make_plan(samples)
    entries = {name: entry(name) for name in ("sw1", "sw2", "sw3", "sw4", "sw5")}
    assert plan_differences(plan, entries, ca_sha1={}) == []
    # the NTP risk dropped from a flagged switch is noticed
    sw3 = plan.host("sw3")
    edited = plan.model_copy(
        update={"hosts": tuple(h.model_copy(update={"risks": ()}) if h.name == "sw3" else h for h in plan.hosts)}
    )
    assert sw3.risks and any("risks" in p and "sw3" in p for p in plan_differences(edited, entries, ca_sha1={}))


def test_runbook_summarises_and_keeps_tick_boxes_for_what_did_not_run(samples: Path) -> None:
    text = render_runbook(make_plan(samples))
    section = text.split("## 3. Pre-checks")[1].split("## 4.")[0]
    assert "Run at plan time, read-only, on the 5 switches" in section
    assert (
        "| satellite reachable from the source interface | `ping <satellite host> source <source interface> " in section
    )
    assert "| 4 | 1 | 0 | 0 | blocks the switch |" in section
    assert "- satellite reachable from the source interface, failed (1; blocks the switch): sw2" in section
    assert "- clock within the allowed skew, failed (1; blocks the switch): sw5" in section
    assert "- NTP synchronised, failed (1; a risk on the switch): sw3" in section
    assert "- [ ] clock within the allowed skew: `show clock` shows" in section and section.rstrip().count("- [ ]") == 1
    prerequisites = text.split("## 2.")[1].split("## 3.")[0]
    assert "NTP synchronised on the switches" not in prerequisites  # it ran: no tick box
    assert "- [ ] SSM On-Prem satellite synchronised with Cisco" in prerequisites
    assert "- [ ] Registration tokens valid" in prerequisites
    assert "- pre-check satellite_reachable (1): sw2" in text and "- pre-check clock_skew (1): sw5" in text


def test_html_and_csv_show_each_switch(samples: Path) -> None:
    plan = make_plan(samples)
    html = render_html(plan)
    assert '<th aria-sort="none">Pre-checks</th>' in html
    assert (
        'class="precheck blocked">blocked<br><span class="meta">satellite_reachable: failed: satellite 10.1.1.5' in html
    )
    assert 'class="precheck warning">warning' in html
    assert "clock_skew: not-run: could not be run: Command authorization failed." in html
    rows = {row["host"]: row for row in csv.DictReader(io.StringIO(render_csv(plan)))}
    assert rows["sw1"]["prechecks"] == "ok" and rows["sw1"]["precheck_problems"] == ""
    assert rows["sw2"]["prechecks"] == "blocked"
    assert (
        rows["sw2"]["precheck_problems"] == "satellite_reachable: failed: satellite 10.1.1.5 from Vlan781: 0/2 echoes"
    )
    assert rows["sw4"]["prechecks"] == "not-run"


def test_a_thousand_pre_checked_switches_keep_the_runbook_under_1500_lines(samples: Path) -> None:
    """The bench fleet's size, every actionable switch pre-checked and one in ten failing or not run:
    the runbook's pre-checks stay a table and one line per check, however many switches fail."""
    from report_fleet import mixed_fleet_plan  # type: ignore[import-not-found]

    plan = mixed_fleet_plan(samples, 1000)
    kinds = [
        {},
        {"satellite_reachable": ("failed", "satellite 10.1.1.5 from Vlan781: 0/2 echoes")},
        {"ntp_synchronized": ("warning", "NTP unsynchronised (stratum 16)")},
        {"clock_skew": ("not-run", "could not be run: Command authorization failed.")},
    ]

    def checked(i: int) -> tuple[PrecheckResult, ...]:
        return _checks(**kinds[(i // 10) % 4]) if i % 10 == 0 else _checks()

    hosts = tuple(
        h.model_copy(update={"prechecks": checked(i)}) if h.is_actionable else h for i, h in enumerate(plan.hosts)
    )
    text = render_runbook(plan.model_copy(update={"hosts": hosts}), plan_digest="0" * 64)
    assert len(text.splitlines()) < 1500, len(text.splitlines())
    section = text.split("## 3. Pre-checks")[1].split("## 4.")[0]
    assert len(section.splitlines()) < 30
    assert "- satellite reachable from the source interface, failed (" in section
