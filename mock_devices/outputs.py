"""Text renderers for the show commands, in the formats of the real outputs in
shared/samples (see SOURCES.md there). Pure: state in, text out ("\n" line endings)."""

from __future__ import annotations

import datetime as dt

from mock_devices.config import CISCO_TAC_PROFILE, SMART_RECEIVER_URL, CallHomeProfile, SwitchConfig
from mock_devices.licensing import (
    DAY,
    ClassicLicensing,
    SlpLicensing,
    duration_text,
    effective_slp_transport,
    ios_time,
    smart_licensing_profile,
)
from mock_devices.pki import CaCertificate
from mock_devices.platform import Hardware, ImageProfile, config_version, image_profile, long_version, train_name

_PORTS = {"C9200L-48P-4X": 52, "C9300-48P": 64, "C9300-24P": 40, "C9500-40X": 50}
USAGE_RULE = "  " + "-" * 77


def _lines(*lines: str) -> str:
    return "".join(f"{line}\n" for line in lines)


def uptime_text(seconds: float) -> str:
    """'1 year, 22 weeks, 6 days, 9 hours, 38 minutes'."""
    total_min = int(seconds) // 60
    parts = []
    for name, size in (("year", 525600), ("week", 10080), ("day", 1440), ("hour", 60), ("minute", 1)):
        value, total_min = divmod(total_min, size)
        if value or name == "minute":
            parts.append(f"{value} {name}{'' if value == 1 else 's'}")
    return ", ".join(parts)


def classic_status_word(lic: ClassicLicensing) -> str:
    """The `Smart Licensing Status:` value of show version on classic images."""
    registration = "REGISTERED" if lic.registered else "UNREGISTERED"
    return f"{registration}/{lic.authorization}"


# --- show version ----------------------------------------------------------------------------


def show_version(hw: Hardware, hostname: str, lic: ClassicLicensing | None, uptime_s: float) -> str:
    info = hw.info
    table_version = hw.version if hw.version.startswith("16.") else long_version(hw.version)
    status_line = ["", f"Smart Licensing Status: {classic_status_word(lic)}"] if lic is not None else []
    year = "2024" if hw.profile.newer_forms else "2023" if hw.version.startswith("17.") else "2019"
    return _lines(
        f"Cisco IOS XE Software, Version {long_version(hw.version)}",
        f"Cisco IOS Software [{train_name(hw.version)}], Catalyst L3 Switch Software (CAT9K_IOSXE), "
        f"Version {hw.version}, RELEASE SOFTWARE (fc2)",
        "Technical Support: http://www.cisco.com/techsupport",
        f"Copyright (c) 1986-{year} by Cisco Systems, Inc.",
        f"Compiled Wed 20-Mar-{year[2:]} 08:02 by mcpre",
        "",
        "",
        f"Cisco IOS-XE software, Copyright (c) 2005-{year} by cisco Systems, Inc.",
        "All rights reserved.  Certain components of Cisco IOS-XE software are",
        'licensed under the GNU General Public License ("GPL") Version 2.0.  The',
        "software code licensed under GPL Version 2.0 is free software that comes",
        "with ABSOLUTELY NO WARRANTY.  You can redistribute and/or modify such",
        "GPL code under the terms of GPL Version 2.0.  For more details, see the",
        'documentation or "License Notice" file accompanying the IOS-XE software,',
        "or the applicable URL provided on the flyer accompanying the IOS-XE",
        "software.",
        "",
        "",
        "ROM: IOS-XE ROMMON",
        f"BOOTLDR: System Bootstrap, Version {config_version(hw.version)}.1r [FC2], RELEASE SOFTWARE (P)",
        "",
        f"{hostname} uptime is {uptime_text(uptime_s)}",
        f"Uptime for this control processor is {uptime_text(uptime_s + 360)}",
        "System returned to ROM by Reload Command",
        'System image file is "flash:packages.conf"',
        "Last reload reason: Reload Command",
        "",
        "",
        "",
        "This product contains cryptographic features and is subject to United",
        "States and local country laws governing import, export, transfer and",
        "use. Delivery of Cisco cryptographic products does not imply",
        "third-party authority to import, export, distribute or use encryption.",
        "Importers, exporters, distributors and users are responsible for",
        "compliance with U.S. and local country laws. By using this product you",
        "agree to comply with applicable laws and regulations. If you are unable",
        "to comply with U.S. and local laws, return this product immediately.",
        "",
        "A summary of U.S. laws governing Cisco cryptographic products may be found at:",
        "http://www.cisco.com/wwl/export/crypto/tool/stqrg.html",
        "",
        "If you require further assistance please contact us by sending email to",
        "export@cisco.com.",
        "",
        "",
        "Technology Package License Information: ",
        "",
        "-" * 78,
        "Technology-package                                     Technology-package",
        "Current                        Type                       Next reboot  ",
        "-" * 78,
        f"{info.network_license:<23} {'Smart License':<32} {info.network_license:<20}",
        f"{info.dna_license:<23} {'Subscription Smart License':<32} {info.dna_license:<30}",
        "",
        *status_line,
        "",
        f"cisco {hw.model} (X86) processor with {info.memory} bytes of memory.",
        f"Processor board ID {hw.serial}",
        *info.port_lines,
        "2048K bytes of non-volatile configuration memory.",
        "16777216K bytes of physical memory.",
        "1638400K bytes of Crash Files at crashinfo:.",
        "11264000K bytes of Flash at flash:.",
        "0K bytes of WebUI ODM Files at webui:.",
        "",
        f"Base Ethernet MAC Address          : {hw.mac}",
        "Motherboard Assembly Number        : 73-18140-03",
        f"Motherboard Serial Number          : {hw.board_serial}",
        "Model Revision Number              : D0",
        "Motherboard Revision Number        : B0",
        f"Model Number                       : {hw.model}",
        f"System Serial Number               : {hw.serial}",
        "",
        "",
        "Switch Ports Model              SW Version        SW Image              Mode   ",
        "------ ----- -----              ----------        ----------            ----   ",
        f"*    1 {_PORTS.get(hw.model, 52):<5} {hw.model:<18} {table_version:<17} {'CAT9K_IOSXE':<21} INSTALL",
        "",
        "",
        "Configuration register is 0x102",
    )


