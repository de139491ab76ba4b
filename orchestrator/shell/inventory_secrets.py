"""The references an inventory names, checked against the environment and the secrets file:
each token reference and satellite API credential once, where it was written; the secrets
file's own problems (missing, readable by others) once. Never shows a secret."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from fleetreg.core.errors import SecretError
from fleetreg.core.inventory_model import InventoryProblem
from fleetreg.core.inventory_resolve import Resolved
from fleetreg.core.settings import SETTINGS_KEY
from fleetreg.shell.secrets import (
    SECRETS_FILE_ENV,
    resolve_ref,
    resolve_token,
    secrets_file_exposure,
    secrets_file_path,
)

API_REFS = ("client_id_ref", "client_secret_ref")


def check_secrets(
    resolved: Sequence[Resolved],
    environ: Mapping[str, str] | None,
    secrets_file: Path | None,
    problems: list[InventoryProblem],
) -> None:
    env = os.environ if environ is None else environ
    path = secrets_file_path(secrets_file, env)
    checked: set[tuple[str, int]] = set()
    uses_secrets_file = False
    for item, name, ref in _token_refs(resolved):
        source = item.source_of(name)
        if source is None or (ref, id(source)) in checked:
            continue
        checked.add((ref, id(source)))
        uses_secrets_file |= ref.startswith("secrets:")
        try:
            resolve_token(ref, field=name, environ=env, secrets_file=path)
        except SecretError as exc:
            if exc.file:  # a problem with the secrets file itself, reported once
                problems.append(InventoryProblem(exc.file, None, None, exc.message, exc.line))
            else:
                problems.append(source.problem(f"{SETTINGS_KEY}.{name}", exc.message, "data", SETTINGS_KEY, name))
    api_refs_checked: set[str] = set()
    for item in resolved:
        api = item.entry.settings.satellite_api if item.entry is not None else None
        if api is None:
            continue
        for name in API_REFS:
            ref = getattr(api, name)
            if ref in api_refs_checked:
                continue
            api_refs_checked.add(ref)
            uses_secrets_file |= ref.startswith("secrets:")
            try:
                resolve_ref(ref, field=name, environ=env, secrets_file=path)
            except SecretError as exc:
                problems.append(_api_ref_problem(item, name, exc))
    if path is not None and (uses_secrets_file or secrets_file is not None or SECRETS_FILE_ENV in env):
        if not path.exists():
            problems.append(InventoryProblem(str(path), None, None, "secrets file not found"))
        elif warning := secrets_file_exposure(path):
            problems.append(InventoryProblem(str(path), None, None, warning))


def _token_refs(resolved: Sequence[Resolved]) -> list[tuple[Resolved, str, str]]:
    """(host, setting, reference) of every token reference apply may type: the registration
    token (unless the satellite's API hands it out at apply time) and the cloud token for rollback."""
    refs = []
    for item in resolved:
        if item.entry is None:
            continue
        s = item.entry.settings
        if s.token_ref is not None and not s.uses_api_tokens:
            refs.append((item, "token_ref", s.token_ref))
        if s.cloud_token_ref is not None:
            refs.append((item, "cloud_token_ref", s.cloud_token_ref))
    return refs


def _api_ref_problem(item: Resolved, name: str, exc: SecretError) -> InventoryProblem:
    field_name = f"{SETTINGS_KEY}.satellite_api.{name}"
    if exc.file:  # the secrets file's own problem
        return InventoryProblem(exc.file, None, field_name, exc.message, exc.line)
    source = item.source_of(f"satellite_api.{name}") or item.source_of("satellite_api")
    if source is None:
        return InventoryProblem("", item.entry.name if item.entry else None, field_name, exc.message)
    return source.problem(field_name, exc.message, "data", SETTINGS_KEY, "satellite_api", name)
