"""Facts about one switch, built from the raw outputs of the read-only discover commands.
Pure: text in, typed facts out (parsing goes through orchestrator.parsing, the same code
`fleetreg parse` uses)."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from fleetreg.core.config_change import relevant_excerpt
from fleetreg.core.errors import ParseError
from fleetreg.core.parsing import parse_as
from fleetreg.core.parsing.models import (
    CallHomeConfig,
    CallHomeProfileConfig,
    LicenseStatus,
    VersionInfo,
)
from pydantic import BaseModel, ConfigDict

# What discover runs on every switch, in order, and apply's pre-check runs again. Read-only.
DISCOVER_COMMANDS: tuple[str, ...] = (
    "show version",
    "show license status",
    "show running-config",
)

RegisteredTo = Literal["cloud", "satellite", "other-satellite", "unregistered"]
CLOUD_DOMAINS = ("cisco.com",)
# Where CiscoTAC-1 sends when no address is configured (IOS default).
CISCO_TAC_DEFAULT_URL = "https://tools.cisco.com/its/service/oddce/services/DDCEService"
FIRST_SLP_VERSION = (17, 3, 2)


class DriftFacts(BaseModel):
    """The part of a switch's state that a plan's fingerprint covers: what apply's pre-check
    reads again to refuse a switch that changed since the plan. No secrets: the config is an
    excerpt."""

    model_config = ConfigDict(frozen=True)

    host: str
    version: VersionInfo
    license: LicenseStatus
    config_excerpt: str


class DeviceFacts(DriftFacts):
    """What discover learned about one switch: the drift facts and the parsed call-home config."""

    callhome: CallHomeConfig

    @property
    def licensing_mode(self) -> Literal["classic", "slp"]:
        if self.license.mode == "slp" or tuple(self.version.version_tuple) >= FIRST_SLP_VERSION:
            return "slp"
        return "classic"

    def smart_licensing_urls(self) -> list[str]:
        """Where this switch sends Smart Licensing data now."""
        if self.licensing_mode == "slp":
            url = self.license.transport_url
            return [url] if url is not None and _is_url(url) else []
        urls: list[str] = []
        for profile in self.callhome.profiles:
            if not (profile.active and profile.reporting_smart_licensing and profile.transport_http):
                continue
            if profile.http_addresses:
                urls.extend(profile.http_addresses)
            elif profile.name == "CiscoTAC-1":
                urls.append(CISCO_TAC_DEFAULT_URL)
        return urls

    def profile(self, name: str) -> CallHomeProfileConfig | None:
        for profile in self.callhome.profiles:
            if profile.name == name:
                return profile
        return None

    def profile_http_addresses(self, name: str) -> list[str]:
        profile = self.profile(name)
        return list(profile.http_addresses) if profile else []

    @property
    def unsaved_changes(self) -> bool | None:
        """Running config changed after the last save (IOS's two header lines); None: not shown."""
        changed = _ios_time(self.callhome.last_change)
        if changed is None:
            return None
        saved = _ios_time(self.callhome.nvram_updated)
        return saved is None or changed > saved

    @property
    def slp_identity_check_disabled(self) -> bool:
        return "no license smart server-identity-check" in self.config_excerpt.splitlines()

    @property
    def identity_check_disabled(self) -> bool:
        return not self.callhome.server_identity_check


_IOS_TIME = re.compile(r"(\d{1,2}:\d{2}:\d{2})(?:\.\d+)?\s+\S+\s+\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{4})")


def _ios_time(text: str | None) -> datetime | None:
    """'20:37:44 UTC Fri Nov 27 2026' -> a datetime (both header lines use the same time zone)."""
    match = _IOS_TIME.search(text or "")
    if match is None:
        return None
    clock, month, day, year = match.groups()
    try:
        return datetime.strptime(f"{year} {month} {day} {clock}", "%Y %b %d %H:%M:%S")
    except ValueError:
        return None


def _is_url(value: str | None) -> bool:
    return bool(value) and "://" in (value or "")


def _host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_cloud_host(host: str) -> bool:
    """Cisco's cloud (CSSM): tools.cisco.com and the other hosts of its domains."""
    host = host.lower()
    return any(host == d or host.endswith("." + d) for d in CLOUD_DOMAINS)


def registered_to(facts: DeviceFacts, satellite_host: str) -> RegisteredTo:
    lic = facts.license
    hosts = [_host_of(url) for url in facts.smart_licensing_urls()]
    if facts.licensing_mode == "slp":
        if lic.transport_type and lic.transport_type.lower() == "smart":
            return "cloud"
        if not hosts or not _has_ack(lic):
            return "unregistered"
    elif not (lic.registration_status or "").startswith("REGISTERED"):
        return "unregistered"
    if satellite_host.lower() in hosts:
        return "satellite"
    if any(is_cloud_host(h) for h in hosts):
        return "cloud"
    return "other-satellite" if hosts else "unregistered"


def _has_ack(lic: LicenseStatus) -> bool:
    return bool(lic.last_ack_received) and lic.last_ack_received not in ("<none>", "<empty>")


def build_facts(host: str, outputs: Mapping[str, str], *, trustpoints: tuple[str, ...] = ()) -> DeviceFacts:
    """Parse the discover outputs of one switch. Raises ParseError naming host and command."""
    drift = build_drift_facts(host, outputs, trustpoints=trustpoints)
    callhome = parse_as(CallHomeConfig, "show running-config", outputs["show running-config"], host=host)
    return DeviceFacts(**dict(drift), callhome=callhome)


def build_drift_facts(host: str, outputs: Mapping[str, str], *, trustpoints: tuple[str, ...] = ()) -> DriftFacts:
    """What the pre-check needs from the same outputs: the call-home config stays unparsed
    (its excerpt is fingerprinted as text)."""
    missing = [cmd for cmd in DISCOVER_COMMANDS if cmd not in outputs]
    if missing:
        raise ParseError("no output collected", host=host, command=missing[0])
    version = parse_as(VersionInfo, "show version", outputs["show version"], host=host)
    return DriftFacts(
        host=host,
        version=version,
        license=parse_as(
            LicenseStatus,
            "show license status",
            outputs["show license status"],
            host=host,
            device_version=version.version,
        ),
        config_excerpt=relevant_excerpt(outputs["show running-config"], ("SLA-TrustPoint", *trustpoints)),
    )


def fingerprint_material(facts: DriftFacts) -> dict[str, str | None]:
    """What the fingerprint covers, field by field (config excerpt and licensing state, not timers)."""
    lic = facts.license
    return {
        "config": facts.config_excerpt,
        "version": facts.version.version,
        "mode": lic.mode,
        "registration_status": lic.registration_status,
        "smart_account": lic.smart_account,
        "virtual_account": lic.virtual_account,
        "authorization_status": lic.authorization_status,
        "transport_type": lic.transport_type,
        "transport_url": lic.transport_url,
    }


def fingerprint(facts: DriftFacts) -> str:
    """A stable digest of the pre-state a plan relies on, so apply can refuse a switch that
    changed since the plan."""
    return hashlib.sha256(json.dumps(fingerprint_material(facts), sort_keys=True).encode()).hexdigest()[:16]


def drift_from(planned: DriftFacts | None, now: DriftFacts) -> list[str]:
    """What changed on a switch since the plan read it, one `field: planned -> now` per field the
    fingerprint covers; for the config, the first lines that differ."""
    if planned is None:
        return ["the plan recorded no facts for it"]
    before, after = fingerprint_material(planned), fingerprint_material(now)
    changes = [
        f"{name}: {before[name]!r} -> {after[name]!r}"
        for name in before
        if name != "config" and before[name] != after[name]
    ]
    changes += config_drift(before["config"] or "", after["config"] or "")
    return changes or ["fingerprint differs, yet no field does (plan made by another fleetreg version?)"]


def config_drift(planned: str, now: str, *, limit: int = 3) -> list[str]:
    """The call-home, license and trustpoint lines that differ, `config: planned -> now`, the
    first `limit` of them (and how many more)."""
    old, new = planned.splitlines(), now.splitlines()
    found: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        removed, added = old[i1:i2], new[j1:j2]
        for index in range(max(len(removed), len(added))):
            was = repr(removed[index].strip()) if index < len(removed) else "(absent)"
            is_now = repr(added[index].strip()) if index < len(added) else "(absent)"
            found.append(f"config: {was} -> {is_now}")
    if len(found) > limit:
        return [*found[:limit], f"config: {len(found) - limit} more line(s) differ"]
    return found
