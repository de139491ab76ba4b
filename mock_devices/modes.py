"""IOS CLI modes as data: prompt suffix, parent mode and the command tree of each mode.

Classic images (16.x, 17.3.1) and SLP images (17.3.2+) differ in the `license smart` commands
they accept: registration exists only on classic, transport/url/sync only on SLP.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from mock_devices.cli_tree import Node, kw, num, rest, word


@dataclass(frozen=True)
class Mode:
    name: str
    suffix: str  # appended to the hostname to form the prompt
    parent: str | None
    is_config: bool


MODES: dict[str, Mode] = {
    "user": Mode("user", ">", None, False),
    "exec": Mode("exec", "#", None, False),
    "config": Mode("config", "(config)#", "exec", True),
    "call-home": Mode("call-home", "(cfg-call-home)#", "config", True),
    "call-home-profile": Mode("call-home-profile", "(cfg-call-home-profile)#", "call-home", True),
    "trustpoint": Mode("trustpoint", "(ca-trustpoint)#", "config", True),
    "interface": Mode("interface", "(config-if)#", "config", True),
}

CONFIG_PROMPT_HOSTNAME_MAX = 20  # IOS cuts the hostname in configuration prompts


def prompt_for(hostname: str, mode: str) -> str:
    spec = MODES[mode]
    shown = hostname[:CONFIG_PROMPT_HOSTNAME_MAX] if spec.is_config else hostname
    return f"{shown}{spec.suffix}"


def _terminal() -> Node:
    return kw(
        "terminal",
        kw("length", num("lines", 0, 512, action="terminal_length")),
        kw("width", num("columns", 0, 512, action="terminal_width")),
        kw("monitor", action="terminal_monitor"),
        kw(
            "no",
            kw("monitor", action="terminal_no_monitor"),
            kw("length", action="terminal_no_length"),
            kw("width", action="terminal_no_width"),
        ),
    )


def _show_license() -> Node:
    return kw(
        "license",
        kw("status", action="show_license_status"),
        kw("summary", action="show_license_summary"),
        kw("all", action="show_license_all"),
    )


_END = kw("end", action="end")
_EXIT = kw("exit", action="exit")
_DO = kw("do", rest("command", action="do"))


@cache
def tree_for(mode: str, slp: bool) -> tuple[Node, ...]:
    builders = {
        "user": _user_tree,
        "exec": _exec_tree,
        "config": _config_tree,
        "call-home": _call_home_tree,
        "call-home-profile": _profile_tree,
        "trustpoint": _trustpoint_tree,
        "interface": _interface_tree,
    }
    return builders[mode](slp)


def _user_tree(slp: bool) -> tuple[Node, ...]:
    return (
        kw("enable", action="enable"),
        kw("exit", action="exit"),
        kw("logout", action="exit"),
        _terminal(),
        kw("show", kw("version", action="show_version"), kw("privilege", action="show_privilege"), _show_license()),
    )


def _exec_tree(slp: bool) -> tuple[Node, ...]:
    if slp:
        license_smart = kw("smart", kw("sync", kw("all", action="slp_sync")))
    else:
        idtoken = word(
            "token",
            kw("force", action="register"),
            action="register",
        )
        license_smart = kw(
            "smart",
            kw("register", kw("idtoken", idtoken)),
            kw("deregister", action="deregister"),
            kw("renew", kw("auth", action="renew"), kw("id", action="renew")),
        )
    show = kw(
        "show",
        kw("version", action="show_version"),
        kw("privilege", action="show_privilege"),
        _show_license(),
        kw(
            "call-home",
            kw("profile", kw("all", action="show_call_home_profile_all")),
            kw("smart-licensing", action="show_call_home_smart_licensing"),
            action="show_call_home",
        ),
        kw("running-config", action="show_running_config"),
        kw("startup-config", action="show_startup_config"),
        kw("clock", action="show_clock"),
        kw("ntp", kw("status", action="show_ntp_status")),
        kw(
            "crypto",
            kw(
                "pki",
                kw(
                    "certificates",
                    kw("verbose", word("name", action="show_pki_certificates"), action="show_pki_certificates"),
                    word("name", action="show_pki_certificates"),
                    action="show_pki_certificates",
                ),
            ),
        ),
    )
    return (
        show,
        _terminal(),
        kw("configure", kw("terminal", action="configure_terminal")),
        kw("write", kw("memory", action="write_memory"), action="write_memory"),
        kw("copy", kw("running-config", kw("startup-config", action="copy_run_start"))),
        kw("license", license_smart),
        kw("ping", rest("args", action="ping")),
        kw("enable", action="noop"),
        kw("disable", action="disable"),
        kw("exit", action="exit"),
        kw("logout", action="exit"),
    )


def _config_tree(slp: bool) -> tuple[Node, ...]:
    ip_http_client = kw("http", kw("client", kw("source-interface", rest("interface", action="ip_http_src"))))
    # IOS accepts the `no` form with or without the interface it removes
    no_ip_http_client = kw(
        "http",
        kw("client", kw("source-interface", rest("interface", action="no_ip_http_src"), action="no_ip_http_src")),
    )
    positive: list[Node] = [
        kw("hostname", word("name", action="hostname")),
        kw("call-home", action="enter_call_home"),
        kw("service", kw("call-home", action="service_call_home")),
        kw("ip", ip_http_client),
        kw(
            "crypto",
            kw(
                "pki",
                kw("trustpoint", word("name", action="enter_trustpoint")),
                kw("authenticate", word("name", action="pki_authenticate")),
            ),
        ),
        kw("interface", rest("name", action="enter_interface")),
    ]
    negative: list[Node] = [
        kw("service", kw("call-home", action="no_service_call_home")),
        kw("ip", no_ip_http_client),
        kw("crypto", kw("pki", kw("trustpoint", word("name", action="no_trustpoint")))),
    ]
    if slp:
        transports = [kw(t, action="slp_transport") for t in ("cslu", "smart", "off", "callhome", "automatic")]
        positive.append(
            kw(
                "license",
                kw(
                    "smart",
                    kw("transport", *transports),
                    kw(
                        "url",
                        kw("cslu", word("url", action="slp_url_cslu")),
                        kw("smart", word("url", action="slp_url_smart")),
                        kw("default", action="slp_url_default"),
                    ),
                    kw("vrf", word("vrf", action="slp_vrf")),
                    kw("server-identity-check", action="slp_identity_check"),
                ),
            )
        )
        negative.append(
            kw(
                "license",
                kw(
                    "smart",
                    kw("transport", action="no_slp_transport"),
                    kw(
                        "url",
                        kw("cslu", word("url", action="no_slp_url_cslu"), action="no_slp_url_cslu"),
                        kw("smart", word("url", action="no_slp_url_smart"), action="no_slp_url_smart"),
                    ),
                    kw("vrf", word("vrf", action="no_slp_vrf"), action="no_slp_vrf"),
                    kw("server-identity-check", action="no_slp_identity_check"),
                ),
            )
        )
    return (*positive, kw("no", *negative), _END, _EXIT, _DO)


def _call_home_tree(slp: bool) -> tuple[Node, ...]:
    return (
        kw("contact-email-addr", word("email", action="ch_contact_email")),
        kw("http", kw("secure", kw("server-identity-check", action="ch_identity_check"))),
        kw("source-interface", rest("interface", action="ch_source_interface")),
        kw("vrf", word("vrf", action="ch_vrf")),
        kw("profile", word("name", action="enter_profile")),
        kw(
            "no",
            kw("contact-email-addr", action="no_ch_contact_email"),
            kw("http", kw("secure", kw("server-identity-check", action="no_ch_identity_check"))),
            kw("source-interface", rest("interface", action="no_ch_source_interface"), action="no_ch_source_interface"),
            kw("vrf", word("vrf", action="no_ch_vrf"), action="no_ch_vrf"),
            kw("profile", word("name", action="no_profile")),
        ),
        _END,
        _EXIT,
        _DO,
    )


def _profile_tree(slp: bool) -> tuple[Node, ...]:
    def reporting(prefix: str) -> Node:
        return kw(
            "reporting",
            kw("smart-licensing-data", action=f"{prefix}reporting"),
            kw("smart-call-home-data", action=f"{prefix}reporting"),
            kw("all", action=f"{prefix}reporting"),
        )

    def transport(prefix: str) -> Node:
        return kw(
            "transport-method",
            kw("http", action=f"{prefix}transport"),
            kw("email", action=f"{prefix}transport"),
        )

    formats = [kw(f, action="msg_format") for f in ("xml", "long-text", "short-text")]
    destination = kw(
        "destination",
        transport(""),
        kw(
            "address",
            kw("http", word("url", action="address_http")),
            kw("email", word("email", action="address_email")),
        ),
        kw("preferred-msg-format", *formats),
    )
    no_destination = kw(
        "destination",
        transport("no_"),
        kw(
            "address",
            kw("http", word("url", action="no_address_http"), action="no_address_http"),
            kw("email", word("email", action="no_address_email"), action="no_address_email"),
        ),
        kw("preferred-msg-format", action="no_msg_format"),
    )
    return (
        kw("active", action="active"),
        reporting(""),
        destination,
        kw("no", kw("active", action="no_active"), reporting("no_"), no_destination),
        _END,
        _EXIT,
        _DO,
    )


def _trustpoint_tree(slp: bool) -> tuple[Node, ...]:
    revocation = [
        kw(m, *[kw(n, action="revocation_check") for n in ("none", "crl", "ocsp") if n != m], action="revocation_check")
        for m in ("none", "crl", "ocsp")
    ]
    return (
        kw(
            "enrollment",
            kw("terminal", action="enrollment"),
            kw("pkcs12", action="enrollment"),
            kw("selfsigned", action="enrollment"),
            kw("mode", kw("ra", action="enrollment")),
            kw("url", word("url", action="enrollment")),
        ),
        kw("revocation-check", *revocation),
        kw("subject-name", rest("subject", action="subject_name")),
        kw("rsakeypair", word("label", action="rsakeypair")),
        kw("no", kw("revocation-check", action="no_revocation_check")),
        _END,
        _EXIT,
        _DO,
    )


def _interface_tree(slp: bool) -> tuple[Node, ...]:
    return (
        kw("description", rest("text", action="if_description")),
        kw("ip", kw("address", word("address", word("mask", action="if_ip_address")))),
        kw("shutdown", action="if_shutdown"),
        kw(
            "no",
            kw("description", action="no_if_description"),
            kw("ip", kw("address", action="no_if_ip_address")),
            kw("shutdown", action="no_if_shutdown"),
        ),
        _END,
        _EXIT,
        _DO,
    )