# --- classic Smart Licensing -----------------------------------------------------------------


def _classic_registration(lic: ClassicLicensing, now_wall: float, *, summary: bool) -> list[str]:
    if lic.status == "REGISTERED":
        assert lic.registered_wall is not None
        reg = lic.registered_wall
        export = "ALLOWED" if lic.export_allowed else "NOT ALLOWED"
        lines = [
            "  Status: REGISTERED",
            f"  Smart Account: {lic.smart_account}",
            f"  Virtual Account: {lic.virtual_account}",
            f"  Export-Controlled Functionality: {export}",
        ]
        if not summary:
            lines.append(f"  Initial Registration: SUCCEEDED on {ios_time(reg)}")
        lines += ["  Last Renewal Attempt: None", f"  Next Renewal Attempt: {ios_time(reg + 180 * DAY)}"]
        if not summary:
            lines.append(f"  Registration Expires: {ios_time(reg + 365 * DAY - 314)}")
        return lines
    if lic.status == "REGISTRATION IN PROGRESS":
        lines = ["  Status: REGISTRATION IN PROGRESS", "  Export-Controlled Functionality: Not Allowed"]
        if not summary:
            lines.append("  Initial Registration: First Attempt Pending")
        return lines
    if lic.status == "FAILED":
        assert lic.failed_wall is not None
        lines = ["  Status: UNREGISTERED - REGISTRATION FAILED", "  Export-Controlled Functionality: Not Allowed"]
        lines += [
            f"  Initial Registration: FAILED on {ios_time(lic.failed_wall)}",
            f"    Failure reason: {lic.failure_reason}",
        ]
        return lines
    return ["  Status: UNREGISTERED", "  Export-Controlled Functionality: Not Allowed"]


