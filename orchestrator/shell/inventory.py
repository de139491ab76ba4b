"""Load and validate an inventory into typed models, reporting every problem at once, one line
each, naming file and line (or a NetBox device's URL), host and field.

The source is a path: a SimpleInventory folder (hosts.yaml, groups.yaml, defaults.yaml), read as
written; or a Nornir config file (`config.yaml`), whose inventory plugin (SimpleInventory,
nornir-ansible, nornir-netbox, any other installed) loads the hosts through Nornir. Either way the
same checks run on the hosts, groups and defaults (fleetreg.core.inventory_checks and
inventory_resolve): inheritance as in Nornir (host > groups, the first listed wins, each group
followed by its parents > defaults), `data.fleetreg` merged field by field. The secrets check runs
last, and only reads the environment and the secrets file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from fleetreg.core.inventory_model import HOSTS_FILE, Inventory, InventoryProblem, InventoryProblems
from fleetreg.core.inventory_resolve import analyse
from fleetreg.core.platforms import PLATFORM_ALIASES, SUPPORTED_PLATFORMS
from fleetreg.shell.inventory_plugins import config_elements
from fleetreg.shell.inventory_secrets import check_secrets
from fleetreg.shell.inventory_source import CONFIG_FILE
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
    """The validated inventory, or InventoryProblems carrying every problem found. `source`: a
    SimpleInventory folder or a Nornir config file."""
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
    if source.is_dir():
        elements = read_simple_inventory(SimpleFiles.in_folder(source), problems)
        hosts_source = None
        _hint_config(source, problems)
    elif source.is_file() or source.suffix in (".yaml", ".yml"):
        elements = config_elements(source, problems)
        hosts_source = str(source)
    else:
        what = "is not a folder" if source.exists() else "not found"
        return None, [InventoryProblem(str(source), None, None, f"inventory folder {what}")]
    if elements is None:
        return None, _unique(problems)
    inventory, resolved = analyse(source, elements, problems, hosts_source=hosts_source)
    if with_secrets:
        check_secrets(resolved, environ, secrets_file, problems)
    return (inventory if not problems else None), _unique(problems)


def _hint_config(folder: Path, problems: list[InventoryProblem]) -> None:
    """A folder without hosts.yaml but with a Nornir config: say how to use the config."""
    hosts = str(folder / HOSTS_FILE)
    config = folder / CONFIG_FILE
    if not config.is_file():
        return
    for index, problem in enumerate(problems):
        if problem.file == hosts and problem.message.startswith("hosts file not found"):
            message = f"{problem.message}; to load the inventory {config} names, pass --config {config}"
            problems[index] = InventoryProblem(problem.file, None, None, message)


def _unique(problems: list[InventoryProblem]) -> list[InventoryProblem]:
    return list(dict.fromkeys(problems))
