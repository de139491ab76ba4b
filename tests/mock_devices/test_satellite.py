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
    sat = Satellite(host="ssm.test", account="FleetReg Lab", cslu_tenant="Lab-1", tenant_virtual_account="Corp")
    sat.virtual_accounts["Corp"] = VirtualAccount("Corp", {TAG: LicensePool(total)})
    sat.virtual_accounts["Public"] = VirtualAccount("Public", {TAG: LicensePool(5)})
    sat.tokens.append(Token("tok-corp-1", "Corp", NOW + 86400, uses))
    sat.tokens.append(Token("tok-old", "Corp", NOW - 1, 5))
    return sat


def register(sat: Satellite, token: str, serial: str = "FCW2233FFG3"):
    return sat.register(token, hostname="sw1", pid="C9300-48P", serial=serial, license_name=TAG, now_wall=NOW)


def test_urls() -> None:
    sat = satellite()
    assert sat.callhome_url == "https://ssm.test/Transportgateway/services/DeviceRequestHandler"
    assert sat.cslu_url == "https://ssm.test/cslu/v1/pi/Lab-1"


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


def test_slp_report_lands_in_tenant_va_or_existing_one() -> None:
    sat = satellite()
    ack = sat.report_usage(hostname="s", pid="C9300-48P", serial="X", license_name=TAG, now_wall=NOW)
    assert ack is not None and (ack.smart_account, ack.virtual_account) == ("FleetReg Lab", "Corp")
    sat.record_product_instance("s2", "C9300-48P", "Y", "Public", TAG, NOW, "slp")
    ack2 = sat.report_usage(hostname="s2", pid="C9300-48P", serial="Y", license_name=TAG, now_wall=NOW)
    assert ack2 is not None and ack2.virtual_account == "Public"
    assert sat.product_instances["X"].kind == "slp"


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
