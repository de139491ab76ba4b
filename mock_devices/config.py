"""Running/startup configuration of one switch: a small structured model for what the
migration touches (call-home, trustpoints, interfaces, hostname, license smart, ip http
client) rendered into IOS-ordered hierarchical lines, plus the `| section` / `| include`
filters that operate on those lines."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from mock_devices.pki import CaCertificate

CISCO_TAC_PROFILE = "CiscoTAC-1"
CISCO_TAC_URL = "https://tools.cisco.com/its/service/oddce/services/DDCEService"
FACTORY_CONTACT_EMAIL = "sch-smart-licensing@cisco.com"
SMART_RECEIVER_URL = "https://smartreceiver.cisco.com/licservice/license"


@dataclass
class CallHomeProfile:
    name: str
    active: bool = True
    reporting: str = "all"  # smart-licensing-data | smart-call-home-data | all
    transport_http: bool = False
    transport_email: bool = True
    http_addresses: list[str] = field(default_factory=list)
    email_addresses: list[str] = field(default_factory=list)
    msg_format: str = "xml"

    @property
    def reports_smart_licensing(self) -> bool:
        return self.reporting in ("all", "smart-licensing-data")

    def effective_http_urls(self) -> list[str]:
        if self.name == CISCO_TAC_PROFILE and not self.http_addresses:
            return [CISCO_TAC_URL]
        return list(self.http_addresses)


@dataclass
class CallHome:
    contact_email: str | None = FACTORY_CONTACT_EMAIL
    identity_check: bool = True
    source_interface: str | None = None
    vrf: str | None = None
    profiles: list[CallHomeProfile] = field(default_factory=list)

    def profile(self, name: str) -> CallHomeProfile | None:
        return next((p for p in self.profiles if p.name == name), None)


@dataclass
class Trustpoint:
    name: str
    enrollment: str | None = "terminal"  # None: no `enrollment` line (a new trustpoint on IOS)
    revocation_check: str | None = None
    subject_name: str | None = None
    rsakeypair: str | None = None
    ca_certificate: CaCertificate | None = None  # installed by `crypto pki authenticate`


@dataclass
class Interface:
    name: str
    description: str | None = None
    ip_address: str | None = None  # "10.78.1.11 255.255.255.0"
    shutdown: bool = False
    vrf_forwarding: str | None = None


@dataclass
class SwitchConfig:
    hostname: str
    version_train: str  # "16.9", "17.6" (the `version` line)
    provision: str  # "c9300-48p"
    license_boot_level: str
    interfaces: list[Interface] = field(default_factory=list)
    trustpoints: list[Trustpoint] = field(default_factory=list)
    service_call_home: bool = True
    call_home: CallHome = field(default_factory=CallHome)
    ip_http_client_source_interface: str | None = None
    slp_transport: str | None = None  # None = platform default (not rendered)
    slp_url_cslu: str | None = None
    slp_url_smart: str | None = None
    slp_vrf: str | None = None
    slp_identity_check: bool = True  # `no license smart server-identity-check` turns it off
    default_route: str = "10.78.0.1"

    def clone(self) -> SwitchConfig:
        return copy.deepcopy(self)

    def interface(self, name: str) -> Interface | None:
        return next((i for i in self.interfaces if i.name == name), None)

    def trustpoint(self, name: str) -> Trustpoint | None:
        return next((t for t in self.trustpoints if t.name == name), None)

    def trusts_ca(self, sha1: str) -> bool:
        """True when some trustpoint holds the CA certificate with this SHA1 fingerprint."""
        return any(t.ca_certificate is not None and t.ca_certificate.sha1 == sha1 for t in self.trustpoints)


_INTERFACE_PREFIXES = {
    "vlan": "Vlan",
    "gigabitethernet": "GigabitEthernet",
    "tengigabitethernet": "TenGigabitEthernet",
    "fortygigabitethernet": "FortyGigabitEthernet",
    "loopback": "Loopback",
    "port-channel": "Port-channel",
}


def normalize_interface(raw: str) -> str | None:
    """'vlan 781' / 'Vl781' / 'gi1/0/1' -> canonical IOS name; None when not an interface name."""
    compact = raw.replace(" ", "")
    m = re.fullmatch(r"([A-Za-z-]+)([0-9][0-9/.]*)", compact)
    if not m:
        return None
    prefix, number = m.group(1).lower(), m.group(2)
    hits = [full for key, full in _INTERFACE_PREFIXES.items() if key.startswith(prefix)]
    if len(hits) != 1:
        return None
    return f"{hits[0]}{number}"


# --- rendering -----------------------------------------------------------------------------


@dataclass
class Block:
    """One config line and the lines nested under it."""

    line: str
    children: list[Block] = field(default_factory=list)

    def lines(self, depth: int = 0) -> list[str]:
        out = [" " * depth + self.line]
        for child in self.children:
            out.extend(child.lines(depth + 1))
        return out


def _leaf(*lines: str) -> list[Block]:
    return [Block(line) for line in lines]


def _profile_blocks(profile: CallHomeProfile) -> Block:
    children = _leaf("active" if profile.active else "no active")
    if profile.reporting != "all":
        children += _leaf(f"reporting {profile.reporting}")
    if profile.transport_http:
        children += _leaf("destination transport-method http")
    if not profile.transport_email:
        children += _leaf("no destination transport-method email")
    children += _leaf(*(f"destination address http {url}" for url in profile.http_addresses))
    children += _leaf(*(f"destination address email {addr}" for addr in profile.email_addresses))
    if profile.msg_format != "xml":
        children += _leaf(f"destination preferred-msg-format {profile.msg_format}")
    return Block(f'profile "{profile.name}"', children)


def call_home_block(call_home: CallHome) -> Block:
    children = _leaf(
        "! If contact email address in call-home is configured as sch-smart-licensing@cisco.com",
        "! the email address configured in Cisco Smart License Portal will be used as contact email "
        "address to send SCH notifications.",
    )
    if call_home.contact_email:
        children += _leaf(f"contact-email-addr {call_home.contact_email}")
    if not call_home.identity_check:
        children += _leaf("no http secure server-identity-check")
    if call_home.source_interface:
        children += _leaf(f"source-interface {call_home.source_interface}")
    if call_home.vrf:
        children += _leaf(f"vrf {call_home.vrf}")
    children += [_profile_blocks(p) for p in call_home.profiles]
    return Block("call-home", children)


def _interface_block(interface: Interface) -> Block:
    children: list[Block] = []
    if interface.description:
        children += _leaf(f"description {interface.description}")
    if interface.vrf_forwarding:
        children += _leaf(f"vrf forwarding {interface.vrf_forwarding}")
    if interface.ip_address:
        children += _leaf(f"ip address {interface.ip_address}")
    elif interface.name.startswith(("Vlan", "GigabitEthernet0/0")):
        children += _leaf("no ip address")
    if interface.shutdown:
        children += _leaf("shutdown")
    return Block(f"interface {interface.name}", children)


def _certificate_chain_block(name: str, ca: CaCertificate) -> Block:
    """As IOS shows an authenticated CA: the DER in hex, ended by a tab-indented `quit`."""
    body = [*_leaf(*ca.hex_lines()), Block("\tquit")]
    return Block(f"crypto pki certificate chain {name}", [Block(f"certificate ca {ca.serial_hex}", body)])


# What a real configuration holds and fleetreg must never write to disk unmasked: every switch's
# running config carries these (tests search the runs folder for them).
ENABLE_SECRET_HASH = "$9$mockEnableSalt$ZEBRAenableHASHqu4rtzB4s4ltOkapi7731xyz"
USER_SECRET_HASH = "$9$mockUserSalt$NARWHALuserHASHm4rbleGr4n1teIbex2208abc"
SNMP_COMMUNITY = "S3cr3tCommunity-MOCK-ro"
TACACS_KEY7 = "0822455D0A16544541MOCK"
SENSITIVE_VALUES = (ENABLE_SECRET_HASH, USER_SECRET_HASH, SNMP_COMMUNITY, TACACS_KEY7)


def _bang(count: int = 1) -> list[Block]:
    return [Block("!") for _ in range(count)]


def config_blocks(cfg: SwitchConfig) -> list[Block]:
    """The whole configuration as top-level blocks, in the order a Catalyst 9k prints it."""
    blocks = _leaf(
        f"version {cfg.version_train}",
        "service timestamps debug datetime msec",
        "service timestamps log datetime msec",
    )
    if cfg.service_call_home:
        blocks += _leaf("! Call-home is enabled by Smart-Licensing.", "service call-home")
    blocks += _leaf("platform punt-keepalive disable-kernel-core")
    blocks += [*_bang(), Block(f"hostname {cfg.hostname}"), *_bang()]
    blocks += [Block(f"enable secret 9 {ENABLE_SECRET_HASH}"), *_bang()]
    blocks += [
        Block(
            "vrf definition Mgmt-vrf",
            [
                Block("!"),
                Block("address-family ipv4"),
                Block("exit-address-family"),
                Block("!"),
                Block("address-family ipv6"),
                Block("exit-address-family"),
            ],
        ),
        *_bang(2),
    ]
    blocks += _leaf("no aaa new-model", f"switch 1 provision {cfg.provision}")
    blocks += [*_bang(), Block("ip routing"), *_bang(), Block("login on-success log"), *_bang()]
    blocks += [Block(f"username netops privilege 15 secret 9 {USER_SECRET_HASH}"), *_bang()]
    for tp in cfg.trustpoints:
        children = _leaf(f"enrollment {tp.enrollment}") if tp.enrollment else []
        if tp.subject_name:
            children += _leaf(f"subject-name {tp.subject_name}")
        if tp.revocation_check:
            children += _leaf(f"revocation-check {tp.revocation_check}")
        if tp.rsakeypair:
            children += _leaf(f"rsakeypair {tp.rsakeypair}")
        blocks += [Block(f"crypto pki trustpoint {tp.name}", children), *_bang()]
    blocks += _bang()
    for tp in cfg.trustpoints:
        if tp.ca_certificate is not None:
            blocks.append(_certificate_chain_block(tp.name, tp.ca_certificate))
        elif tp.name == "SLA-TrustPoint":
            blocks.append(
                Block(f"crypto pki certificate chain {tp.name}", _leaf("certificate ca 01 nvram:CiscoLicensi#1CA.cer"))
            )
        elif tp.name.startswith("TP-self-signed-"):
            blocks.append(
                Block(
                    f"crypto pki certificate chain {tp.name}",
                    _leaf("certificate self-signed 01 nvram:IOS-Self-Sig#21.cer"),
                )
            )
    blocks += [*_bang(), Block(f"license boot level {cfg.license_boot_level}")]
    if cfg.slp_transport:
        blocks.append(Block(f"license smart transport {cfg.slp_transport}"))
    if cfg.slp_url_cslu:
        blocks.append(Block(f"license smart url cslu {cfg.slp_url_cslu}"))
    if cfg.slp_url_smart:
        blocks.append(Block(f"license smart url smart {cfg.slp_url_smart}"))
    if cfg.slp_vrf:
        blocks.append(Block(f"license smart vrf {cfg.slp_vrf}"))
    if not cfg.slp_identity_check:
        blocks.append(Block("no license smart server-identity-check"))
    blocks += [*_bang(2), Block("diagnostic bootup level minimal"), *_bang()]
    blocks += _leaf("spanning-tree mode rapid-pvst", "spanning-tree extend system-id")
    blocks += [*_bang(2), Block("redundancy", _leaf("mode sso")), *_bang(2)]
    for interface in cfg.interfaces:
        blocks += [_interface_block(interface), *_bang()]
    blocks += _leaf("ip forward-protocol nd", "ip http server", "ip http authentication local", "ip http secure-server")
    if cfg.ip_http_client_source_interface:
        blocks.append(Block(f"ip http client source-interface {cfg.ip_http_client_source_interface}"))
    blocks += _leaf(f"ip route 0.0.0.0 0.0.0.0 {cfg.default_route}", "ip ssh version 2")
    blocks += [*_bang(), Block(f"snmp-server community {SNMP_COMMUNITY} RO")]
    blocks += [Block("tacacs server ISE-1", _leaf("address ipv4 192.0.2.10", f"key 7 {TACACS_KEY7}"))]
    blocks += [*_bang(2), Block("control-plane", _leaf("service-policy input system-cpp-policy")), *_bang(2)]
    blocks += [
        Block("line con 0", _leaf("stopbits 1")),
        Block("line aux 0"),
        Block("line vty 0 4", _leaf("login local", "transport input ssh")),
        Block("line vty 5 15", _leaf("login local", "transport input ssh")),
        *_bang(),
    ]
    blocks += [call_home_block(cfg.call_home), *_bang(6), Block("end")]
    return blocks


def config_body(cfg: SwitchConfig) -> str:
    return "\n".join(line for block in config_blocks(cfg) for line in block.lines()) + "\n"


def render_running_config(cfg: SwitchConfig, last_change: str, nvram_updated: str | None = None) -> str:
    """IOS prints when the config last changed and, once it was saved, when NVRAM was updated:
    engineers (and fleetreg) tell unsaved changes from those two lines."""
    body = config_body(cfg)
    saved = f"! NVRAM config last updated at {nvram_updated}\n" if nvram_updated else ""
    header = f"!\n! Last configuration change at {last_change}\n{saved}!\n"
    total = len(header) + len(body)
    return f"Building configuration...\n\nCurrent configuration : {total} bytes\n{header}{body}"


def render_startup_config(cfg: SwitchConfig, saved_at: str) -> str:
    body = config_body(cfg)
    header = f"!\n! Last configuration change at {saved_at}\n!\n"
    return f"Using {len(header) + len(body)} out of 2097152 bytes\n{header}{body}"


# --- output filters (`| include X`, `| section X`, ...) ----------------------------------


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error:
        return re.compile(re.escape(pattern))


def filter_include(text: str, pattern: str, *, exclude: bool = False) -> str:
    regex = _compile(pattern)
    kept = [line for line in text.splitlines() if bool(regex.search(line)) != exclude]
    return "".join(f"{line}\n" for line in kept)


def filter_begin(text: str, pattern: str) -> str:
    regex = _compile(pattern)
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if regex.search(line):
            return "".join(f"{kept}\n" for kept in lines[index:])
    return ""


def filter_count(text: str, pattern: str) -> str:
    regex = _compile(pattern)
    return f"Number of lines which match regexp = {sum(1 for line in text.splitlines() if regex.search(line))}\n"


def _parse_sections(text: str) -> list[tuple[str, list[str]]]:
    """Split text into top-level lines and the indented lines under them."""
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith(" ") and sections:
            sections[-1][1].append(line)
        else:
            sections.append((line, []))
    return sections


def filter_section(text: str, pattern: str) -> str:
    """IOS `| section`: a top-level line matching prints with everything nested under it; a
    section whose nested line matches prints its header and the matching lines."""
    regex = _compile(pattern)
    out: list[str] = []
    for header, body in _parse_sections(text):
        if regex.search(header):
            out += [header, *body]
        else:
            hits = [line for line in body if regex.search(line)]
            if hits:
                out += [header, *hits]
    return "".join(f"{line}\n" for line in out)
