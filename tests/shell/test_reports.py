from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

from fleetreg.core.change_groups import change_groups
from fleetreg.core.facts import build_facts
from fleetreg.core.host_outcome import HostOutcome, read_back
from fleetreg.core.plan_model import WavePolicy
from fleetreg.core.planner import DiscoverOutcome, build_plan
from fleetreg.core.report_summary import change_paths
from fleetreg.shell.reports import (
    render_csv,
    render_html,
    render_markdown,
    render_runbook,
)
from report_fleet import mixed_fleet_plan, simulated_run  # type: ignore[import-not-found]
from tests_support import entry, outputs  # type: ignore[import-not-found]


def make_plan(samples: Path):
    facts = build_facts("sw1", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt"))
    return build_plan(
        [entry("sw1"), entry("sw2"), entry("sw3")],
        [
            DiscoverOutcome(host="sw1", facts=facts),
            DiscoverOutcome(host="sw3", facts=facts),
            DiscoverOutcome(host="sw2", error_reason="auth failed", error="authentication failed"),
        ],
        policy=WavePolicy(canary=1, wave_size=5),
        plan_id="20261127-plan",
        created_at="2026-11-27T00:00:00+00:00",
        inventory_dir="inventory",
    )


def test_change_paths_name_each_leaf() -> None:
    commands = [
        "call-home",
        ' profile "CiscoTAC-1"',
        "  no active",
        "  exit",
        " exit",
        "ip http client source-interface Vlan1",
    ]
    assert change_paths(commands) == [
        'call-home > profile "CiscoTAC-1" > no active',
        "ip http client source-interface Vlan1",
    ]


def test_html_report_is_self_contained_and_counts(samples: Path) -> None:
    html = render_html(make_plan(samples))
    assert "<script src" not in html and "<link" not in html and "http://" not in html.split("<body>")[0]
    assert 'data-count="to-migrate">2<' in html
    assert 'data-count="blocked">1<' in html
    assert "call-home &gt; profile &#34;CiscoTAC-1&#34; &gt; no active" in html
    assert "2 hosts" in html


def test_runbook_shows_each_change_once_with_its_hosts(samples: Path) -> None:
    text = render_runbook(make_plan(samples))
    assert text.count("### Change A — 2 switches, callhome") == 1 and "### Change B" not in text
    assert "- canary (1): sw1" in text and "- wave 1 (1): sw3" in text
    assert "#### sw" not in text  # no per-switch sections: they are in the appendix (hosts.csv, report.html)
    assert "- auth failed (1): sw2" in text
    assert text.count("license smart register idtoken <token from env:FLEETREG_TOKEN_CORPORATE>") == 1
    for heading in (
        "Scope and impact",
        "Prerequisites",
        "Pre-checks",
        "Go / no-go",
        "Waves",
        "Changes, grouped",
        "Verification",
        "Backout",
        "Sign-off",
        "Appendix: per-switch detail",
    ):
        assert heading in text
    # the pre-checks that cannot be automated stay tick boxes, and every wave gets one
    assert "- [ ] SSM On-Prem satellite synchronised with Cisco" in text and "| [ ] | canary | 1 | A ×1 |" in text
    # no pre-check ran at plan time (this plan records none): they stay tick boxes
    assert "- [ ] Satellite reachable from every switch's source interface; NTP synchronised" in text


def test_runbook_backout_names_the_switches_a_failure_would_leave_off_the_cloud(samples: Path) -> None:
    text = render_runbook(make_plan(samples))  # two cloud switches to migrate, no cloud_token_ref
    backout = text.split("## 8. Backout")[1].split("## 9.")[0]
    assert "- Leaving the cloud in this plan: 2 switches; 0 with a cloud token." in backout
    assert '- No cloud token (2, the risk "no cloud_token_ref" in report.html): a failure after their' in backout
    facts = build_facts("sw1", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt"))
    with_token = build_plan(
        [entry("sw1", cloud_token_ref="env:FLEETREG_CLOUD_TOKEN")],
        [DiscoverOutcome(host="sw1", facts=facts)],
        policy=WavePolicy(canary=0, wave_size=5),
        plan_id="20261127-plan",
        created_at="2026-11-27T00:00:00+00:00",
        inventory_dir="inventory",
    )
    backout = render_runbook(with_token).split("## 8. Backout")[1]
    assert "- Leaving the cloud in this plan: 1 switches; 1 with a cloud token." in backout
    assert "No cloud token" not in backout


def test_csv_and_markdown_carry_outcomes(samples: Path) -> None:
    plan = make_plan(samples)
    after = read_back((samples / "sls_genie_sl_registered_csr1kv.txt").read_text(), step="verify", read_at=1.8e9)
    outcomes = {
        "sw1": HostOutcome("migrated", duration_s=12.5, started_at=1.8e9 - 12.5, finished_at=1.8e9, after=after),
        "sw3": HostOutcome("failed", "register", "token expired"),
    }
    rows = list(csv.DictReader(io.StringIO(render_csv(plan, outcomes))))
    assert [r["host"] for r in rows] == ["sw1", "sw2", "sw3"]
    assert rows[0]["outcome"] == "migrated" and rows[0]["duration_s"] == "12.5"
    assert rows[0]["started_at"] == "2027-01-15 07:59:47Z" and rows[0]["finished_at"] == "2027-01-15 08:00:00Z"
    assert (
        rows[0]["after_registration_status"] == "REGISTERED" and rows[0]["after_authorization_status"] == "AUTHORIZED"
    )
    assert rows[0]["after_virtual_account"] == "RADKit-LMM-NA"
    assert rows[0]["after_read_step"] == "verify" and rows[0]["after_read_at"] == "2027-01-15 08:00:00Z"
    assert rows[0]["change"] == "A" and rows[1]["change"] == ""
    assert rows[2]["failed_step"] == "register" and rows[1]["class"] == "blocked"
    md = render_markdown(plan, outcomes)
    assert "| sw3 |" in md and "failed at register: token expired" in md
    assert "REGISTERED / AUTHORIZED / VA RADKit-LMM-NA" in md and "verify 2027-01-15 08:00:00Z" in md
    # failures first: the attention table lists sw3 (failed) and sw2 (blocked) before the host table
    assert md.index("## Needs attention (2)") < md.index("| sw3 | failed |") < md.index("## Hosts")
    hosts_table = md[md.index("## Hosts") :]
    assert hosts_table.index("| sw3 |") < hosts_table.index("| sw2 |") < hosts_table.index("| sw1 |")


def test_markdown_cells_hold_what_a_switch_printed_in_one_cell(samples: Path) -> None:
    plan = make_plan(samples)
    outcomes = {"sw3": HostOutcome("failed", "register", "bad | reason\nsecond line")}
    row = next(line for line in render_markdown(plan, outcomes).splitlines() if line.startswith("| sw3 | AMS"))
    assert "bad \\| reason second line" in row


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_made_inert() -> None:
    """A reason a switch printed, or a name, starting like a formula opens as text."""
    from fleetreg.shell.reports import spreadsheet_safe

    cells = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "sw1", 3]
    assert spreadsheet_safe(cells) == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "sw1", 3]


