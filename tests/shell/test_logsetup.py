"""fleetreg's log records: plain lines, a JSON object per line, and never a secret (issue 18, item 2)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fleetreg.core.events import RunEvent
from fleetreg.core.redact import Redactor
from fleetreg.shell import logsetup

TOKEN = "NmVhZGU4YzctZTNhZS00ZmFlLWE3ODAtZTcyN2M2MzY"
PASSWORD = "s3cr3t-Passw0rd"


class Printed:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.text = ""

    def getvalue(self) -> str:
        self.text += self.capsys.readouterr().out
        return self.text


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("FLEETREG_PASSWORD", PASSWORD)
    path = tmp_path / "events.jsonl"
    logsetup.configure([logsetup.ConsoleHandler("stdout"), logsetup.file_handler(path, "json")])
    yield Printed(capsys), path
    logsetup.reset()


def event(message: str, **fields: object) -> RunEvent:
    return RunEvent(event="host", run="r1", message=message, timestamp=1767225600.25, **fields)  # type: ignore[arg-type]


def test_an_event_is_one_json_object_per_line_and_one_plain_line(log) -> None:
    out, path = log
    logger = logging.getLogger("fleetreg.test")
    logsetup.log_event(
        logger, event("wave 1 sw1: migrated (2.0s)", wave="wave 1", host="sw1", outcome="migrated", duration_s=2.0)
    )
    logger.info("a plain record")
    logsetup.reset()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0] == {
        "timestamp": "2026-01-01T00:00:00.250Z",
        "event": "host",
        "run": "r1",
        "wave": "wave 1",
        "host": "sw1",
        "step": None,
        "outcome": "migrated",
        "duration": 2.0,
        "message": "wave 1 sw1: migrated (2.0s)",
        "level": "info",
    }
    assert lines[1]["message"] == "a plain record" and lines[1]["logger"] == "fleetreg.test"
    printed = out.getvalue().splitlines()
    assert len(printed) == 2 and printed[0].endswith(" wave 1 sw1: migrated (2.0s)")
    assert path.stat().st_mode & 0o077 == 0


def test_no_secret_reaches_a_log_line_or_an_event(log) -> None:
    out, path = log
    redactor = Redactor([TOKEN])
    logsetup.watch_secrets(redactor)
    logger = logging.getLogger("fleetreg.test")
    logsetup.log_event(logger, event(f"sw1: failed: % bad token {TOKEN} for {PASSWORD}", host="sw1"))
    logger.warning("typed: license smart register idtoken %s", "AAAABBBBCCCCDDDD")
    logsetup.reset()
    text = path.read_text() + out.getvalue()
    for secret in (TOKEN, PASSWORD, "AAAABBBBCCCCDDDD"):
        assert secret not in text
    assert "idtoken <token>" in text and "********" in text


def test_on_a_terminal_host_events_stay_with_the_progress_bar_and_steps_stay_in_the_file(log) -> None:
    out, _ = log
    handler = logsetup.ConsoleHandler("stdout", host_level=False)
    logger = logging.getLogger("fleetreg.test")
    logsetup.configure([handler])
    logsetup.log_event(logger, event("sw1: migrated", host="sw1"))
    logsetup.log_event(logger, RunEvent(event="wave-started", run="r1", message="wave 1: started", timestamp=0))
    assert out.getvalue().splitlines()[-1].endswith("wave 1: started") and "sw1" not in out.getvalue()
    plain = logsetup.ConsoleHandler("stdout")
    logsetup.configure([plain])
    logsetup.log_event(logger, RunEvent(event="step", run="r1", message="sw1: precheck done", timestamp=0))
    assert "precheck" not in out.getvalue()
