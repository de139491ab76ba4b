"""The discover stage's I/O shell: run the read-only step on every selected switch with
bounded sessions and a progress bar, then build facts with the pure core."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fleetreg.core.config_mask import mask_config
from fleetreg.core.errors import DeviceError, FleetregError, ParseError, RunFolderError
from fleetreg.core.facts import DISCOVER_COMMANDS, DeviceFacts, build_facts
from fleetreg.core.host_paths import host_file
from fleetreg.core.inventory_model import Inventory
from fleetreg.core.planner import DiscoverOutcome
from fleetreg.core.prechecks import PrecheckRun
from fleetreg.shell.fanout import Progress, run_on_hosts
from fleetreg.shell.runfolder import write_json, write_private
from fleetreg.tasks.discover import discover
from fleetreg.tasks.prechecks import discover_and_prechecks, prechecks
from nornir.core import Nornir
from nornir.core.inventory import Host
from nornir.core.task import Result, Task


def _outcome_from_exception(name: str, exc: BaseException | None) -> DiscoverOutcome:
    if isinstance(exc, DeviceError):
        return DiscoverOutcome(host=name, error_reason=exc.reason, error=exc.message)
    if isinstance(exc, ParseError):
        return DiscoverOutcome(host=name, error_reason="parse error", error=exc.one_line())
    if isinstance(exc, FleetregError):
        return DiscoverOutcome(host=name, error_reason="error", error=exc.message)
    return DiscoverOutcome(host=name, error_reason="error", error=f"{type(exc).__name__}: {exc}")


def run_discover(
    nr: Nornir,
    inventory: Inventory,
    *,
    on_host_done: Progress | None = None,
    commands: Sequence[str] = DISCOVER_COMMANDS,
    read_timeout: float = 30,
) -> tuple[list[DiscoverOutcome], dict[str, dict[str, str]]]:
    """Discover every host of `nr`. Returns outcomes (facts or error) and the raw outputs.
    Each switch's outputs are parsed as soon as they are read, while the others' commands are
    still on the wire, rather than all of them after the last switch answered."""
    trustpoints_of = {h.name: (h.settings.trustpoint.name,) for h in inventory.hosts}

    def parsed(host: Host, outputs: dict[str, str]) -> tuple[dict[str, str], DiscoverOutcome]:
        return outputs, _outcome_of(host.name, outputs, trustpoints_of.get(host.name, ()))

    results = run_on_hosts(
        nr, nr.inventory.hosts, discover, name="discover", then=parsed, on_host_done=on_host_done,
        commands=tuple(commands), read_timeout=read_timeout,
    )  # fmt: skip
    outcomes: list[DiscoverOutcome] = []
    raw: dict[str, dict[str, str]] = {}
    for name in nr.inventory.hosts:
        result = results[name]
        if isinstance(result, FleetregError):
            outcomes.append(_outcome_from_exception(name, result))
            continue
        raw[name], outcome = result
        outcomes.append(outcome)
    return outcomes, raw


PrecheckChooser = Callable[[str, DiscoverOutcome], Mapping[str, str] | None]  # host, its outcome -> commands


def run_discover_with_prechecks(
    nr: Nornir,
    inventory: Inventory,
    choose: PrecheckChooser,
    *,
    on_host_done: Progress | None = None,
    on_prechecks: Callable[[str, PrecheckRun], None] | None = None,
    commands: Sequence[str] = DISCOVER_COMMANDS,
    read_timeout: float = 30,
) -> tuple[list[DiscoverOutcome], dict[str, dict[str, str]], dict[str, PrecheckRun]]:
    """run_discover, and in each switch's same session the pre-checks `choose(host, outcome)`
    asks for (one login per switch: see tasks.prechecks). Returns also each switch's pre-check
    answers; `on_prechecks(host, run)` as each switch's are read (in its worker)."""
    trustpoints_of = {h.name: (h.settings.trustpoint.name,) for h in inventory.hosts}
    outcome_of: dict[str, DiscoverOutcome] = {}

    def chooser(name: str, outputs: dict[str, str]) -> Mapping[str, str] | None:
        outcome = outcome_of[name] = _outcome_of(name, outputs, trustpoints_of.get(name, ()))
        return choose(name, outcome) if outcome.ok else None

    def parsed(host: Host, answer: dict[str, Any]) -> tuple[dict[str, str], DiscoverOutcome, PrecheckRun | None]:
        run = answer["prechecks"]
        if run is not None and on_prechecks is not None:
            on_prechecks(host.name, run)
        return answer["discover"], outcome_of[host.name], run

    results = run_on_hosts(
        nr, nr.inventory.hosts, discover_and_prechecks, name="discover", then=parsed, on_host_done=on_host_done,
        commands=tuple(commands), precheck_commands_for=chooser, read_timeout=read_timeout,
    )  # fmt: skip
    outcomes: list[DiscoverOutcome] = []
    raw: dict[str, dict[str, str]] = {}
    checks: dict[str, PrecheckRun] = {}
    for name in nr.inventory.hosts:
        result = results[name]
        if isinstance(result, FleetregError):
            outcomes.append(_outcome_from_exception(name, result))
            continue
        raw[name], outcome, run = result
        outcomes.append(outcome)
        if run is not None:
            checks[name] = run
    return outcomes, raw, checks


