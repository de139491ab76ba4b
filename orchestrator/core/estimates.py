"""How long a wave will take, from step times: measured ones (the run's own journal, then
earlier runs in the same runs folder) where there are any, these defaults before.

A switch holds a worker slot for its SSH steps and none while it waits for the satellite
(wait_registered, wait_ack). A wave of N switches with W workers takes about

    max(longest switch, sum of the switches' SSH step times / W + longest wait)

which is what `--window-end` compares with the time left. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fleetreg.core.plan_model import HostPlan

# Seconds per step before any was measured: a real switch over a WAN, a satellite registering
# in tens of seconds. Deliberately pessimistic: the first wave of a window is not started on a
# guess that is too short. Measured times replace them step by step as waves finish.
DEFAULT_STEP_SECONDS: Mapping[str, float] = {
    "precheck": 8.0,  # show version, show license status, show running-config
    "backup": 0.5,  # a file written by fleetreg
    "install_ca": 10.0,
    "configure": 6.0,
    "save_config": 6.0,
    "deregister": 6.0,
    "register": 6.0,
    "wait_registered": 60.0,
    "sync": 6.0,
    "wait_ack": 30.0,
    "save_final": 6.0,
    "verify": 4.0,
}
WAIT_STEPS = frozenset({"wait_registered", "wait_ack"})
UNKNOWN_STEP_S = 10.0


def step_seconds(*measured: Mapping[str, float]) -> dict[str, float]:
    """The defaults, overlaid by each measurement in turn (later ones win: earlier runs, then this run)."""
    seconds = dict(DEFAULT_STEP_SECONDS)
    for times in measured:
        seconds.update({step: float(value) for step, value in times.items() if value >= 0})
    return seconds


def host_seconds(host: HostPlan, seconds: Mapping[str, float]) -> tuple[float, float]:
    """(SSH step time, wait time) of one switch: its pre-check and planned steps."""
    ssh = wait = 0.0
    for step in ("precheck", *(s.name for s in host.steps)):
        value = seconds.get(step, UNKNOWN_STEP_S)
        if step in WAIT_STEPS:
            wait += value
        else:
            ssh += value
    return ssh, wait


def wave_seconds(hosts: Sequence[HostPlan], seconds: Mapping[str, float], workers: int) -> float:
    if not hosts:
        return 0.0
    times = [host_seconds(host, seconds) for host in hosts]
    longest = max(ssh + wait for ssh, wait in times)
    shared = sum(ssh for ssh, _ in times) / max(1, workers) + max(wait for _, wait in times)
    return max(longest, shared)
