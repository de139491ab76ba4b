"""Drive CLI sessions line by line, as the SSH front end does."""

from __future__ import annotations

import pytest

from mock_devices.fleet import Fleet, build_fleet
from mock_devices.interface import Reply
from mock_devices.session import CliSession
from mock_devices.spec import FaultSpec, FleetSpec, SpecError, SwitchSpec, parse_spec
from mock_devices.switch import Switch

WALL = 1710317364.0  # Mar 13 08:09:24 2024 UTC


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def fleet_with(*pins: SwitchSpec, faults: list[FaultSpec] | None = None, count: int = 3) -> tuple[Fleet, FakeClock]:
    clock = FakeClock()
    spec = FleetSpec(count=count, switches=list(pins), faults=faults or [])
    return build_fleet(spec=spec, clock=clock, wall_start=WALL, register_seconds=(2.0, 2.0)), clock


def session_on(switch: Switch) -> CliSession:
    session = switch.open_session()
    assert session is not None
    return session


def run(session: CliSession, *lines: str) -> Reply:
    reply = Reply("", "")
    for line in lines:
        reply = session.handle_line(line)
    return reply


@pytest.fixture
def classic() -> tuple[Fleet, FakeClock, CliSession]:
    fleet, clock = fleet_with(
        SwitchSpec(index=0, name="ams-sw001", model="C9300-48P", version="16.12.8", state="cloud")
    )
    return fleet, clock, session_on(fleet.devices[0])


def test_prompts_per_mode(classic: tuple[Fleet, FakeClock, CliSession]) -> None:
    _, _, s = classic
    assert s.prompt() == "ams-sw001#"
    steps = [
        ("conf t", "ams-sw001(config)#"),
        ("call-home", "ams-sw001(cfg-call-home)#"),
        ('profile "CiscoTAC-1"', "ams-sw001(cfg-call-home-profile)#"),
        ("exit", "ams-sw001(cfg-call-home)#"),
        ("exit", "ams-sw001(config)#"),
        ("crypto pki trustpoint SLA-TrustPoint", "ams-sw001(ca-trustpoint)#"),
        ("exit", "ams-sw001(config)#"),
        ("interface Vlan781", "ams-sw001(config-if)#"),
        ("end", "ams-sw001#"),
    ]
    for line, prompt in steps:
        assert run(s, line).prompt == prompt, line


def test_configure_terminal_banner_and_silent_end(classic: tuple[Fleet, FakeClock, CliSession]) -> None:
    _, _, s = classic
    assert run(s, "configure terminal").output == "Enter configuration commands, one per line.  End with CNTL/Z.\n"
    reply = run(s, "end")
    assert (reply.output, reply.prompt) == ("", "ams-sw001#")


def test_ctrl_z_ends_config_from_a_submode(classic: tuple[Fleet, FakeClock, CliSession]) -> None:
    _, _, s = classic
    run(s, "conf t", "call-home", "profile X")
    assert run(s, "\x1a").prompt == "ams-sw001#"


def test_exit_from_exec_closes_the_session(classic: tuple[Fleet, FakeClock, CliSession]) -> None:
    _, _, s = classic
    assert run(s, "exit").close is True


def test_long_hostname_is_cut_to_20_in_config_prompts_only() -> None:
    fleet, _ = fleet_with(faults=[FaultSpec(switches=["ams-sw001"], long_hostname=True)])
    switch = fleet.devices[0]
    assert len(switch.name) > 20
    s = session_on(switch)
    assert s.prompt() == f"{switch.name}#"
    assert run(s, "conf t").prompt == f"{switch.name[:20]}(config)#"


def test_enable_asks_for_the_secret_without_echo() -> None:
    fleet, _ = fleet_with(faults=[FaultSpec(switches=["ams-sw001"], user_mode_login=True)])
    s = session_on(fleet.devices[0])
    assert s.prompt() == "ams-sw001>"
    ask = run(s, "enable")
    assert (ask.prompt, ask.echo_next) == ("Password: ", False)
    wrong = run(s, "not-the-secret")
    assert wrong.output == "% Access denied\n\n"
    assert wrong.prompt == "ams-sw001>"
    run(s, "en")
    assert run(s, fleet.info.enable_secret).prompt == "ams-sw001#"
    assert run(s, "disable").prompt == "ams-sw001>"


