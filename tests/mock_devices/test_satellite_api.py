"""The emulated satellite's HTTPS API over real TLS on loopback, on the fleet's own loop."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import yaml
from cryptography import x509

from mock_devices.spec import FleetSpec, SatelliteApiSpec, SatelliteSpec, SwitchSpec, VirtualAccountSpec
from mock_devices.testing import MockFleet

CORP, PUBLIC = "Corporate Network Devices", "Public Network Devices"
ACCOUNT = "FleetReg Lab"
SECRET = "Lab-Api-Secret-7f3c"
REPO = Path(__file__).resolve().parents[2]


def spec(**api: Any) -> FleetSpec:
    return FleetSpec(
        count=3,
        satellite=SatelliteSpec(
            virtual_accounts=[
                VirtualAccountSpec(name=CORP, licenses={"C9300-48 Network Advantage": 5, "C9500 Network Advantage": 2}),
                VirtualAccountSpec(name=PUBLIC, licenses={"C9300-48 Network Advantage": 1}),
            ],
            api=SatelliteApiSpec(**api),
        ),
        switches=[
            SwitchSpec(index=0, name="ams-sat-01", model="C9300-48P", version="16.12.8", state="satellite",
                       virtual_account=CORP),
            SwitchSpec(index=1, name="lon-sat-02", model="C9300-48P", version="16.12.8", state="satellite",
                       virtual_account=CORP),
            SwitchSpec(index=2, name="nyc-eval-03", model="C9300-48P", version="16.12.8", state="eval",
                       virtual_account=PUBLIC),
        ],
    )  # fmt: skip


def start(factory: Callable[..., MockFleet], **api: Any) -> MockFleet:
    return factory(spec=spec(**api), api=True)


def http(mock: MockFleet) -> httpx.Client:
    assert mock.api_url is not None and mock.ca_file is not None
    return httpx.Client(base_url=mock.api_url, verify=ssl.create_default_context(cafile=str(mock.ca_file)))


def bearer(client: httpx.Client, secret: str = SECRET) -> str:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "fleetreg-api", "client_secret": secret},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def va_path(va: str, tail: str, account: str = ACCOUNT) -> str:
    return f"/api/v1/accounts/{quote(account, safe='')}/virtual-accounts/{quote(va, safe='')}/{tail}"


def test_oauth_then_virtual_accounts_with_bearer(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory, bearer_seconds=600)
    assert mock.env["FLEETREG_SATELLITE_CLIENT_ID"] == "fleetreg-api"
    assert mock.env["FLEETREG_SATELLITE_CLIENT_SECRET"] == SECRET
    with http(mock) as client:
        grant = client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "client_id": "fleetreg-api", "client_secret": SECRET},
        )
        assert grant.status_code == 200
        body = grant.json()
        assert (body["token_type"], body["expires_in"]) == ("bearer", 600)
        headers = {"Authorization": f"Bearer {body['access_token']}"}
        listing = client.get(f"/api/v1/accounts/{quote(ACCOUNT)}/virtual-accounts", headers=headers)
    assert listing.status_code == 200
    cslu = f"https://127.0.0.1:{mock.fleet.satellite.port}/cslu/v1/pi"
    assert listing.json()["virtualAccounts"] == [
        {
            "name": CORP,
            "description": "",
            "isDefault": True,
            "cslu_tenant": "Corporate%20Network%20Devices-1",
            "cslu_url": f"{cslu}/Corporate%20Network%20Devices-1",
        },
        {
            "name": PUBLIC,
            "description": "",
            "isDefault": False,
            "cslu_tenant": "Public%20Network%20Devices-1",
            "cslu_url": f"{cslu}/Public%20Network%20Devices-1",
        },
    ]


def test_bad_credentials_and_bad_bearer_are_401(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory)
    with http(mock) as client:
        wrong = client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "client_id": "fleetreg-api", "client_secret": "wrong-secret"},
        )
        assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
        no_bearer = client.get(va_path(CORP, "tokens"))
        assert (no_bearer.status_code, no_bearer.json()["error"]) == (401, "invalid_token")
        unknown = client.get(va_path(CORP, "tokens"), headers={"Authorization": "Bearer not-a-bearer"})
        assert unknown.status_code == 401
        assert "WWW-Authenticate" in unknown.headers


def test_expired_bearer_is_401(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory, bearer_seconds=1)
    with http(mock) as client:
        headers = {"Authorization": f"Bearer {bearer(client)}"}
        assert client.get(va_path(CORP, "tokens"), headers=headers).status_code == 200
        time.sleep(1.2)
        expired = client.get(va_path(CORP, "tokens"), headers=headers)
        assert (expired.status_code, expired.json()["message"]) == (401, "access token expired")
        fresh = {"Authorization": f"Bearer {bearer(client)}"}
        assert client.get(va_path(CORP, "tokens"), headers=fresh).status_code == 200
        assert mock.api is not None
        mock.call(mock.api.expire_bearers)
        assert client.get(va_path(CORP, "tokens"), headers=fresh).status_code == 401


def test_unknown_account_or_virtual_account_is_404(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory)
    with http(mock) as client:
        headers = {"Authorization": f"Bearer {bearer(client)}"}
        account = client.get(va_path(CORP, "devices", account="Other Account"), headers=headers)
        va = client.get(va_path("No Such VA", "devices"), headers=headers)
        licenses = client.post(
            f"/api/v1/accounts/{quote(ACCOUNT)}/licenses", json={"virtualAccounts": ["Nope"]}, headers=headers
        )
    assert (account.status_code, account.json()["message"]) == (404, "account 'Other Account' not found")
    assert (va.status_code, va.json()["message"]) == (
        404,
        "virtual account 'No Such VA' not found in account 'FleetReg Lab'",
    )
    assert licenses.status_code == 404


def test_rate_limit_answers_429_with_retry_after(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory, rate_limit_per_second=0.5, rate_limit_burst=2, retry_after_seconds=3)
    with http(mock) as client:
        headers = {"Authorization": f"Bearer {bearer(client)}"}  # request 1 of the burst of 2
        second = client.get(va_path(CORP, "tokens"), headers=headers)
        third = client.get(va_path(CORP, "tokens"), headers=headers)
    assert second.status_code == 200
    assert (third.status_code, third.headers["Retry-After"]) == (429, "3")
    assert mock.api is not None and mock.api.counts["status 429"] == 1


def test_created_token_registers_a_switch_and_shows_in_devices(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory)
    with http(mock) as client:
        headers = {"Authorization": f"Bearer {bearer(client)}"}
        created = client.post(
            va_path(PUBLIC, "tokens"),
            json={"description": "fleetreg run", "expiresAfterDays": 7, "exportControlled": "Not Allowed"},
            headers=headers,
        )
        assert created.status_code == 201, created.text
        info = created.json()["tokenInfo"]
        token = info["token"]
        assert (info["description"], info["expiresAfterDays"], info["exportControlled"], info["uses"]) == (
            "fleetreg run",
            7,
            "Not Allowed",
            0,
        )
        switch = mock.fleet.device("ams-sat-01")  # registered in CORP; re-register it into PUBLIC
        mock.call(lambda: switch.register(token, force=True))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            mock.call(switch.tick)
            instance = mock.call(lambda: switch.satellite.product_instances.get(switch.hardware.serial))
            if instance is not None and instance.virtual_account == PUBLIC:
                break
            time.sleep(0.1)
        devices = client.get(va_path(PUBLIC, "devices"), headers=headers).json()["devices"]
        tokens = client.get(va_path(PUBLIC, "tokens"), headers=headers).json()["tokens"]
        licenses = client.post(f"/api/v1/accounts/{quote(ACCOUNT)}/licenses", json={}, headers=headers).json()
    assert [(d["hostname"], d["pid"], d["serialNumber"], d["virtualAccount"]) for d in devices] == [
        ("ams-sat-01", "C9300-48P", switch.hardware.serial, PUBLIC)
    ]
    mine = [t for t in tokens if t["token"] == token]
    assert [(t["uses"], t["status"], t["description"]) for t in mine] == [(1, "ACTIVE", "fleetreg run")]
    rows = {(r["virtualAccount"], r["license"]): r for r in licenses["licenses"]}
    public = rows[(PUBLIC, "C9300-48 Network Advantage")]
    corp = rows[(CORP, "C9300-48 Network Advantage")]
    assert (public["quantity"], public["inUse"], public["available"]) == (1, 1, 0)
    assert (corp["quantity"], corp["inUse"], corp["available"]) == (5, 1, 4)  # lon-sat-02 still there
    assert (rows[(CORP, "C9500 Network Advantage")]["available"]) == 2


def test_hide_devices_fault_leaves_a_product_instance_out(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory, hide_devices=["lon-sat-02"])
    with http(mock) as client:
        headers = {"Authorization": f"Bearer {bearer(client)}"}
        devices = client.get(va_path(CORP, "devices"), headers=headers).json()["devices"]
    assert [d["hostname"] for d in devices] == ["ams-sat-01"]
    on_satellite = mock.call(lambda: sorted(pi.hostname for pi in mock.fleet.satellite.product_instances.values()))
    assert on_satellite == ["ams-sat-01", "lon-sat-02"]


def test_bad_token_requests_are_400(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory)
    with http(mock) as client:
        headers = {"Authorization": f"Bearer {bearer(client)}"}
        no_days = client.post(va_path(CORP, "tokens"), json={"description": "x"}, headers=headers)
        too_long = client.post(va_path(CORP, "tokens"), json={"expiresAfterDays": 400}, headers=headers)
        wrong_method = client.delete(va_path(CORP, "tokens"), headers=headers)
    assert (no_days.status_code, too_long.status_code, wrong_method.status_code) == (400, 400, 405)


def test_certificate_names_the_satellite_and_loopback(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory)
    assert mock.api is not None and mock.ca_file is not None
    pki = mock.fleet.satellite.pki
    assert pki is not None  # the API presents the satellite's own identity: one CA for switches and API
    assert mock.api.tls.cert_pem.decode() == pki.server_cert_pem
    assert mock.ca_file.read_text() == pki.ca_pem
    cert = x509.load_pem_x509_certificate(mock.api.tls.cert_pem)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["ssm-onprem.fleetreg.test"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(f"{mock.api_url}/oauth/token")  # the system store does not trust the lab CA


def test_api_off_keeps_inventory_unchanged(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = mock_fleet_factory(2)
    defaults = yaml.safe_load((mock.inventory_dir / "defaults.yaml").read_text())
    assert "satellite_api" not in defaults["data"]["fleetreg"]
    assert not any(name.startswith("FLEETREG_SATELLITE") for name in mock.env)
    assert (mock.api, mock.api_url, mock.ca_file) == (None, None, None)


def test_serve_api_prints_url_and_writes_settings(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    base_port = 20000 + (os.getpid() % 5000) * 2
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_devices", "serve", "--count", "2", "--base-port", str(base_port),
         "--api", "--inventory-out", str(inventory), "--state-dir", str(tmp_path / "state")],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None and process.stderr is not None
        line = process.stdout.readline()
        assert "2 switches listening" in line, process.stderr.read() if process.poll() is not None else line
        url = line.split("satellite API ")[1].split()[0]
        assert url.startswith("https://127.0.0.1:")
        settings = yaml.safe_load((inventory / "defaults.yaml").read_text())["data"]["fleetreg"]["satellite_api"]
        assert (settings["base_url"], settings["account"], settings["client_secret_ref"]) == (
            url,
            "FleetReg Lab",
            "env:FLEETREG_SATELLITE_CLIENT_SECRET",
        )
        assert f"export FLEETREG_SATELLITE_CLIENT_SECRET={SECRET}" in (inventory / "fleet.env").read_text()
        context = ssl.create_default_context(cafile=settings["ca_file"])
        answer = httpx.post(
            f"{url}/oauth/token",
            data={"grant_type": "client_credentials", "client_id": "fleetreg-api", "client_secret": SECRET},
            verify=context,
        )
        assert answer.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
