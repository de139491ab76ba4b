"""What to check of the satellite's TLS certificate before any switch is touched, and what the
answer means. Pure: the connections are made by orchestrator.satellite_tls.

A switch with trustpoint mode `ca-file` will trust the satellite through the CA in that file. That
CA must validate the chain the satellite really presents at the host and port of the URL the
switch will use (call-home: `satellite_url`; SLP: the CSLU URL), and, with
`server_identity_check: verify`, the URL's host must be a name on the certificate (an IP literal:
an IP subjectAltName). One check per (host, port, CA file, name check), whatever the number of
switches that share it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from fleetreg.core.errors import InputError
from fleetreg.core.settings import SETTINGS_KEY, MigrationSettings

UNREACHABLE_FLAG = "--satellite-unreachable-ok"
INVENTORY_FILES = {"defaults": "defaults.yaml", "host": "hosts.yaml"}  # "group X" -> groups.yaml


@dataclass(frozen=True)
class TrustTarget:
    """One TLS check: connect to host:port, validate with only `ca_file` as trust anchor."""

    host: str  # as in the URL (a DNS name or an IP literal, without brackets)
    port: int
    ca_file: str
    check_name: bool  # server_identity_check: verify
    url: str  # the first URL that needs it (for messages)
    source: str  # where the URL was set: "defaults", "group <name>" or "host"
    hosts: tuple[str, ...]  # the inventory hosts that rely on it
    written_in: tuple[str, int | None] | None = None  # the file (or URL) and line that set it, when known

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class TrustNeed:
    """One switch's reliance on the satellite's certificate: the URL it will use, the CA file
    the plan installs on it, and whether its identity check stays on."""

    host: str
    url: str
    ca_file: str
    check_name: bool
    source: str = "host"
    written_in: tuple[str, int | None] | None = None


@dataclass(frozen=True)
class ProbeResult:
    """What the shell saw at a target: `ok`; `unreachable` (no TCP/DNS: cannot tell);
    `untrusted` (the chain does not validate with the CA file, the name does not match, no TLS)."""

    status: Literal["ok", "unreachable", "untrusted"]
    detail: str = ""


def needs_from_settings(
    host: str,
    settings: MigrationSettings,
    sources: Mapping[str, str],
    locations: Mapping[str, tuple[str, int | None]] | None = None,
) -> list[TrustNeed]:
    """At plan time, before discovery (the mode is not known yet): every URL the switch may use.
    Nothing when it installs no CA (trustpoint mode other than `ca-file`)."""
    trustpoint = settings.trustpoint
    if trustpoint.mode != "ca-file" or not trustpoint.ca_file:
        return []
    check_name = settings.server_identity_check == "verify"
    urls = [settings.satellite_url]
    if settings.cslu_url is not None and settings.transport != "callhome":
        urls.append(settings.cslu_url)  # its host and port are satellite_url's
    source, written_in = sources.get("satellite_url", "host"), (locations or {}).get("satellite_url")
    return [TrustNeed(host, url, trustpoint.ca_file, check_name, source, written_in) for url in urls]


def needs_from_plan(
    host: str,
    expected_url: str | None,
    ca_file: str | None,
    settings: MigrationSettings,
    source: str,
    written_in: tuple[str, int | None] | None = None,
) -> list[TrustNeed]:
    """At apply time: the URL and CA file the plan recorded for a switch it will work on."""
    if not expected_url or not ca_file:
        return []
    return [TrustNeed(host, expected_url, ca_file, settings.server_identity_check == "verify", source, written_in)]


def trust_targets(needs: Iterable[TrustNeed]) -> list[TrustTarget]:
    """The distinct checks, in first-seen order. A URL that is not https has no certificate to
    check (settings refuse one; only a plan edited by hand could hold it, and apply refuses that)."""
    grouped: dict[tuple[str, int, str, bool], list[TrustNeed]] = {}
    for need in needs:
        parts = urlsplit(need.url)
        if parts.scheme.lower() != "https" or not parts.hostname:
            continue
        key = (parts.hostname, parts.port or 443, need.ca_file, need.check_name)
        grouped.setdefault(key, []).append(need)
    targets = []
    for (host, port, ca_file, check_name), group in grouped.items():
        names = tuple(dict.fromkeys(n.host for n in group))
        first = group[0]
        targets.append(TrustTarget(host, port, ca_file, check_name, first.url, first.source, names, first.written_in))
    return targets


def _hosts_text(target: TrustTarget) -> str:
    more = len(target.hosts) - 1
    return f"{target.hosts[0]}" + (f" and {more} more" if more > 0 else "")


def _written_in(target: TrustTarget, inventory_dir: str | None) -> tuple[str, int | None]:
    """Where the URL was set: as the inventory recorded it, else the folder's file for its source."""
    if target.written_in is not None:
        return target.written_in
    name = INVENTORY_FILES.get(target.source, "groups.yaml")
    return (f"{inventory_dir.rstrip('/')}/{name}" if inventory_dir else name), None