def test_user_mode_rejects_privileged_commands() -> None:
    fleet, _ = fleet_with(faults=[FaultSpec(switches=["ams-sw001"], user_mode_login=True)])
    s = session_on(fleet.devices[0])
    reply = run(s, "configure terminal")
    assert reply.output == " " * len("ams-sw001>") + "^\n% Invalid input detected at '^' marker.\n\n"


def test_parser_errors_with_caret_under_the_word(classic: tuple[Fleet, FakeClock, CliSession]) -> None:
    _, _, s = classic
    reply = run(s, "show license bogus")
    assert reply.output.splitlines()[0] == " " * len("ams-sw001#show license ") + "^"
    assert run(s, "sh lic").output == "% Incomplete command.\n\n"
    assert run(s, "c").output == '% Ambiguous command:  "c"\n'


def test_unimplemented_commands_are_errors_not_silence(classic: tuple[Fleet, FakeClock, CliSession]) -> None:
    _, _, s = classic
    assert "% Invalid input detected" in run(s, "reload").output
    run(s, "conf t")
    assert "% Invalid input detected" in run(s, "router ospf 1").output
    # SLP-only commands do not exist on a classic image
    assert "% Invalid input detected" in run(s, "license smart transport cslu").output


def test_abbreviations_everywhere(classic: tuple[Fleet, FakeClock, CliSession]) -> None:
    _, _, s = classic
    assert run(s, "sh lic stat").output.startswith("Smart Licensing is ENABLED\n")
    assert run(s, "sh ver").output.startswith("Cisco IOS XE Software, Version 16.12.08\n")
    assert run(s, "wr mem").output == "Building configuration...\n[OK]\n"
    assert run(s, "sh run | sec call-home").output.startswith("service call-home\ncall-home\n")
    assert run(s, "sh run | i hostname").output == "hostname ams-sw001\n"


def test_terminal_settings(classic: tuple[Fleet, FakeClock, CliSession]) -> None:
    _, _, s = classic
    run(s, "terminal length 0", "terminal width 511", "terminal no monitor")
    assert (s.terminal_length, s.terminal_width) == (0, 511)


def test_copy_run_start_dialogue(classic: tuple[Fleet, FakeClock, CliSession]) -> None:
    fleet, _, s = classic
    run(s, "conf t", "hostname core-1", "end")
    assert fleet.devices[0].unsaved_changes is True
    ask = run(s, "copy run start")
    assert ask.prompt == "Destination filename [startup-config]? "
    done = run(s, "")
    assert done.output == "Building configuration...\n[OK]\n"
    assert done.prompt == "core-1#"
    assert fleet.devices[0].unsaved_changes is False
    assert "hostname core-1\n" in fleet.devices[0].startup_config_text()


def test_call_home_edits_show_in_running_config(classic: tuple[Fleet, FakeClock, CliSession]) -> None:
    _, _, s = classic
    url = "https://10.0.0.9/Transportgateway/services/DeviceRequestHandler"
    run(
        s,
        "conf t",
        "call-home",
        "no http secure server-identity-check",
        "contact-email-addr noc@example.net",
        'profile "CiscoTAC-1"',
        "no active",
        "exit",
        "profile SSM-OnPrem",
        "reporting smart-licensing-data",
        "destination transport-method http",
        "no destination transport-method email",
        f"destination address http {url}",
        "destination preferred-msg-format xml",
        "active",
        "end",
    )
    section = run(s, "show running-config | section call-home").output.splitlines()
    assert section[section.index("call-home") :] == [
        "call-home",
        " ! If contact email address in call-home is configured as sch-smart-licensing@cisco.com",
        " ! the email address configured in Cisco Smart License Portal will be used as contact email "
        "address to send SCH notifications.",
        " contact-email-addr noc@example.net",
        " no http secure server-identity-check",
        ' profile "CiscoTAC-1"',
        "  no active",
        "  destination transport-method http",
        ' profile "SSM-OnPrem"',
        "  active",
        "  reporting smart-licensing-data",
        "  destination transport-method http",
        "  no destination transport-method email",
        f"  destination address http {url}",
    ]
    profiles = run(s, "show call-home profile all").output
    assert "Profile Name: SSM-OnPrem\n    Profile status: ACTIVE\n" in profiles
    assert "    Reporting Data: Smart Licensing\n" in profiles
    assert f"    HTTP  address(es): {url}\n" in profiles
    assert "Profile Name: CiscoTAC-1\n    Profile status: INACTIVE\n" in profiles
    sl = run(s, "show call-home smart-licensing").output
    assert sl == (
        "Current smart-licensing transport settings:\n"
        " Smart-license messages: enabled\n"
        " Profile: SSM-OnPrem (status: ACTIVE)\n"
        f" Destination  URL(s):  {url}\n"
    )
    assert "      server identity check: disabled\n" in run(s, "show call-home").output


