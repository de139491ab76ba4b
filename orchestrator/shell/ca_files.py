"""Reading the satellite CA files the inventory names (the shell side of orchestrator.pki)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fleetreg.core.errors import InputError
from fleetreg.core.inventory_model import HostEntry
from fleetreg.core.pki import ca_fingerprints


def ca_file_fingerprints(entries: Iterable[HostEntry]) -> dict[str, str]:
    """SHA1 (as IOS prints it) of each satellite CA file the entries name; a bad file stops the run."""
    fingerprints: dict[str, str] = {}
    for entry in entries:
        path = entry.settings.trustpoint.ca_file
        if entry.settings.trustpoint.mode == "ca-file" and path and path not in fingerprints:
            try:
                pem = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(
                    f"cannot read the CA file: {exc}", file=path, host=entry.name, field="fleetreg.trustpoint.ca_file"
                ) from None
            fingerprints[path] = ca_fingerprints(pem)[1]
    return fingerprints
