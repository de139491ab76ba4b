"""What may become part of a line typed into a switch's CLI. Pure.

Two layers. Every value is checked where it enters fleetreg (settings, secrets file,
environment, the satellite's API) against what IOS accepts for that kind of value; and every
line a transport types passes `gate_line`, which refuses what would let a value add a line or
change what IOS does with it (control characters end or edit the line, `?` asks for help).
Errors never show a token: they name where it came from."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from fleetreg.core.errors import DeviceError

CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1
# Characters IOS's parser does not take as part of a typed value: `?` shows context help.
IOS_HELP = "?"

# IOS names fleetreg types (call-home profile, trustpoint, VRF): letters, digits, and - _ . :
IOS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
IOS_NAME_MAX = {"callhome_profile": 31, "trustpoint.name": 64, "vrf": 32}
INTERFACE = re.compile(r"^[A-Za-z][A-Za-z-]*\d+(/\d+)*(\.\d+)?$")
# RFC 3986 characters, less `?` (IOS help) and `"` `<` `>` `\` `^` `` ` `` `{` `|` `}` (never in a URL)
URL_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/#\[\]@!$&'()*+,;=%]+$")
# An SSM On-Prem tenant as it stands in /cslu/v1/pi/<tenant>: unreserved characters or %XX
TENANT = re.compile(r"^(?:[A-Za-z0-9\-._~]|%[0-9A-Fa-f]{2})+$")
# A URL's host fleetreg may type (the plan-time `ping <host> ...`): a DNS name of letters, digits and
# hyphens in dot-separated labels (RFC 1123), or an IPv4 address; IPv6 in brackets
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
DNS_NAME = re.compile(rf"^(?=.{{1,253}}$)(?:{_LABEL}\.)*{_LABEL}$")
IPV4 = re.compile(r"^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$")
IPV6_LITERAL = re.compile(r"^\[[0-9A-Fa-f:.]{2,45}\]$")
# Smart Licensing registration tokens: URL-encoded base64 (…%0A, %3D), 40 to 512 characters
TOKEN = re.compile(r"^[A-Za-z0-9%+/=_.-]+$")
TOKEN_LENGTH = (40, 512)
IDTOKEN = re.compile(r" idtoken \S+")  # the token of a register line, never shown


def shown(char: str) -> str:
    """A character as an error message may show it (control characters escaped)."""
    return repr(char)[1:-1] if CONTROL_CHARS.match(char) else char


def control_problem(value: str) -> str | None:
    """Why `value` cannot be part of a typed line (a control character or `?`), else None."""
    found = CONTROL_CHARS.search(value)
    if found:
        return f"holds a control character ({shown(found.group())} at position {found.start() + 1})"
    if IOS_HELP in value:
        return "holds '?', which IOS takes as a request for help"
    return None


def check_text(value: str) -> str:
    """A free-text setting (virtual account, site): printable, one line."""
    if problem := control_problem(value):
        raise ValueError(problem)
    return value


def check_ios_name(value: str, field: str) -> str:
    """A name IOS stores and fleetreg types (profile, trustpoint, VRF)."""
    if problem := control_problem(value):
        raise ValueError(problem)
    limit = IOS_NAME_MAX[field]
    if not IOS_NAME.match(value) or len(value) > limit:
        raise ValueError(
            f"{value!r} is not an IOS name: letters, digits and - _ . : only, starting with a letter or digit, "
            f"at most {limit} characters"
        )
    return value


def check_interface(value: str) -> str:
    if problem := control_problem(value):
        raise ValueError(problem)
    if not INTERFACE.match(value):
        raise ValueError(f"{value!r} is not an IOS interface name (e.g. Vlan781, GigabitEthernet0/0)")
    return value


def check_https_url(value: str, *, what: str, example: str) -> str:
    """An https URL with a host, a valid port and only characters a URL holds."""
    if problem := control_problem(value):
        raise ValueError(f"{what} {problem}")
    if not URL_CHARS.match(value):
        bad = next(c for c in value if not URL_CHARS.match(c))
        raise ValueError(f"{what} holds {bad!r}, which has no place in a URL (percent-encode it)")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"malformed {what} {value!r}: expected {example}")
    if "@" in parts.netloc:  # user@host: parsers differ on which part is the host
        raise ValueError(f"{what} {value!r} holds user information (an @ before the host)")
    host = parts.netloc.rsplit(":", 1)[0] if not parts.netloc.endswith("]") else parts.netloc
    if not (DNS_NAME.match(host) or IPV4.match(host) or IPV6_LITERAL.match(host)):
        raise ValueError(
            f"{what} {value!r}: its host {host!r} is neither a DNS name (letters, digits, hyphens, dots) "
            "nor an IP address"
        )
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise ValueError(f"malformed {what} {value!r}: {exc}") from None
    return value


def check_tenant(value: str) -> str:
    if problem := control_problem(value):
        raise ValueError(problem)
    if not TENANT.match(value):
        raise ValueError(
            f"{value!r} is not a percent-encoded tenant (letters, digits, - . _ ~ and %XX, "
            "e.g. Corporate%20Network%20Devices-1)"
        )
    return value


def token_problem(value: str) -> str | None:
    """Why `value` is not a Smart Licensing registration token, else None. Never shows it."""
    low, high = TOKEN_LENGTH
    if CONTROL_CHARS.search(value) or not TOKEN.match(value):
        return "is not a registration token: it holds characters a token never has (a token is URL-encoded base64)"
    if not low <= len(value) <= high:
        return f"is not a registration token: {len(value)} characters, a token has {low} to {high}"
    return None


def line_problem(line: str) -> str | None:
    """Why `line` may not be typed at a switch (see `gate_line`), else None."""
    if problem := control_problem(line):
        return problem
    if not line.isascii():
        return "holds a character outside printable ASCII, which IOS's CLI does not take"
    return None


class UnsafeLineError(DeviceError):
    """A line was about to be typed with a character that could add or change a command.
    Raised before anything of it is sent; the step fails, the session stays usable."""

    reason = "unsafe line refused"


def gate_line(line: str, *, host: str, origins: Mapping[str, str] | None = None, secrets: tuple[str, ...] = ()) -> str:
    """The one check every typed line passes. `origins`: value -> the setting it came from,
    to name it; `secrets`: values never to show (the line is then shown without them)."""
    problem = line_problem(line)
    if problem is None:
        return line
    source = next(
        (name for value, name in (origins or {}).items() if value and value in line and control_problem(value)),
        None,
    )
    text = IDTOKEN.sub(" idtoken <token>", line)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<secret>")
    where = f"; it came from {source}" if source else ""
    raise UnsafeLineError(f"refused to type {text[:120]!r}: it {problem}{where}", host=host)


def setting_origins(settings: Any, prefix: str = "fleetreg") -> dict[str, str]:
    """Every string value of a settings model (nested ones too) -> its field name, so a refused
    line can name the setting its text came from."""
    return dict(_strings(settings.model_dump() if hasattr(settings, "model_dump") else {}, prefix))


def _strings(data: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, str]]:
    for key, value in data.items():
        if isinstance(value, str):
            yield value, f"{prefix}.{key}"
        elif isinstance(value, Mapping):
            yield from _strings(value, f"{prefix}.{key}")
