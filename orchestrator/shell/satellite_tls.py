"""The shell of the satellite trust check (orchestrator.satellite_trust): TLS handshakes from where
fleetreg runs to the satellite, with Python's ssl module, trusting only the CA file the plan will
install (never the system store)."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Sequence

from fleetreg.core.inventory_model import Inventory
from fleetreg.core.plan_model import Plan
from fleetreg.core.satellite_trust import (
    ProbeResult,
    TrustChecked,
    TrustNeed,
    TrustTarget,
    check_all,
    needs_from_plan,
    needs_from_settings,
    trust_targets,
)

DEFAULT_TIMEOUT_S = 10.0


def _context(ca_file: str, *, check_name: bool) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, hostname check on, no CA loaded
    context.check_hostname = check_name
    context.load_verify_locations(cafile=ca_file)
    return context


def _handshake(target: TrustTarget, context: ssl.SSLContext, timeout: float) -> dict | None:
    """Connect and handshake; the validated peer certificate (as ssl.getpeercert gives it)."""
    with (
        socket.create_connection((target.host, target.port), timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=target.host) as tls,
    ):
        return tls.getpeercert()


def _names(certificate: dict | None) -> str:
    """The DNS and IP names a certificate is for (subjectAltName, else the subject's CN)."""
    if not certificate:
        return "no names"
    names = [value for kind, value in certificate.get("subjectAltName", ()) if kind in ("DNS", "IP Address")]
    if not names:
        names = [value for rdn in certificate.get("subject", ()) for key, value in rdn if key == "commonName"]
    return ", ".join(names) or "no names"


def probe(target: TrustTarget, *, timeout: float = DEFAULT_TIMEOUT_S) -> ProbeResult:
    """One check. A CA file that cannot be read, a chain that does not validate, a name that does
    not match or a peer that does not speak TLS: `untrusted`. No route, refused, timeout, unknown
    name: `unreachable`."""
    try:
        context = _context(target.ca_file, check_name=target.check_name)
    except (OSError, ssl.SSLError) as exc:
        return ProbeResult("untrusted", f"cannot load the CA file: {exc.strerror or exc}")
    try:
        _handshake(target, context, timeout)
    except ssl.SSLCertVerificationError as exc:
        message = exc.verify_message or str(exc)
        if "hostname mismatch" in message.lower() or "ip address mismatch" in message.lower():
            return ProbeResult("untrusted", f"name mismatch: {target.host} is not on the certificate{_for(target)}")
        return ProbeResult("untrusted", f"certificate verify failed: {message}")
    except ssl.SSLError as exc:
        return ProbeResult("untrusted", f"TLS handshake failed: {exc.reason or exc}")
    except socket.gaierror as exc:
        return ProbeResult("unreachable", f"cannot resolve {target.host}: {exc.strerror}")
    except TimeoutError:
        return ProbeResult("unreachable", f"no answer from {target.address} within {timeout:g} s")
    except OSError as exc:
        return ProbeResult("unreachable", f"{target.address}: {exc.strerror or exc}")
    return ProbeResult("ok")


def _for(target: TrustTarget) -> str:
    """', which is for <names>': a second handshake, chain still validated, name check off."""
    try:
        names = _names(_handshake(target, _context(target.ca_file, check_name=False), DEFAULT_TIMEOUT_S))
    except (OSError, ssl.SSLError):
        return ""
    return f", which is for {names}"


def probe_all(targets: Sequence[TrustTarget], *, timeout: float = DEFAULT_TIMEOUT_S) -> dict[TrustTarget, ProbeResult]:
    return {target: probe(target, timeout=timeout) for target in targets}


def check_inventory_trust(
    inventory: Inventory, *, unreachable_ok: bool, timeout: float = DEFAULT_TIMEOUT_S
) -> TrustChecked:
    """At plan time, before any switch is contacted: every URL a selected switch may use, against the
    CA file it would get. Raises InputError when a check blocks; the risks per host otherwise."""
    needs = [
        need
        for entry in inventory.hosts
        for need in needs_from_settings(entry.name, entry.settings, entry.setting_sources, entry.setting_locations)
    ]
    return _checked(needs, inventory, unreachable_ok=unreachable_ok, timeout=timeout)


def check_plan_trust(
    plan: Plan, inventory: Inventory, *, unreachable_ok: bool, timeout: float = DEFAULT_TIMEOUT_S
) -> TrustChecked:
    """At apply time, before the first wave: the URL and CA file the plan recorded for every switch
    it will work on (the satellite may have changed its certificate since the plan)."""
    needs = []
    for host in plan.hosts:
        if not host.is_actionable:
            continue
        entry = inventory.by_name(host.name)
        source, written_in = (
            entry.setting_sources.get("satellite_url", "host"),
            entry.setting_locations.get("satellite_url"),
        )
        needs.extend(needs_from_plan(host.name, host.expected_url, host.ca_file, entry.settings, source, written_in))
    return _checked(needs, inventory, unreachable_ok=unreachable_ok, timeout=timeout)


def _checked(needs: list[TrustNeed], inventory: Inventory, *, unreachable_ok: bool, timeout: float) -> TrustChecked:
    """One handshake per distinct target, then the verdicts."""
    targets = trust_targets(needs)
    return check_all(
        targets,
        probe_all(targets, timeout=timeout),
        unreachable_ok=unreachable_ok,
        inventory_dir=str(inventory.directory),
    )
