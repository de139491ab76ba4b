"""The reports' charts as Vega-Lite specifications: plain data, built here without drawing
anything (shell.charts turns them into static SVG). Every value is inline; no spec names a URL.

- timeline: when each wave ran (from the journal), per host when a run is small, per wave with
  the hosts in progress over time when it is large; for a plan, the estimated wave schedule;
- outcomes per wave (stacked bars); for a plan, the planned hosts per wave by class;
  hosts in no wave (blocked, already migrated) are counted in the summary, not drawn;
- licenses available per virtual account, before and after the change."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from fleetreg.core.license_headroom import Headroom
from fleetreg.core.plan_model import Plan
from fleetreg.core.run_timeline import HostBar, WaveResult, in_progress
from fleetreg.core.wave_timing import WaveEstimate, duration_text

Spec = dict[str, Any]

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier: never fetched
WIDTH = 620
PER_HOST_MAX = 60  # more hosts than this: the timeline shows waves, not hosts

OUTCOME_COLOURS = {
    "failed": "#cf222e",
    "backed-out": "#bc4c00",
    "interrupted": "#8250df",
    "drifted": "#9a6700",
    "not-run": "#8c959f",
    "pending-ack": "#0969da",
    "skipped": "#d0d7de",
    "migrated": "#1a7f37",
    "already-migrated": "#6fdd8b",
}
CLASS_COLOURS = {
    "blocked": "#cf222e",
    "wrong-virtual-account": "#9a6700",
    "to-migrate": "#0969da",
    "already-migrated": "#6fdd8b",
}
INTEGERS: Spec = {"format": "d", "tickMinStep": 1}  # counts: no 2.5 switches on an axis
CONFIG: Spec = {
    "font": "Liberation Sans, Arial, Helvetica, sans-serif",  # metric-compatible: labels fit as measured
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelLimit": 220},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom", "direction": "horizontal"},
    "title": {"fontSize": 13, "anchor": "start"},
}


def _base(title: str, values: list[dict[str, Any]]) -> Spec:
    return {"$schema": SCHEMA, "title": title, "config": CONFIG, "data": {"values": values}}


def _colour_scale(palette: Mapping[str, str], present: Sequence[str]) -> Spec:
    domain = [k for k in palette if k in present] + sorted(set(present) - set(palette))
    return {"domain": domain, "range": [palette.get(k, "#57606a") for k in domain]}


def _time_unit(span_s: float) -> tuple[float, str]:
    """Seconds for a run of up to five minutes, minutes beyond: (divisor, unit name)."""
    return (1.0, "seconds") if span_s <= 300 else (60.0, "minutes")


def timeline_of_run(bars: Sequence[HostBar], waves: Sequence[WaveResult], run_started: float) -> Spec | None:
    """Per host (small runs) or per wave with hosts in progress (large runs), since the run began."""
    if not bars:
        return None
    wave_order = list(dict.fromkeys(b.wave for b in bars))
    end_s = max(b.end_s for b in bars)
    unit, unit_name = _time_unit(end_s)
    x_title = f"{unit_name} since the run started"
    domain = {"domain": [0, round(end_s / unit, 3)]}
    if len(bars) <= PER_HOST_MAX:
        values = [
            {"host": b.host, "wave": b.wave, "start": round(b.start_s / unit, 3), "end": round(b.end_s / unit, 3)}
            for b in bars
        ]
        return {
            **_base("Timeline: each switch from its first step to its end", values),
            "width": WIDTH,
            "height": {"step": 14},
            "mark": {"type": "bar", "cornerRadius": 2},
            "encoding": {
                "y": {"field": "host", "type": "nominal", "sort": None, "title": None},
                "x": {"field": "start", "type": "quantitative", "title": x_title, "scale": domain},
                "x2": {"field": "end"},
                "color": {"field": "wave", "type": "nominal", "sort": wave_order, "title": "wave"},
            },
        }
    spans = [
        {
            "wave": w.name,
            "start": round((w.started_at - run_started) / unit, 3),
            "end": round((w.finished_at - run_started) / unit, 3),
            "label": f"{w.hosts} hosts",
        }
        for w in waves
        if w.started_at is not None and w.finished_at is not None
    ]
    load = [{"wave": p.wave, "at": round(p.at_s / unit, 3), "hosts": p.hosts} for p in in_progress(bars)]
    return {
        "$schema": SCHEMA,
        "title": "Timeline: waves, and switches in progress over time",
        "config": CONFIG,
        "vconcat": [
            {
                "data": {"values": spans},
                "width": WIDTH,
                "height": {"step": 18},
                "layer": [
                    {
                        "mark": {"type": "bar", "cornerRadius": 2},
                        "encoding": {
                            "y": {"field": "wave", "type": "nominal", "sort": wave_order, "title": None},
                            "x": {"field": "start", "type": "quantitative", "title": x_title, "scale": domain},
                            "x2": {"field": "end"},
                            "color": {"field": "wave", "type": "nominal", "sort": wave_order, "legend": None},
                        },
                    },
                    {
                        "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 10},
                        "encoding": {
                            "y": {"field": "wave", "type": "nominal", "sort": wave_order},
                            "x": {"field": "end", "type": "quantitative", "scale": domain},
                            "text": {"field": "label"},
                        },
                    },
                ],
            },
            {
                "data": {"values": load},
                "width": WIDTH,
                "height": 120,
                "mark": {"type": "area", "interpolate": "step-after"},
                "encoding": {
                    "x": {"field": "at", "type": "quantitative", "title": x_title, "scale": domain},
                    "y": {
                        "field": "hosts",
                        "type": "quantitative",
                        "stack": True,
                        "title": "switches in progress",
                        "axis": INTEGERS,
                    },
                    "color": {"field": "wave", "type": "nominal", "sort": wave_order, "title": "wave"},
                },
            },
        ],
    }


def timeline_of_plan(estimates: Sequence[WaveEstimate], source: str, workers: int) -> Spec | None:
    """The estimated schedule: waves back to back (no gate or soak time between them)."""
    if not estimates:
        return None
    order = [e.name for e in estimates]
    unit, unit_name = _time_unit(estimates[-1].start_s + estimates[-1].seconds)
    values = [
        {
            "wave": e.name,
            "start": round(e.start_s / unit, 3),
            "end": round((e.start_s + e.seconds) / unit, 3),
            "label": f"{e.hosts} hosts, ~{duration_text(e.seconds)}",
        }
        for e in estimates
    ]
    return {
        **_base(f"Estimated timeline ({source}; {workers} workers; no pause between waves)", values),
        "width": WIDTH,
        "height": {"step": 18},
        "layer": [
            {
                "mark": {"type": "bar", "cornerRadius": 2, "opacity": 0.8},
                "encoding": {
                    "y": {"field": "wave", "type": "nominal", "sort": order, "title": None},
                    "x": {"field": "start", "type": "quantitative", "title": f"{unit_name} from the start (estimated)"},
                    "x2": {"field": "end"},
                    "color": {"field": "wave", "type": "nominal", "sort": order, "legend": None},
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 10},
                "encoding": {
                    "y": {"field": "wave", "type": "nominal", "sort": order},
                    "x": {"field": "end", "type": "quantitative"},
                    "text": {"field": "label"},
                },
            },
        ],
    }


def _stacked(title: str, counts: list[dict[str, Any]], order: list[str], key: str, palette: Mapping[str, str]) -> Spec:
    present = list(dict.fromkeys(row[key] for row in counts))
    scale = _colour_scale(palette, present)
    return {
        **_base(title, counts),
        "width": WIDTH,
        "height": {"step": 18},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "wave", "type": "nominal", "sort": order, "title": None},
            "x": {"field": "hosts", "type": "quantitative", "stack": True, "title": "switches", "axis": INTEGERS},
            "color": {"field": key, "type": "nominal", "scale": scale, "title": key},
            "order": {"field": "rank", "type": "quantitative"},
        },
    }


def outcomes_per_wave(plan: Plan, outcomes: Mapping[str, str]) -> Spec | None:
    """Stacked bars: each wave's hosts by outcome."""
    counts = _per_wave(plan, outcomes)
    if not counts:
        return None
    ranks = {k: i for i, k in enumerate(OUTCOME_COLOURS)}
    rows = [{"wave": w, "outcome": o, "hosts": n, "rank": ranks.get(o, 99)} for (w, o), n in counts.items()]
    order = list(dict.fromkeys(w for w, _ in counts))
    return _stacked("Outcomes per wave", rows, order, "outcome", OUTCOME_COLOURS)


