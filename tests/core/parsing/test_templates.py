"""Our TextFSM index and templates: the index routes each command (and its abbreviations) to our
templates, and the known faults of ntc-templates 9.3.0 are not inherited."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fleetreg.core.parsing import LicenseStatus, LicenseSummary, default_template_dir, parse
from fleetreg.core.parsing.commands import SUPPORTED_COMMANDS
from textfsm import clitable

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples"
VARIANTS = Path(__file__).resolve().parents[2] / "fixtures" / "outputs"

EXPECTED_TEMPLATE = {
    "show license status": "cisco_xe_show_license_status.textfsm",
    "show license all": "cisco_xe_show_license_status.textfsm",
    "show license summary": "cisco_xe_show_license_summary.textfsm",
    "show call-home profile all": "cisco_xe_show_call-home_profile_all.textfsm",
    "show call-home smart-licensing": "cisco_xe_show_call-home_smart-licensing.textfsm",
    "show call-home": "cisco_xe_show_call-home.textfsm",
    "show version": "cisco_xe_show_version.textfsm",
}


def test_template_dir_is_the_repo_templates_folder() -> None:
    directory = default_template_dir()
    assert directory.name == "textfsm"
    assert (directory / "index").is_file()
    assert directory.parent.name == "templates"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("sh lic stat", "show license status"),
        ("sh lic a", "show license all"),
        ("sh lic summ", "show license summary"),
        ("sh call-h pro a", "show call-home profile all"),
        ("sh call-h sm", "show call-home smart-licensing"),
        ("sh call-h", "show call-home"),
        ("sh ver", "show version"),
    ]
    + [(c, c) for c in EXPECTED_TEMPLATE],
)
def test_index_routes_commands_to_our_templates(typed: str, canonical: str) -> None:
    index = clitable.CliTable("index", str(default_template_dir())).index
    row = index.GetRowMatch({"Command": typed, "Platform": "cisco_xe"})
    assert row, typed
    assert index.index[row]["Template"] == EXPECTED_TEMPLATE[canonical]
    assert (default_template_dir() / EXPECTED_TEMPLATE[canonical]).is_file()


def test_every_textfsm_command_has_a_template() -> None:
    assert set(EXPECTED_TEMPLATE) == {c for c in SUPPORTED_COMMANDS if "running-config" not in c}


def test_status_without_date_is_kept_unlike_ntc() -> None:
    # ntc-templates 9.3.0 needs six words after the authorization status and drops "EVAL MODE".
    s = parse("show license status", (VARIANTS / "sls_variant_classic_unregistered_evalmode.txt").read_text())
    assert isinstance(s, LicenseStatus)
    assert s.authorization_status == "EVAL MODE"
    no_licenses = (
        (VARIANTS / "sls_variant_classic_unregistered_evalmode.txt")
        .read_text()
        .replace("  Status: EVAL MODE\n", "  Status: No Licenses in Use\n")
    )
    s2 = parse("show license status", no_licenses)
    assert isinstance(s2, LicenseStatus)
    assert (s2.authorization_status, s2.authorization_time, s2.evaluation_mode) == ("No Licenses in Use", None, False)


def test_cslu_address_is_captured_unlike_ntc() -> None:
    s = parse("show license status", (VARIANTS / "sls_variant_slp_cslu_address_ack.txt").read_text())
    assert isinstance(s, LicenseStatus)
    assert s.transport_url == "https://ssm-onprem.example.com/cslu/v1/pi/Corporate%20Network%20Devices-1"


def test_summary_goes_to_summary_template_unlike_ntc() -> None:
    s = parse("show license summary", (SAMPLES / "slsum_muninn_isr1100_hsec_notinuse.txt").read_text())
    assert isinstance(s, LicenseSummary)
    assert len(s.licenses) == 3


def test_reporting_mode_line_is_read_unlike_ntc() -> None:
    s = parse("show license status", (VARIANTS / "sls_variant_slp_17.15_reporting_mode.txt").read_text())
    assert isinstance(s, LicenseStatus)
    assert s.reporting_mode == "STANDARD"


def test_override_directory_is_used(tmp_path: Path) -> None:
    shutil.copytree(default_template_dir(), tmp_path / "textfsm")
    template = tmp_path / "textfsm" / "cisco_xe_show_version.textfsm"
    changed = (
        template.read_text()
        .replace("Value UPTIME (.+)", "Value UPTIME (\\d+ years?)")
        .replace("uptime\\s+is\\s+${UPTIME}$$", "uptime\\s+is\\s+${UPTIME},.*$$")
    )
    assert changed != template.read_text()
    template.write_text(changed)
    result = parse("sh ver", (SAMPLES / "sver_ntc_c9500_16.9.3.txt").read_text(), template_dir=tmp_path / "textfsm")
    assert result.model_dump()["uptime"] == "1 year"
