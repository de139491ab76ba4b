"""The pure part of the satellite trust check: what to check from the settings and the plan, and
what each answer means (orchestrator.satellite_trust). No sockets."""

from __future__ import annotations

from typing import Any

import pytest
from fleetreg.core.errors import InputError
from fleetreg.core.satellite_trust import (
    ProbeResult,
    TrustNeed,
    TrustTarget,
    check_all,
    needs_from_plan,
    needs_from_settings,
    trust_targets,
    verdict,
)
from fleetreg.core.settings import MigrationSettings

URL = "https://ssm.example.net:8443/Transportgateway/services/DeviceRequestHandler"
CA = "/etc/fleetreg/satellite-ca.pem"


def settings(**overrides: Any) -> MigrationSettings:
    values: dict[str, Any] = {
        "satellite_url": URL,
        "virtual_account": "VA",
        "token_ref": "env:FLEETREG_T",
        "trustpoint": {"name": "FLEETREG-SSM", "mode": "ca-file", "ca_file": CA},
        **overrides,
    }
    return MigrationSettings.model_validate(values)


def target(**overrides: Any) -> TrustTarget:
    values: dict[str, Any] = {
        "host": "ssm.example.net",
        "port": 8443,
        "ca_file": CA,
        "check_name": True,
        "url": URL,
        "source": "defaults",
        "hosts": ("sw1", "sw2", "sw3"),
        **overrides,
    }
    return TrustTarget(**values)


def test_one_check_per_satellite_and_ca_file_whatever_the_number_of_switches() -> None:
    needs = [n for i in range(50) for n in needs_from_settings(f"sw{i}", settings(), {"satellite_url": "defaults"})]
    (only,) = trust_targets(needs)
    assert (only.host, only.port, only.ca_file, only.check_name) == ("ssm.example.net", 8443, CA, True)
    assert len(only.hosts) == 50 and only.source == "defaults" and only.url == URL


def test_the_cslu_url_on_the_same_host_and_port_is_the_same_check() -> None:
    needs = needs_from_settings("sw1", settings(cslu_tenant="Lab-1"), {})
    assert [n.url for n in needs] == [URL, "https://ssm.example.net:8443/cslu/v1/pi/Lab-1"]
    assert len(trust_targets(needs)) == 1


def test_default_port_is_443_and_each_ca_file_and_name_check_is_its_own_check() -> None:
    needs = [
        TrustNeed("a", "https://ssm.example.net/x", CA, True),
        TrustNeed("b", "https://ssm.example.net/x", "/other.pem", True),
        TrustNeed("c", "https://ssm.example.net/x", CA, False),
        TrustNeed("d", "https://[2001:db8::1]/x", CA, True),
    ]
    targets = trust_targets(needs)
    assert [(t.host, t.port, t.ca_file, t.check_name) for t in targets] == [
        ("ssm.example.net", 443, CA, True),
        ("ssm.example.net", 443, "/other.pem", True),
        ("ssm.example.net", 443, CA, False),
        ("2001:db8::1", 443, CA, True),
    ]
    assert targets[3].address == "[2001:db8::1]:443"


def test_nothing_to_check_without_a_ca_to_install_or_without_tls() -> None:
    assert needs_from_settings("sw1", settings(trustpoint={"mode": "revocation-check-none"}), {}) == []
    assert needs_from_settings("sw1", settings(trustpoint={"mode": "keep"}), {}) == []
    plain = needs_from_plan("sw1", "http://ssm.example.net/x", CA, settings(), "host")  # settings refuse http
    assert plain and trust_targets(plain) == []


def test_identity_check_disable_checks_only_the_chain() -> None:
    (need,) = needs_from_settings("sw1", settings(server_identity_check="disable"), {})
    assert need.check_name is False


def test_at_apply_the_plan_s_url_and_ca_file_are_checked() -> None:
    assert needs_from_plan("sw1", URL, CA, settings(), "host") == [TrustNeed("sw1", URL, CA, True, "host")]
    assert needs_from_plan("sw1", URL, None, settings(), "host") == []


def test_ok_passes() -> None:
    assert verdict(target(), ProbeResult("ok"), unreachable_ok=False) is None


def test_untrusted_blocks_with_one_line_naming_file_hosts_url_ca_and_reason() -> None:
    with pytest.raises(InputError) as caught:
        verdict(
            target(source="group va_corp"),
            ProbeResult("untrusted", "certificate verify failed: unable to get local issuer certificate"),
            unreachable_ok=True,  # the flag never lets an untrusted certificate through
            inventory_dir="inventory",
        )
    error = caught.value
    assert error.exit_code == 2
    line = error.one_line()
    assert "\n" not in line
    assert line.startswith("inventory/groups.yaml, host sw1 and 2 more, field fleetreg.satellite_url: ")
    assert f"{URL} (group va_corp)" in line and CA in line
    assert "certificate verify failed: unable to get local issuer certificate" in line


def test_unreachable_blocks_without_the_flag_and_is_a_risk_with_it() -> None:
    result = ProbeResult("unreachable", "ssm.example.net:8443: Connection refused")
    with pytest.raises(InputError) as caught:
        verdict(target(), result, unreachable_ok=False, inventory_dir="inv")
    assert "cannot reach the satellite" in str(caught.value) and "--satellite-unreachable-ok" in str(caught.value)
    assert str(caught.value).startswith("inv/defaults.yaml, host sw1 and 2 more")
    risk = verdict(target(), result, unreachable_ok=True)
    assert risk is not None and "not reachable" in risk and CA in risk and "Connection refused" in risk


def test_a_blocking_verdict_names_where_the_inventory_wrote_the_url() -> None:
    """Any inventory source: the file and line (or NetBox device) the loader recorded for satellite_url."""
    result = ProbeResult("untrusted", "certificate verify failed")
    for written_in, where in [
        (("group_vars/all.yml", 4), "group_vars/all.yml:4, "),
        (("https://netbox.example.net/dcim/devices/12/ (config context)", None), "https://netbox.example.net/"),
    ]:
        with pytest.raises(InputError) as caught:
            verdict(target(written_in=written_in), result, unreachable_ok=False, inventory_dir="config.yaml")
        assert caught.value.one_line().startswith(where)


def test_check_all_gives_risks_per_host_and_reports_an_untrusted_satellite_first() -> None:
    reachable, unreachable = target(hosts=("sw1",)), target(port=9, hosts=("sw2", "sw3"))
    checked = check_all(
        [reachable, unreachable],
        {reachable: ProbeResult("ok"), unreachable: ProbeResult("unreachable", "refused")},
        unreachable_ok=True,
    )
    assert set(checked.risks) == {"sw2", "sw3"} and len(checked.risks["sw2"]) == 1
    assert len(checked.warnings()) == 1
    assert checked.passed() == [
        f"satellite certificate at ssm.example.net:8443 validates with CA file {CA} "
        "for the name ssm.example.net (1 host)"
    ]
    untrusted = target(port=10, hosts=("sw4",))
    with pytest.raises(InputError, match="not trusted"):
        check_all(
            [unreachable, untrusted],
            {unreachable: ProbeResult("unreachable", "refused"), untrusted: ProbeResult("untrusted", "bad")},
            unreachable_ok=False,
        )
