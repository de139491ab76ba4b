from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fleetreg.core.errors import ParseError
from fleetreg.core.parsing import VersionInfo, parse

from mock_devices.outputs import show_version
from mock_devices.platform import MODELS, Hardware

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples"


def test_c9500_16_9_3_stack() -> None:
    result = parse("sh ver", (SAMPLES / "sver_ntc_c9500_16.9.3.txt").read_text())
    assert result == VersionInfo(
        version="16.09.03",
        version_tuple=(16, 9, 3),
        hostname="AKBTESTW01",
        platform="C9500-40X",
        model="C9500-40X",
        serial="FCW2233FFG3",  # the active switch's System Serial Number, not member 2's FCW1234F88V
        smart_licensing_status="UNREGISTERED/EVAL EXPIRED",
        image="flash:packages.conf",
        uptime="1 year, 22 weeks, 6 days, 9 hours, 38 minutes",
    )
    assert result.model_dump(mode="json")["version_tuple"] == [16, 9, 3]


def slp_variant() -> str:
    text = (SAMPLES / "sver_ntc_c9500_16.9.3.txt").read_text()
    text = text.replace("Version 16.09.03", "Version 17.03.02a").replace(
        "Smart Licensing Status: UNREGISTERED/EVAL EXPIRED\n", ""
    )
    return text.split("Base Ethernet MAC Address")[0]  # no Model Number / System Serial Number lines


def test_slp_image_without_smart_licensing_line_and_processor_fallbacks() -> None:
    result = parse("show version", slp_variant())
    assert isinstance(result, VersionInfo)
    assert (result.version, result.version_tuple) == ("17.03.02a", (17, 3, 2))
    assert result.smart_licensing_status is None
    assert result.model == "C9500-40X"  # from "cisco C9500-40X (X86) processor"
    assert result.serial == "FCW2233FFG3"  # from "Processor board ID"


def test_classic_ios_is_refused() -> None:
    text = "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E2, RELEASE SOFTWARE (fc3)\n"
    with pytest.raises(ParseError) as info:
        parse("show version", text)
    assert info.value.unexpected_line == text.strip()


def test_the_pass_over_rule_changes_no_result(tmp_path: Path) -> None:
    """Body's first rule only saves time: without it, every sample gives the same model."""
    templates = Path(__file__).resolve().parents[3] / "templates" / "textfsm"
    shutil.copytree(templates, tmp_path, dirs_exist_ok=True)
    template = tmp_path / "cisco_xe_show_version.textfsm"
    lines = template.read_text().splitlines(keepends=True)
    pass_over = lines.index("Body\n") + 1
    assert lines[pass_over].startswith("  ^(?!")
    template.write_text("".join(lines[:pass_over] + lines[pass_over + 1 :]))
    texts = [path.read_text() for path in sorted(SAMPLES.glob("sver_*.txt"))] + [slp_variant()]
    for model in MODELS:
        for version in ("16.12.5", "17.6.5"):
            hardware = Hardware(model, "FOC2233X0AB", version, "0c:d0:f8:cd:b5:80", "FOC2233X0AC", 86400)
            texts.append(show_version(hardware, "sw-1", None, 90))
    for text in texts:
        assert parse("show version", text) == parse("show version", text, template_dir=tmp_path), text[:200]
