"""Call-home, trustpoint and `license smart` settings from `show running-config` (full, or
`| section call-home`), read through hier_config's parsed tree rather than regexes over the text."""

from __future__ import annotations

import re

from fleetreg.core.config_change import RELEVANT_PREFIXES
from fleetreg.core.errors import ParseError
from fleetreg.core.parsing.models import CallHomeConfig, CallHomeProfileConfig, TrustpointConfig
from hier_config import HConfig, HConfigChild, Platform, get_hconfig, get_hconfig_driver
from hier_config.platforms.driver_base import HConfigDriverBase

_CONFIG_BANNERS = ("Building configuration", "Current configuration")
_CALL_HOME = "call-home"
_A_COMMENT = " ! a comment inside a section"


def sections_driver() -> HConfigDriverBase:
    """IOS's driver for the sections read here. Of its per-line rules, each a regex call per
    line, only the comment rule can match them (the others remove the header, `version`,
    `end`, address-family exits...): at three parses per switch the rest cost 1.3 ms. The rules
    are the driver's public `rules`, trimmed as hier_config documents."""
    driver = get_hconfig_driver(Platform.CISCO_IOS)
    driver.rules.per_line_sub[:] = [rule for rule in driver.rules.per_line_sub if re.match(rule.search, _A_COMMENT)]
    return driver


_DRIVER = sections_driver()  # built once: its rules cost more than a small parse


def parse_callhome_config(
    lines: list[str], *, command: str, section_only: bool, host: str | None = None
) -> CallHomeConfig:
    body = [line for line in lines if not line.startswith(_CONFIG_BANNERS)]
    _check_config_lines(body, command=command, section_only=section_only, host=host)
    # hier_config costs ~15 ms on a whole switch config; the sections read here are a few lines
    tree = get_hconfig(_DRIVER, "\n".join(_sections_read(body)))
    callhome = tree.get_child(equals=_CALL_HOME)
    return CallHomeConfig(
        callhome_present=callhome is not None,
        service_call_home=tree.get_child(equals="service call-home") is not None,
        contact_email=_argument(callhome, "contact-email-addr "),
        vrf=_argument(callhome, "vrf "),
        source_interface=_argument(callhome, "source-interface "),
        server_identity_check=callhome is None
        or callhome.get_child(equals="no http secure server-identity-check") is None,
        profiles=[_profile(child) for child in _children_starting(callhome, "profile ")],
        http_client_source_interface=_argument(tree, "ip http client source-interface "),
        http_client_vrf=_argument(tree, "ip http client vrf "),
        trustpoints=[_trustpoint(child) for child in _children_starting(tree, "crypto pki trustpoint ")],
        license_smart_transport=_argument(tree, "license smart transport "),
        license_smart_url_cslu=_argument(tree, "license smart url cslu "),
        license_smart_url_smart=_argument(tree, "license smart url smart ") or _plain_smart_url(tree),
        license_smart_vrf=_argument(tree, "license smart vrf "),
        callhome_lines=callhome_section_lines(body),
        last_change=_config_time(body, "! Last configuration change at "),
        nvram_updated=_config_time(body, "! NVRAM config last updated at "),
    )


def _config_time(lines: list[str], prefix: str) -> str | None:
    for line in lines:
        if line.startswith(prefix):
            return line[len(prefix) :].split(" by ")[0].strip() or None
    return None


def _sections_read(lines: list[str]) -> list[str]:
    """The top-level sections this parser reads (with their indented children), in order."""
    kept: list[str] = []
    keep = False
    for line in lines:
        if line and not line[0].isspace():
            keep = line.startswith(RELEVANT_PREFIXES)
        if keep:
            kept.append(line)
    return kept


def callhome_section_lines(lines: list[str]) -> list[str]:
    """The `call-home` block exactly as the switch printed it (comments included), for backups."""
    section: list[str] = []
    inside = False
    for line in lines:
        if line == _CALL_HOME:
            inside = True
            section.append(line)
        elif inside and line.startswith(" "):
            section.append(line)
        elif inside:
            break
    return section


def _check_config_lines(lines: list[str], *, command: str, section_only: bool, host: str | None) -> None:
    top_level = [line for line in lines if line and not line[0].isspace() and not line.startswith("!")]
    for line in lines:
        if line.lstrip().startswith("%"):
            raise ParseError("switch rejected the command", command=command, unexpected_line=line, host=host)
    if section_only:
        # `| section call-home` prints only top-level lines containing "call-home" and their children.
        for line in top_level:
            if _CALL_HOME not in line:
                raise ParseError("line outside a call-home section", command=command, unexpected_line=line, host=host)
        return
    if not any(line.startswith(("version ", "hostname ")) for line in top_level):
        first = next((line for line in lines if line.strip()), None)
        raise ParseError(
            "not a running configuration (no version/hostname line)", command=command, unexpected_line=first, host=host
        )


_Node = HConfig | HConfigChild | None


def _children_starting(parent: _Node, prefix: str) -> list[HConfigChild]:
    if parent is None:
        return []
    return [child for child in parent.children if child.text.startswith(prefix)]


def _argument(parent: _Node, prefix: str) -> str | None:
    matches = _children_starting(parent, prefix)
    return matches[-1].text[len(prefix) :].strip() if matches else None


def _plain_smart_url(tree: HConfig) -> str | None:
    # 16.12 `license smart url https://...` (no transport keyword) sets the Smart transport URL.
    url = _argument(tree, "license smart url ")
    if url is None or url.split()[0] in {"cslu", "smart", "utility", "default"}:
        return None
    return url


def _profile(node: HConfigChild) -> CallHomeProfileConfig:
    name = node.text[len("profile ") :].strip().strip('"')
    texts = {child.text for child in node.children}
    reporting = {text for text in texts if text.startswith("reporting ")}
    # With no `reporting` line IOS reports both Smart Call Home and Smart Licensing data.
    report_all = not reporting or "reporting all" in reporting
    return CallHomeProfileConfig(
        name=name,
        active="no active" not in texts,
        reporting_smart_licensing=report_all or "reporting smart-licensing-data" in reporting,
        reporting_smart_call_home=report_all or "reporting smart-call-home-data" in reporting,
        transport_http="destination transport-method http" in texts,
        transport_email="no destination transport-method email" not in texts,
        http_addresses=[
            child.text[len("destination address http ") :].strip()
            for child in node.children
            if child.text.startswith("destination address http ")
        ],
        message_format=_argument(node, "destination preferred-msg-format "),
    )


def _trustpoint(node: HConfigChild) -> TrustpointConfig:
    return TrustpointConfig(
        name=node.text[len("crypto pki trustpoint ") :].strip(),
        enrollment=_argument(node, "enrollment "),
        revocation_check=_argument(node, "revocation-check "),
    )