def _classic_authorization(lic: ClassicLicensing, now_wall: float, *, summary: bool) -> list[str]:
    if lic.registered and lic.authorized_wall is not None:
        auth = lic.authorized_wall
        next_attempt = auth + (12 * 3600 if lic.authorization == "OUT OF COMPLIANCE" else 30 * DAY)
        if summary:
            return [
                f"  Status: {lic.authorization}",
                "  Last Communication Attempt: SUCCEEDED",
                f"  Next Communication Attempt: {ios_time(next_attempt)}",
            ]
        return [
            f"  Status: {lic.authorization} on {ios_time(auth)}",
            f"  Last Communication Attempt: SUCCEEDED on {ios_time(auth)}",
            f"  Next Communication Attempt: {ios_time(next_attempt)}",
            f"  Communication Deadline: {ios_time(auth + 90 * DAY - 266)}",
        ]
    lines = [f"  Status: {lic.authorization}"]
    if lic.authorization == "EVAL MODE":
        lines.append(f"  Evaluation Period Remaining: {duration_text(lic.eval_remaining(now_wall))}")
    return lines


def _usage_row(name: str, tag: str, count: int, status: str) -> str:
    if len(name) > 23:
        name = name[:20] + "..."
    if len(tag) > 25:
        tag = tag[:22] + "..."
    return f"  {name:<24}{'(' + tag + ')':<30}{count:>5} {status}"


def _classic_usage(hw: Hardware, lic: ClassicLicensing) -> list[str]:
    info = hw.info
    status = lic.authorization
    names = (info.network_tag, info.dna_tag) if lic.registered else ("", "")
    return [
        "  License                 Entitlement tag               Count Status",
        USAGE_RULE,
        _usage_row(names[0], info.network_tag, 1, status),
        _usage_row(names[1], info.dna_tag, 1, status),
    ]


def classic_license_status(lic: ClassicLicensing, now_wall: float) -> str:
    return _lines(
        "Smart Licensing is ENABLED",
        "",
        "Utility:",
        "  Status: DISABLED",
        "",
        "Data Privacy:",
        "  Sending Hostname: yes",
        "    Callhome hostname privacy: DISABLED",
        "    Smart Licensing hostname privacy: DISABLED",
        "  Version privacy: DISABLED",
        "",
        "Transport:",
        "  Type: Callhome",
        "",
        "Registration:",
        *_classic_registration(lic, now_wall, summary=False),
        "",
        "License Authorization: ",
        *_classic_authorization(lic, now_wall, summary=False),
        "",
        "Export Authorization Key:",
        "  Features Authorized:",
        "    <none>",
        "",
        "Miscellaneous:",
        "  Custom Id: <empty>",
    )


def classic_license_summary(hw: Hardware, lic: ClassicLicensing, now_wall: float) -> str:
    return _lines(
        "Smart Licensing is ENABLED",
        "",
        "Registration:",
        *_classic_registration(lic, now_wall, summary=True),
        "",
        "License Authorization: ",
        *_classic_authorization(lic, now_wall, summary=True),
        "",
        "License Usage:",
        *_classic_usage(hw, lic),
    )


def classic_license_all(hw: Hardware, lic: ClassicLicensing, now_wall: float) -> str:
    info = hw.info
    usage: list[str] = []
    for tag in (info.network_tag, info.dna_tag):
        usage += [
            f"({tag}):",
            f"  Description: {tag}",
            "  Count: 1",
            "  Version: 1.0",
            f"  Status: {lic.authorization}",
            "  Export status: NOT RESTRICTED",
            "",
        ]
    body = classic_license_status(lic, now_wall)
    return (
        "Smart Licensing Status\n======================\n\n"
        + body
        + _lines(
            "",
            "License Usage",
            "==============",
            "",
            *usage,
            "Product Information",
            "===================",
            f"UDI: PID:{hw.model},SN:{hw.serial}",
            "",
            "Agent Version",
            "=============",
            "Smart Agent for Licensing: 4.4.13_rel/116",
            "",
            "Reservation Info",
            "================",
            "License reservation: DISABLED",
        )
    )


# --- Smart Licensing Using Policy ------------------------------------------------------------


