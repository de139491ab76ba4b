"""Threat: config injection, over the whole input space (hypothesis). Any value of any string
setting that fleetreg types, and any token from any source, is either refused when it is
checked (a settings error, which `inventory check` reports with exit 2), or it renders to
exactly the lines the template gives for a harmless value, with this value in its place:
never an extra line, never a character the gate refuses."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from fleetreg.core.cli_text import UnsafeLineError, gate_line
from fleetreg.core.errors import SecretError
from fleetreg.core.facts import build_facts
from fleetreg.core.render import render
from fleetreg.core.settings import MigrationSettings
from fleetreg.shell.secrets import resolve_token
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"
URL = "https://ssm.example.test/Transportgateway/services/DeviceRequestHandler"
PLACEHOLDER = "Pzq9x"  # valid as every kind of name, found nowhere in the templates
BASE: dict[str, Any] = {
    "satellite_url": URL,
    "virtual_account": "VA",
    "token_ref": "env:FLEETREG_T",
    "cslu_tenant": "Tenant-1",
    "source_interface": "Vlan781",
    "vrf": "Mgmt-vrf",
    "trustpoint": {"name": "SLA-TrustPoint", "mode": "revocation-check-none"},
}

# What an attacker or a typo may put in a value: anything, with the dangerous characters likely.
DANGEROUS = "\n\r\t\x00\x1b\x7f ?\"'%/:-_.~!$&()*+,;=@[]#"
values = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30),
    st.text(alphabet=st.sampled_from("abcXYZ019" + DANGEROUS), min_size=1, max_size=30),
)


def facts() -> Any:
    outputs = {
        "show version": (SAMPLES / "sver_ntc_c9500_16.9.3.txt").read_text(),
        "show license status": (SAMPLES / "sls_genie_sl_registered_csr1kv.txt").read_text(),
        "show running-config": (SAMPLES / "runcfg_libgr_c9200l_17.6_full.txt").read_text(),
    }
    return build_facts("sw1", outputs)


FACTS = facts() if SAMPLES.is_dir() else None


def with_value(field: str, value: str) -> dict[str, Any]:
    data = yaml.safe_load(yaml.safe_dump(BASE))  # a deep copy
    if field == "trustpoint.name":
        data["trustpoint"]["name"] = value
    else:
        data[field] = value
    return data


def rendered(template: str, s: MigrationSettings) -> str:
    return render(template, s=s, cslu_url=s.cslu_url, current=FACTS)


# field -> (template it is rendered in, harmless stand-in, how a value is generated)
FIELDS: dict[str, tuple[str, str]] = {
    "callhome_profile": ("config/callhome.j2", PLACEHOLDER),
    "vrf": ("config/callhome.j2", PLACEHOLDER),
    "source_interface": ("config/callhome.j2", "Vlan4094"),
    "trustpoint.name": ("config/callhome.j2", PLACEHOLDER),
    "cslu_tenant": ("config/slp.j2", PLACEHOLDER),
    "satellite_url": ("config/callhome.j2", "https://pzq9x.example.test/p"),
}


def check_value(field: str, value: str) -> None:
    template, stand_in = FIELDS[field]
    try:
        s = MigrationSettings.model_validate(with_value(field, value))
    except ValidationError as exc:
        assert {".".join(str(p) for p in e["loc"]) for e in exc.errors()} <= {field, field.split(".")[0]}
        return  # refused at check time: inventory check reports it (exit 2)
    expected = rendered(template, MigrationSettings.model_validate(with_value(field, stand_in)))
    actual = rendered(template, s)
    assert actual == expected.replace(stand_in, value)
    assert len(actual.splitlines()) == len(expected.splitlines())
    for line in actual.splitlines():
        gate_line(line, host="sw1")  # and the gate would type it


pytestmark = pytest.mark.skipif(FACTS is None, reason=f"shared samples missing at {SAMPLES}")


@pytest.mark.parametrize("field", sorted(FIELDS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=values)
def test_a_setting_is_refused_or_renders_to_exactly_the_expected_lines(field: str, value: str) -> None:
    if field == "satellite_url":
        value = "https://ssm.example.test/" + value
    check_value(field, value)


def token_from(source: str, value: str, folder: Path) -> str:
    if source == "env":
        return resolve_token("env:FLEETREG_T", environ={"FLEETREG_T": value})
    path = folder / "secrets.yaml"
    path.write_text(yaml.safe_dump({"corp": value}))
    path.chmod(0o600)
    return resolve_token("secrets:corp", environ={}, secrets_file=path)


@settings(max_examples=200, deadline=None)
@given(value=values, source=st.sampled_from(["env", "secrets"]))
def test_a_token_is_refused_or_types_as_exactly_one_register_line(
    value: str, source: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("secrets")
    long_enough = value * (40 // len(value) + 1)  # judged on its characters, not its length
    for candidate in (value, long_enough):
        try:
            token = token_from(source, candidate, folder)
        except SecretError as exc:
            assert exc.exit_code == 2
            assert candidate.strip() not in str(exc) or len(candidate.strip()) < 4  # never shown
            continue
        command = f"license smart register idtoken {token}"
        assert gate_line(command, host="sw1") == command and len(command.splitlines()) == 1


@given(value=st.text(alphabet=st.sampled_from("\n\r\x00\x1b\x7f?"), min_size=1, max_size=3))
def test_the_gate_refuses_every_control_character_and_help(value: str) -> None:
    with pytest.raises(UnsafeLineError):
        gate_line(f"call-home{value}", host="sw1")


# ---------------------------------------------------------------- plan-time pre-checks
PING_LINE = re.compile(
    r"ping (?P<host>[A-Za-z0-9.\-:]+) source (?P<interface>[A-Za-z][A-Za-z-]*\d+(/\d+)*(\.\d+)?) repeat 2 timeout 1"
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(host=values, interface=values, port=st.one_of(st.none(), st.integers(min_value=-5, max_value=70000)))
def test_a_hostile_satellite_host_or_interface_is_refused_or_pings_exactly_that_host(
    host: str, interface: str, port: int | None
) -> None:
    """The plan-time pre-checks type `ping <satellite host> source <interface> ...` at every switch:
    a satellite URL whose host is not a DNS name or an IP address, or an interface that is not an
    IOS interface name, is refused by the settings; anything accepted types one line, the gate's,
    naming exactly that host and interface."""
    from fleetreg.core.prechecks import PING, precheck_commands

    authority = host if port is None else f"{host}:{port}"
    data = {**BASE, "satellite_url": f"https://{authority}/Transportgateway/services/DeviceRequestHandler"}
    data["source_interface"] = interface
    try:
        s = MigrationSettings.model_validate(data)
    except ValidationError:
        return
    for line in precheck_commands(s).values():
        assert gate_line(line, host="sw1") == line and "\n" not in line
    found = PING_LINE.fullmatch(precheck_commands(s)[PING])
    assert found is not None, precheck_commands(s)[PING]
    assert found["host"] == s.satellite_host.strip("[]") and found["interface"] == interface
    assert "?" not in found["host"] and " " not in found["host"]


@pytest.mark.parametrize(
    "url",
    [
        "https://ssm%0Areload/Transportgateway",
        "https://ssm.example.net%20source%20Vlan1/x",
        "https://ssm_onprem.example.net/x",
        "https://ssm.example.net./x",
        "https://-ssm.example.net/x",
        "https://[::1%25eth0]/x",
    ],
)
def test_satellite_urls_whose_host_would_type_more_than_a_host_are_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="neither a DNS name"):
        MigrationSettings.model_validate({**BASE, "satellite_url": url})