def test_global_command_from_a_submode_falls_back_to_config(classic: tuple[Fleet, FakeClock, CliSession]) -> None:
    fleet, _, s = classic
    run(s, "conf t", "call-home", "profile SSM-OnPrem")
    reply = run(s, "ip http client source-interface Vlan781")
    assert reply.prompt == "ams-sw001(config)#"
    assert fleet.devices[0].config.ip_http_client_source_interface == "Vlan781"


def test_no_crypto_pki_trustpoint_asks_yes_no(classic: tuple[Fleet, FakeClock, CliSession]) -> None:
    fleet, _, s = classic
    run(s, "conf t")
    ask = run(s, "no crypto pki trustpoint SLA-TrustPoint")
    assert ask.output == (
        "% Removing an enrolled trustpoint will destroy all certificates\n"
        "received from the related Certificate Authority.\n\n"
    )
    assert ask.prompt == "Are you sure you want to do this? [yes/no]: "
    assert run(s, "no").prompt == "ams-sw001(config)#"
    assert fleet.devices[0].config.trustpoint("SLA-TrustPoint") is not None
    run(s, "no crypto pki trustpoint SLA-TrustPoint")
    assert run(s, "maybe").prompt == "Are you sure you want to do this? [yes/no]: "
    run(s, "yes")
    assert fleet.devices[0].config.trustpoint("SLA-TrustPoint") is None


def test_trustpoint_and_interface_submodes(classic: tuple[Fleet, FakeClock, CliSession]) -> None:
    _, _, s = classic
    run(s, "conf t", "crypto pki trustpoint SLA-TrustPoint", "revocation-check none", "exit")
    run(s, "interface vlan 900", "description lab mgmt", "ip address 10.9.0.2 255.255.255.0", "no shutdown", "end")
    text = run(s, "show running-config").output
    assert "crypto pki trustpoint SLA-TrustPoint\n enrollment pkcs12\n revocation-check none\n!" in text
    assert "interface Vlan900\n description lab mgmt\n ip address 10.9.0.2 255.255.255.0\n!" in text


def test_do_runs_exec_commands_in_config(classic: tuple[Fleet, FakeClock, CliSession]) -> None:
    _, _, s = classic
    run(s, "conf t")
    reply = run(s, "do show run | i ^hostname")
    assert (reply.output, reply.prompt) == ("hostname ams-sw001\n", "ams-sw001(config)#")


def test_faults_latency_drop_hang() -> None:
    faults = [
        FaultSpec(switches=["ams-sw001"], latency_ms=200, jitter_ms=0, drop_after_commands=3),
        FaultSpec(switches=["lon-sw002"], hang_command="license smart register"),
        FaultSpec(switches=["nyc-sw003"], drop_in_config_after=2),
    ]
    fleet, _ = fleet_with(SwitchSpec(index=1, state="eval"), faults=faults)
    slow = session_on(fleet.devices[0])
    assert run(slow, "show clock").delay_s == pytest.approx(0.2)
    run(slow, "sh ver", "sh lic stat")
    assert run(slow, "sh lic sum").drop is True
    hung = session_on(fleet.devices[1])
    assert run(hung, "lic sm reg idtoken abcdefgh").hang is True
    cfg = session_on(fleet.devices[2])
    assert run(cfg, "conf t", "call-home").drop is False
    assert run(cfg, "profile X").drop is False
    assert run(cfg, "active").drop is True