def _slp_account(slp: SlpLicensing) -> list[str]:
    if slp.smart_account and slp.account_as_of_wall:
        return [
            f"  Smart Account: {slp.smart_account} As of {ios_time(slp.account_as_of_wall)}",
            f"  Virtual Account: {slp.virtual_account}",
        ]
    return ["  Smart Account: <none>", "  Virtual Account: <none>"]


def _slp_transport(cfg: SwitchConfig, profile: ImageProfile) -> list[str]:
    transport = effective_slp_transport(cfg)
    if profile.newer_forms:  # 17.12+: one line, <empty> when unset
        vrf = [f"  VRF: {cfg.slp_vrf or '<empty>'}"]
    else:
        vrf = ["  VRF:", f"    {cfg.slp_vrf or 'Not Configured'}"]
    proxy = ["  Proxy:", "    Not Configured"]
    if transport == "cslu":
        return ["  Type: cslu", f"  Cslu address: {cfg.slp_url_cslu or '<empty>'}", *proxy, *vrf]
    if transport == "smart":
        return ["  Type: Smart", f"  URL: {cfg.slp_url_smart or SMART_RECEIVER_URL}", *proxy, *vrf]
    if transport == "off":
        return ["  Type: Transport Off"]
    if transport == "callhome":
        return ["  Type: Callhome"]
    return ["  Type: Automatic"]


def _slp_policy(slp: SlpLicensing) -> list[str]:
    if slp.policy_installed_wall is None:
        head, src = ["  Policy in use: Merged from multiple sources."], "CISCO default"
        values = ((365, 0, 90), (90, 90, 90), (0, 0, 0), (0, 0, 0))
    else:
        head = [f"  Policy in use: Installed On {ios_time(slp.policy_installed_wall)}", "  Policy name: SLE Policy"]
        src = "Customer Policy"
        values = ((365, 0, 90), (90, 90, 90), (365, 90, 90), (365, 90, 90))
    lines = [*head, f"  Reporting ACK required: yes ({src})"]
    groups = (
        "Unenforced/Non-Export Perpetual Attributes:",
        "Unenforced/Non-Export Subscription Attributes:",
        "Enforced (Perpetual/Subscription) License Attributes:",
        "Export (Perpetual/Subscription) License Attributes:",
    )
    for group, (first, freq, change) in zip(groups, values, strict=True):
        lines += [
            f"  {group}",
            f"    First report requirement (days): {first} ({src})",
            f"    Reporting frequency (days): {freq} ({src})",
            f"    Report on change (days): {change} ({src})",
        ]
    return lines


def _slp_usage_reporting(slp: SlpLicensing) -> list[str]:
    def t(value: float | None) -> str:
        return ios_time(value) if value is not None else "<none>"

    push = slp.last_report_push_wall
    return [
        f"  Last ACK received: {t(slp.last_ack_wall)}",
        f"  Next ACK deadline: {t(slp.last_ack_wall + 90 * DAY if slp.last_ack_wall else None)}",
        "  Reporting push interval: 30  days",
        "  Next ACK push check: <none>",
        f"  Next report push: {t(push + 30 * DAY if push else None)}",
        f"  Last report push: {t(push)}",
        "  Last report file write: <none>",
    ]


TELEMETRY_SUMMARY = [
    "Device Telemetry Report Summary:",
    "================================",
    "Data Channel: AVAILABLE",
    "Reports on disk: 0",
]


def _slp_status_sections(cfg: SwitchConfig, slp: SlpLicensing, profile: ImageProfile) -> dict[str, list[str]]:
    trust = ios_time(slp.trust_installed_wall) if slp.trust_installed_wall else "<none>"
    return {
        "utility": ["Utility:", "  Status: DISABLED"],
        "slp": ["Smart Licensing Using Policy:", "  Status: ENABLED"],
        "account": ["Account Information:", *_slp_account(slp)],
        "privacy": [
            "Data Privacy:",
            "  Sending Hostname: yes",
            "    Callhome hostname privacy: DISABLED",
            "    Smart Licensing hostname privacy: DISABLED",
            "  Version privacy: DISABLED",
        ],
        "transport": ["Transport:", *_slp_transport(cfg, profile)],
        "policy": ["Policy:", *_slp_policy(slp)],
        "misc": ["Miscellaneous:", "  Custom Id: <empty>"],
        "usage": ["Usage Reporting:", *_slp_usage_reporting(slp)],
        "trust": [f"Trust Code Installed: {trust}"],
        "telemetry": TELEMETRY_SUMMARY if profile.newer_forms else [],
    }