def classes_per_wave(plan: Plan) -> Spec | None:
    """For a plan: each wave's hosts by class (to migrate, or moved from another virtual account)."""
    counts = _per_wave(plan, {h.name: h.classification for h in plan.hosts})
    if not counts:
        return None
    ranks = {k: i for i, k in enumerate(CLASS_COLOURS)}
    rows = [{"wave": w, "class": c, "hosts": n, "rank": ranks.get(c, 99)} for (w, c), n in counts.items()]
    order = list(dict.fromkeys(w for w, _ in counts))
    return _stacked("Planned switches per wave", rows, order, "class", CLASS_COLOURS)


def _per_wave(plan: Plan, value_of: Mapping[str, str]) -> Counter[tuple[str, str]]:
    """(wave, value) -> hosts. Hosts in no wave (blocked, already migrated) are left out: the
    summary counts them, and as a bar of their own they would dwarf every wave."""
    counts: Counter[tuple[str, str]] = Counter()
    for wave in plan.waves:
        for host in wave.hosts:
            if host in value_of:
                counts[(wave.name, value_of[host])] += 1
    return counts


def licenses_per_va(rows: Sequence[Headroom], *, after_label: str) -> Spec | None:
    """Grouped bars: licenses available per virtual account before the change and after it."""
    if not rows:
        return None
    values = []
    for r in rows:
        values.append({"va": r.virtual_account, "when": "before (at plan time)", "licenses": r.available})
        values.append({"va": r.virtual_account, "when": after_label, "licenses": r.left})
    order = ["before (at plan time)", after_label]
    return {
        **_base("Licenses available per virtual account", values),
        "width": WIDTH,
        "height": {"step": 16},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "va", "type": "nominal", "title": None},
            "yOffset": {"field": "when", "type": "nominal", "sort": order},
            "x": {"field": "licenses", "type": "quantitative", "title": "licenses available", "axis": INTEGERS},
            "color": {
                "field": "when",
                "type": "nominal",
                "sort": order,
                "scale": {"domain": order, "range": ["#8c959f", "#0969da"]},
                "title": None,
            },
        },
    }
