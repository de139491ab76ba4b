"""SatelliteClient and satellite_ops against the emulated satellite's real API over real TLS on loopback."""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fleetreg.core.errors import FleetregError, SecretError
from fleetreg.core.licenses import MigratedSwitch, license_preflight, satellite_postcheck
from fleetreg.core.settings import SatelliteApiSettings
from fleetreg.services.satellite import (
    ApiTokenSource,
    choose_reusable_token,
    client_from_settings,
    devices_by_virtual_account,
)
from fleetreg.shell.satellite_client import (
    LicenseUsage,
    ProductInstanceInfo,
    RegistrationToken,
    SatelliteAuthError,
    SatelliteClient,
    SatelliteError,
    SatelliteNotFoundError,
    SatelliteTlsError,
    SatelliteUnreachableError,
)

from mock_devices.satellite_api import generate_tls, write_ca_file
from mock_devices.spec import FleetSpec, SatelliteApiSpec, SatelliteSpec, SwitchSpec, TokenSpec, VirtualAccountSpec
from mock_devices.testing import MockFleet

CORP, PUBLIC = "Corporate Network Devices", "Public Network Devices"
C9300 = "C9300-48 Network Advantage"
SECRET = "Lab-Api-Secret-7f3c"
TOKENS = "GET /api/v1/accounts/{account}/virtual-accounts/{va}/tokens"
CREATE = "POST /api/v1/accounts/{account}/virtual-accounts/{va}/tokens"


def fleet_spec(public_tokens: list[TokenSpec] | None = None, public_licenses: int = 1, **api: Any) -> FleetSpec:
    return FleetSpec(
        count=4,
        satellite=SatelliteSpec(
            virtual_accounts=[
                VirtualAccountSpec(name=CORP, licenses={C9300: 10}),
                VirtualAccountSpec(name=PUBLIC, licenses={C9300: public_licenses}, tokens=public_tokens or []),
            ],
            api=SatelliteApiSpec(**api),
        ),
        switches=[
            SwitchSpec(index=0, name="ams-sat-01", model="C9300-48P", version="16.12.8", state="satellite",
                       virtual_account=CORP),
            SwitchSpec(index=1, name="lon-sat-02", model="C9300-48P", version="16.12.8", state="satellite",
                       virtual_account=CORP),
            SwitchSpec(index=2, name="nyc-wrongva-03", model="C9300-48P", version="16.12.8",
                       state="satellite_wrong_va", virtual_account=PUBLIC),
            SwitchSpec(index=3, name="ams-eval-04", model="C9300-48P", version="16.12.8", state="eval",
                       virtual_account=PUBLIC),
        ],
    )  # fmt: skip


def start(factory: Callable[..., MockFleet], **kwargs: Any) -> MockFleet:
    return factory(spec=fleet_spec(**kwargs), api=True)


def client_for(
    mock: MockFleet, *, secret: str = SECRET, account: str = "FleetReg Lab", **kwargs: Any
) -> SatelliteClient:
    assert mock.api_url is not None and mock.ca_file is not None
    kwargs.setdefault("backoff_base_s", 0.01)
    return SatelliteClient(mock.api_url, account, "fleetreg-api", secret, ca_file=str(mock.ca_file), **kwargs)


def counts(mock: MockFleet) -> dict[str, int]:
    assert mock.api is not None
    api = mock.api
    return dict(mock.call(lambda: dict(api.counts)))


# --- tokens ------------------------------------------------------------------------------------


def test_token_source_reuses_a_valid_token(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory)
    with client_for(mock) as client:
        source = ApiTokenSource(client)
        first = source.token_for(CORP, needed_uses=3)
        again = source.token_for(CORP)
    assert first == again == mock.env["FLEETREG_TOKEN_CORPORATE_NETWORK_DEVICES"]
    assert source.origins == {CORP: "reused"}
    assert (counts(mock).get(TOKENS), counts(mock).get(CREATE)) == (1, None)  # cached for the run
    assert first not in repr(source)