def test_vty_limit_and_wrong_password() -> None:
    fleet, _ = fleet_with(faults=[FaultSpec(switches=["ams-sw001"], max_sessions=1, wrong_password=True)])
    switch = fleet.devices[0]
    assert switch.check_login(fleet.info.username, fleet.info.password) is False
    first = switch.open_session()
    assert first is not None
    assert switch.open_session() is None
    switch.close_session(first)
    assert switch.open_session() is not None
    other = fleet.devices[1]
    assert other.check_login(fleet.info.username, fleet.info.password) is True
    assert other.check_login(fleet.info.username, "nope") is False
    sessions = [other.open_session() for _ in range(17)]
    assert sessions[15] is not None and sessions[16] is None


def test_banner() -> None:
    fleet, _ = fleet_with(faults=[FaultSpec(switches=["ams-sw001"], banner="Authorized access only")])
    assert session_on(fleet.devices[0]).banner() == "Authorized access only\n"
    assert session_on(fleet.devices[1]).banner() == ""


def test_authorization_refuses_chosen_commands_and_changes_nothing() -> None:
    """Per-command authorization (TACACS+): the chosen exec commands and config lines, by
    prefix of the typed line or of its keywords, are answered `Command authorization failed.`
    (no `%`) and change nothing; other switches and other commands run."""
    refuse = ["license smart register", "call-home", "ip http client source-interface"]
    fleet, _ = fleet_with(
        SwitchSpec(index=0, state="cloud"),
        SwitchSpec(index=1, state="cloud"),
        faults=[FaultSpec(switches=["ams-sw001"], authorization_refuse=refuse)],
    )
    switch, other = fleet.devices[0], fleet.devices[1]
    s = session_on(switch)
    before = run(s, "show running-config").output
    status = run(s, "show license status").output
    refused = run(s, "lic sm reg idtoken abcdefgh")  # abbreviated: its keywords match
    assert (refused.output, refused.prompt) == ("Command authorization failed.\n", "ams-sw001#")
    assert run(s, "show license status").output == status
    run(s, "conf t")
    for line in ("call-home", "ip http client source-interface Vlan781"):
        reply = run(s, line)
        assert (reply.output, reply.prompt) == ("Command authorization failed.\n", "ams-sw001(config)#")
    run(s, "end")
    assert run(s, "show running-config").output == before
    assert not switch.unsaved_changes
    assert run(s, "conf t", "no ip http client source-interface").output == ""  # `no ...`: another command
    run(s, "end")
    assert switch.authorization_refused == [
        "lic sm reg idtoken abcdefgh",
        "call-home",
        "ip http client source-interface Vlan781",
    ]
    assert run(session_on(other), "conf t", "call-home").prompt == "lon-sw002(cfg-call-home)#"
    assert other.authorization_refused == []


@pytest.mark.parametrize("answer", ["% Authorization failed.", "Command rejected: not authorized"])
def test_authorization_answer_takes_the_other_forms(answer: str) -> None:
    """The refusal's wording is configurable: IOS and TACACS+ servers use these forms too."""
    rules = [
        FaultSpec(switches=["ams-sw001"], authorization_refuse=["show running-config"], authorization_answer=answer),
        FaultSpec(switches=["ams-sw001"], authorization_refuse=["  write   memory "]),  # rules add up
    ]
    fleet, _ = fleet_with(faults=rules)
    s = session_on(fleet.devices[0])
    assert run(s, "sh run | section call-home").output == answer + "\n"
    assert run(s, "conf t", "do sh run | i hostname").output == answer + "\n"  # `do`: the exec command
    run(s, "end")
    assert run(s, "write memory").output == answer + "\n"
    assert "Building configuration" in run(s, "copy running-config startup-config", "").output


@pytest.mark.parametrize(
    ("fault", "field"),
    [
        ({"authorization_refuse": [" "]}, "authorization_refuse"),
        ({"authorization_refuse": ["show"], "authorization_answer": "a\nb"}, "authorization_answer"),
        ({"authorization_refuse": ["show"], "authorization_answer": ""}, "authorization_answer"),
    ],
)
def test_authorization_spec_refuses_what_would_refuse_everything(fault: dict[str, object], field: str) -> None:
    with pytest.raises(SpecError) as error:
        parse_spec({"faults": [{"switches": ["ams-sw001"], **fault}]})
    assert error.value.field == f"faults.0.{field}"
