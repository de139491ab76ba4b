"""`fleetreg inventory check|show` through orchestrator.cli.main: exit codes, messages, no secrets."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fleetreg.cli.main import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "inventory"
BROKEN = REPO / "tests" / "fixtures" / "inventories" / "broken"
TOKENS = {
    "FLEETREG_TOKEN_CORPORATE": "CorpTokenValue-0123456789-Q29ycG9yYXRlVG9rZW4%0A",
    "FLEETREG_TOKEN_PUBLIC": "PubTokenValue-987654-UHVibGljVG9rZW5WYWx1ZQ%3D%3D%0A",
}


@pytest.fixture
def tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLEETREG_SECRETS_FILE", raising=False)
    for name, value in TOKENS.items():
        monkeypatch.setenv(name, value)


def test_check_valid_example_prints_summary(tokens: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inventory", "check", "--inventory", str(EXAMPLE)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "Corporate Network Devices" in out
    assert "Public Network Devices" in out
    assert "cslu" in out
    assert f"12 hosts, 2 virtual accounts, 3 sites, 2 canaries: {EXAMPLE} is valid" in out
    for value in TOKENS.values():
        assert value not in out


def test_check_counts_per_account_site_transport(tokens: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inventory", "check", "--inventory", str(EXAMPLE)]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if "Corporate Network Devices" in line]
    cells = [[c.strip() for c in row.strip("│ ").split("│")] for row in rows]
    assert ["Corporate Network Devices", "AMS", "auto", "5", "1"] in cells
    assert ["Corporate Network Devices", "FRA", "cslu", "1", "0"] in cells


def test_check_broken_inventory_one_line_per_problem(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FLEETREG_TEST_TOKEN", "BrokenFixtureToken-55-QnJva2VuRml4dHVyZVRva2VuVmFsdWU%0A")
    code = main(["inventory", "check", "--inventory", str(BROKEN)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        f"fleetreg: error: {BROKEN}/hosts.yaml:6: host sw-ams-01, field fleetreg.transport: "
        "unknown transport 'csl' (expected auto, callhome or cslu)",
        f"{BROKEN}/hosts.yaml:9: host sw-ams-02, field groups: unknown group 'site_nowhere'",
    ]
    assert "Traceback" not in err
    assert "BrokenFixtureToken-55-QnJva2VuRml4dHVyZVRva2VuVmFsdWU%0A" not in err


def test_check_missing_token_variable_names_it_and_never_echoes_values(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FLEETREG_TOKEN_CORPORATE", TOKENS["FLEETREG_TOKEN_CORPORATE"])
    monkeypatch.delenv("FLEETREG_TOKEN_PUBLIC", raising=False)
    assert main(["inventory", "check", "--inventory", str(EXAMPLE)]) == 2
    out, err = capsys.readouterr()
    assert "group va_public, field fleetreg.token_ref: environment variable FLEETREG_TOKEN_PUBLIC is not set" in err
    assert TOKENS["FLEETREG_TOKEN_CORPORATE"] not in out + err


def test_check_missing_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["inventory", "check", "--inventory", str(tmp_path / "absent")]) == 2
    assert capsys.readouterr().err == f"fleetreg: error: {tmp_path / 'absent'}: inventory folder not found\n"


def test_check_with_secrets_file_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("FLEETREG_SECRETS_FILE", raising=False)
    folder = tmp_path / "inv"
    folder.mkdir()
    (folder / "hosts.yaml").write_text(
        "sw1:\n  hostname: 127.0.0.1\n  data:\n    fleetreg:\n"
        "      satellite_url: https://ssm.example.test/x\n      virtual_account: VA\n"
        "      token_ref: secrets:va\n"
    )
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("va: SecretsFileToken-42-U2VjcmV0c0ZpbGVUb2tlblZhbHVl%0A\n")
    secrets.chmod(0o600)
    assert main(["inventory", "check", "--inventory", str(folder), "--secrets-file", str(secrets)]) == 0
    assert "1 hosts" in capsys.readouterr().out
    secrets.chmod(0o644)
    assert main(["inventory", "check", "--inventory", str(folder), "--secrets-file", str(secrets)]) == 2
    out, err = capsys.readouterr()
    assert f"{secrets}: secrets file is accessible by group or others" in err
    assert "SecretsFileToken-42" not in out + err


def test_show_prints_resolved_settings_as_yaml(tokens: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inventory", "show", "--inventory", str(EXAMPLE), "sw-fra-dc-01"]) == 0
    out = capsys.readouterr().out
    document = yaml.safe_load(out)
    assert document["host"] == "sw-fra-dc-01"
    assert document["hostname"] == "198.51.100.11"
    assert document["site"] == "FRA"
    assert document["fleetreg"]["token_ref"] == "env:FLEETREG_TOKEN_CORPORATE"
    assert document["fleetreg"]["vrf"] == "Mgmt-vrf"
    assert document["inherited_from"]["source_interface"] == "group site_fra_dc"
    for value in TOKENS.values():
        assert value not in out


def test_show_works_without_tokens_and_refuses_unknown_host(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in TOKENS:
        monkeypatch.delenv(name, raising=False)
    assert main(["inventory", "show", "--inventory", str(EXAMPLE), "sw-lon-pub-01"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["port"] == 2222
    assert main(["inventory", "show", "--inventory", str(EXAMPLE), "sw-lon-pub-1"]) == 2
    err = capsys.readouterr().err
    assert "no host 'sw-lon-pub-1' in the inventory (did you mean 'sw-lon-pub-01'?)" in err
    assert "Traceback" not in err


ANSIBLE = REPO / "tests" / "fixtures" / "inventories" / "ansible"


@pytest.fixture
def ansible_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tokens: None) -> Path:
    """The Ansible project (config.yaml naming AnsibleInventory) as the current folder."""
    folder = tmp_path / "project"
    shutil.copytree(ANSIBLE, folder)
    monkeypatch.chdir(folder)
    return folder


def test_check_with_a_nornir_config(ansible_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inventory", "check", "--config", "config.yaml"]) == 0
    assert "3 hosts, 2 virtual accounts, 1 sites, 1 canaries: config.yaml is valid" in capsys.readouterr().out


def test_check_with_a_nornir_config_exits_2_with_one_line(
    ansible_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vars_file = ansible_project / "group_vars" / "va_corporate.yml"
    vars_file.write_text(vars_file.read_text() + "  transport: csl\n")
    assert main(["inventory", "check", "--config", "config.yaml"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "fleetreg: error: group_vars/va_corporate.yml:4: group va_corporate, field fleetreg.transport: "
        "unknown transport 'csl' (expected auto, callhome or cslu)\n"
    )


def test_the_project_s_config_is_the_default_and_a_folder_given_wins(
    ansible_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inventory", "show", "sw-ams-acc-01"]) == 0  # ./config.yaml: the Ansible inventory
    assert yaml.safe_load(capsys.readouterr().out)["fleetreg"]["register_timeout_s"] == 1800
    assert main(["inventory", "check", "--inventory", str(EXAMPLE)]) == 0
    assert f"12 hosts, 2 virtual accounts, 3 sites, 2 canaries: {EXAMPLE} is valid" in capsys.readouterr().out
    assert main(["inventory", "check", "--inventory", str(EXAMPLE), "--config", "config.yaml"]) == 2
    assert "not both" in capsys.readouterr().err


def test_a_plugin_s_log_lines_stay_off_the_terminal(ansible_project: Path) -> None:
    """nornir-ansible logs a warning for an empty vars file; in a fleetreg process (where no test
    harness catches log records) the terminal shows fleetreg's output only."""
    (ansible_project / "group_vars" / "site_ams.yml").write_text("")
    done = subprocess.run(
        [sys.executable, "-m", "fleetreg", "inventory", "check"],
        cwd=ansible_project,
        env={**os.environ, **TOKENS},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert "config.yaml is valid" in done.stdout
