"""Masking a running config for --keep-configs: on the real sample (../shared/samples), with the
secret lines real configurations hold put back where IOS prints them."""

from __future__ import annotations

from pathlib import Path

import pytest
from fleetreg.core.config_mask import KEY_MATERIAL, MASKED, mask_config, mask_line

SAMPLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "runcfg_libgr_c9200l_17.6_full.txt"

# (line as IOS prints it, the secret in it, the line once masked)
SECRET_LINES = [
    (
        "enable secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM",
        "$9$nhEmQVczB7dqsO",
        f"enable secret 9 {MASKED}",
    ),
    ("enable password 7 0822455D0A165A", "0822455D0A165A", f"enable password 7 {MASKED}"),
    (
        "username admin privilege 15 secret 9 $9$4bS0Nck5MiNnd.$PreZoHd2Yq2pL1dB7E4",
        "$9$4bS0Nck5MiNnd.",
        f"username admin privilege 15 secret 9 {MASKED}",
    ),
    ("username backup password 7 094F471A1A0A", "094F471A1A0A", f"username backup password 7 {MASKED}"),
    ("snmp-server community S3cr3tCommunity RO", "S3cr3tCommunity", f"snmp-server community {MASKED} RO"),
    (
        "snmp-server host 10.1.1.5 version 2c Tr4pCommunity",
        "Tr4pCommunity",
        f"snmp-server host 10.1.1.5 version 2c {MASKED}",
    ),
    (
        "snmp-server user nms grp v3 auth sha AuthPw123 priv aes 128 PrivPw456",
        "AuthPw123",
        f"snmp-server user nms grp v3 auth sha {MASKED} priv aes 128 {MASKED}",
    ),
    (" key 7 070C285F4D06485744", "070C285F4D06485744", f" key 7 {MASKED}"),
    (
        "tacacs-server host 10.1.1.9 key 7 13061E010803557878",
        "13061E010803557878",
        f"tacacs-server host 10.1.1.9 key 7 {MASKED}",
    ),
    (" pre-shared-key address 10.2.2.2 key Sup3rPSK", "Sup3rPSK", f" pre-shared-key address 10.2.2.2 key {MASKED}"),
    ("crypto isakmp key IsakmpK3y address 10.3.3.3", "IsakmpK3y", f"crypto isakmp key {MASKED} address 10.3.3.3"),
    ("  key-string 7 104D000A0618", "104D000A0618", f"  key-string 7 {MASKED}"),
    ("ntp authentication-key 1 md5 NtpK3y 7", "NtpK3y", f"ntp authentication-key 1 md5 {MASKED} 7"),
    (" ip ospf message-digest-key 1 md5 OspfK3y", "OspfK3y", f" ip ospf message-digest-key 1 md5 {MASKED}"),
    (" password 7 045802150C2E", "045802150C2E", f" password 7 {MASKED}"),
    ("  30820122 300D0609 2A864886 F70D0101 01050003 82010F00 3082010A", "2A864886", f"  {KEY_MATERIAL}"),
    (" ip ospf authentication-key 7 0822455D0A16", "0822455D0A16", f" ip ospf authentication-key 7 {MASKED}"),
    (" ip ospf authentication-key OspfPlain", "OspfPlain", f" ip ospf authentication-key {MASKED}"),
    (" standby 1 authentication HsrpPw1", "HsrpPw1", f" standby 1 authentication {MASKED}"),
    (" standby 1 authentication text HsrpPw2", "HsrpPw2", f" standby 1 authentication text {MASKED}"),
    (" vrrp 1 authentication text VrrpPw1", "VrrpPw1", f" vrrp 1 authentication text {MASKED}"),
    (" wpa-psk ascii 0 WlanPsk123", "WlanPsk123", f" wpa-psk ascii 0 {MASKED}"),
    (" client 10.9.9.9 server-key 7 0822455D0A", "0822455D0A", f" client 10.9.9.9 server-key 7 {MASKED}"),
    (" server-key RadiusK3y", "RadiusK3y", f" server-key {MASKED}"),
    ("snmp-server host 10.1.1.6 TrapOnlyComm", "TrapOnlyComm", f"snmp-server host 10.1.1.6 {MASKED}"),
    (
        "snmp-server host 10.1.1.7 informs version 2c InfComm",
        "InfComm",
        f"snmp-server host 10.1.1.7 informs version 2c {MASKED}",
    ),
    (" ip nhrp authentication NhrpK3y", "NhrpK3y", f" ip nhrp authentication {MASKED}"),
]


def _sample() -> str:
    if not SAMPLE.is_file():
        pytest.fail(f"shared sample missing at {SAMPLE}")
    return SAMPLE.read_text()


def test_the_real_sample_holds_nothing_to_mask_and_is_left_as_it_is() -> None:
    text = _sample()
    assert mask_config(text) == text


@pytest.mark.parametrize(("line", "secret", "masked"), SECRET_LINES)
def test_each_kind_of_secret_line_is_masked(line: str, secret: str, masked: str) -> None:
    assert mask_line(line) == masked
    assert secret not in mask_line(line)


def test_secrets_put_back_into_the_real_sample_are_all_masked_and_nothing_else_changes() -> None:
    sample = _sample().splitlines()
    at = sample.index("login on-success log") + 1
    text = "\n".join([*sample[:at], *(line for line, _, _ in SECRET_LINES), *sample[at:]]) + "\n"
    masked = mask_config(text)
    assert not [secret for _, secret, _ in SECRET_LINES if secret in masked]
    assert masked.splitlines()[:at] == sample[:at]
    assert masked.splitlines()[at + len(SECRET_LINES) :] == sample[at:]


def test_a_key_chain_name_and_rsa_keypair_stay_readable() -> None:
    for line in ("key chain OSPF-KEYS", " rsakeypair TP-self-signed-3639644206", "service password-encryption"):
        assert mask_line(line) == line
