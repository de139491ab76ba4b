"""`fleetreg satellite status` through orchestrator.cli.main against the emulated satellite's API."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fleetreg.cli import satellite
from fleetreg.cli.main import app, main

from mock_devices.spec import FleetSpec, SatelliteApiSpec, SatelliteSpec, SwitchSpec, VirtualAccountSpec
from mock_devices.testing import MockFleet

CORP, PUBLIC = "Corporate Network Devices", "Public Network Devices"
C9300 = "C9300-48 Network Advantage"


@pytest.fixture(autouse=True)
def satellite_verb() -> None:
    satellite.register(app)  # until orchestrator.commands lists the module


def fleet_spec(**api: Any) -> FleetSpec:
    return FleetSpec(
        count=3,
        satellite=SatelliteSpec(
            virtual_accounts=[
                VirtualAccountSpec(name=CORP, licenses={C9300: 4}),
                VirtualAccountSpec(name=PUBLIC, licenses={C9300: 2, "C9500 Network Advantage": 1}),
            ],
            api=SatelliteApiSpec(**api),
        ),
        switches=[
            SwitchSpec(index=0, name="ams-sat-01", model="C9300-48P", version="16.12.8", state="satellite",
                       virtual_account=CORP),
            SwitchSpec(index=1, name="lon-sat-02", model="C9300-48P", version="16.12.8", state="satellite",
                       virtual_account=PUBLIC),
            SwitchSpec(index=2, name="nyc-eval-03", model="C9300-48P", version="16.12.8", state="eval",
                       virtual_account=PUBLIC),
        ],
    )  # fmt: skip


@pytest.fixture
def mock(mock_fleet_factory: Callable[..., MockFleet], monkeypatch: pytest.MonkeyPatch) -> MockFleet:
    started = mock_fleet_factory(spec=fleet_spec(), api=True)
    for name, value in started.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("COLUMNS", "200")
    return started


def test_status_json(mock: MockFleet, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["satellite", "status", "--inventory", str(mock.inventory_dir), "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    status = json.loads(out)
    assert (status["base_url"], status["account"]) == (mock.api_url, "FleetReg Lab")
    summary = [
        (
            va["name"],
            va["is_default"],
            va["licenses_total"],
            va["licenses_in_use"],
            va["licenses_available"],
            va["product_instance_count"],
        )
        for va in status["virtual_accounts"]
    ]
    assert summary == [(CORP, True, 4, 1, 3, 1), (PUBLIC, False, 3, 1, 2, 1)]
    public = status["virtual_accounts"][1]
    assert [(row["license"], row["quantity"], row["in_use"], row["available"]) for row in public["licenses"]] == [
        (C9300, 2, 1, 1),
        ("C9500 Network Advantage", 1, 0, 1),
    ]
    serial = mock.fleet.device("lon-sat-02").hardware.serial
    assert [(d["hostname"], d["pid"], d["serial_number"]) for d in public["product_instances"]] == [
        ("lon-sat-02", "C9300-48P", serial)
    ]
    assert mock.env["FLEETREG_SATELLITE_CLIENT_SECRET"] not in out


def test_status_tables(mock: MockFleet, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["satellite", "status", "--inventory", str(mock.inventory_dir), "--devices"]) == 0
    out, _ = capsys.readouterr()
    assert f"Satellite {mock.api_url}, account FleetReg Lab" in out
    rows = [" ".join(line.replace("│", " ").split()) for line in out.splitlines()]
    assert f"{CORP} yes 4 1 3 1" in rows
    assert f"{PUBLIC} 3 1 2 1" in rows
    assert f"{PUBLIC} {C9300} 2 1 1 In Compliance" in rows
    assert any(row.startswith(f"{PUBLIC} lon-sat-02 C9300-48P ") for row in rows)
    assert "2 virtual accounts, 2 product instances" in out


def test_status_bad_secret_one_line(
    mock: MockFleet, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FLEETREG_SATELLITE_CLIENT_SECRET", "Not-The-Secret-99")
    assert main(["satellite", "status", "--inventory", str(mock.inventory_dir)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"fleetreg: error: satellite API {mock.api_url}: bad client credentials (HTTP 401 on /oauth/token): "
        "check the client id and secret references\n"
    )


def test_status_without_api_settings(
    mock_fleet_factory: Callable[..., MockFleet], capsys: pytest.CaptureFixture[str]
) -> None:
    plain = mock_fleet_factory(2)
    assert main(["satellite", "status", "--inventory", str(plain.inventory_dir)]) == 2
    _, err = capsys.readouterr()
    assert err == (
        f"fleetreg: error: {plain.inventory_dir / 'defaults.yaml'}: no satellite API configured: add "
        "fleetreg.satellite_api (base_url, account, client_id_ref, client_secret_ref, ca_file) to defaults.yaml\n"
    )


def test_status_missing_secret_reference(
    mock: MockFleet, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("FLEETREG_SATELLITE_CLIENT_ID")
    assert main(["satellite", "status", "--inventory", str(mock.inventory_dir)]) == 2
    _, err = capsys.readouterr()
    assert "environment variable FLEETREG_SATELLITE_CLIENT_ID is not set" in err
