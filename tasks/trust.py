"""Install the satellite's CA certificate into a trustpoint (`crypto pki authenticate`), accepting
it only when the fingerprint the switch prints equals the one fleetreg computed from the PEM file.

Dialogue (config mode, `enrollment terminal` trustpoint):
    crypto pki authenticate NAME
    Enter the base 64 encoded CA certificate.
    End with a blank line or the word "quit" on a line by itself
    <PEM lines> / quit
    Certificate has the following attributes:
           Fingerprint MD5: ...
          Fingerprint SHA1: XXXXXXXX XXXXXXXX XXXXXXXX XXXXXXXX XXXXXXXX
    % Do you accept this certificate? [yes/no]: yes|no
Every wait is for an explicit pattern after the typed line's echo (no fixed sleeps), so a prompt
left over from the previous line cannot satisfy it."""

from __future__ import annotations

import re

from fleetreg.core.errors import CommandError
from fleetreg.core.pki import normalize_fingerprint, paste_lines
from fleetreg.tasks.cli import IOS_XE, ConfigLineRejected, DeviceCli
from fleetreg.tasks.configure import leave_config_mode
from fleetreg.tasks.connection import device_cli, send
from nornir.core.task import Result, Task

STEP = "install_ca"
PASTE_PROMPT = r"on a line by itself\s*$"
ACCEPT_QUESTION = r"Do you accept this certificate\? \[yes/no\]:\s*$"
CONFIG_PROMPT = r"\)#\s*$"
SHA1_RE = re.compile(r"Fingerprint SHA1:\s*((?:[0-9A-Fa-f]{8}\s?){5})")


def installed_ca_sha1(cli: DeviceCli, trustpoint: str, *, read_timeout: float) -> str | None:
    """The SHA1 fingerprint (normalised) of the CA certificate `trustpoint` holds, or None."""
    output = send(cli, f"show crypto pki certificates verbose {trustpoint}", read_timeout=read_timeout)
    blocks = output.split("CA Certificate")[1:]
    for block in blocks:
        if f"Associated Trustpoints: {trustpoint}" not in block:
            continue
        found = SHA1_RE.search(block)
        if found:
            return normalize_fingerprint(found.group(1))
    return None


def authenticate_ca(cli: DeviceCli, trustpoint: str, ca_pem: str, expected_sha1: str, read_timeout: float = 30) -> str:
    """Create `trustpoint` (enrollment terminal, revocation-check none) and authenticate the CA in
    `ca_pem`, answering `yes` only when the switch's SHA1 equals `expected_sha1`. A trustpoint that
    already holds this CA: nothing is done. One that holds another CA: CommandError (fleetreg
    never deletes a trustpoint's certificates). Returns what was done."""
    expected = normalize_fingerprint(expected_sha1)
    lines = paste_lines(ca_pem)
    present = installed_ca_sha1(cli, trustpoint, read_timeout=read_timeout)
    if present == expected:
        return f"trustpoint {trustpoint} already holds the CA"
    if present is not None:
        raise CommandError(
            f"trustpoint {trustpoint} already holds another CA (SHA1 {present}); remove it or choose another name",
            host=cli.host,
            step=STEP,
        )
    try:
        return _authenticate(cli, trustpoint, lines, expected, read_timeout=read_timeout)
    finally:
        leave_config_mode(cli)


def install_trust(task: Task, trustpoint: str, ca_pem: str, expected_sha1: str, read_timeout: float = 30) -> Result:
    """Nornir task: the satellite's CA into `trustpoint`, accepted only with the expected SHA1
    (fleetreg.core.pki.ca_fingerprints computes it from the PEM)."""
    done = authenticate_ca(device_cli(task), trustpoint, ca_pem, expected_sha1, read_timeout)
    return Result(host=task.host, result=done, changed="already holds" not in done)


def _authenticate(cli: DeviceCli, trustpoint: str, lines: list[str], expected: str, *, read_timeout: float) -> str:
    host = cli.host
    setup = [f"crypto pki trustpoint {trustpoint}", " enrollment terminal", " revocation-check none", " exit"]
    try:
        transcript = cli.send_config(setup, leave=False, read_timeout=read_timeout)
    except ConfigLineRejected as exc:
        raise CommandError(
            f"switch rejected the trustpoint setup: {exc.line!r}: {exc.error}", host=host, step=STEP
        ) from None
    transcript += cli.exchange(
        f"crypto pki authenticate {trustpoint}", rf"{PASTE_PROMPT}|{CONFIG_PROMPT}", read_timeout=read_timeout
    )
    if not re.search(PASTE_PROMPT, transcript, re.MULTILINE):
        raise CommandError(f"crypto pki authenticate refused: {_ios_error(transcript)}", host=host, step=STEP)
    cli.write_lines(lines)
    answer = cli.exchange("quit", rf"{ACCEPT_QUESTION}|{CONFIG_PROMPT}", read_timeout=read_timeout)
    transcript += answer
    found = SHA1_RE.search(answer)
    if found is None or not re.search(ACCEPT_QUESTION, answer):
        raise CommandError(f"the switch did not accept the PEM: {_ios_error(answer)}", host=host, step=STEP)
    shown = normalize_fingerprint(found.group(1))
    if shown != expected:
        cli.exchange("no", CONFIG_PROMPT, read_timeout=read_timeout)
        raise CommandError(
            f"CA fingerprint mismatch: switch shows {_grouped(shown)}, PEM file has {_grouped(expected)}",
            host=host,
            step=STEP,
        )
    accepted = cli.exchange("yes", CONFIG_PROMPT, read_timeout=read_timeout)
    if "certificate accepted" not in accepted:
        raise CommandError(f"CA certificate not accepted: {_ios_error(accepted)}", host=host, step=STEP)
    return transcript + accepted


def _grouped(fingerprint: str) -> str:
    return " ".join(fingerprint[i : i + 8] for i in range(0, len(fingerprint), 8))


def _ios_error(text: str) -> str:
    """The switch's first error line (the platform's check; the accept question is not one)."""
    for line in text.splitlines():
        if not re.search(ACCEPT_QUESTION, line) and (error := IOS_XE.error_in(line)):
            return error
    return _first_line(text)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return "(no output)"
