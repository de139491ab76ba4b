"""The discover stage's I/O shell: run the read-only step on every selected switch with
bounded sessions and a progress bar, then build facts with the pure core."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fleetreg.core.config_mask import mask_config
from fleetreg.core.errors import DeviceError, FleetregError, ParseError, RunFolderError
from fleetreg.core.facts import DISCOVER_COMMANDS, DeviceFacts, build_facts
from fleetreg.core.host_paths import host_file
from fleetreg.core.inventory_model import Inventory
from fleetreg.core.planner import DiscoverOutcome
from fleetreg.shell.fanout import Progress, run_on_hosts
from fleetreg.shell.runfolder import write_json, write_private
from fleetreg.tasks.discover import discover
from nornir.core import Nornir
from nornir.core.inventory import Host


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
