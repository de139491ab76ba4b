"""Issue 17, item 5: unknown output is reported through `logging` (logger `fleetreg.parsing`), once
per command, device version and kind of unknown lines: 600 switches of one image give one warning."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fleetreg.core.facts import build_drift_facts
from fleetreg.core.parsing import parse, parse_detailed
from fleetreg.core.parsing import unknown_warning as warnings_module
from fleetreg.core.parsing.unknown import UnknownOutput
from fleetreg.core.parsing.unknown_warning import forget_reported, report_unknown

from mock_devices.outputs import show_version
from mock_devices.platform import Hardware

REPO = Path(__file__).resolve().parents[3]
SAMPLES = REPO / ".." / "shared" / "samples"
VARIANTS = REPO / "tests" / "fixtures" / "outputs"
TELEMETRY = (VARIANTS / "sls_variant_slp_17.12_telemetry_smart_proxy.txt").read_text()


@pytest.fixture(autouse=True)
def fresh_keys() -> Iterator[None]:
    forget_reported()
    yield
    forget_reported()


def parsing_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "fleetreg.parsing" and r.levelno == logging.WARNING]


def with_disk_reports(count: int) -> str:
    return TELEMETRY.replace("Reports on disk: 0 \n", f"Reports on disk: {count}\n")


def test_600_switches_of_one_version_give_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="fleetreg.parsing")
    for n in range(600):
        parse("show license status", with_disk_reports(n % 7), host=f"sw-{n:03}", device_version="17.12.04")
    records = parsing_warnings(caplog)
    assert len(records) == 1
    message = records[0].getMessage()
    assert "'show license status' on IOS-XE 17.12.04" in message
    assert "unknown block(s) 'Device Telemetry Report Summary'" in message
    assert "first seen on host sw-000" in message
    assert "kept in the raw output" in message
    assert "\n" not in message


def test_one_warning_per_version_command_and_kind(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="fleetreg.parsing")
    odd_line = TELEMETRY.replace("  Status: ENABLED\n", "  Status: ENABLED\n  Heartbeat: on\n", 1)
    for _ in range(3):
        parse("show license status", TELEMETRY, host="a", device_version="17.12.04")
        parse("show license status", TELEMETRY, host="b", device_version="17.15.01")
        parse("show license status", TELEMETRY, host="c")  # the caller does not know the version
        parse("show license status", odd_line, host="d", device_version="17.12.04")
        parse("show license all", TELEMETRY, host="e", device_version="17.12.04")
    messages = [r.getMessage() for r in parsing_warnings(caplog)]
    assert len(messages) == 4  # "c" saw what "a" and "b" reported with their versions
    assert "unknown line(s) 'Heartbeat: on'" in messages[2]
    assert messages[3].startswith("'show license all' on IOS-XE 17.12.04: ignored")


def test_without_a_version_only_what_no_version_reported(caplog: pytest.LogCaptureFixture) -> None:
    """Registration polls do not know the version: they are quiet about what discovery reported,
    and report once what nobody reported."""
    caplog.set_level(logging.WARNING, logger="fleetreg.parsing")
    parse("show license status", TELEMETRY, host="poll-1")
    parse("show license status", TELEMETRY, host="poll-2")
    parse("show license status", TELEMETRY, host="discover-1", device_version="17.12.04")
    parse("show license status", TELEMETRY, host="poll-3")
    messages = [r.getMessage() for r in parsing_warnings(caplog)]
    assert ["poll-1" in messages[0], "17.12.04" in messages[1]] == [True, True]
    assert len(messages) == 2


def test_known_output_warns_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="fleetreg.parsing")
    parse("show license status", (VARIANTS / "sls_variant_slp_cslu_address_ack.txt").read_text(), host="sw1")
    assert parsing_warnings(caplog) == []


def test_cached_outputs_are_still_reported_once(caplog: pytest.LogCaptureFixture) -> None:
    """The parse cache returns the unknown lines too: a fresh process (or forgotten keys) warns
    again even when the output itself was parsed before."""
    caplog.set_level(logging.WARNING, logger="fleetreg.parsing")
    parse("show license status", TELEMETRY, host="sw1")
    forget_reported()
    parse("show license status", TELEMETRY, host="sw2")
    assert [("sw1" in m, "sw2" in m) for m in (r.getMessage() for r in parsing_warnings(caplog))] == [
        (True, False),
        (False, True),
    ]


def test_the_version_from_discover_goes_into_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="fleetreg.parsing")
    hardware = Hardware("C9300-48P", "FOC2233X0AB", "17.12.4", "0c:d0:f8:cd:b5:80", "FOC2233X0AC", 86400)
    outputs = {
        "show version": show_version(hardware, "sw-1", None, 90),
        "show license status": TELEMETRY,
        "show running-config": (VARIANTS / "runcfg_variant_slp_cslu_full.txt").read_text(),
    }
    for host in ("sw-1", "sw-2"):
        facts = build_drift_facts(host, outputs)
        assert facts.license.transport_type == "Smart"
    records = parsing_warnings(caplog)
    assert len(records) == 1
    assert "on IOS-XE 17.12.04" in records[0].getMessage()


def test_show_version_reports_its_own_version(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="fleetreg.parsing")
    text = "Building...\n" + (SAMPLES / "sver_ntc_c9500_16.9.3.txt").read_text()
    parse("show version", text, host="sw1")
    (record,) = parsing_warnings(caplog)
    assert "'show version' on IOS-XE 16.09.03: ignored unknown line(s) 'Building...'" in record.getMessage()


def test_many_lines_are_summarised_and_names_from_outside_stay_one_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="fleetreg.parsing")
    unknown = UnknownOutput(tuple(f"  Line {n}: \x1b[31mx" for n in range(8)))
    assert report_unknown("show license status", unknown, host="sw\n1", device_version="17.12\r")
    message = parsing_warnings(caplog)[0].getMessage()
    assert "and 3 more" in message
    assert "\n" not in message and "\r" not in message and "\x1b" not in message
    assert not report_unknown("show license status", unknown, host="other", device_version="17.12\r")


def test_keys_are_bounded(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="fleetreg.parsing")
    monkeypatch.setattr(warnings_module, "MAX_KEYS", 3)
    unknown = UnknownOutput(("Device Telemetry Report Summary:",))
    for version in ("17.12.1", "17.12.2", "17.12.3", "17.12.4"):
        assert report_unknown("show license status", unknown, device_version=version)
    assert len(warnings_module._reported) == 3
    assert report_unknown("show license status", unknown, device_version="17.12.1")  # forgotten: told again


def test_parallel_parses_warn_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="fleetreg.parsing")
    start = threading.Barrier(8)

    def poll(worker: int) -> None:
        start.wait()
        for n in range(50):
            parse_detailed("show license status", with_disk_reports(n), host=f"sw-{worker}", device_version="17.12.4")

    threads = [threading.Thread(target=poll, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(parsing_warnings(caplog)) == 1
