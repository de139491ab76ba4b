"""`crypto pki authenticate` on an emulated switch, line by line as the SSH front end drives it."""

from __future__ import annotations

import pytest
from fleetreg.core.pki import ca_fingerprints, paste_lines
from switch_cli import FakeClock, run

from mock_devices.fleet import Fleet, build_fleet
from mock_devices.interface import Reply
from mock_devices.pki import SatellitePki
from mock_devices.session import CliSession
from mock_devices.spec import FleetSpec, SwitchSpec

WALL = 1710317364.0
INTRO = 'Enter the base 64 encoded CA certificate.\nEnd with a blank line or the word "quit" on a line by itself\n'


@pytest.fixture
def switch_session() -> tuple[Fleet, CliSession]:
    spec = FleetSpec(count=1, switches=[SwitchSpec(index=0, name="sw1", version="16.12.8", state="cloud")])
    fleet = build_fleet(spec=spec, clock=FakeClock(), wall_start=WALL)
    session = fleet.devices[0].open_session()
    assert session is not None
    return fleet, session


def start_paste(session: CliSession, name: str = "FLEETREG-SSM") -> Reply:
    run(session, "configure terminal", f"crypto pki trustpoint {name}", "enrollment terminal", "revocation-check none")
    run(session, "exit")
    return run(session, f"crypto pki authenticate {name}")


def paste(session: CliSession, pem: str, end: str = "quit") -> Reply:
    for line in paste_lines(pem):
        reply = run(session, line)
        assert reply == Reply("", "", paginate=False)  # no prompt while pasting, echo stays on
    return run(session, end)


def test_dialogue_shows_the_fingerprints_of_the_pasted_pem_and_yes_installs_it(
    switch_session: tuple[Fleet, CliSession],
) -> None:
    fleet, s = switch_session
    pki = fleet.satellite.pki
    assert pki is not None
    intro = start_paste(s)
    assert intro.output == INTRO
    assert intro.prompt == ""
    assert intro.echo_next is True
    md5, sha1 = ca_fingerprints(pki.ca_pem)
    assert (md5, sha1) == (pki.ca_fingerprint_md5, pki.ca_fingerprint_sha1)
    assert len(sha1.split()) == 5 and all(len(group) == 8 for group in sha1.split())
    question = paste(s, pki.ca_pem)
    assert question.output == (
        "Certificate has the following attributes:\n"
        f"       Fingerprint MD5: {md5} \n"
        f"      Fingerprint SHA1: {sha1} \n\n"
    )
    assert question.prompt == "% Do you accept this certificate? [yes/no]: "
    done = run(s, "yes")
    assert done.output == "Trustpoint CA certificate accepted.\n% Certificate successfully imported\n"
    assert done.prompt == "sw1(config)#"
    tp = fleet.devices[0].config.trustpoint("FLEETREG-SSM")
    assert tp is not None and tp.ca_certificate is not None
    assert tp.ca_certificate.sha1 == sha1
    assert fleet.devices[0].config.trusts_ca(sha1)


def test_blank_line_also_ends_the_paste_and_a_bad_answer_asks_again(switch_session: tuple[Fleet, CliSession]) -> None:
    fleet, s = switch_session
    assert fleet.satellite.pki is not None
    start_paste(s)
    question = paste(s, fleet.satellite.pki.ca_pem, end="")
    assert question.prompt == "% Do you accept this certificate? [yes/no]: "
    again = run(s, "maybe")
    assert again.output == "% Please answer 'yes' or 'no'.\n"
    assert again.prompt == "% Do you accept this certificate? [yes/no]: "
    assert run(s, "y").output.startswith("Trustpoint CA certificate accepted.")


def test_no_stores_nothing(switch_session: tuple[Fleet, CliSession]) -> None:
    fleet, s = switch_session
    assert fleet.satellite.pki is not None
    start_paste(s)
    paste(s, fleet.satellite.pki.ca_pem)
    refused = run(s, "no")
    assert refused.output == "% Certificate not accepted\n"
    assert refused.prompt == "sw1(config)#"
    tp = fleet.devices[0].config.trustpoint("FLEETREG-SSM")
    assert tp is not None and tp.ca_certificate is None
    assert "crypto pki certificate chain FLEETREG-SSM" not in fleet.devices[0].running_config_text()