def _join_sections(sections: list[list[str]]) -> str:
    out: list[str] = []
    for section in sections:
        if out:
            out.append("")
        out += section
    return _lines(*out)


def slp_license_status(cfg: SwitchConfig, slp: SlpLicensing, profile: ImageProfile | None = None) -> str:
    """`show license status` on an SLP image (17.12+ ends with the Device Telemetry Report Summary)."""
    s = _slp_status_sections(cfg, slp, profile or image_profile("17.9.4"))
    order = ("utility", "slp", "account", "privacy", "transport", "policy", "misc", "usage", "trust", "telemetry")
    return _join_sections([s[name] for name in order if s[name]])


def _slp_usage_rows(hw: Hardware) -> list[str]:
    info = hw.info
    return [
        "  License                 Entitlement Tag               Count Status",
        USAGE_RULE,
        _usage_row(info.network_license, info.network_tag, 1, "IN USE"),
        _usage_row(info.dna_license, info.dna_tag, 1, "IN USE"),
    ]


def slp_license_summary(hw: Hardware, slp: SlpLicensing) -> str:
    return _lines("Account Information:", *_slp_account(slp), "", "License Usage:", *_slp_usage_rows(hw))


LICENSE_CONVERSION = [
    "License Conversion:",
    "  Automatic Conversion Enabled: False",
    "  Last Data Push: <none>",
    "  Last File Export: <none>",
]


def _usage_report_summary(slp: SlpLicensing) -> list[str]:
    acked = 1 if slp.last_ack_wall else 0
    waiting = 1 if slp.pending is not None else 0
    return [
        "Usage Report Summary:",
        "=====================",
        f"Total: {acked + waiting + 1},  Purged: 0",
        f"Total Acknowledged Received: {acked},  Waiting for Ack: {waiting}",
        "Available to Report: 1  Collecting Data: 2",
    ]


def slp_license_all(hw: Hardware, cfg: SwitchConfig, slp: SlpLicensing) -> str:
    info = hw.info
    profile = hw.profile
    s = _slp_status_sections(cfg, slp, profile)
    head = [
        ["Smart Licensing Status", "======================"],
        ["Smart Licensing is ENABLED"],
        LICENSE_CONVERSION if profile.newer_forms else [],
        ["Export Authorization Key:", "  Features Authorized:", "    <none>"],
    ]
    if profile.newer_forms:
        s["slp"] = [*s["slp"], "  Reporting Mode: STANDARD"]
    order = ("utility", "slp", "account", "privacy", "transport", "misc", "policy", "usage", "trust")
    usage: list[str] = ["License Usage", "============="]
    for name, tag, kind in (
        (info.network_license, info.network_tag, "Perpetual"),
        (info.dna_license, info.dna_tag, "Subscription"),
    ):
        usage += [
            "",
            f"{name} ({tag}):",
            f"  Description: {tag}",
            "  Count: 1",
            "  Version: 1.0",
            "  Status: IN USE",
            "  Export status: NOT RESTRICTED",
            f"  Feature Name: {name}",
            f"  Feature Description: {name}",
            "  Enforcement type: NOT ENFORCED",
            f"  License type: {kind}",
        ]
    pushes = ["Last Data Push: <none>", "Last File Export: <none>", ""] if profile.newer_forms else []
    tail = [
        usage,
        ["Product Information", "===================", f"UDI: PID:{hw.model},SN:{hw.serial}"],
        ["Agent Version", "=============", f"Smart Agent for Licensing: {profile.agent_version}"],
        [
            "License Authorizations",
            "======================",
            *pushes,
            "Overall status:",
            f"  Active: PID:{hw.model},SN:{hw.serial}",
            "    Status: NOT INSTALLED",
        ],
    ]
    if profile.newer_forms:
        tail += [
            ["Purchased Licenses:", "  No Purchase Information Available"],
            _usage_report_summary(slp),
            TELEMETRY_SUMMARY,
        ]
    return _join_sections([section for section in (*head, *[s[name] for name in order], *tail) if section])


