"""Which inventory a command reads, from its --inventory and --config options:

1. `--config FILE`: the Nornir config file; its inventory plugin loads the hosts.
2. `--inventory DIR`: that SimpleInventory folder, read as written (a config.yaml in it is not read).
3. neither: `config.yaml` in the project folder (the current one) when there is one, as in a
   Nornir project; otherwise the `inventory/` folder there.

Paths inside a config file are the plugin's and Nornir's: relative to the current folder, as for
any Nornir script run from the project."""

from __future__ import annotations

from pathlib import Path

from fleetreg.core.errors import InputError

CONFIG_FILE = "config.yaml"
INVENTORY_FOLDER = "inventory"


def inventory_source(inventory: Path | None, config: Path | None, project: Path = Path(".")) -> Path:
    """The folder or config file to load (see the module's rule)."""
    if inventory is not None and config is not None:
        raise InputError("give --inventory (a SimpleInventory folder) or --config (a Nornir config file), not both")
    if config is not None:
        return config
    if inventory is not None:
        return inventory
    found = project / CONFIG_FILE
    return found if found.is_file() else project / INVENTORY_FOLDER
