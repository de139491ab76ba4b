"""Vega-Lite specs drawn as static SVG by vl-convert, offline."""

from __future__ import annotations

from typing import Any

from fleetreg.core.chart_specs import CONFIG, SCHEMA
from fleetreg.shell.charts import draw


def bars(values: list[dict[str, Any]], **data: Any) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": "t",
        "config": CONFIG,
        "data": {"values": values, **data},
        "mark": "bar",
        "encoding": {"x": {"field": "n", "type": "quantitative"}, "y": {"field": "va", "type": "nominal"}},
    }


def test_a_chart_is_an_inline_svg_element_labelled_for_screen_readers() -> None:
    chart = draw("licenses", bars([{"va": "Corporate", "n": 3}, {"va": "Public", "n": 5}]))
    assert chart.drawn and chart.svg.startswith('<svg role="img" aria-label="t" data-chart="licenses"')
    assert "<?xml" not in chart.svg and "<script" not in chart.svg and "Corporate" in chart.svg


def test_text_in_the_data_is_escaped_in_the_svg() -> None:
    chart = draw("x", bars([{"va": '</svg><script>alert("x")</script>', "n": 1}]))
    assert "<script" not in chart.svg and "&lt;script&gt;" in chart.svg


def test_a_spec_naming_a_url_loads_nothing_and_becomes_a_note() -> None:
    spec = bars([])
    spec["data"] = {"url": "http://127.0.0.1:9/data.json"}
    chart = draw("x", spec)
    assert not chart.drawn and chart.svg.startswith('<p class="meta">Chart not drawn: ')
    assert "External data url not allowed" in chart.svg  # refused before any connection is tried
