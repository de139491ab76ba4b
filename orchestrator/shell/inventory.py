"""Load and validate an inventory into typed models, reporting every problem at once, one line
each, naming file and line, host and field.

The source is a SimpleInventory folder (hosts.yaml, groups.yaml, defaults.yaml), read as written
(fleetreg.shell.inventory_yaml); the checks run on its hosts, groups and defaults
(fleetreg.core.inventory_checks and inventory_resolve): inheritance as in Nornir (host > groups,
the first listed wins, each group followed by its parents > defaults), `data.fleetreg` merged
field by field. The secrets check runs last, and only reads the environment and the secrets file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from fleetreg.core.inventory_model import HOSTS_FILE, Inventory, InventoryProblem, InventoryProblems
from fleetreg.core.inventory_resolve import analyse
from fleetreg.core.platforms import PLATFORM_ALIASES, SUPPORTED_PLATFORMS
from fleetreg.shell.inventory_secrets import check_secrets
from fleetreg.shell.inventory_yaml import SimpleFiles, read_simple_inventory

GROUPS_FILE = "groups.yaml"
DEFAULTS_FILE = "defaults.yaml"

__all__ = [
    "DEFAULTS_FILE",
    "GROUPS_FILE",
    "HOSTS_FILE",
    "PLATFORM_ALIASES",
    "SUPPORTED_PLATFORMS",
    "check_inventory",
    "load_inventory",
]


def load_inventory(
    source: Path,
    *,
    environ: Mapping[str, str] | None = None,
    secrets_file: Path | None = None,
    check_secrets: bool = True,
) -> Inventory:
    """The validated inventory, or InventoryProblems carrying every problem found."""
    inventory, problems = _load(Path(source), environ, secrets_file, check_secrets)
    if problems or inventory is None:
        raise InventoryProblems(problems)
    return inventory


def check_inventory(
    source: Path,
    *,
    environ: Mapping[str, str] | None = None,
    secrets_file: Path | None = None,
    check_secrets: bool = True,
) -> list[InventoryProblem]:
    """Every problem in the inventory; empty when it is valid."""
    return _load(Path(source), environ, secrets_file, check_secrets)[1]


def _load(
    source: Path,
    environ: Mapping[str, str] | None,
    secrets_file: Path | None,
    with_secrets: bool,
) -> tuple[Inventory | None, list[InventoryProblem]]:
    problems: list[InventoryProblem] = []
    if not source.is_dir():
        what = "is not a folder" if source.exists() else "not found"
        return None, [InventoryProblem(str(source), None, None, f"inventory folder {what}")]
    elements = read_simple_inventory(SimpleFiles.in_folder(source), problems)
    if elements is None:
        return None, _unique(problems)
    inventory, resolved = analyse(source, elements, problems)
    if with_secrets:
        check_secrets(resolved, environ, secrets_file, problems)
    return (inventory if not problems else None), _unique(problems)


def _unique(problems: list[InventoryProblem]) -> list[InventoryProblem]:
    return list(dict.fromkeys(problems))