# --- call-home -------------------------------------------------------------------------------


def _or_unset(value: str | None) -> str:
    return value if value else "Not yet set up"


def show_call_home(cfg: SwitchConfig) -> str:
    ch = cfg.call_home
    sl_profile = smart_licensing_profile(cfg)
    sl_lines = (
        ["    Smart licensing messages: enabled", f"    Profile: {sl_profile.name} (status: ACTIVE)"]
        if sl_profile is not None
        else ["    Smart licensing messages: disabled"]
    )
    tac = ch.profile(CISCO_TAC_PROFILE)
    tac_status = "ACTIVE" if tac is not None and tac.active else "INACTIVE"
    return _lines(
        "Current call home settings:",
        f"    call home feature : {'enable' if cfg.service_call_home else 'disable'}",
        "    call home message's from address: Not yet set up",
        "    call home message's reply-to address: Not yet set up",
        "",
        f"    vrf for call-home messages: {_or_unset(ch.vrf)}",
        "",
        f"    contact person's email address: {_or_unset(ch.contact_email)}",
        "",
        "    contact person's phone number: Not yet set up",
        "    street address: Not yet set up",
        "    customer ID: Not yet set up",
        "    contract ID: Not yet set up",
        "    site ID: Not yet set up",
        "",
        "    source ip address: Not yet set up",
        f"    source interface: {_or_unset(ch.source_interface)}",
        "    Mail-server: Not yet set up",
        "    http proxy: Not yet set up",
        "    http secure:",
        f"      server identity check: {'enabled' if ch.identity_check else 'disabled'}",
        "    http resolve-hostname: default",
        "",
        "    Diagnostic signature: enabled",
        f"    Profile: {CISCO_TAC_PROFILE} (status: {tac_status})",
        "",
        *sl_lines,
        "",
        "    aaa-authorization: disable",
        "    aaa-authorization username: callhome (default)",
        "    data-privacy: normal",
        "    syslog throttling: enable",
        "",
        "    Rate-limit: 20 message(s) per minute",
        "",
        "    Snapshot command: Not yet set up",
        "",
        "Available alert groups:",
        "    Keyword                  State   Description",
        "    ------------------------ ------- -------------------------------",
        "    configuration            Enable  configuration info",
        "    crash                    Enable  crash and traceback info",
        "    inventory                Enable  inventory info",
        "    snapshot                 Enable  snapshot info",
        "    syslog                   Enable  syslog info",
        "",
        "Profiles:",
        *(f"    Profile Name: {p.name}" for p in ch.profiles),
    )


def _transport_method(profile: CallHomeProfile) -> str:
    """`http`, `email`, or `http and email` for a user profile that sends both ways (CiscoTAC-1
    shows its one method: http once `destination transport-method http` is set)."""
    if profile.transport_http and profile.transport_email and profile.name != CISCO_TAC_PROFILE:
        return "http and email"
    return "http" if profile.transport_http else "email"


def _reporting_text(profile: CallHomeProfile) -> str:
    return {
        "all": "Smart Call Home, Smart Licensing",
        "smart-licensing-data": "Smart Licensing",
        "smart-call-home-data": "Smart Call Home",
    }[profile.reporting]


