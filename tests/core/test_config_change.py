from __future__ import annotations

from pathlib import Path

from fleetreg.core.config_change import compute_change, relevant_excerpt

MIGRATION = """call-home
 profile "CiscoTAC-1"
  no active
 profile "SSM-OnPrem"
  reporting smart-licensing-data
  destination transport-method http
  no destination transport-method email
  destination address http https://ssm.example.net/Transportgateway/services/DeviceRequestHandler
  destination preferred-msg-format xml
  active
ip http client source-interface Vlan781
crypto pki trustpoint SLA-TrustPoint
 revocation-check none
"""


def test_excerpt_keeps_only_licensing_lines(samples: Path) -> None:
    full = (samples / "runcfg_libgr_c9200l_17.6_full.txt").read_text()
    excerpt = relevant_excerpt(full, ["SLA-TrustPoint"])
    assert excerpt.splitlines() == [
        "service call-home",
        "crypto pki trustpoint SLA-TrustPoint",
        " enrollment pkcs12",
        " revocation-check crl",
        "call-home",
        " contact-email-addr sch-smart-licensing@cisco.com",
        ' profile "CiscoTAC-1"',
        "  active",
        "  destination transport-method http",
    ]
    assert "enable secret" not in excerpt and "username" not in excerpt


def test_factory_config_gets_minimal_commands_and_exact_backout(samples: Path) -> None:
    running = relevant_excerpt((samples / "runcfg_libgr_c9200l_17.6_full.txt").read_text(), ["SLA-TrustPoint"])
    change = compute_change(running, MIGRATION)
    assert change.commands[:4] == ("call-home", ' profile "CiscoTAC-1"', "  no active", "  exit")
    assert "ip http client source-interface Vlan781" in change.commands
    assert " revocation-check none" in change.commands
    # the backout restores what was there, value for value
    assert change.backout == (
        "no ip http client source-interface Vlan781",
        "crypto pki trustpoint SLA-TrustPoint",
        " revocation-check crl",
        " exit",
        "call-home",
        ' no profile "SSM-OnPrem"',
        ' profile "CiscoTAC-1"',
        "  active",
        "  exit",
        " exit",
    )
    assert "  - revocation-check crl" in change.diff and "  + revocation-check none" in change.diff
    assert "+ ip http client source-interface Vlan781" in change.diff


def test_migrated_switch_plans_no_change() -> None:
    migrated = """call-home
 contact-email-addr a@b.c
 profile "CiscoTAC-1"
  no active
  destination transport-method http
 profile "SSM-OnPrem"
  reporting smart-licensing-data
  destination transport-method http
  no destination transport-method email
  destination address http https://ssm.example.net/Transportgateway/services/DeviceRequestHandler
  destination preferred-msg-format xml
  active
ip http client source-interface Vlan781
crypto pki trustpoint SLA-TrustPoint
 enrollment pkcs12
 revocation-check none
"""
    change = compute_change(migrated, MIGRATION)
    assert change.is_noop, change.commands
    assert change.backout == ()


def test_single_valued_commands_replace_instead_of_adding() -> None:
    running = "ip http client source-interface GigabitEthernet0/0\nlicense smart url cslu http://old/cslu/v1/pi/X\n"
    desired = "ip http client source-interface Vlan781\nlicense smart url cslu https://ssm/cslu/v1/pi/T\n"
    change = compute_change(running, desired)
    assert change.commands == (
        "ip http client source-interface Vlan781",
        "license smart url cslu https://ssm/cslu/v1/pi/T",
    )
    assert change.backout == (
        "ip http client source-interface GigabitEthernet0/0",
        "license smart url cslu http://old/cslu/v1/pi/X",
    )
