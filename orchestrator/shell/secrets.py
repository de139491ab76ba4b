"""Resolve token and credential references at run time.

The inventory never holds a registration token: `token_ref` names where it lives,
`env:VARIABLE` (an environment variable) or `secrets:KEY` (a key in a YAML secrets file,
path from `--secrets-file`, else `FLEETREG_SECRETS_FILE`). Every error names the reference
or the file, never the value."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from fleetreg.core.cli_text import CONTROL_CHARS, token_problem
from fleetreg.core.errors import SecretError
from fleetreg.core.settings import token_ref_scheme

SECRETS_FILE_ENV = "FLEETREG_SECRETS_FILE"
USERNAME_ENV = "FLEETREG_USERNAME"
PASSWORD_ENV = "FLEETREG_PASSWORD"
ENABLE_SECRET_ENV = "FLEETREG_ENABLE_SECRET"
TOKEN_REF_SCHEMES = ("env", "secrets")
ENV_PREFIX = "FLEETREG_"  # the environment variables a reference may name


def secrets_file_path(secrets_file: Path | None = None, environ: Mapping[str, str] | None = None) -> Path | None:
    """The secrets file to use: the one named on the command line, else $FLEETREG_SECRETS_FILE."""
    if secrets_file is not None:
        return Path(secrets_file)
    env = os.environ if environ is None else environ
    named = env.get(SECRETS_FILE_ENV, "").strip()
    return Path(named).expanduser() if named else None


def read_secrets_file(path: Path) -> dict[str, str]:
    """Read a YAML mapping of key -> token, refused when others may read it. Errors name the
    file (and line), never a value."""
    if warning := secrets_file_exposure(path):
        raise SecretError(warning, file=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SecretError("secrets file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise SecretError(f"cannot read secrets file: {reason}", file=str(path)) from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        # Only the problem and the line: the context snippet could show a token.
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise SecretError(f"YAML syntax error: {exc.problem}", file=str(path), line=line) from None
    except yaml.YAMLError:
        raise SecretError("YAML syntax error", file=str(path)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SecretError(
            f"secrets file must be a mapping of key -> token, got a {type(data).__name__}", file=str(path)
        )
    tokens: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise SecretError(f"secrets key {str(key)!r} must hold a string", file=str(path))
        tokens[str(key)] = str(value)
    return tokens


def secrets_file_exposure(path: Path) -> str | None:
    """A warning when the secrets file can be read by group or others, else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (
            f"secrets file is accessible by group or others (mode {stat.S_IMODE(mode):04o}); "
            f"restrict it with: chmod 600 {path}"
        )
    return None


def resolve_token(
    token_ref: str,
    *,
    field: str = "token_ref",
    environ: Mapping[str, str] | None = None,
    secrets_file: Path | None = None,
) -> str:
    """The registration token `token_ref` points to, checked to be one (it is typed into every
    switch). `field`: the setting that names it (token_ref, cloud_token_ref). Raises SecretError
    naming the reference, never the value."""
    value = resolve_ref(token_ref, field=field, environ=environ, secrets_file=secrets_file)
    if problem := token_problem(value):
        raise SecretError(f"the value of {token_ref} {problem}", field=field)
    return value


def resolve_ref(
    ref: str,
    *,
    field: str = "token_ref",
    environ: Mapping[str, str] | None = None,
    secrets_file: Path | None = None,
) -> str:
    """The value any reference (`env:FLEETREG_NAME` / `secrets:KEY`) points to, unchecked; `field`
    names the setting in errors. Errors name the reference, never a value."""
    env = os.environ if environ is None else environ
    scheme = token_ref_scheme(ref)
    if scheme not in TOKEN_REF_SCHEMES:
        shown = f" {scheme!r}" if scheme else ""
        raise SecretError(
            f"unknown token reference scheme{shown} (expected env:FLEETREG_NAME or secrets:KEY)", field=field
        )
    name = ref.partition(":")[2]
    if not name:
        raise SecretError(f"{field} {scheme}: names nothing", field=field)
    if scheme == "env":
        if not name.startswith(ENV_PREFIX):
            raise SecretError(
                f"{field} {ref} names a variable outside {ENV_PREFIX}*: fleetreg reads only its own", field=field
            )
        value = env.get(name, "").strip()
        if not value:
            raise SecretError(f"environment variable {name} is not set ({field} {ref})", field=field)
        return value
    path = secrets_file_path(secrets_file, env)
    if path is None:
        raise SecretError(
            f"{field} {ref} needs a secrets file: pass --secrets-file or set {SECRETS_FILE_ENV}", field=field
        )
    value = read_secrets_file(path).get(name, "").strip()
    if not value:
        raise SecretError(f"secrets key {name!r} not found ({field} {ref})", file=str(path))
    return value


@dataclass(frozen=True)
class Credentials:
    """SSH login for the fleet. repr/str show the username only."""

    username: str
    password: str = field(repr=False)
    enable_secret: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # typed at the switch's login and enable prompts, outside the CLI gate: a line break
        # would type a command of its own, wherever the value came from
        for name, value in (
            ("username", self.username),
            ("password", self.password),
            ("enable secret", self.enable_secret),
        ):
            if value is not None and CONTROL_CHARS.search(value):
                raise SecretError(f"the {name} holds a control character (a line break?): it is typed at the switch")

    def __repr__(self) -> str:
        enable = "set" if self.enable_secret else "unset"
        return f"Credentials(username={self.username!r}, password=<hidden>, enable_secret=<{enable}>)"

    __str__ = __repr__


def credentials_from_env(
    environ: Mapping[str, str] | None = None,
    inventory_defaults: Mapping[str, object] | None = None,
) -> Credentials:
    """FLEETREG_USERNAME / FLEETREG_PASSWORD / FLEETREG_ENABLE_SECRET, each falling back to the
    inventory's defaults (`username`, `password`, `enable_secret`; see Inventory.login_defaults)."""
    env = os.environ if environ is None else environ
    fallback = inventory_defaults or {}

    def pick(env_name: str, key: str) -> str | None:
        value = env.get(env_name) or fallback.get(key)
        return str(value) if value not in (None, "") else None

    username = pick(USERNAME_ENV, "username")
    password = pick(PASSWORD_ENV, "password")
    enable_secret = pick(ENABLE_SECRET_ENV, "enable_secret")
    if username is None:
        raise SecretError(f"no SSH username: set {USERNAME_ENV} (or `username` in defaults.yaml)")
    if password is None:
        raise SecretError(f"no SSH password: set {PASSWORD_ENV} (or `password` in defaults.yaml)")
    return Credentials(username=username, password=password, enable_secret=enable_secret)