def verdict(
    target: TrustTarget, result: ProbeResult, *, unreachable_ok: bool, inventory_dir: str | None = None
) -> str | None:
    """None when the check passed. A risk text when the satellite could not be reached and the
    user said to go on. Raises InputError (exit 2, one line) when the check blocks."""
    if result.status == "ok":
        return None
    (file, line), host, field = _written_in(target, inventory_dir), _hosts_text(target), f"{SETTINGS_KEY}.satellite_url"
    group = f" ({target.source})" if target.source.startswith("group ") else ""
    if result.status == "unreachable":
        if unreachable_ok:
            return (
                f"satellite {target.address} not reachable from where fleetreg ran ({result.detail}): "
                f"CA file {target.ca_file} not checked against the satellite's certificate ({UNREACHABLE_FLAG})"
            )
        raise InputError(
            f"cannot reach the satellite at {target.url}{group} from here to check CA file {target.ca_file}: "
            f"{result.detail}; if it is reachable only from the switches, rerun with {UNREACHABLE_FLAG}",
            file=file,
            line=line,
            host=host,
            field=field,
        )
    raise InputError(
        f"the satellite at {target.url}{group} is not trusted by CA file {target.ca_file}: {result.detail}; "
        "no switch was touched",
        file=file,
        line=line,
        host=host,
        field=field,
    )


@dataclass(frozen=True)
class TrustChecked:
    """The checks made and what they found: the risks per inventory host (an unreachable satellite,
    let through by the flag), and one line per check for the terminal."""

    targets: tuple[TrustTarget, ...] = ()
    results: Mapping[TrustTarget, ProbeResult] = field(default_factory=dict)
    risks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def passed(self) -> list[str]:
        return [
            f"satellite certificate at {t.address} validates with CA file {t.ca_file}"
            + (f" for the name {t.host}" if t.check_name else " (chain only: identity check disabled)")
            + f" ({len(t.hosts)} host{'' if len(t.hosts) == 1 else 's'})"
            for t in self.targets
            if self.results[t].status == "ok"
        ]

    def warnings(self) -> list[str]:
        return list(dict.fromkeys(r for host_risks in self.risks.values() for r in host_risks))


def check_all(
    targets: Sequence[TrustTarget],
    results: Mapping[TrustTarget, ProbeResult],
    *,
    unreachable_ok: bool,
    inventory_dir: str | None = None,
) -> TrustChecked:
    """Every target's verdict: a blocking one raises (an untrusted certificate before an unreachable
    satellite); else the risks per inventory host."""
    risks: dict[str, tuple[str, ...]] = {}
    for target in sorted(targets, key=lambda t: results[t].status != "untrusted"):
        risk = verdict(target, results[target], unreachable_ok=unreachable_ok, inventory_dir=inventory_dir)
        if risk is not None:
            for host in target.hosts:
                risks[host] = (*risks.get(host, ()), risk)
    return TrustChecked(tuple(targets), dict(results), risks)
