"""What each matched command does: one handler per action name of the trees in modes.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mock_devices import outputs
from mock_devices.cli_tree import Match
from mock_devices.config import CallHomeProfile, Interface, Trustpoint, normalize_interface
from mock_devices.interface import Reply
from mock_devices.pki import CaCertificate, CertificateFormatError
from mock_devices.reachability import parse_ping
from mock_devices.session import DEFAULT_LENGTH, DEFAULT_WIDTH, Frame

if TYPE_CHECKING:
    from mock_devices.session import CliSession

Handler = Callable[["CliSession", Match], Reply]
HANDLERS: dict[str, Handler] = {}

CONFIG_BANNER = "Enter configuration commands, one per line.  End with CNTL/Z.\n"
BUILDING = "Building configuration...\n[OK]\n"
TRUSTPOINT_WARNING = (
    "% Removing an enrolled trustpoint will destroy all certificates\n"
    "received from the related Certificate Authority.\n\n"
)
TRUSTPOINT_QUESTION = "Are you sure you want to do this? [yes/no]: "
# `crypto pki authenticate` with `enrollment terminal` (wording: Cisco field notice FN74221, Catalyst 9200/9300)
PASTE_CA_INTRO = (
    'Enter the base 64 encoded CA certificate.\nEnd with a blank line or the word "quit" on a line by itself\n'
)
ACCEPT_CA_QUESTION = "% Do you accept this certificate? [yes/no]: "
CA_ACCEPTED = "Trustpoint CA certificate accepted.\n% Certificate successfully imported\n"
CA_NOT_ACCEPTED = "% Certificate not accepted\n"
# what IOS prints when it gets no usable CA certificate (seen for an unreachable SCEP CA)
CA_RECEIVE_FAILED = "% Error in receiving Certificate Authority certificate: status = FAIL, cert length = 0\n"


def handler(*actions: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for action in actions:
            HANDLERS[action] = fn
        return fn

    return register


def config_handler(*actions: str) -> Callable[[Callable[[CliSession, Match], str | None]], Handler]:
    """A config command: marks the running config changed; returns optional output."""

    def register(fn: Callable[[CliSession, Match], str | None]) -> Handler:
        def run(session: CliSession, found: Match) -> Reply:
            output = fn(session, found)
            session.switch.mark_changed(session.switch.credentials.username)
            return session.reply(output or "")

        for action in actions:
            HANDLERS[action] = run
        return run

    return register


# --- modes ----------------------------------------------------------------------------------


@handler("noop")
def _noop(s: CliSession, m: Match) -> Reply:
    return s.reply()


@handler("exit")
def _exit(s: CliSession, m: Match) -> Reply:
    if s.exit_mode():
        return Reply("", "", close=True)
    return s.reply()


@handler("end")
def _end(s: CliSession, m: Match) -> Reply:
    s.end_config()
    return s.reply()


@handler("disable")
def _disable(s: CliSession, m: Match) -> Reply:
    s.stack[:] = [Frame("user")]
    return s.reply()


@handler("enable")
def _enable(s: CliSession, m: Match) -> Reply:
    # One try, then "% Access denied" and back to the user prompt (as with AAA enable
    # authentication), so clients fail fast instead of waiting at a second "Password: ".
    secret = s.switch.credentials.enable_secret

    def check(answer: str) -> Reply:
        if answer == secret:
            s.stack[:] = [Frame("exec")]
            return s.reply()
        return s.reply("% Access denied\n\n")

    return s.ask("", "Password: ", check, echo=False)


@handler("configure_terminal")
def _configure(s: CliSession, m: Match) -> Reply:
    s.enter("config")
    return s.reply(CONFIG_BANNER)


@handler("do")
def _do(s: CliSession, m: Match) -> Reply:
    return s.run_exec_line(m.args["command"])


# --- exec ------------------------------------------------------------------------------------


@handler("terminal_length")
def _terminal_length(s: CliSession, m: Match) -> Reply:
    s.terminal_length = int(m.args["lines"])
    return s.reply()


@handler("terminal_width")
def _terminal_width(s: CliSession, m: Match) -> Reply:
    s.terminal_width = int(m.args["columns"])
    return s.reply()


@handler("terminal_no_length", "terminal_no_width")
def _terminal_defaults(s: CliSession, m: Match) -> Reply:
    if m.action == "terminal_no_length":
        s.terminal_length = DEFAULT_LENGTH
    else:
        s.terminal_width = DEFAULT_WIDTH
    return s.reply()


@handler("show_privilege")
def _show_privilege(s: CliSession, m: Match) -> Reply:
    level = 1 if s.mode == "user" else 15
    return s.reply(f"Current privilege level is {level}\n")


@handler("terminal_monitor", "terminal_no_monitor")
def _terminal_monitor(s: CliSession, m: Match) -> Reply:
    s.set_monitor(m.action == "terminal_monitor")
    return s.reply()


@handler("write_memory")
def _write_memory(s: CliSession, m: Match) -> Reply:
    s.switch.write_memory()
    return s.reply(BUILDING)


@handler("copy_run_start")
def _copy_run_start(s: CliSession, m: Match) -> Reply:
    def destination(answer: str) -> Reply:
        name = answer.strip() or "startup-config"
        if name in ("startup-config", "nvram:startup-config"):
            s.switch.write_memory()
            return s.reply(BUILDING)
        return s.reply(f"%Error opening flash:{name} (Permission denied)\n")

    return s.ask("", "Destination filename [startup-config]? ", destination)


@handler("show_version")
def _show_version(s: CliSession, m: Match) -> Reply:
    sw = s.switch
    uptime = sw.clock.wall() - sw.boot_wall
    sw.tick()
    return s.reply(outputs.show_version(sw.hardware, sw.hostname, sw.classic, uptime))


@handler("show_license_status", "show_license_summary", "show_license_all")
def _show_license(s: CliSession, m: Match) -> Reply:
    sw = s.switch
    sw.tick()
    now = sw.clock.wall()
    if sw.classic is not None:
        lic = sw.classic
        text = {
            "show_license_status": lambda: outputs.classic_license_status(lic, now),
            "show_license_summary": lambda: outputs.classic_license_summary(sw.hardware, lic, now),
            "show_license_all": lambda: outputs.classic_license_all(sw.hardware, lic, now),
        }[m.action]()
    else:
        assert sw.slp is not None
        slp = sw.slp
        text = {
            "show_license_status": lambda: outputs.slp_license_status(sw.config, slp, sw.hardware.profile),
            "show_license_summary": lambda: outputs.slp_license_summary(sw.hardware, slp),
            "show_license_all": lambda: outputs.slp_license_all(sw.hardware, sw.config, slp),
        }[m.action]()
    return s.reply(text)


@handler("show_call_home", "show_call_home_profile_all", "show_call_home_smart_licensing")
def _show_call_home(s: CliSession, m: Match) -> Reply:
    cfg = s.switch.config
    render = {
        "show_call_home": outputs.show_call_home,
        "show_call_home_profile_all": outputs.show_call_home_profile_all,
        "show_call_home_smart_licensing": outputs.show_call_home_smart_licensing,
    }[m.action]
    return s.reply(render(cfg))


@handler("show_running_config")
def _show_run(s: CliSession, m: Match) -> Reply:
    return s.reply(s.switch.running_config_text())


@handler("show_pki_certificates")
def _show_pki_certificates(s: CliSession, m: Match) -> Reply:
    verbose = "verbose" in m.keywords
    return s.reply(outputs.show_crypto_pki_certificates(s.switch.config, m.args.get("name"), verbose=verbose))


@handler("show_startup_config")
def _show_start(s: CliSession, m: Match) -> Reply:
    return s.reply(s.switch.startup_config_text())


@handler("show_clock")
def _show_clock(s: CliSession, m: Match) -> Reply:
    return s.reply(s.switch.show_clock())


@handler("show_ntp_status")
def _show_ntp_status(s: CliSession, m: Match) -> Reply:
    return s.reply(s.switch.show_ntp_status())


@handler("ping")
def _ping(s: CliSession, m: Match) -> Reply:
    """`ping <address|name> [source <if>] [repeat <n>] [timeout <s>]`: read-only, answered at once
    when echoes come back, a little later when they time out."""
    args = m.args["args"]
    request = parse_ping(args)
    if isinstance(request, int):
        return _invalid_after(s, m, "ping " + " " * request)
    text, waited = s.switch.ping(request)
    return Reply(text, s.prompt(), delay_s=waited)


@handler("register")
def _register(s: CliSession, m: Match) -> Reply:
    return s.reply(s.switch.register(m.args["token"], force="force" in m.keywords))


@handler("deregister")
def _deregister(s: CliSession, m: Match) -> Reply:
    return s.reply(s.switch.deregister())


@handler("renew")
def _renew(s: CliSession, m: Match) -> Reply:
    return s.reply(s.switch.renew())


@handler("slp_sync")
def _sync(s: CliSession, m: Match) -> Reply:
    return s.reply(s.switch.sync())


# --- global config ---------------------------------------------------------------------------


@config_handler("hostname")
def _hostname(s: CliSession, m: Match) -> None:
    s.switch.config.hostname = m.args["name"]


@handler("enter_call_home")
def _enter_call_home(s: CliSession, m: Match) -> Reply:
    s.enter("call-home")
    return s.reply()


@config_handler("service_call_home", "no_service_call_home")
def _service_call_home(s: CliSession, m: Match) -> None:
    s.switch.config.service_call_home = m.action == "service_call_home"


def _interface_name(raw: str) -> str | None:
    return normalize_interface(raw)


@handler("ip_http_src")
def _ip_http_src(s: CliSession, m: Match) -> Reply:
    name = _interface_name(m.args["interface"])
    if name is None:
        return _invalid_after(s, m, "ip http client source-interface ")
    s.switch.config.ip_http_client_source_interface = name
    s.switch.mark_changed(s.switch.credentials.username)
    return s.reply()


@config_handler("no_ip_http_src")
def _no_ip_http_src(s: CliSession, m: Match) -> None:
    s.switch.config.ip_http_client_source_interface = None


@handler("enter_trustpoint")
def _enter_trustpoint(s: CliSession, m: Match) -> Reply:
    cfg = s.switch.config
    name = m.args["name"]
    if cfg.trustpoint(name) is None:
        cfg.trustpoints.append(Trustpoint(name, enrollment=None))
        s.switch.mark_changed(s.switch.credentials.username)
    s.enter("trustpoint", name)
    return s.reply()


@handler("no_trustpoint")
def _no_trustpoint(s: CliSession, m: Match) -> Reply:
    cfg = s.switch.config
    name = m.args["name"]
    if cfg.trustpoint(name) is None:
        return s.reply()

    def confirm(answer: str) -> Reply:
        word = answer.strip().lower()
        if word in ("yes", "y"):
            cfg.trustpoints = [t for t in cfg.trustpoints if t.name != name]
            s.switch.mark_changed(s.switch.credentials.username)
            return s.reply("% Be sure to ask the CA administrator to revoke your certificates.\n")
        if word in ("no", "n"):
            return s.reply()
        return s.ask("% Please answer 'yes' or 'no'.\n", TRUSTPOINT_QUESTION, confirm)

    return s.ask(TRUSTPOINT_WARNING, TRUSTPOINT_QUESTION, confirm)


@handler("pki_authenticate")
def _pki_authenticate(s: CliSession, m: Match) -> Reply:
    """Paste a CA certificate (lines until a blank line or `quit`), show its fingerprints, ask."""
    name = m.args["name"]
    trustpoint = s.switch.config.trustpoint(name)
    if trustpoint is None:
        return s.reply(f"% Trustpoint {name} not found\n")
    if trustpoint.ca_certificate is not None:
        return s.reply("% You already have a certificate for this CA.\n")
    if trustpoint.enrollment != "terminal":
        return s.reply(CA_RECEIVE_FAILED)
    pasted: list[str] = []

    def paste(line: str) -> Reply:
        text = line.strip()
        if text and text.lower() != "quit":
            pasted.append(text)
            return s.ask("", "", paste)
        try:
            ca = CaCertificate.from_pem("\n".join(pasted))
        except CertificateFormatError:
            return s.reply(CA_RECEIVE_FAILED)
        return s.ask(_fingerprint_text(ca), ACCEPT_CA_QUESTION, lambda answer: accept(answer, ca))

    def accept(answer: str, ca: CaCertificate) -> Reply:
        word = answer.strip().lower()
        if word in ("yes", "y"):
            trustpoint.ca_certificate = ca
            s.switch.mark_changed(s.switch.credentials.username)
            return s.reply(CA_ACCEPTED)
        if word in ("no", "n"):
            return s.reply(CA_NOT_ACCEPTED)
        return s.ask("% Please answer 'yes' or 'no'.\n", ACCEPT_CA_QUESTION, lambda again: accept(again, ca))

    return s.ask(PASTE_CA_INTRO, "", paste)


def _fingerprint_text(ca: CaCertificate) -> str:
    return (
        "Certificate has the following attributes:\n"
        f"       Fingerprint MD5: {ca.md5} \n"
        f"      Fingerprint SHA1: {ca.sha1} \n\n"
    )


@handler("enter_interface")
def _enter_interface(s: CliSession, m: Match) -> Reply:
    name = _interface_name(m.args["name"])
    if name is None:
        return _invalid_after(s, m, "interface ")
    cfg = s.switch.config
    if cfg.interface(name) is None:
        cfg.interfaces.append(Interface(name))
        s.switch.mark_changed(s.switch.credentials.username)
    s.enter("interface", name)
    return s.reply()


def _invalid_after(s: CliSession, m: Match, prefix: str) -> Reply:
    caret = " " * (len(s.prompt()) + len(prefix)) + "^"
    return s.reply(f"{caret}\n% Invalid input detected at '^' marker.\n\n")


# --- license smart (SLP, global config) ------------------------------------------------------


@config_handler("slp_transport")
def _slp_transport(s: CliSession, m: Match) -> None:
    s.switch.config.slp_transport = m.keywords[-1]


@config_handler("no_slp_transport")
def _no_slp_transport(s: CliSession, m: Match) -> None:
    s.switch.config.slp_transport = None


@config_handler("slp_url_cslu")
def _slp_url_cslu(s: CliSession, m: Match) -> None:
    s.switch.config.slp_url_cslu = m.args["url"]


@config_handler("slp_url_smart")
def _slp_url_smart(s: CliSession, m: Match) -> None:
    s.switch.config.slp_url_smart = m.args["url"]


@config_handler("slp_url_default")
def _slp_url_default(s: CliSession, m: Match) -> None:
    s.switch.config.slp_url_cslu = None
    s.switch.config.slp_url_smart = None


@config_handler("no_slp_url_cslu")
def _no_slp_url_cslu(s: CliSession, m: Match) -> None:
    s.switch.config.slp_url_cslu = None


@config_handler("no_slp_url_smart")
def _no_slp_url_smart(s: CliSession, m: Match) -> None:
    s.switch.config.slp_url_smart = None


@config_handler("slp_identity_check", "no_slp_identity_check")
def _slp_identity(s: CliSession, m: Match) -> None:
    s.switch.config.slp_identity_check = m.action == "slp_identity_check"


@config_handler("slp_vrf", "no_slp_vrf")
def _slp_vrf(s: CliSession, m: Match) -> None:
    s.switch.config.slp_vrf = m.args.get("vrf") if m.action == "slp_vrf" else None


# --- call-home -------------------------------------------------------------------------------


@config_handler("ch_contact_email", "no_ch_contact_email")
def _ch_contact(s: CliSession, m: Match) -> None:
    s.switch.config.call_home.contact_email = m.args.get("email")


@config_handler("ch_identity_check", "no_ch_identity_check")
def _ch_identity(s: CliSession, m: Match) -> None:
    s.switch.config.call_home.identity_check = m.action == "ch_identity_check"


@handler("ch_source_interface")
def _ch_source_interface(s: CliSession, m: Match) -> Reply:
    name = _interface_name(m.args["interface"])
    if name is None:
        return _invalid_after(s, m, "source-interface ")
    s.switch.config.call_home.source_interface = name
    s.switch.mark_changed(s.switch.credentials.username)
    return s.reply()


@config_handler("no_ch_source_interface")
def _no_ch_source_interface(s: CliSession, m: Match) -> None:
    s.switch.config.call_home.source_interface = None


@config_handler("ch_vrf", "no_ch_vrf")
def _ch_vrf(s: CliSession, m: Match) -> None:
    s.switch.config.call_home.vrf = m.args.get("vrf")


@handler("enter_profile")
def _enter_profile(s: CliSession, m: Match) -> Reply:
    call_home = s.switch.config.call_home
    name = m.args["name"]
    if call_home.profile(name) is None:
        call_home.profiles.append(CallHomeProfile(name))
        s.switch.mark_changed(s.switch.credentials.username)
    s.enter("call-home-profile", name)
    return s.reply()


@handler("no_profile")
def _no_profile(s: CliSession, m: Match) -> Reply:
    call_home = s.switch.config.call_home
    name = m.args["name"]
    if name == "CiscoTAC-1":
        return s.reply("% CiscoTAC-1 profile can not be removed.\n")
    if call_home.profile(name) is None:
        return s.reply(f"% Profile {name} does not exist.\n")
    call_home.profiles = [p for p in call_home.profiles if p.name != name]
    s.switch.mark_changed(s.switch.credentials.username)
    return s.reply()


def _profile(s: CliSession) -> CallHomeProfile:
    profile = s.switch.config.call_home.profile(s.context)
    assert profile is not None, "profile submode without its profile"
    return profile


@config_handler("active", "no_active")
def _active(s: CliSession, m: Match) -> None:
    _profile(s).active = m.action == "active"


@config_handler("reporting", "no_reporting")
def _reporting(s: CliSession, m: Match) -> None:
    profile = _profile(s)
    chosen = m.keywords[-1]
    if m.action == "reporting":
        profile.reporting = chosen
    elif chosen == "all" or chosen == profile.reporting:
        profile.reporting = "all"  # removing the narrowing goes back to full reporting
    elif profile.reporting == "all":
        profile.reporting = "smart-call-home-data" if chosen == "smart-licensing-data" else "smart-licensing-data"


@config_handler("transport", "no_transport")
def _transport(s: CliSession, m: Match) -> None:
    profile = _profile(s)
    enabled = m.action == "transport"
    if m.keywords[-1] == "http":
        profile.transport_http = enabled
    else:
        profile.transport_email = enabled


@config_handler("address_http", "no_address_http")
def _address_http(s: CliSession, m: Match) -> None:
    profile = _profile(s)
    url = m.args.get("url")
    if m.action == "address_http":
        assert url is not None
        if url not in profile.http_addresses:
            profile.http_addresses.append(url)
    else:
        profile.http_addresses = [u for u in profile.http_addresses if url is not None and u != url]


@config_handler("address_email", "no_address_email")
def _address_email(s: CliSession, m: Match) -> None:
    profile = _profile(s)
    email = m.args.get("email")
    if m.action == "address_email":
        assert email is not None
        if email not in profile.email_addresses:
            profile.email_addresses.append(email)
    else:
        profile.email_addresses = [e for e in profile.email_addresses if email is not None and e != email]


@config_handler("msg_format", "no_msg_format")
def _msg_format(s: CliSession, m: Match) -> None:
    _profile(s).msg_format = m.keywords[-1] if m.action == "msg_format" else "xml"


# --- trustpoint ------------------------------------------------------------------------------


def _trustpoint(s: CliSession) -> Trustpoint:
    tp = s.switch.config.trustpoint(s.context)
    assert tp is not None, "trustpoint submode without its trustpoint"
    return tp


@config_handler("enrollment")
def _enrollment(s: CliSession, m: Match) -> None:
    words = m.keywords[1:]
    if "url" in words:
        words = [*words, m.args["url"]]
    _trustpoint(s).enrollment = " ".join(words)


@config_handler("revocation_check", "no_revocation_check")
def _revocation(s: CliSession, m: Match) -> None:
    _trustpoint(s).revocation_check = " ".join(m.keywords[1:]) if m.action == "revocation_check" else None


@config_handler("subject_name")
def _subject(s: CliSession, m: Match) -> None:
    _trustpoint(s).subject_name = m.args["subject"]


@config_handler("rsakeypair")
def _rsakeypair(s: CliSession, m: Match) -> None:
    _trustpoint(s).rsakeypair = m.args["label"]


# --- interface -------------------------------------------------------------------------------


def _interface(s: CliSession) -> Interface:
    interface = s.switch.config.interface(s.context)
    assert interface is not None, "interface submode without its interface"
    return interface


@config_handler("if_description", "no_if_description")
def _description(s: CliSession, m: Match) -> None:
    _interface(s).description = m.args.get("text")


@config_handler("if_ip_address", "no_if_ip_address")
def _ip_address(s: CliSession, m: Match) -> None:
    _interface(s).ip_address = f"{m.args['address']} {m.args['mask']}" if m.action == "if_ip_address" else None


@config_handler("if_shutdown", "no_if_shutdown")
def _shutdown(s: CliSession, m: Match) -> None:
    _interface(s).shutdown = m.action == "if_shutdown"
