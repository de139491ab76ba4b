"""The charts of report.html in a real headless Chromium (Playwright): each one is an inline SVG
that draws at a real size, the page asks for nothing over the network, and a screenshot of the
whole report is kept in the test's tmp dir for a person to look at. Needs /usr/bin/chromium
(scripts/ensure-browser); skips without it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fleetreg.shell.reports import render_html
from playwright.sync_api import Browser, Page
from report_fleet import mixed_fleet_plan, simulated_run

pytestmark = pytest.mark.browser

CHARTS = ("timeline", "outcomes", "licenses")
TOP = {"x": 0, "y": 0, "width": 1280, "height": 3200}
SCREENSHOT_MS = 30_000  # two shared cores: a tall page takes seconds to paint


def open_report(browser: Browser, html: str, folder: Path) -> tuple[Page, list[str], list[str]]:
    """The page, every URL it requested, and its errors (console errors, uncaught exceptions)."""
    path = folder / "report.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(5_000)
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri(), wait_until="load")
    return page, requests, errors


def assert_charts_drawn(page: Page, names: tuple[str, ...]) -> None:
    for name in names:
        svg = page.locator(f"figure#chart-{name} > svg")
        assert svg.count() == 1, name
        box = svg.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 60, (name, box)
        marks = page.locator(f"figure#chart-{name} svg path, figure#chart-{name} svg rect")
        assert marks.count() > 3, name
        assert page.locator(f"figure#chart-{name} svg text").count() > 3, name  # axes and legends
        assert page.locator(f"figure#chart-{name} svg script").count() == 0


@pytest.mark.parametrize("count", [40, 300], ids=["per-host timeline", "per-wave timeline"])
def test_apply_report_charts_render_offline(browser: Browser, tmp_path: Path, samples: Path, count: int) -> None:
    plan = mixed_fleet_plan(samples, count, wave_size=10 if count < 100 else 50, canary=2)
    actionable = [h.name for h in plan.hosts if h.is_actionable]
    outcomes, run = simulated_run(
        samples, plan, failed=frozenset(actionable[3:4]), backed_out=frozenset(actionable[7:9])
    )
    page, requests, errors = open_report(
        browser, render_html(plan, outcomes, title="fleetreg apply", run=run), tmp_path
    )
    try:
        assert_charts_drawn(page, CHARTS)
        timeline = page.inner_text("figure#chart-timeline")
        if count > 60:  # many switches: waves with the switches in progress, not one bar per switch
            assert "switches in progress" in timeline and actionable[-1] not in timeline
        else:
            assert actionable[0] in timeline
        assert "failed" in page.inner_text("figure#chart-outcomes")
        assert "Public Network Devices" in page.inner_text("figure#chart-licenses")
        # failures first: the first table of the page is the hosts that did not migrate
        assert page.locator("table").first.get_attribute("id") == "failures"
        assert page.locator("#failures tbody tr").count() == 3
        shot = tmp_path / "report.png"  # the top of the page: attention, waves, charts, headroom
        page.screenshot(path=str(shot), full_page=True, clip=TOP, timeout=SCREENSHOT_MS)
        page.locator("figure#chart-timeline").screenshot(path=str(tmp_path / "timeline.png"), timeout=SCREENSHOT_MS)
        assert shot.stat().st_size > 20_000
        assert requests == [(tmp_path / "report.html").as_uri()], requests  # nothing else, no network
        assert errors == []
    finally:
        page.context.close()


def test_plan_report_charts_render_offline(browser: Browser, tmp_path: Path, samples: Path) -> None:
    plan = mixed_fleet_plan(samples, 120)
    page, requests, errors = open_report(browser, render_html(plan), tmp_path)
    try:
        assert_charts_drawn(page, CHARTS)
        assert "Estimated timeline" in page.inner_text("figure#chart-timeline")
        page.screenshot(path=str(tmp_path / "plan.png"), full_page=True, clip=TOP, timeout=SCREENSHOT_MS)
        assert requests == [(tmp_path / "report.html").as_uri()], requests
        assert errors == []
    finally:
        page.context.close()
