"""`fleetreg parse --command ... FILE` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fleetreg.cli.main import main

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"


def test_parse_prints_indented_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["parse", "--command", "sh lic stat", str(SAMPLES / "sls_genie_sl_registered_csr1kv.txt")])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith('{\n  "mode": "classic"')
    data = json.loads(out)
    assert data["registration_status"] == "REGISTERED"
    assert data["initial_registration"] == {"result": "SUCCEEDED", "time": "Mar 13 08:09:24 2024 UTC"}


def test_missing_file_is_an_input_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    code = main(["parse", "--command", "sh ver", str(missing)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert str(missing) in err


def test_unrecognised_output_is_one_line_nonzero(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "out.txt"
    bad.write_text("sw1#show license status\n% Invalid input detected at '^' marker.\nsw1#\n")
    code = main(["parse", "--command", "sh lic stat", "--host", "sw1", str(bad)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "show license status" in captured.err
    assert "% Invalid input detected" in captured.err
    assert "host sw1" in captured.err


def test_unsupported_command(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["parse", "--command", "show ip route", str(SAMPLES / "sver_ntc_c9500_16.9.3.txt")])
    assert code == 1
    assert "unsupported command" in capsys.readouterr().err


def test_template_override_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["parse", "-c", "sh ver", "--templates", str(tmp_path), str(SAMPLES / "sver_ntc_c9500_16.9.3.txt")])
    assert code == 1
    assert "TextFSM index not found" in capsys.readouterr().err
