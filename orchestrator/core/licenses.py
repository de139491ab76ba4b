"""Pure license decisions against the satellite's numbers: the plan's pre-flight (which hosts a
shortage blocks) and the post-check (migrated switches the satellite does not list as planned)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from fleetreg.core.satellite_models import LicenseUsage, ProductInstanceInfo, RegistrationToken

# --- plan: license pre-flight ----------------------------------------------------------------


def license_preflight(
    planned: Mapping[str, Sequence[str]],
    usage: Sequence[LicenseUsage],
    license_of: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Hosts to block because their virtual account lacks licenses -> reason.

    `planned`: virtual account -> hosts that will newly register into it, in plan order (hosts
    already counted in the VA's `in use`, e.g. already registered there, do not belong here).
    The first hosts keep the available licenses; the excess, at the end of each list, is blocked.
    Without `license_of` the VA's available licenses are summed over its pools; with it (host ->
    license name as the satellite shows it) each host is counted against its own pool, and hosts
    missing from it against what the pools have left."""
    available: dict[str, dict[str, int]] = {}
    for row in usage:
        pools = available.setdefault(row.virtual_account, {})
        pools[row.license] = pools.get(row.license, 0) + max(row.available, 0)
    blocked: dict[str, str] = {}
    for va, hosts in planned.items():
        pools = dict(available.get(va, {}))
        if license_of is None:
            _block_excess(list(hosts), sum(pools.values()), va, None, blocked)
            continue
        by_license: dict[str, list[str]] = {}
        unknown: list[str] = []
        for host in hosts:
            name = license_of.get(host)
            if name is None:
                unknown.append(host)
            else:
                by_license.setdefault(name, []).append(host)
        for name, members in by_license.items():
            kept = _block_excess(members, pools.get(name, 0), va, name, blocked)
            if name in pools:
                pools[name] -= kept
        _block_excess(unknown, sum(pools.values()), va, None, blocked)
    return blocked


def _block_excess(hosts: list[str], available: int, va: str, license_name: str | None, blocked: dict[str, str]) -> int:
    """Block hosts beyond `available`; return how many were kept."""
    kept = min(len(hosts), max(available, 0))
    if kept < len(hosts):
        pool = f"{license_name}: " if license_name else ""
        reason = f"not enough licenses in {va} ({pool}{available} available, {len(hosts)} planned)"
        for host in hosts[kept:]:
            blocked[host] = reason
    return kept


# --- apply / verify: post-check --------------------------------------------------------------


class MigratedSwitch(NamedTuple):
    host: str  # inventory name
    serial: str  # chassis serial (show version / show license udi)
    pid: str
    hostname: str  # what the switch calls itself
    virtual_account: str  # planned


def satellite_postcheck(
    migrated: Sequence[MigratedSwitch] | Sequence[tuple[str, str, str, str, str]],
    devices_by_va: Mapping[str, Sequence[ProductInstanceInfo]],
) -> dict[str, str]:
    """Host -> problem for each migrated switch the satellite does not list as expected: a
    product instance with its serial and PID (else its host name and PID) in its planned
    virtual account, under its host name. Hosts without a problem are left out."""
    everywhere = [device for devices in devices_by_va.values() for device in devices]
    problems: dict[str, str] = {}
    for item in migrated:
        switch = MigratedSwitch(*item)
        problem = _postcheck_one(switch, devices_by_va.get(switch.virtual_account, ()), everywhere)
        if problem is not None:
            problems[switch.host] = problem
    return problems


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _find(switch: MigratedSwitch, devices: Iterable[ProductInstanceInfo]) -> ProductInstanceInfo | None:
    devices = list(devices)
    if switch.serial:
        by_serial = next((d for d in devices if _same(d.serial_number, switch.serial)), None)
        if by_serial is not None:
            return by_serial
    return next((d for d in devices if _same(d.hostname, switch.hostname) and _same(d.pid, switch.pid)), None)


def _postcheck_one(
    switch: MigratedSwitch, planned_va: Sequence[ProductInstanceInfo], everywhere: Sequence[ProductInstanceInfo]
) -> str | None:
    found = _find(switch, planned_va)
    if found is None:
        elsewhere = _find(switch, everywhere)
        if elsewhere is not None:
            return (
                f"satellite lists it in virtual account {elsewhere.virtual_account!r}, "
                f"not in the planned {switch.virtual_account!r}"
            )
        return (
            f"switch reports registered but the satellite lists no product instance "
            f"(serial {switch.serial}, PID {switch.pid}) in {switch.virtual_account!r}"
        )
    if switch.pid and not _same(found.pid, switch.pid):
        return f"satellite lists serial {switch.serial} with PID {found.pid}, the switch is a {switch.pid}"
    if switch.hostname and not _same(found.hostname, switch.hostname):
        return (
            f"satellite lists serial {switch.serial} as {found.hostname!r}, the switch calls itself {switch.hostname!r}"
        )
    return None


def token_problem_on_satellite(
    token: str, virtual_account: str, tokens: Sequence[RegistrationToken], *, now: dt.datetime, needed_uses: int
) -> str | None:
    """Why `token` cannot register `needed_uses` switches into `virtual_account`, judged from
    the VA's tokens as the satellite lists them; None when it can."""
    found = next((t for t in tokens if t.token == token), None)
    if found is None:
        return f"is not a token of virtual account {virtual_account!r} on the satellite"
    if found.status.upper() in ("EXPIRED", "USED_UP", "REVOKED"):
        return f"is {found.status.lower()} on the satellite"
    if found.expiration_date <= now:
        return f"expired on {found.expiration_date:%Y-%m-%d %H:%M} UTC"
    if found.uses_left is not None and found.uses_left < needed_uses:
        return f"has {found.uses_left} use(s) left, {needed_uses} switch(es) to register"
    return None
