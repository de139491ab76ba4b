"""Vega-Lite specifications (core.chart_specs) drawn as static SVG, offline, by vl-convert (the
Vega-Lite compiler and renderer in one wheel, run in-process). The SVG goes inline into the
self-contained report.html: no script, no font or image fetched, nothing for the reader's
browser to run. vl-convert is told to load no URL at all (allowed_base_urls=[])."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from html import escape
from typing import Any

import vl_convert

log = logging.getLogger(__name__)

_SVG_OPEN = re.compile(r"<svg\b")


@dataclass(frozen=True)
class Chart:
    name: str  # stable id for the page (`chart-<name>`)
    title: str
    svg: str  # markup to place inline: an <svg> element, or a one-line note when it could not be drawn
    drawn: bool


def draw(name: str, spec: dict[str, Any]) -> Chart:
    """One chart as inline SVG. A chart that cannot be drawn becomes a visible note (the
    report is still written: it carries the run's outcomes)."""
    title = str(spec.get("title", name))
    try:
        svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    except Exception as exc:  # vl-convert raises plain ValueError/RuntimeError for any failure
        log.warning("chart %s could not be drawn: %s", name, exc)
        return Chart(name, title, f'<p class="meta">Chart not drawn: {escape(str(exc))}</p>', drawn=False)
    svg = svg[svg.find("<svg") :] if "<svg" in svg else svg  # no XML declaration inside HTML
    label = f'<svg role="img" aria-label="{escape(title)}" data-chart="{escape(name)}"'
    return Chart(name, title, _SVG_OPEN.sub(label, svg, count=1), drawn=True)
