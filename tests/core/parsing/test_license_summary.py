"""show license summary: SLP account form, classic eval form (blank license column), classic registered variant."""

from __future__ import annotations

from pathlib import Path

from fleetreg.core.parsing import LicenseSummary, LicenseUsage, parse

REPO = Path(__file__).resolve().parents[3]
SAMPLES = REPO / ".." / "shared" / "samples"
VARIANTS = REPO / "tests" / "fixtures" / "outputs"


def summary_of(path: Path, command: str = "show license summary") -> LicenseSummary:
    result = parse(command, path.read_bytes().decode())
    assert isinstance(result, LicenseSummary)
    return result


def test_c9k_devnet_classic_unregistered_eval_mode_blank_license_names() -> None:
    s = summary_of(SAMPLES / "slsum_c9kdevnet_sl_unregistered_evalmode_c9200l.txt", "sh lic summ")
    assert s.status is not None
    assert (s.status.mode, s.status.enabled, s.status.registration_status) == ("classic", True, "UNREGISTERED")
    assert s.status.export_controlled == "Not Allowed"
    assert (s.status.authorization_status, s.status.authorization_time) == ("EVAL MODE", None)
    assert s.status.evaluation_period_remaining == "71 days, 22 hours, 1 minutes, 59 seconds"
    assert s.status.evaluation_mode is True
    assert (s.smart_account, s.virtual_account) == (None, None)
    assert s.licenses == [
        LicenseUsage(license="", entitlement_tag="C9200L-NW-E-48", count=1, status="EVAL MODE"),
        LicenseUsage(license="", entitlement_tag="C9200L-NW-E-24", count=1, status="EVAL MODE"),
    ]


def test_cube_17_18_with_prompt() -> None:
    s = summary_of(SAMPLES / "slsum_ciscodoc_cube_17.18.txt")
    assert s.status is None
    assert (s.smart_account, s.virtual_account) == ("<none>", "<none>")
    assert s.licenses == [
        LicenseUsage(license="network-essentials_10M", entitlement_tag="ESR_P_10M_E", count=1, status="IN USE"),
        LicenseUsage(license="CUBE_TS_STD", entitlement_tag="CUBE_TS_STD", count=1, status="IN USE"),
    ]


def test_genie_c9300_stack_crlf_and_timestamp_header() -> None:
    s = summary_of(SAMPLES / "slsum_genie_c9300stack_account.txt")
    assert s.status is None
    assert (s.smart_account, s.virtual_account) == ("<none>", "<none>")
    assert [(u.license, u.entitlement_tag, u.count, u.status) for u in s.licenses] == [
        ("network-advantage", "C9300-24 Network Advan...", 2, "IN USE"),
        ("dna-advantage", "C9300-24 DNA Advantage", 2, "IN USE"),
        ("network-advantage", "C9300-48 Network Advan...", 1, "IN USE"),
        ("dna-advantage", "C9300-48 DNA Advantage", 1, "IN USE"),
    ]


def test_muninn_isr1100_not_in_use_and_truncated_name() -> None:
    s = summary_of(SAMPLES / "slsum_muninn_isr1100_hsec_notinuse.txt")
    assert [(u.license, u.entitlement_tag, u.count, u.status) for u in s.licenses] == [
        ("network-advantage_10M", "ESR_P_10M_A", 1, "IN USE"),
        ("dna-advantage_10M", "DNA_P_10M_A", 1, "IN USE"),
        ("Router US Export Lic...", "DNA_HSEC", 0, "NOT IN USE"),
    ]


def test_variant_classic_registered_summary() -> None:
    s = summary_of(VARIANTS / "slsum_variant_classic_registered.txt")
    assert s.status is not None
    assert s.status.registration_status == "REGISTERED"
    assert s.status.smart_account == "ACME Corporation"
    assert s.status.virtual_account == "Corporate Network Devices"
    assert s.status.export_controlled == "ALLOWED"
    assert s.status.last_renewal_attempt == "None"
    assert s.status.next_renewal_attempt == "Oct 07 09:12:40 2024 UTC"
    assert (s.status.authorization_status, s.status.authorization_time) == ("AUTHORIZED", None)
    assert s.status.last_communication_attempt == "SUCCEEDED"
    assert s.status.evaluation_mode is False
    assert (s.smart_account, s.virtual_account) == ("ACME Corporation", "Corporate Network Devices")
    assert s.licenses == [
        LicenseUsage(
            license="C9300 48P Network Ad...", entitlement_tag="C9300-48 Network Advan...", count=1, status="AUTHORIZED"
        ),
        LicenseUsage(
            license="C9300 48P DNA Advantage", entitlement_tag="C9300-48 DNA Advantage", count=1, status="AUTHORIZED"
        ),
    ]


def test_status_command_reads_classic_summary_block() -> None:
    # The classic summary starts with the same Registration/Authorization block, but the
    # License Usage table is not part of `show license status`, so the status parser refuses it.
    text = (SAMPLES / "slsum_c9kdevnet_sl_unregistered_evalmode_c9200l.txt").read_text()
    status_part = text.split("License Usage:")[0]
    status = parse("show license status", status_part)
    summary = parse("show license summary", text)
    assert isinstance(summary, LicenseSummary)
    assert status == summary.status