def test_malformed_pem_is_an_ios_error(switch_session: tuple[Fleet, CliSession]) -> None:
    fleet, s = switch_session
    start_paste(s)
    run(s, "-----BEGIN CERTIFICATE-----", "MIIBnotreallyacertificate==", "-----END CERTIFICATE-----")
    reply = run(s, "quit")
    assert reply.output == "% Error in receiving Certificate Authority certificate: status = FAIL, cert length = 0\n"
    assert reply.prompt == "sw1(config)#"
    tp = fleet.devices[0].config.trustpoint("FLEETREG-SSM")
    assert tp is not None and tp.ca_certificate is None


def test_trustpoint_without_enrollment_terminal_refuses(switch_session: tuple[Fleet, CliSession]) -> None:
    fleet, s = switch_session
    run(s, "configure terminal", "crypto pki trustpoint NEW-TP", "revocation-check none", "exit")
    reply = run(s, "crypto pki authenticate NEW-TP")
    assert reply.output == "% Error in receiving Certificate Authority certificate: status = FAIL, cert length = 0\n"
    assert reply.prompt == "sw1(config)#"
    assert "crypto pki trustpoint NEW-TP\n revocation-check none\n!" in fleet.devices[0].running_config_text()
    assert run(s, "crypto pki authenticate NO-SUCH-TP").output == "% Trustpoint NO-SUCH-TP not found\n"


def test_running_config_shows_the_chain_in_hex_and_show_crypto_lists_it(
    switch_session: tuple[Fleet, CliSession],
) -> None:
    fleet, s = switch_session
    pki = fleet.satellite.pki
    assert pki is not None
    start_paste(s)
    paste(s, pki.ca_pem)
    run(s, "yes", "end")
    ca = pki.ca
    text = run(s, "show running-config | section crypto pki certificate chain FLEETREG-SSM").output
    lines = text.splitlines()
    assert lines[0] == "crypto pki certificate chain FLEETREG-SSM"
    assert lines[1] == f" certificate ca {ca.serial_hex}"
    hex_lines = lines[2:-1]
    assert lines[-1] == "  \tquit"
    assert all(line.startswith("  ") and len(line[2:].split()) <= 8 for line in hex_lines)
    assert bytes.fromhex("".join(line.replace(" ", "") for line in hex_lines)) == ca.der
    tp_text = run(s, "show running-config | section crypto pki trustpoint FLEETREG-SSM").output
    assert tp_text == "crypto pki trustpoint FLEETREG-SSM\n enrollment terminal\n revocation-check none\n"
    shown = run(s, "show crypto pki certificates verbose FLEETREG-SSM").output.splitlines()
    assert shown[0] == "CA Certificate"
    assert f"  Certificate Serial Number (hex): {ca.serial_hex}" in shown
    assert shown[shown.index("  Subject:") + 1] == "    cn=FleetReg Lab Satellite CA"
    assert f"  Fingerprint SHA1: {pki.ca_fingerprint_sha1} " in shown
    assert "  Associated Trustpoints: FLEETREG-SSM " in shown
    brief = run(s, "show crypto pki certificates FLEETREG-SSM").output
    assert "Fingerprint" not in brief and "Certificate Serial Number (hex)" in brief
    assert run(s, "show crypto pki certificates SLA-TrustPoint").output == ""
    again = run(s, "configure terminal", "crypto pki authenticate FLEETREG-SSM")
    assert again.output == "% You already have a certificate for this CA.\n"


def test_a_different_pem_shows_its_own_fingerprint(switch_session: tuple[Fleet, CliSession]) -> None:
    fleet, s = switch_session
    other = SatellitePki.generate("other.example.test")
    start_paste(s)
    question = paste(s, other.ca_pem)
    assert f"Fingerprint SHA1: {ca_fingerprints(other.ca_pem)[1]} " in question.output
    assert fleet.satellite.pki is not None
    assert fleet.satellite.pki.ca_fingerprint_sha1 not in question.output