def test_apply_report_opens_with_failures_then_waves_and_shows_the_state_after(samples: Path) -> None:
    plan = mixed_fleet_plan(samples, 40, wave_size=10, canary=2)
    actionable = [h.name for h in plan.hosts if h.is_actionable]
    failed, backed_out = actionable[3], actionable[7]
    outcomes, run = simulated_run(samples, plan, failed=frozenset({failed}), backed_out=frozenset({backed_out}))
    html = render_html(plan, outcomes, title="fleetreg apply", run=run)
    body = html.split("<body>", 1)[1]
    order = ["Needs attention", 'id="failures"', 'id="waves"', 'id="chart-timeline"', 'id="headroom"', 'id="hosts"']
    positions = [body.index(marker) for marker in order]
    assert positions == sorted(positions)
    failures = body[body.index('id="failures"') : body.index("</table>", body.index('id="failures"'))]
    assert failures.index(failed) < failures.index(backed_out)
    # the host table lists them first too, and shows what each switch read back after its change
    hosts = body[body.index('id="hosts"') :]
    assert hosts.index(failed) < hosts.index(backed_out) < hosts.index(actionable[0])
    migrated = actionable[0]
    row = hosts[hosts.index(f"{migrated}<br>") :]
    row = row[: row.index("</tr>")]
    assert "REGISTERED / AUTHORIZED / VA RADKit-LMM-NA" in row and "verify, 2027-01-15" in row
    # results and durations per wave, from the journal, with the estimate beside them
    waves = body[body.index('id="waves"') : body.index("</table>", body.index('id="waves"'))]
    assert '<tr data-wave="0"><td>canary</td><td class="num">2</td>' in waves
    assert "2 migrated" in waves and "2027-01-15 08:00:00Z" in waves and "s</td>" in waves
    # license headroom: available at plan time, registered by this run, left
    assert "Public Network Devices" in body[body.index('id="headroom"') :]
    # three static SVG charts inline; nothing fetched, nothing to run
    assert body.count("<svg") == 3 and 'data-chart="licenses"' in body
    assert "<script src" not in html and "<link" not in html and "<img" not in html
    assert "<script" not in body.split('id="hosts"')[0]  # the charts carry no script


