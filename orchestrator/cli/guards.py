"""The operator's guards on `apply` and `backout`: what will be done, printed first; a typed
confirmation (the plan's short id) unless `--yes`; the gate between waves (`--confirm-waves`),
which shows how the last wave went and takes only an explicit answer; `--soak` and
`--window-end` read into the run's pacing. Prompts go to stderr, answers come from stdin."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from fleetreg.cli.common import stdout
from fleetreg.core.errors import InputError
from fleetreg.core.events import took
from fleetreg.core.pacing import parse_duration, parse_window_end
from fleetreg.services.soak import Pacing
from fleetreg.services.waves import ConfirmWave, WaveGate

CONTINUE = frozenset({"yes", "continue"})
STOP = frozenset({"stop"})
NO_TERMINAL = "{what} asks for a typed confirmation: run it in a terminal, or pass --yes for an unattended run"


def pacing_from(soak: str | None, window_end: str | None) -> Pacing:
    end = parse_window_end(window_end, datetime.now().astimezone()) if window_end else None
    return Pacing(soak_s=parse_duration(soak) if soak else 0.0, window_end=end.timestamp() if end else None)


def window_text(pacing: Pacing) -> str | None:
    parts = []
    if pacing.soak_s:
        parts.append(f"soak {took(pacing.soak_s)} between waves, re-verifying the last one")
    if pacing.window_end is not None:
        end = datetime.fromtimestamp(pacing.window_end).astimezone()
        parts.append(f"window ends {end.isoformat(timespec='minutes')}: no wave starts that would cross it")
    return "; ".join(parts) or None


def require_terminal(what: str, *, yes: bool, confirm_waves: bool) -> None:
    """Refuse at once (exit 2, nothing touched) what cannot be asked without a terminal."""
    if confirm_waves and not yes and not sys.stdin.isatty():
        raise InputError("--confirm-waves needs a terminal to answer on; use --yes for unattended runs")
    if not yes and not sys.stdin.isatty():
        raise InputError(NO_TERMINAL.format(what=what))


def ask(prompt: str) -> str | None:
    """One answer typed on stdin (the prompt on stderr); None at end of input (Ctrl-D)."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    return None if line == "" else line.strip()


def confirm_start(what: str, short_id: str) -> None:
    """The operator types the plan's short id, or nothing is touched (exit 2)."""
    answer = ask(f"Type the plan's short id ({short_id}) to {what}, anything else cancels: ")
    if answer is None or answer.lower() != short_id.lower():
        typed = "nothing" if not answer else repr(answer)
        raise InputError(f"not confirmed (typed {typed}, not the plan's short id {short_id}): nothing was touched")
    stdout.print(f"Confirmed: {what}")


@contextmanager
def _ctrl_c_raises() -> Iterator[None]:
    """At a prompt, Ctrl-C raises KeyboardInterrupt (the run's handler would only ask the steps
    under way to finish, and the prompt would wait on)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def wave_gate() -> ConfirmWave:
    """Before each wave after the first: the last wave's outcomes, then `yes`/`continue` or
    `stop` (Enter alone is no answer; end of input is stop). Ctrl-C: KeyboardInterrupt."""

    def gate(question: WaveGate) -> bool:
        for line in question.previous.lines():
            stdout.print(line, markup=False)
        window = "" if question.window_left_s is None else f"; the window ends in {took(question.window_left_s)}"
        stdout.print(
            f"Next: {question.wave.name}, {question.hosts} switches, about {took(question.estimate_s)}{window}",
            markup=False,
        )
        with _ctrl_c_raises():
            while True:
                answer = ask(f"Start {question.wave.name}? Type yes (or continue), or stop (resumable): ")
                if answer is None:
                    return False
                if answer.lower() in CONTINUE:
                    return True
                if answer.lower() in STOP:
                    return False
                stdout.print("Type yes, continue or stop (Enter alone is not an answer).", markup=False)

    return gate