def _profile_lines(profile: CallHomeProfile) -> list[str]:
    lines = [
        f"Profile Name: {profile.name}",
        f"    Profile status: {'ACTIVE' if profile.active else 'INACTIVE'}",
        "    Profile mode: Full Reporting",
        f"    Reporting Data: {_reporting_text(profile)}",
        f"    Preferred Message Format: {profile.msg_format}",
        "    Message Size Limit: 3145728 Bytes",
        f"    Transport Method: {_transport_method(profile)}",
    ]
    if profile.name == CISCO_TAC_PROFILE:
        lines += [f"    HTTP  address: {profile.effective_http_urls()[0]}", "    Other address(es): default"]
    else:
        if profile.transport_http:
            urls = profile.http_addresses or ["Not yet set up"]
            lines.append(f"    HTTP  address(es): {urls[0]}")
            lines += [f"                       {url}" for url in urls[1:]]
        if profile.transport_email or not profile.transport_http:
            emails = profile.email_addresses or ["Not yet set up"]
            lines.append(f"    Email address(es): {emails[0]}")
            lines += [f"                       {email}" for email in emails[1:]]
    if profile.name == CISCO_TAC_PROFILE:
        lines += [
            "",
            "    Periodic configuration info message is scheduled every 1 day of the month at 09:15",
            "",
            "    Periodic inventory info message is scheduled every 1 day of the month at 09:00",
        ]
    lines += [
        "",
        "    Alert-group               Severity",
        "    ------------------------  ------------",
    ]
    if profile.name == CISCO_TAC_PROFILE:
        lines += [
            "    crash                     debugging   ",
            "    diagnostic                minor       ",
            "    environment               warning     ",
            "    inventory                 normal      ",
        ]
    else:
        lines.append("    N/A                       N/A         ")
    lines += ["", "    Syslog-Pattern            Severity", "    ------------------------  ------------"]
    if profile.name == CISCO_TAC_PROFILE:
        lines += ["    APF-.-WLC_.*              warning     ", "    .*                        major       "]
    else:
        lines.append("    N/A                       N/A")
    return lines


def show_call_home_profile_all(cfg: SwitchConfig) -> str:
    out: list[str] = []
    for profile in cfg.call_home.profiles:
        if out:
            out.append("")
        out += _profile_lines(profile)
    return _lines(*out)


def show_call_home_smart_licensing(cfg: SwitchConfig) -> str:
    profile = smart_licensing_profile(cfg)
    if profile is None:
        return _lines("Current smart-licensing transport settings:", " Smart-license messages: disabled")
    urls = profile.effective_http_urls() if profile.transport_http else []
    return _lines(
        "Current smart-licensing transport settings:",
        " Smart-license messages: enabled",
        f" Profile: {profile.name} (status: ACTIVE)",
        f" Destination  URL(s):  {' '.join(urls) if urls else 'Not yet set up'}",
    )


# --- crypto pki --------------------------------------------------------------------------------


def _pki_time(moment: dt.datetime) -> str:
    """'19:48:47 UTC May 30 2013', as in a certificate's Validity Date."""
    return moment.astimezone(dt.UTC).strftime("%H:%M:%S UTC %b %d %Y")


def _ca_certificate_lines(name: str, ca: CaCertificate, *, verbose: bool) -> list[str]:
    lines = ["CA Certificate", "  Status: Available"]
    if verbose:
        lines.append("  Version: 3")
    lines += [f"  Certificate Serial Number (hex): {ca.serial_hex}", "  Certificate Usage: Signature", "  Issuer:"]
    lines += [f"    {part}" for part in ca.issuer]
    lines.append("  Subject:")
    lines += [f"    {part}" for part in ca.subject]
    lines += [
        "  Validity Date:",
        f"    start date: {_pki_time(ca.not_before)}",
        f"    end   date: {_pki_time(ca.not_after)}",
    ]
    if verbose:
        lines += [
            "  Subject Key Info:",
            "    Public Key Algorithm: rsaEncryption",
            f"    RSA Public Key: ({ca.public_key_bits} bit)",
            "  Signature Algorithm: SHA256 with RSA Encryption",
            f"  Fingerprint MD5: {ca.md5} ",
            f"  Fingerprint SHA1: {ca.sha1} ",
        ]
    lines.append(f"  Associated Trustpoints: {name} ")
    return lines


def show_crypto_pki_certificates(cfg: SwitchConfig, name: str | None, *, verbose: bool) -> str:
    """`show crypto pki certificates [verbose] [NAME]`: the CA certificates trustpoints hold
    (nothing for a trustpoint without one)."""
    blocks = [
        _ca_certificate_lines(tp.name, tp.ca_certificate, verbose=verbose)
        for tp in cfg.trustpoints
        if tp.ca_certificate is not None and (name is None or tp.name == name)
    ]
    return "".join("\n".join(block) + "\n\n" for block in blocks)