def run_prechecks(
    nr: Nornir,
    commands_of: Mapping[str, Mapping[str, str]],
    *,
    on_host_done: Progress | None = None,
    read_timeout: float = 30,
) -> dict[str, PrecheckRun]:
    """The pre-checks alone, one session each (`plan --from` a discover run): host -> answers.
    A switch that cannot be reached has its checks recorded as not run."""

    def each(task: Task, read_timeout: float) -> Result:
        started = time.monotonic()
        result = prechecks(task, commands_of[task.host.name], read_timeout)
        return Result(host=task.host, result=PrecheckRun(result.result, time.monotonic() - started))

    results = run_on_hosts(
        nr, list(commands_of), each, name="prechecks", on_host_done=on_host_done, read_timeout=read_timeout
    )
    return {
        name: PrecheckRun({}, 0.0, error=result.message) if isinstance(result, FleetregError) else result
        for name, result in results.items()
    }


def save_prechecks(run_dir: Path, runs: Mapping[str, PrecheckRun]) -> None:
    """The pre-checks' raw answers (no secret in them: ping, clock, NTP), for the record."""
    document = {
        host: {
            "duration_s": round(run.duration_s, 3),
            "error": run.error,
            "outputs": {key: asdict(out) for key, out in run.outputs.items()},
        }
        for host, run in runs.items()
    }
    write_json(run_dir / "prechecks.json", document)


def _outcome_of(name: str, outputs: dict[str, str], trustpoints: tuple[str, ...]) -> DiscoverOutcome:
    try:
        return DiscoverOutcome(host=name, facts=build_facts(name, outputs, trustpoints=trustpoints))
    except ParseError as exc:
        return _outcome_from_exception(name, exc)


# Raw outputs kept in the run folder: never the full running config (it holds secrets).
KEPT_RAW = ("show version", "show license status")
RUNNING_CONFIG = "show running-config"
CONFIGS_DIR = "configs"  # --keep-configs: each switch's running config, masked


def save_masked_config(run_dir: Path, host: str, running_config: str, suffix: str = ".cfg") -> Path:
    """`--keep-configs`: the switch's running config with every secret masked
    (orchestrator.config_mask), in `<run>/configs/`, named through host_file."""
    folder = run_dir / CONFIGS_DIR
    folder.mkdir(mode=0o700, exist_ok=True)
    return write_private(host_file(folder, host, suffix), mask_config(running_config))


def save_discover_run(
    run_dir: Path,
    outcomes: Sequence[DiscoverOutcome],
    raw: dict[str, dict[str, str]],
    *,
    keep_configs: bool = False,
) -> None:
    facts: dict[str, Any] = {}
    for outcome in outcomes:
        if outcome.facts is not None:
            facts[outcome.host] = {"ok": True, "facts": outcome.facts.model_dump(mode="json")}
        else:
            facts[outcome.host] = {"ok": False, "error_reason": outcome.error_reason, "error": outcome.error}
    write_json(run_dir / "facts.json", facts)
    raw_dir = run_dir / "raw"
    raw_dir.mkdir(mode=0o700, exist_ok=True)
    for host, outputs in raw.items():
        kept = {cmd: outputs[cmd] for cmd in KEPT_RAW if cmd in outputs}
        write_private(host_file(raw_dir, host, ".json"), json.dumps(kept, indent=1))
        if keep_configs and RUNNING_CONFIG in outputs:
            save_masked_config(run_dir, host, outputs[RUNNING_CONFIG])


def load_discover_run(run_dir: Path) -> list[DiscoverOutcome]:
    path = run_dir / "facts.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise RunFolderError("not a discover run: facts.json missing", file=str(path)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RunFolderError(f"facts.json is not valid JSON: {exc}", file=str(path)) from None
    outcomes = []
    for host, entry in data.items():
        if entry.get("ok"):
            outcomes.append(DiscoverOutcome(host=host, facts=DeviceFacts.model_validate(entry["facts"])))
        else:
            outcomes.append(
                DiscoverOutcome(host=host, error_reason=entry.get("error_reason"), error=entry.get("error"))
            )
    return outcomes
