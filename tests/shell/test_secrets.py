"""Token and credential resolution: values come out, errors name references, never values."""

from __future__ import annotations

from pathlib import Path

import pytest
from fleetreg.core.errors import SecretError
from fleetreg.shell.secrets import (
    Credentials,
    credentials_from_env,
    read_secrets_file,
    resolve_token,
    secrets_file_exposure,
    secrets_file_path,
)

TOKEN = "NjA0ZjM5YjQtMzA0ZS00YzM1LWE5ZDgtZTc1%0ANzk0"
OTHER = "other-token-T3RoZXJUb2tlbkZvclRoZVB1YmxpY1ZB%0A"


def secrets_file(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "secrets.yaml"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_env_reference_resolves() -> None:
    assert resolve_token("env:FLEETREG_TOKEN_CORPORATE", environ={"FLEETREG_TOKEN_CORPORATE": f" {TOKEN}\n"}) == TOKEN


def test_env_reference_unset_or_empty_names_the_variable() -> None:
    for environ in ({}, {"FLEETREG_TOK": "  "}):
        with pytest.raises(SecretError) as caught:
            resolve_token("env:FLEETREG_TOK", environ=environ)
        assert caught.value.one_line() == (
            "field token_ref: environment variable FLEETREG_TOK is not set (token_ref env:FLEETREG_TOK)"
        )
        assert caught.value.exit_code == 2


def test_secrets_reference_from_explicit_file_and_from_environment(tmp_path: Path) -> None:
    path = secrets_file(tmp_path, f"corporate: {TOKEN}\npublic: {OTHER}\n")
    assert resolve_token("secrets:corporate", environ={}, secrets_file=path) == TOKEN
    assert resolve_token("secrets:public", environ={"FLEETREG_SECRETS_FILE": str(path)}) == OTHER
    assert secrets_file_path(None, {"FLEETREG_SECRETS_FILE": str(path)}) == path
    assert secrets_file_path(tmp_path / "x.yaml", {"FLEETREG_SECRETS_FILE": str(path)}) == tmp_path / "x.yaml"
    assert secrets_file_path(None, {}) is None


def test_secrets_key_missing_names_key_and_file(tmp_path: Path) -> None:
    path = secrets_file(tmp_path, f"corporate: {TOKEN}\n")
    with pytest.raises(SecretError) as caught:
        resolve_token("secrets:public", environ={}, secrets_file=path)
    assert caught.value.one_line() == f"{path}: secrets key 'public' not found (token_ref secrets:public)"


def test_secrets_reference_without_file() -> None:
    with pytest.raises(SecretError, match="needs a secrets file"):
        resolve_token("secrets:corporate", environ={})


def test_unknown_scheme_and_pasted_token_are_not_echoed() -> None:
    with pytest.raises(SecretError) as caught:
        resolve_token("vault:kv/corp", environ={})
    assert "unknown token reference scheme 'vault'" in caught.value.one_line()
    assert "kv/corp" not in caught.value.one_line()
    with pytest.raises(SecretError) as caught:
        resolve_token(TOKEN, environ={})
    assert TOKEN not in caught.value.one_line()
    assert TOKEN[:10] not in caught.value.one_line()


def test_secrets_file_syntax_error_shows_line_not_content(tmp_path: Path) -> None:
    path = secrets_file(tmp_path, f"corporate: {TOKEN}\npublic: [unclosed {TOKEN}\n")
    with pytest.raises(SecretError) as caught:
        read_secrets_file(path)
    assert caught.value.file == str(path)
    assert caught.value.line is not None
    assert TOKEN not in caught.value.one_line()


def test_secrets_file_must_be_a_mapping_of_strings(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="must be a mapping of key -> token, got a list"):
        read_secrets_file(secrets_file(tmp_path, f"- {TOKEN}\n"))
    with pytest.raises(SecretError, match="secrets key 'corp' must hold a string"):
        read_secrets_file(secrets_file(tmp_path, "corp: {nested: true}\n"))
    with pytest.raises(SecretError, match="secrets file not found"):
        read_secrets_file(tmp_path / "absent.yaml")


def test_secrets_file_exposure(tmp_path: Path) -> None:
    path = secrets_file(tmp_path, "a: b\n", mode=0o600)
    assert secrets_file_exposure(path) is None
    path.chmod(0o640)
    assert "mode 0640" in (secrets_file_exposure(path) or "")
    path.chmod(0o604)
    assert "chmod 600" in (secrets_file_exposure(path) or "")


def test_credentials_repr_hides_secrets() -> None:
    credentials = Credentials("netops", "pa55-word", "en-s3cret")
    for text in (repr(credentials), str(credentials), f"{credentials}", repr([credentials])):
        assert "netops" in text
        assert "pa55-word" not in text
        assert "en-s3cret" not in text


def test_credentials_from_env_with_inventory_fallback_per_field() -> None:
    environ = {
        "FLEETREG_USERNAME": "envuser",
        "FLEETREG_PASSWORD": "envpw",
        "FLEETREG_ENABLE_SECRET": "envsec",
    }
    assert credentials_from_env(environ) == Credentials("envuser", "envpw", "envsec")
    fallback = {"username": "lab", "password": "labpw", "enable_secret": "labsec"}
    assert credentials_from_env({}, fallback) == Credentials("lab", "labpw", "labsec")
    assert credentials_from_env({"FLEETREG_PASSWORD": "envpw"}, fallback) == Credentials("lab", "envpw", "labsec")
    assert credentials_from_env({"FLEETREG_USERNAME": "u", "FLEETREG_PASSWORD": "p"}).enable_secret is None


def test_credentials_missing_name_the_variable() -> None:
    with pytest.raises(SecretError, match="no SSH username: set FLEETREG_USERNAME"):
        credentials_from_env({})
    with pytest.raises(SecretError, match="no SSH password: set FLEETREG_PASSWORD"):
        credentials_from_env({"FLEETREG_USERNAME": "u"})


def test_a_secrets_file_others_can_read_is_refused_wherever_it_is_read(tmp_path: Path) -> None:
    """Not only `inventory check`: apply resolves tokens too, and must refuse the file as well."""
    path = secrets_file(tmp_path, f"corporate: {TOKEN}\n")
    path.chmod(0o644)
    with pytest.raises(SecretError) as caught:
        resolve_token("secrets:corporate", environ={}, secrets_file=path)
    assert "accessible by group or others (mode 0644)" in str(caught.value) and TOKEN not in str(caught.value)