def test_plan_report_estimates_each_wave_and_draws_the_plan(samples: Path) -> None:
    plan = mixed_fleet_plan(samples, 40, wave_size=10, canary=2)
    html = render_html(plan)
    assert "Estimated duration of all waves:" in html and "default step times" in html
    assert 'data-chart="timeline"' in html and 'data-chart="outcomes"' in html and 'data-chart="licenses"' in html
    assert html.count("<svg") == 3
    # with step times measured by earlier runs, the estimate says so and changes
    measured = render_html(plan, history=[("wait_registered", 120.0)] * 5)
    assert "step times measured over 5 steps (wait_registered)" in measured


def test_device_and_inventory_text_is_escaped_in_the_html_and_its_charts(samples: Path) -> None:
    hostile = '<script>alert("x")</script>'
    plan = mixed_fleet_plan(samples, 12, wave_size=5, canary=1)
    hosts = tuple(
        h.model_copy(update={"virtual_account": f"VA {hostile}"}) if h.is_actionable else h for h in plan.hosts
    )
    licenses = tuple(c.model_copy(update={"virtual_account": f"VA {hostile}"}) for c in plan.licenses)
    plan = plan.model_copy(update={"hosts": hosts, "licenses": licenses})
    name = next(h.name for h in plan.hosts if h.is_actionable)
    outcomes, run = simulated_run(samples, plan, failed=frozenset({name}))
    outcomes[name] = dataclasses.replace(outcomes[name], reason=hostile)
    html = render_html(plan, outcomes, run=run)
    assert hostile not in html and "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html


def test_runbook_for_a_thousand_switches_stays_under_1500_lines(samples: Path) -> None:
    """The bench fleet's size: grouped by identical change, with per-switch detail in the appendix."""
    plan = mixed_fleet_plan(samples, 1000)
    assert sum(h.is_actionable for h in plan.hosts) >= 800 and len(plan.waves) > 15
    text = render_runbook(plan, plan_digest="0" * 64)
    lines = text.splitlines()
    assert len(lines) < 1500, len(lines)
    # every planned switch is still named once, in the group that changes it
    for host in plan.hosts:
        if host.is_actionable:
            assert text.count(f" {host.name},") + text.count(f" {host.name}\n") == 1, host.name
    groups = change_groups(plan)
    assert 1 < len(groups) < 10
    assert all(text.count(f"### Change {g.key} — ") == 1 for g in groups)
    assert sum(len(g.hosts) for g in groups) == sum(h.is_actionable for h in plan.hosts)
    # wave timings: one line per wave with its estimate and where it ends
    for wave in plan.waves:
        assert f"| [ ] | {wave.name} | {len(wave.hosts)} |" in text
