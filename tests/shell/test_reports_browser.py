"""report.html in a real headless Chromium (Playwright): the page runs without errors, its
summary cards match the plan, and the host table filters, sorts and expands as an engineer
would use it. Needs /usr/bin/chromium (scripts/ensure-browser); skips without it."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fleetreg.core.facts import build_facts
from fleetreg.core.inventory_model import HostEntry
from fleetreg.core.plan_model import Plan, WavePolicy
from fleetreg.core.planner import DiscoverOutcome, build_plan
from fleetreg.shell.reports import render_html
from playwright.sync_api import Browser, ConsoleMessage, Page
from report_fleet import migrated_running_config
from tests_support import SATELLITE, entry, outputs, slp_version

pytestmark = pytest.mark.browser

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"
CLASSES = ("to-migrate", "wrong-virtual-account", "already-migrated", "blocked")
PLANNED_VA = "Corporate Network Devices"
SAMPLE_VA = "RADKit-LMM-NA"  # the VA in sls_genie_sl_registered_csr1kv.txt


def switch(name: str, site: str, address: str, **settings: object) -> HostEntry:
    return dataclasses.replace(entry(name, **settings), site=site, hostname=address)


def make_plan() -> Plan:
    """Six hosts, all four classes. Names include a prefix pair (acc-ams-1 / acc-ams-10)
    because that is where sorting on the whole cell text (name + address) goes wrong."""
    cloud = build_facts("x", outputs(SAMPLES, status="sls_genie_sl_registered_csr1kv.txt"))
    slp_outputs = outputs(SAMPLES, version=slp_version(SAMPLES), status="sls_ntc_slp_smart_slepolicy.txt")
    slp = build_facts("x", slp_outputs)
    on_satellite = build_facts(
        "x", outputs(SAMPLES, status="sls_genie_sl_registered_csr1kv.txt", running=migrated_running_config(SAMPLES))
    )
    entries = [
        switch("dist-rtm-01", "RTM", "192.0.2.31"),
        switch("acc-ams-10", "AMS", "192.0.2.10"),
        # planned in the VA it is already registered to on the satellite: nothing to do
        switch("edge-utr-01", "UTR", "192.0.2.41", virtual_account=SAMPLE_VA),
        switch("acc-ams-1", "AMS", "192.0.2.11"),
        switch("core-rtm-02", "RTM", "192.0.2.32"),
        switch("lab-utr-09", "UTR", "192.0.2.49"),
    ]
    discovered = [
        DiscoverOutcome(host="acc-ams-1", facts=cloud),
        DiscoverOutcome(host="acc-ams-10", facts=slp),
        DiscoverOutcome(host="dist-rtm-01", facts=on_satellite),
        DiscoverOutcome(host="edge-utr-01", facts=on_satellite),
        DiscoverOutcome(host="core-rtm-02", error_reason="unreachable", error="connection refused"),
        DiscoverOutcome(host="lab-utr-09", error_reason="auth failed", error="authentication failed"),
    ]
    return build_plan(
        entries,
        discovered,
        policy=WavePolicy(canary=1, wave_size=5),
        plan_id="20261127-browser",
        created_at="2026-11-27T00:00:00+00:00",
        inventory_dir="inventory",
    )


@dataclass
class ReportPage:
    page: Page
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions

    def host_names(self, *, visible_only: bool = False) -> list[str]:
        """Host names in table order (the first text node of each row's first cell)."""
        names: list[str] = self.page.eval_on_selector_all(
            "#hosts tbody tr",
            "(rows, visibleOnly) => rows"
            ".filter(r => !visibleOnly || r.offsetParent !== null)"
            ".map(r => r.cells[0].firstChild.textContent.trim())",
            visible_only,
        )
        return names

    def shown(self) -> str:
        return self.page.inner_text("#shown").strip()


@pytest.fixture(scope="module")
def plan() -> Plan:
    if not SAMPLES.is_dir():
        pytest.fail(f"shared samples missing at {SAMPLES}")
    return make_plan()


@pytest.fixture(scope="module")
def report_url(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html(plan), encoding="utf-8")
    return path.as_uri()


@pytest.fixture
def report(browser: Browser, report_url: str) -> Iterator[ReportPage]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(5_000)
    opened = ReportPage(page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            opened.errors.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: opened.errors.append(f"pageerror: {error}"))
    page.goto(report_url, wait_until="load")
    try:
        yield opened
    finally:
        context.close()


def test_page_loads_clean_and_cards_match_plan(report: ReportPage, plan: Plan) -> None:
    by_class: Counter[str] = Counter(h.classification for h in plan.hosts)
    # the fixture plan covers every class, so each card is checked against a non-zero count
    assert by_class == {"to-migrate": 2, "wrong-virtual-account": 1, "already-migrated": 1, "blocked": 2}

    card = '#summary-cards [data-count="{}"]'
    cards = {key: report.page.inner_text(card.format(key)).strip() for key in ("total", *CLASSES)}
    assert cards == {"total": "6", **{cls: str(by_class[cls]) for cls in CLASSES}}
    # what needs attention first (blocked), then the changes, then the hosts already done; plan order within
    assert report.host_names() == ["core-rtm-02", "lab-utr-09", "dist-rtm-01", "acc-ams-10", "acc-ams-1", "edge-utr-01"]
    assert report.shown() == "6 of 6 hosts shown"
    assert report.errors == []


def test_typing_in_filter_hides_other_rows(report: ReportPage) -> None:
    report.page.locator("#filter-text").press_sequentially("rtm")
    assert report.host_names(visible_only=True) == ["core-rtm-02", "dist-rtm-01"]
    assert report.shown() == "2 of 6 hosts shown"

    report.page.locator("#filter-text").fill("acc-ams-1")  # matches acc-ams-10 too
    assert report.host_names(visible_only=True) == ["acc-ams-10", "acc-ams-1"]
    assert report.shown() == "2 of 6 hosts shown"

    report.page.locator("#filter-text").fill("no such host")
    assert report.host_names(visible_only=True) == []
    assert report.shown() == "0 of 6 hosts shown"

    report.page.locator("#filter-text").fill("")
    assert len(report.host_names(visible_only=True)) == 6
    assert report.shown() == "6 of 6 hosts shown"
    assert report.errors == []


@pytest.mark.parametrize("cls", CLASSES)
def test_class_select_shows_only_that_class(report: ReportPage, plan: Plan, cls: str) -> None:
    report.page.select_option("#filter-class", cls)
    expected = [h.name for h in plan.hosts if h.classification == cls]
    assert report.host_names(visible_only=True) == expected
    assert report.shown() == f"{len(expected)} of 6 hosts shown"
    visible_classes = report.page.eval_on_selector_all(
        "#hosts tbody tr", "rows => rows.filter(r => r.offsetParent !== null).map(r => r.dataset.class)"
    )
    assert visible_classes == [cls] * len(expected)

    report.page.select_option("#filter-class", "")
    assert report.shown() == "6 of 6 hosts shown"
    assert report.errors == []


def test_class_and_text_filters_combine(report: ReportPage) -> None:
    report.page.select_option("#filter-class", "blocked")
    report.page.locator("#filter-text").press_sequentially("utr")
    assert report.host_names(visible_only=True) == ["lab-utr-09"]
    assert report.shown() == "1 of 6 hosts shown"
    assert report.errors == []


def test_host_header_sorts_ascending_then_descending(report: ReportPage, plan: Plan) -> None:
    names = [h.name for h in plan.hosts]
    header = report.page.locator("#hosts thead th", has_text="Host")
    assert header.get_attribute("aria-sort") == "none"

    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert report.host_names() == sorted(names)

    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    assert report.host_names() == sorted(names, reverse=True)
    assert report.errors == []


def test_sorted_rows_still_filter(report: ReportPage) -> None:
    report.page.locator("#hosts thead th", has_text="Host").click()
    report.page.select_option("#filter-class", "to-migrate")
    assert report.host_names(visible_only=True) == ["acc-ams-1", "acc-ams-10"]
    assert report.shown() == "2 of 6 hosts shown"
    assert report.errors == []


def test_details_open_on_click_and_show_diff_and_steps(report: ReportPage, plan: Plan) -> None:
    host = plan.host("acc-ams-1")
    assert host.classification == "to-migrate" and host.diff and host.steps
    row = report.page.locator("#hosts tbody tr").filter(has_text="192.0.2.11:22")
    details = row.locator("details")
    diff = details.locator("pre").first
    steps = details.locator("ol > li")
    assert details.evaluate("d => d.open") is False
    assert not diff.is_visible()

    details.locator("summary").click()
    assert details.evaluate("d => d.open") is True
    assert diff.is_visible()
    assert diff.locator("span").all_inner_texts() == list(host.diff)
    added = diff.locator("span.diff-add").all_inner_texts()
    assert f"    + destination address http {SATELLITE}" in added
    assert diff.locator("span.diff-del").all_inner_texts() == ["  - revocation-check crl", "    - active"]
    assert steps.first.is_visible()
    titles = [text.splitlines()[0].strip() for text in steps.all_inner_texts()]
    assert titles == [s.title for s in host.steps]
    register = steps.filter(has_text="Register with the satellite")
    assert "license smart register idtoken <token from env:FLEETREG_TOKEN_CORPORATE>" in register.inner_text()

    details.locator("summary").click()
    assert details.evaluate("d => d.open") is False
    assert not diff.is_visible()
    assert report.errors == []
