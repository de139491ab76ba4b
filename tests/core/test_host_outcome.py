"""The state read back from a switch after its change, as the reports show it."""

from __future__ import annotations

from pathlib import Path

from fleetreg.core.host_outcome import HostOutcome, read_back


def test_callhome_state_after_reads_registration_authorization_and_va(samples: Path) -> None:
    after = read_back((samples / "sls_genie_sl_registered_csr1kv.txt").read_text(), step="verify", read_at=5.0)
    assert (after.registration_status, after.authorization_status, after.virtual_account) == (
        "REGISTERED",
        "AUTHORIZED",
        "RADKit-LMM-NA",
    )
    assert after.step == "verify" and after.read_at == 5.0 and after.unparsed is None
    assert after.summary == "REGISTERED / AUTHORIZED / VA RADKit-LMM-NA"


def test_slp_state_after_reads_the_cslu_address_and_last_ack(samples: Path) -> None:
    after = read_back((samples / "sls_genie_slp_cslu_c9300stack.txt").read_text(), step="verify", read_at=None)
    assert (after.transport_type or "").lower() == "cslu"
    assert after.summary.startswith(f"cslu {after.transport_url}, last ACK ")


def test_text_that_is_not_show_license_status_is_reported_not_guessed() -> None:
    after = read_back("% Invalid input detected at '^' marker.", step="wait_registered", read_at=1.0)
    assert after.unparsed and after.registration_status is None and after.summary.startswith("not parsed: ")


def test_a_backed_out_host_read_before_its_backout_says_so(samples: Path) -> None:
    after = read_back((samples / "sls_genie_sl_registered_csr1kv.txt").read_text(), step="verify", read_at=1.0)
    assert HostOutcome("backed-out", after=after).read_before_backout
    assert not HostOutcome("migrated", after=after).read_before_backout
    assert not HostOutcome("backed-out").read_before_backout
