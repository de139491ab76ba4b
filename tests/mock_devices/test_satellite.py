import json

from mock_devices.satellite import (
    TOKEN_EXPIRED,
    TOKEN_INVALID,
    TOKEN_USED_UP,
    LicensePool,
    Satellite,
    Token,
    VirtualAccount,
)

NOW = 1710317364.0
TAG = "C9300-48 Network Advantage"


def satellite(total: int = 1, uses: int = 5) -> Satellite:
    sat = Satellite(host="ssm.test", account="FleetReg Lab", default_virtual_account="Corp")
    sat.virtual_accounts["Corp"] = VirtualAccount("Corp", {TAG: LicensePool(total)}, "Lab-1")
    sat.virtual_accounts["Public"] = VirtualAccount("Public", {TAG: LicensePool(5)}, "Public%20Lab-1")
    sat.tokens.append(Token("tok-corp-1", "Corp", NOW + 86400, uses))
    sat.tokens.append(Token("tok-old", "Corp", NOW - 1, 5))
    return sat


def register(sat: Satellite, token: str, serial: str = "FCW2233FFG3"):
    return sat.register(token, hostname="sw1", pid="C9300-48P", serial=serial, license_name=TAG, now_wall=NOW)


def test_urls() -> None:
    sat = satellite()
    assert sat.callhome_url == "https://ssm.test/Transportgateway/services/DeviceRequestHandler"
    assert sat.cslu_url == "https://ssm.test/cslu/v1/pi/Lab-1"  # the default virtual account's
    assert sat.cslu_url_for("Public") == "https://ssm.test/cslu/v1/pi/Public%20Lab-1"


def test_the_tenant_in_a_cslu_url() -> None:
    sat = satellite()
    assert sat.cslu_tenant_in("https://ssm.test/cslu/v1/pi/Public%20Lab-1") == "Public%20Lab-1"
    assert sat.cslu_tenant_in("https://SSM.test/cslu/v1/pi/No-Such-1") == "No-Such-1"  # reaches it, unknown
    assert sat.cslu_tenant_in("https://192.0.2.9/cslu/v1/pi/Lab-1") is None  # another host
    assert sat.cslu_tenant_in("http://ssm.test/cslu/v1/pi/Lab-1") is None
    assert sat.cslu_tenant_in("https://ssm.test/cslu/v1/pi/") is None
    assert sat.cslu_tenant_in("https://ssm.test/Transportgateway/services/DeviceRequestHandler") is None
    assert sat.virtual_account_of_tenant("Public%20Lab-1") == "Public"
    assert sat.virtual_account_of_tenant("Public%20lab-1") is None
    assert sat.virtual_account_of_tenant("Public%20Lab%2D1") == "Public"  # the same tenant, encoded otherwise


def test_registration_consumes_token_use_and_license() -> None:
    sat = satellite()
    outcome = register(sat, "tok-corp-1")
    assert (outcome.ok, outcome.smart_account, outcome.virtual_account, outcome.authorized) == (
        True,
        "FleetReg Lab",
        "Corp",
        True,
    )
    assert sat.tokens[0].used == 1
    assert sat.virtual_accounts["Corp"].licenses[TAG].in_use == 1
    pi = sat.product_instances["FCW2233FFG3"]
    assert (pi.hostname, pi.pid, pi.virtual_account, pi.kind) == ("sw1", "C9300-48P", "Corp", "classic")


def test_pool_exhausted_registers_without_license() -> None:
    sat = satellite(total=1)
    register(sat, "tok-corp-1", "A")
    second = register(sat, "tok-corp-1", "B")
    assert second.ok is True and second.authorized is False
    assert sat.virtual_accounts["Corp"].licenses[TAG].in_use == 1


def test_re_registration_does_not_leak_licenses() -> None:
    sat = satellite(total=5)
    register(sat, "tok-corp-1")
    register(sat, "tok-corp-1")
    assert sat.virtual_accounts["Corp"].licenses[TAG].in_use == 1
    assert sat.deregister("FCW2233FFG3") is True
    assert sat.virtual_accounts["Corp"].licenses[TAG].in_use == 0
    assert sat.deregister("FCW2233FFG3") is False


def test_token_failures() -> None:
    sat = satellite(uses=1)
    assert register(sat, "nope").failure_reason == TOKEN_INVALID
    assert register(sat, "tok-old").failure_reason == TOKEN_EXPIRED
    assert register(sat, "tok-corp-1", "A").ok
    assert register(sat, "tok-corp-1", "B").failure_reason == TOKEN_USED_UP
    assert "B" not in sat.product_instances


def report(sat: Satellite, tenant: str, serial: str = "X"):
    return sat.report_usage(tenant=tenant, hostname="s", pid="C9300-48P", serial=serial, license_name=TAG, now_wall=NOW)


def test_slp_report_lands_in_the_virtual_account_of_its_tenant() -> None:
    sat = satellite()
    ack = report(sat, "Lab-1")
    assert ack is not None and (ack.smart_account, ack.virtual_account) == ("FleetReg Lab", "Corp")
    assert (sat.product_instances["X"].kind, sat.product_instances["X"].virtual_account) == ("slp", "Corp")
    assert sat.virtual_accounts["Corp"].licenses[TAG].in_use == 1
    moved = report(sat, "Public%20Lab-1")  # reported to the other tenant: it moves, its license too
    assert moved is not None and moved.virtual_account == "Public"
    assert sat.product_instances["X"].virtual_account == "Public"
    assert (sat.virtual_accounts["Corp"].licenses[TAG].in_use, sat.virtual_accounts["Public"].licenses[TAG].in_use) == (
        0,
        1,
    )


def test_slp_report_to_an_unknown_tenant_is_refused() -> None:
    sat = satellite()
    assert report(sat, "No-Such-Tenant") is None
    assert "X" not in sat.product_instances
    report(sat, "Lab-1")
    assert report(sat, "No-Such-Tenant") is None
    assert sat.product_instances["X"].virtual_account == "Corp"  # a refused report changes nothing


def test_dump_is_json_and_has_no_token_values() -> None:
    sat = satellite()
    register(sat, "tok-corp-1")
    dumped = sat.dump()
    text = json.dumps(dumped)
    assert "tok-corp-1" not in text
    assert dumped["virtual_accounts"] == {
        "Corp": {TAG: {"total": 1, "in_use": 1}},
        "Public": {TAG: {"total": 5, "in_use": 0}},
    }
    assert dumped["product_instances"][0]["registered"] == "Mar 13 08:09:24 2024 UTC"  # type: ignore[index]
