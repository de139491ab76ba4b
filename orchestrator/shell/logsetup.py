"""Where fleetreg's log records go: the handlers the CLI installs on the `fleetreg` logger, and
the filter that keeps every secret out of them. Library code only calls `logging.getLogger(
__name__)`; a run's events travel as `record.fleetreg_event` (fleetreg.core.events.RunEvent).

- console: one plain line per record but steps (one per host event, wave, gate, run), on the
  stream named at emit time (so a live display or a test that swaps sys.stdout gets it);
  `host_level=False` keeps host events off it too (a terminal's progress bar shows those).
- file: every record, as text (`time level logger: message`) or JSON (one object per line:
  run, wave, host, step, outcome, duration, timestamp), appended, owner-only.

Every record passes `SecretFilter` first: the secrets of this process's environment, a register
line's token, and every secret a run learned (its Redactor, `watch_secrets`) are masked."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, TextIO

from fleetreg.core.errors import RunFolderError
from fleetreg.core.events import RunEvent, iso_time
from fleetreg.core.redact import Redactor
from fleetreg.shell.process import scrub_environment_secrets

ROOT = "fleetreg"
EVENT_ATTRIBUTE = "fleetreg_event"
LogFormat = Literal["text", "json"]


class SecretFilter(logging.Filter):
    """Masks secrets in a record's message and event, in place, before any handler formats it."""

    def __init__(self) -> None:
        super().__init__()
        self.redactors: list[Redactor] = []

    def scrub(self, text: str) -> str:
        text = scrub_environment_secrets(text) or ""
        for redactor in self.redactors:
            text = redactor(text) or ""
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = self.scrub(record.getMessage())
        record.msg, record.args = message, ()
        event = getattr(record, EVENT_ATTRIBUTE, None)
        if isinstance(event, RunEvent):
            setattr(record, EVENT_ATTRIBUTE, _scrubbed(event, self.scrub))
        return True


def _scrubbed(event: RunEvent, scrub: Any) -> RunEvent:
    from dataclasses import replace

    names = ("message", "host", "step", "outcome", "wave", "run")
    return replace(event, **{name: scrub(value) for name in names if (value := getattr(event, name)) is not None})


SECRETS = SecretFilter()


def watch_secrets(redactor: Redactor) -> None:
    """Mask what `redactor` knows (now and later) in every log record of this process."""
    if redactor not in SECRETS.redactors:
        SECRETS.redactors.append(redactor)


def scrub(text: str) -> str:
    """`text` as a log or a JSON document may show it: every known secret masked."""
    return SECRETS.scrub(text)


class ConsoleHandler(logging.Handler):
    """A plain line per record on sys.stdout or sys.stderr, looked up when it is written."""

    def __init__(self, stream: Literal["stdout", "stderr"], *, host_level: bool = True) -> None:
        super().__init__(logging.INFO)
        self.stream_name = stream
        self.host_level = host_level
        self.setFormatter(PlainFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, EVENT_ATTRIBUTE, None)
        if isinstance(event, RunEvent) and (event.event == "step" or (event.host_level and not self.host_level)):
            return  # steps: the log file's; host events: the progress bar's, on a terminal
        stream: TextIO = sys.stdout if self.stream_name == "stdout" else sys.stderr
        try:
            stream.write(self.format(record) + "\n")
            stream.flush()
        except (OSError, ValueError):  # a closed pipe must not end the run
            pass


class PlainFormatter(logging.Formatter):
    """`HH:MM:SS message`: what a scheduler's console shows, one line per event."""

    def format(self, record: logging.LogRecord) -> str:
        clock = self.formatTime(record, "%H:%M:%S")
        level = "" if record.levelno == logging.INFO else f"{record.levelname.lower()}: "
        return f"{clock} {level}{_one_line(record.getMessage())}"


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{iso_time(record.created)} {record.levelname} {record.name}: {_one_line(record.getMessage())}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: the event's fields, or timestamp/level/logger/message."""

    def format(self, record: logging.LogRecord) -> str:
        event = getattr(record, EVENT_ATTRIBUTE, None)
        if isinstance(event, RunEvent):
            document: dict[str, Any] = {**event.fields(), "level": record.levelname.lower()}
        else:
            document = {
                "timestamp": iso_time(record.created),
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": _one_line(record.getMessage()),
            }
        return json.dumps(document, ensure_ascii=False)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def file_handler(path: Path, log_format: LogFormat) -> logging.Handler:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        stream = os.fdopen(fd, "a", encoding="utf-8", buffering=1)
    except OSError as exc:
        raise RunFolderError(f"cannot open the log file: {exc.strerror or exc}", file=str(path)) from None
    handler = _FileHandler(stream)
    handler.setLevel(logging.INFO)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    return handler


class _FileHandler(logging.StreamHandler):
    """A log file opened owner-only by fleetreg (the events name the network's switches)."""

    def close(self) -> None:
        try:
            self.flush()
            self.stream.close()
        finally:
            super().close()


_installed: list[logging.Handler] = []


def configure(handlers: Iterable[logging.Handler]) -> None:
    """Send fleetreg's records (INFO and up) to `handlers` only, every one behind SecretFilter."""
    reset()
    logger = logging.getLogger(ROOT)
    logger.setLevel(logging.INFO)
    for handler in handlers:
        handler.addFilter(SECRETS)
        logger.addHandler(handler)
        _installed.append(handler)


def reset() -> None:
    """Remove and close what `configure` installed (the CLI calls it at the end of each command)."""
    logger = logging.getLogger(ROOT)
    while _installed:
        handler = _installed.pop()
        logger.removeHandler(handler)
        handler.close()
    SECRETS.redactors.clear()


def log_event(logger: logging.Logger, event: RunEvent, *, level: int = logging.INFO) -> None:
    logger.log(level, event.message, extra={EVENT_ATTRIBUTE: event})
