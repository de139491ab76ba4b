"""Everything a report shows, computed once from the plan, the run's outcomes and the journal:
hosts in the order that needs attention first, results and durations per wave (actual and
estimated), license headroom, change groups and the charts' specifications. Pure; shell.reports
draws the charts and renders the templates from it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fleetreg.core import chart_specs
from fleetreg.core.change_groups import ChangeGroup, change_groups, changes_per_wave, group_of
from fleetreg.core.host_outcome import ATTENTION_ORDER, NEEDS_ATTENTION, HostOutcome
from fleetreg.core.license_headroom import Headroom, headroom
from fleetreg.core.plan_model import HostPlan, Plan
from fleetreg.core.report_summary import Summary, blocked_by_reason, summarise
from fleetreg.core.run_timeline import RunRecord, WaveResult, host_bars, wave_results
from fleetreg.core.wave_timing import ASSUMED_WORKERS, StepTimes, WaveEstimate, estimate_waves, step_times


@dataclass(frozen=True)
class ReportView:
    plan: Plan
    title: str
    summary: Summary
    outcomes: Mapping[str, HostOutcome]
    run: RunRecord | None
    hosts: Sequence[HostPlan]  # attention first, then plan order
    attention: Sequence[HostPlan]  # failed, backed out, interrupted, drifted, not run, blocked
    failures: Sequence[HostPlan]  # the attention hosts a run touched or was to touch (not the blocked ones)
    blocked: Sequence[tuple[str, list[str]]]  # blocked at plan time: (kind of reason, hosts)
    waves: Sequence[WaveResult]
    estimates: Sequence[WaveEstimate]
    times: StepTimes
    workers: int
    headroom: Sequence[Headroom]
    groups: Sequence[ChangeGroup]
    group_of: Mapping[str, str]
    charts: Mapping[str, dict[str, Any]]  # name -> Vega-Lite spec (only the charts there is data for)

    @property
    def leaving_the_cloud(self) -> tuple[list[str], list[str]]:
        """The switches this plan takes off the cloud (deregistered before they register to the
        satellite): those a failed change registers back with a cloud token, and those without one."""
        leaving = [
            h for h in self.plan.hosts if h.is_actionable and h.deregister and h.pre and h.pre.registered_to == "cloud"
        ]
        return [h.name for h in leaving if h.cloud_token_ref], [h.name for h in leaving if not h.cloud_token_ref]

    @property
    def row_ids(self) -> dict[str, str]:
        """Host -> the id of its row in report.html (host names never become ids)."""
        return {h.name: f"host-{i}" for i, h in enumerate(self.hosts, start=1)}

    @property
    def wave_changes(self) -> dict[str, list[tuple[str, int]]]:
        """Wave name -> (change group, hosts) it makes."""
        return changes_per_wave(self.groups)

    @property
    def estimated_total_s(self) -> float:
        return sum(e.seconds for e in self.estimates)


def host_state(host: HostPlan, outcomes: Mapping[str, HostOutcome]) -> str:
    """Outcome when the host ran, else its plan class (a blocked host apply skipped stays
    `blocked`): what the attention order sorts on."""
    o = outcomes.get(host.name)
    if o is None or (o.outcome == "skipped" and host.classification == "blocked"):
        return host.classification
    return o.outcome


def attention_first(hosts: Iterable[HostPlan], state: Mapping[str, str]) -> list[HostPlan]:
    rank = {s: i for i, s in enumerate(ATTENTION_ORDER)}
    return sorted(hosts, key=lambda h: rank.get(state[h.name], len(rank)))  # stable: plan order within


def report_view(
    plan: Plan,
    outcomes: Mapping[str, HostOutcome] | None = None,
    *,
    title: str,
    run: RunRecord | None = None,
    history: Iterable[tuple[str, float]] = (),
) -> ReportView:
    """`history`: (step, seconds) measured by earlier runs (a plan's estimates learn from them);
    a run's own steps refine its estimates instead."""
    outcomes = outcomes or {}
    times = step_times(run.step_durations() if run else history)
    workers = (run.workers if run and run.workers else None) or ASSUMED_WORKERS
    estimates = estimate_waves(plan, times, workers=workers)
    outcome_of = {name: o.outcome for name, o in outcomes.items()}
    waves = wave_results(plan, run, outcome_of, {e.number: e.seconds for e in estimates})
    groups = change_groups(plan)
    rows = headroom(plan, outcome_of if run else None)
    state = {h.name: host_state(h, outcomes) for h in plan.hosts}
    ordered = attention_first(plan.hosts, state)
    return ReportView(
        plan=plan,
        title=title,
        summary=summarise(plan, outcomes),
        outcomes=outcomes,
        run=run,
        hosts=ordered,
        attention=[h for h in ordered if state[h.name] in NEEDS_ATTENTION],
        failures=[h for h in ordered if state[h.name] in NEEDS_ATTENTION and state[h.name] != "blocked"],
        blocked=blocked_by_reason(plan.hosts),
        waves=waves,
        estimates=estimates,
        times=times,
        workers=workers,
        headroom=rows,
        groups=groups,
        group_of=group_of(groups),
        charts=_charts(plan, run, outcome_of, waves, estimates, rows, times, workers),
    )


def _charts(
    plan: Plan,
    run: RunRecord | None,
    outcome_of: Mapping[str, str],
    waves: Sequence[WaveResult],
    estimates: Sequence[WaveEstimate],
    rows: Sequence[Headroom],
    times: StepTimes,
    workers: int,
) -> dict[str, dict[str, Any]]:
    if run is not None:
        candidates = {
            "timeline": chart_specs.timeline_of_run(host_bars(plan, run, outcome_of), waves, run.started_at),
            "outcomes": chart_specs.outcomes_per_wave(plan, outcome_of),
            "licenses": chart_specs.licenses_per_va(rows, after_label="after this run"),
        }
    else:
        candidates = {
            "timeline": chart_specs.timeline_of_plan(estimates, times.source, workers),
            "outcomes": chart_specs.classes_per_wave(plan),
            "licenses": chart_specs.licenses_per_va(rows, after_label="after the change (planned)"),
        }
    return {name: spec for name, spec in candidates.items() if spec is not None}