def test_token_source_creates_when_none_is_usable(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    expired = TokenSpec(value="expired-public-token", expires_in_days=-1)
    used_up = TokenSpec(value="used-up-public-token", allowed_uses=2, used=2)
    mock = start(mock_fleet_factory, public_tokens=[expired, used_up])
    with client_for(mock) as client:
        source = ApiTokenSource(client, description="fleetreg change 42", expires_after_days=14)
        token = source.token_for(PUBLIC)
        listed = client.tokens(PUBLIC)
    assert source.origins == {PUBLIC: "created"}
    assert token not in ("expired-public-token", "used-up-public-token")
    assert counts(mock)[CREATE] == 1
    created = [t for t in listed if t.token == token]
    assert [(t.description, t.export_controlled, t.uses, t.status) for t in created] == [
        ("fleetreg change 42", False, 0, "ACTIVE")
    ]
    days_left = (created[0].expiration_date - dt.datetime.now(dt.UTC)).total_seconds() / 86400
    assert 13.9 < days_left <= 14.0
    # a real token on the satellite the switches use: registration with it succeeds
    satellite = mock.fleet.satellite
    outcome = mock.call(
        lambda: satellite.register(
            token, hostname="x", pid="C9300-48P", serial="FCWTEST0001", license_name=C9300, now_wall=time.time()
        )
    )
    assert (outcome.ok, outcome.virtual_account) == (True, PUBLIC)


TWO_USES_LEFT = "two-uses-left-token-VHdvVXNlc0xlZnRUb2tlbkZvclRlc3Rz%0A"


def test_token_source_creates_when_uses_left_are_too_few(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory, public_tokens=[TokenSpec(value=TWO_USES_LEFT, allowed_uses=3, used=1)])
    with client_for(mock) as client:
        assert ApiTokenSource(client).token_for(PUBLIC, needed_uses=2) == TWO_USES_LEFT
        source = ApiTokenSource(client)
        assert source.token_for(PUBLIC, needed_uses=3) != TWO_USES_LEFT
    assert source.origins == {PUBLIC: "created"}


def test_choose_reusable_token_prefers_longest_valid_and_matches_export_control() -> None:
    now = dt.datetime(2024, 3, 13, tzinfo=dt.UTC)

    def token(value: str, days: float, **extra: Any) -> RegistrationToken:
        return RegistrationToken(token=value, expiration_date=now + dt.timedelta(days=days), **extra)

    tokens = [
        token("short", 0.5),
        token("ok-10", 10, max_uses=5, uses=1),
        token("ok-20", 20),
        token("export", 30, export_controlled="Allowed"),
        token("revoked", 40, status="EXPIRED"),
    ]
    pick = choose_reusable_token
    kwargs: dict[str, Any] = {"now": now, "min_valid": dt.timedelta(days=1), "export_controlled": False}
    assert pick(tokens, needed_uses=1, **kwargs).token == "ok-20"  # type: ignore[union-attr]
    assert pick(tokens[:2], needed_uses=4, **kwargs).token == "ok-10"  # type: ignore[union-attr]
    assert pick(tokens[:2], needed_uses=5, **kwargs) is None
    assert pick(tokens, needed_uses=1, **{**kwargs, "export_controlled": True}).token == "export"  # type: ignore[union-attr]


# --- bearer ------------------------------------------------------------------------------------


def test_bearer_refused_by_the_server_is_refreshed_once(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory)
    assert mock.api is not None
    with client_for(mock) as client:
        assert [va.name for va in client.virtual_accounts()] == [CORP, PUBLIC]
        mock.call(mock.api.expire_bearers)  # the client still believes its bearer valid
        assert [va.name for va in client.virtual_accounts()] == [CORP, PUBLIC]
        assert client.bearer_fetches == 2
    assert (counts(mock)["status 401"], counts(mock)["POST /oauth/token"]) == (1, 2)


def test_bearer_near_expiry_is_refreshed_before_use(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory, bearer_seconds=1)
    with client_for(mock) as client:
        client.virtual_accounts()
        time.sleep(1.1)
        client.virtual_accounts()
        assert client.bearer_fetches == 2
    assert counts(mock).get("status 401") is None


# --- retries -----------------------------------------------------------------------------------


def test_429_waits_for_retry_after_then_succeeds(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory, rate_limit_per_second=1.0, rate_limit_burst=1, retry_after_seconds=1)
    with client_for(mock) as client:
        began = time.monotonic()
        usage = client.license_usage([PUBLIC])  # the bearer takes the only request of the burst
        elapsed = time.monotonic() - began
        waits = list(client.waits)
    assert [(u.license, u.quantity) for u in usage] == [(C9300, 1)]
    assert counts(mock)["status 429"] >= 1
    assert waits and all(w >= 1.0 for w in waits)  # Retry-After honoured, plus jitter
    assert elapsed >= 1.0


def test_5xx_retried_with_backoff_for_reads_only(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory)
    assert mock.api is not None
    with client_for(mock, retries=3) as client:
        client.virtual_accounts()
        mock.call(mock.api.inject_failures, 503, 2)
        assert sorted(d.hostname for d in client.devices(CORP)) == ["ams-sat-01", "lon-sat-02", "nyc-wrongva-03"]
        assert len(client.waits) == 2 and client.waits[1] > 0
        mock.call(mock.api.inject_failures, 503, 1)
        with pytest.raises(SatelliteError, match=r"HTTP 503 asking for new token .* after 1 attempt"):
            client.create_token(CORP)  # a POST that creates is not retried after a 5xx
        mock.call(mock.api.inject_failures, 502, 4)
        with pytest.raises(SatelliteError, match=r"HTTP 502 asking for product instances .* after 4 attempt"):
            client.devices(CORP)


# --- errors ------------------------------------------------------------------------------------


def one_line_without_secrets(error: FleetregError, *secrets: str) -> str:
    text = str(error)
    assert "\n" not in text
    for secret in secrets:
        assert secret not in text
    return text


def test_bad_credentials_one_line_no_secret(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory)
    with client_for(mock, secret="Wrong-Secret-123") as client, pytest.raises(SatelliteAuthError) as caught:
        client.virtual_accounts()
    text = one_line_without_secrets(caught.value, "Wrong-Secret-123", SECRET)
    assert text == (
        f"satellite API {mock.api_url}: bad client credentials (HTTP 401 on /oauth/token): "
        "check the client id and secret references"
    )
    assert caught.value.__cause__ is None


def test_wrong_ca_names_the_ca_file(mock_fleet_factory: Callable[..., MockFleet], tmp_path: Path) -> None:
    mock = start(mock_fleet_factory)
    other_ca = write_ca_file(tmp_path, generate_tls("ssm-onprem.fleetreg.test"))
    assert mock.api_url is not None
    client = SatelliteClient(mock.api_url, "FleetReg Lab", "fleetreg-api", SECRET, ca_file=str(other_ca), retries=0)
    with client, pytest.raises(SatelliteTlsError) as caught:
        client.virtual_accounts()
    text = one_line_without_secrets(caught.value, SECRET)
    assert text.startswith(f"satellite API {mock.api_url}: certificate verify failed: ")
    assert text.endswith(f"(trusting CA file {other_ca})")


def test_missing_ca_file_is_a_tls_error(tmp_path: Path) -> None:
    with pytest.raises(SatelliteTlsError, match=r"CA file .*nope\.pem not found"):
        SatelliteClient("https://127.0.0.1:9", "A", "id", SECRET, ca_file=str(tmp_path / "nope.pem"))


def test_unknown_account_and_virtual_account_are_404(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory)
    with client_for(mock, account="Nobody") as client, pytest.raises(SatelliteNotFoundError) as account:
        client.virtual_accounts()
    assert str(account.value) == (
        f"satellite API {mock.api_url}: account 'Nobody' not found (HTTP 404; account 'Nobody')"
    )
    with client_for(mock) as client, pytest.raises(SatelliteNotFoundError) as va:
        client.tokens("Lab Gear")
    text = one_line_without_secrets(va.value, SECRET)
    assert "virtual account 'Lab Gear' not found in account 'FleetReg Lab'" in text


def test_unreachable_after_retries() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    client = SatelliteClient(f"https://127.0.0.1:{port}", "A", "id", SECRET, retries=2, backoff_base_s=0.01)
    with client, pytest.raises(SatelliteUnreachableError) as caught:
        client.virtual_accounts()
    text = one_line_without_secrets(caught.value, SECRET)
    assert text == (
        f"satellite API https://127.0.0.1:{port}: unreachable (connection refused) asking for a bearer token, "
        "3 attempt(s)"
    )
    assert len(client.waits) == 2


def test_client_from_settings_resolves_references(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory)
    assert mock.api_url is not None
    settings = SatelliteApiSettings(
        base_url=mock.api_url,
        account="FleetReg Lab",
        client_id_ref="env:FLEETREG_SATELLITE_CLIENT_ID",
        client_secret_ref="env:FLEETREG_SATELLITE_CLIENT_SECRET",
        ca_file=str(mock.ca_file),
    )
    with client_from_settings(settings, environ=mock.env) as client:
        assert [va.name for va in client.virtual_accounts()] == [CORP, PUBLIC]
    with pytest.raises(SecretError) as missing:
        client_from_settings(settings, environ={"FLEETREG_SATELLITE_CLIENT_ID": "fleetreg-api"})
    assert str(missing.value) == (
        "field satellite_api.client_secret_ref: environment variable FLEETREG_SATELLITE_CLIENT_SECRET is not set "
        "(satellite_api.client_secret_ref env:FLEETREG_SATELLITE_CLIENT_SECRET)"
    )


# --- plan: license pre-flight --------------------------------------------------------------------


def test_preflight_blocks_the_excess_hosts_against_real_usage(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory, public_licenses=2)  # CORP: 10, 3 in use (nyc-wrongva-03 sits there)
    with client_for(mock) as client:
        usage = client.license_usage()
    assert [(u.virtual_account, u.quantity, u.in_use, u.available) for u in usage] == [
        (CORP, 10, 3, 7),
        (PUBLIC, 2, 0, 2),
    ]
    planned = {CORP: [f"c{i}" for i in range(1, 8)], PUBLIC: ["p1", "p2", "p3", "p4"]}
    assert license_preflight(planned, usage) == {
        "p3": f"not enough licenses in {PUBLIC} (2 available, 4 planned)",
        "p4": f"not enough licenses in {PUBLIC} (2 available, 4 planned)",
    }


def test_preflight_per_license_pool_and_unknown_va() -> None:
    usage = [
        LicenseUsage(virtual_account="VA1", license="A", quantity=5, in_use=4, available=1),
        LicenseUsage(virtual_account="VA1", license="B", quantity=3, in_use=0, available=3),
    ]
    planned = {"VA1": ["h1", "h2", "h3", "h4"], "Ghost": ["g1"]}
    license_of = {"h1": "A", "h2": "A", "h3": "B"}  # h4: license unknown -> what the pools have left
    assert license_preflight(planned, usage, license_of) == {
        "h2": "not enough licenses in VA1 (A: 1 available, 2 planned)",
        "g1": "not enough licenses in Ghost (0 available, 1 planned)",
    }
    assert license_preflight({"VA1": ["h1", "h2", "h3", "h4", "h5"]}, usage) == {
        "h5": "not enough licenses in VA1 (4 available, 5 planned)"
    }


# --- apply / verify: post-check ------------------------------------------------------------------


def test_postcheck_catches_a_switch_the_satellite_does_not_list(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = start(mock_fleet_factory, hide_devices=["lon-sat-02"])
    fleet = mock.fleet

    def migrated(name: str, planned_va: str) -> MigratedSwitch:
        switch = fleet.device(name)
        return MigratedSwitch(name, switch.hardware.serial, switch.hardware.model, switch.hostname, planned_va)

    switches = [
        migrated("ams-sat-01", CORP),
        migrated("lon-sat-02", CORP),
        migrated("nyc-wrongva-03", PUBLIC),
    ]
    with client_for(mock) as client:
        devices = devices_by_virtual_account(client)
    problems = satellite_postcheck(switches, devices)
    serial = fleet.device("lon-sat-02").hardware.serial
    assert problems == {
        "lon-sat-02": (
            f"switch reports registered but the satellite lists no product instance "
            f"(serial {serial}, PID C9300-48P) in {CORP!r}"
        ),
        "nyc-wrongva-03": f"satellite lists it in virtual account {CORP!r}, not in the planned {PUBLIC!r}",
    }


def test_postcheck_checks_pid_and_host_name() -> None:
    listed = [
        ProductInstanceInfo(hostname="sw1", pid="C9300-48P", serial_number="S1", virtual_account="VA"),
        ProductInstanceInfo(hostname="old-name", pid="C9300-48P", serial_number="S2", virtual_account="VA"),
        ProductInstanceInfo(hostname="sw3", pid="C9500-40X", serial_number="S3", virtual_account="VA"),
        ProductInstanceInfo(hostname="sw4", pid="C9300-48P", serial_number="OTHER", virtual_account="VA"),
    ]
    migrated = [
        ("h1", "S1", "C9300-48P", "SW1", "VA"),  # host names compare without case
        ("h2", "S2", "C9300-48P", "sw2", "VA"),
        ("h3", "S3", "C9300-48P", "sw3", "VA"),
        ("h4", "", "C9300-48P", "sw4", "VA"),  # no serial known: matched by host name and PID
    ]
    assert satellite_postcheck(migrated, {"VA": listed}) == {
        "h2": "satellite lists serial S2 as 'old-name', the switch calls itself 'sw2'",
        "h3": "satellite lists serial S3 with PID C9500-40X, the switch is a C9300-48P",
    }
