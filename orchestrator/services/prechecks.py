"""Plan-time pre-checks as a use case: which switches are checked (those the plan would act on,
judged from their discovered facts by the planner itself), each one's log event as its answers
are read, and what the answers mean (fleetreg.core.prechecks).

They run in the same SSH session as discover (`shell.discovery.run_discover_with_prechecks`): one
login per switch, which measured about half the session time of a second login for them (README,
"Pre-checks at plan time"). `plan --from` asks no switch unless `--prechecks` says to log in."""

from __future__ import annotations

import logging
import statistics
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from fleetreg.core.events import RunEvent, took
from fleetreg.core.inventory_model import HostEntry, Inventory
from fleetreg.core.planner import DiscoverOutcome, plan_host
from fleetreg.core.prechecks import PrecheckResult, PrecheckRun, evaluate_run, outcome_word, precheck_commands
from fleetreg.shell.logsetup import log_event

logger = logging.getLogger(__name__)


class PrecheckPass:
    """One plan's pre-checks: `choose` is asked per discovered switch (in its worker) and `read`
    told as each one's answers arrive; `results` judges them all."""

    def __init__(
        self,
        inventory: Inventory,
        run_id: str,
        *,
        project_dir: Path | None = None,
        token_problems: Mapping[str, str] | None = None,
        cloud_token_problems: Mapping[str, str] | None = None,
        ca_sha1: Mapping[str, str] | None = None,
    ) -> None:
        self.entries: dict[str, HostEntry] = {h.name: h for h in inventory.hosts}
        self.run_id = run_id
        self.project_dir = project_dir
        self.token_problems = dict(token_problems or {})
        self.cloud_token_problems = dict(cloud_token_problems or {})
        self.ca_sha1 = dict(ca_sha1 or {})

    def choose(self, name: str, outcome: DiscoverOutcome) -> dict[str, str] | None:
        """The pre-check commands for a switch the plan would act on, else None."""
        entry = self.entries.get(name)
        if entry is None or outcome.facts is None:
            return None
        planned = plan_host(
            entry,
            outcome,
            project_dir=self.project_dir,
            token_problem=self.token_problems.get(name),
            cloud_token_problem=self.cloud_token_problems.get(name),
            ca_sha1=self.ca_sha1,
        )
        return precheck_commands(entry.settings) if planned.is_actionable else None

    def commands_for(self, outcomes: Sequence[DiscoverOutcome]) -> dict[str, dict[str, str]]:
        """For a plan from an earlier discover run: host -> its pre-check commands."""
        chosen = {o.host: self.choose(o.host, o) for o in outcomes}
        return {host: commands for host, commands in chosen.items() if commands}

    def read(self, name: str, run: PrecheckRun) -> None:
        """Log one switch's pre-checks (a step event: the log file has each; the console the summary)."""
        entry = self.entries.get(name)
        word = outcome_word(evaluate_run(entry.settings, run)) if entry is not None else "not-run"
        log_event(
            logger,
            RunEvent(
                event="step",
                run=self.run_id,
                message=f"pre-checks {name}: {word} ({took(run.duration_s)})",
                timestamp=time.time(),
                host=name,
                step="prechecks",
                outcome=word,
                duration_s=run.duration_s,
            ),
        )

    def results(self, runs: Mapping[str, PrecheckRun]) -> dict[str, tuple[PrecheckResult, ...]]:
        known = {name: run for name, run in runs.items() if name in self.entries}
        return {name: evaluate_run(self.entries[name].settings, run) for name, run in known.items()}

    def summarise(self, runs: Mapping[str, PrecheckRun], results: Mapping[str, Sequence[PrecheckResult]]) -> str:
        """One line for people and one `prechecks` event: how many, what they found, how long."""
        words = Counter(outcome_word(r) for r in results.values())
        durations = [run.duration_s for run in runs.values()]
        total = sum(durations)
        median = statistics.median(durations) if durations else 0.0
        found = ", ".join(f"{n} {word}" for word, n in sorted(words.items())) or "none"
        message = (
            f"pre-checks on {len(runs)} switches: {found}; {took(total)} of session time "
            f"({median:.2f}s median per switch)"
        )
        log_event(
            logger,
            RunEvent(
                event="prechecks",
                run=self.run_id,
                message=message,
                timestamp=time.time(),
                step="prechecks",
                duration_s=total,
            ),
        )
        return message
