"""Masking a running configuration before it reaches the disk (`--keep-configs` only).

Pure: text in, text out. The rules are data, one per kind of secret IOS-XE prints: each finds
the secret in a line and the mask replaces it, keeping the keyword and the encryption type so
the line still reads as what it is (`username netops privilege 15 secret 9 <masked>`). Hex
dumps (certificates, public keys, key material) inside a block are replaced line by line."""

from __future__ import annotations

import re
from dataclasses import dataclass

MASKED = "<masked>"
KEY_MATERIAL = "<key material masked>"


@dataclass(frozen=True)
class MaskRule:
    name: str
    pattern: re.Pattern[str]  # group `secret`: what is replaced; every match in a line


def _rule(name: str, pattern: str) -> MaskRule:
    return MaskRule(name, re.compile(pattern, re.IGNORECASE))


_TYPE = r"(?:[0-9]{1,2}\s+)?"  # IOS's encryption type (0, 5, 6, 7, 8, 9) before the value
MASK_RULES: tuple[MaskRule, ...] = (
    # enable secret / password, username ... secret / password, line passwords, ppp, wlan ...
    _rule("password or secret", rf"\b(?:password|secret)\s+(?:level\s+\d+\s+)?{_TYPE}(?P<secret>\S+)"),
    # snmp-server community <name> RO, snmp-server host ... version 2c <community>
    _rule("snmp community", r"^\s*snmp-server\s+community\s+(?P<secret>\S+)"),
    _rule("snmp host community", r"^\s*snmp-server\s+host\s+\S+\s+(?:.*\s)?version\s+(?:1|2c)\s+(?P<secret>\S+)"),
    # snmp-server user <u> <g> v3 auth sha <pw> priv aes 128 <pw>
    _rule("snmp v3 auth", r"\bauth\s+(?:md5|sha\S*)\s+(?P<secret>\S+)"),
    _rule("snmp v3 priv", r"\bpriv\s+(?:des\S*|3des|aes(?:\s+\d+)?)\s+(?P<secret>\S+)"),
    # pre-shared-key, tacacs / radius server keys, `key 7 ...` in any block, isakmp keys
    _rule("pre-shared-key", rf"\bpre-shared-key\s+(?:address\s+\S+\s+(?:\S+\s+)?)?(?:key\s+)?{_TYPE}(?P<secret>\S+)"),
    _rule("key", rf"(?:^|\s)key\s+(?!(?:chain|address|config-key)\b){_TYPE}(?P<secret>\S+)"),
    _rule("key-string", rf"\bkey-string\s+{_TYPE}(?P<secret>\S+)"),
    _rule("ntp / ospf / eigrp key", r"\b(?:authentication-key|message-digest-key)\s+\d+\s+md5\s+(?P<secret>\S+)"),
    _rule("ospf interface key", rf"\bauthentication-key\s+(?!\d+\s+md5\b){_TYPE}(?P<secret>\S+)"),
    # standby 1 authentication [text] <pw>, vrrp 1 authentication text <pw> (md5 ones use key-string)
    _rule("hsrp / vrrp", r"\b(?:standby|vrrp)\s+(?:\d+\s+)?authentication\s+(?:text\s+)?(?!md5\b)(?P<secret>\S+)"),
    _rule("wlan psk", rf"\bwpa-psk\s+(?:ascii|hex)\s+{_TYPE}(?P<secret>\S+)"),
    _rule("radius server-key", rf"\bserver-key\s+{_TYPE}(?P<secret>\S+)"),
    # snmp-server host <h> [informs|traps] [vrf <v>] <community> (with `version`: the rule above)
    _rule(
        "snmp host community (no version)",
        r"^\s*snmp-server\s+host\s+\S+\s+(?:(?:informs|traps)\s+)?(?:vrf\s+\S+\s+)?"
        r"(?!version\b|informs\b|traps\b|vrf\b)(?P<secret>\S+)",
    ),
    _rule("nhrp", r"\bnhrp\s+authentication\s+(?P<secret>\S+)"),
)
# A line of a hex dump (certificate, public key or key material between `... ` and `quit`)
HEX_DUMP = re.compile(r"^(?P<indent>\s+)(?=\S*\d)(?:[0-9A-F]{8}\s+)*[0-9A-F]{2,8}\s*$")


def mask_line(line: str) -> str:
    """`line` with every secret a rule finds replaced by MASKED."""
    if HEX_DUMP.match(line):
        return HEX_DUMP.sub(lambda m: m["indent"] + KEY_MATERIAL, line)
    for rule in MASK_RULES:
        line = rule.pattern.sub(_masker, line)
    return line


def _masker(match: re.Match[str]) -> str:
    start, end = match.span("secret")
    text = match.group(0)
    offset = match.start()
    return text[: start - offset] + MASKED + text[end - offset :]


def mask_config(text: str) -> str:
    """A running configuration with passwords, secrets, keys, communities and key material
    masked; every other line as it was."""
    return "".join(mask_line(line[:-1]) + "\n" if line.endswith("\n") else mask_line(line) for line in _lines(text))


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)
