from __future__ import annotations

import csv
import io
from pathlib import Path

from fleetreg.core.facts import build_facts
from fleetreg.core.plan_model import WavePolicy
from fleetreg.core.planner import DiscoverOutcome, build_plan
from fleetreg.shell.reports import (
    HostOutcome,
    change_paths,
    render_csv,
    render_html,
    render_markdown,
    render_runbook,
)
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


def test_runbook_lists_each_planned_host_once(samples: Path) -> None:
    text = render_runbook(make_plan(samples))
    assert text.count("#### sw1 ") == 1 and text.count("#### sw3 ") == 1
    assert "#### sw2" not in text and "- sw2: auth failed" in text
    assert "<token from env:FLEETREG_TOKEN_CORPORATE>" in text
    for heading in (
        "Scope and impact",
        "Prerequisites",
        "Pre-checks",
        "Go / no-go",
        "Waves",
        "Verification",
        "Backout",
        "Sign-off",
    ):
        assert heading in text


def test_csv_and_markdown_carry_outcomes(samples: Path) -> None:
    plan = make_plan(samples)
    outcomes = {
        "sw1": HostOutcome("migrated", duration_s=12.5),
        "sw3": HostOutcome("failed", "register", "token expired"),
    }
    rows = list(csv.DictReader(io.StringIO(render_csv(plan, outcomes))))
    assert [r["host"] for r in rows] == ["sw1", "sw2", "sw3"]
    assert rows[0]["outcome"] == "migrated" and rows[0]["duration_s"] == "12.5"
    assert rows[2]["failed_step"] == "register" and rows[1]["class"] == "blocked"
    md = render_markdown(plan, outcomes)
    assert "| sw3 |" in md and "failed at register: token expired" in md


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_made_inert() -> None:
    """A reason a switch printed, or a name, starting like a formula opens as text."""
    from fleetreg.shell.reports import spreadsheet_safe

    cells = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "sw1", 3]
    assert spreadsheet_safe(cells) == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "sw1", 3]
