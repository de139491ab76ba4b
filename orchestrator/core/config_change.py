"""Config changes as hierarchical IOS config, with hier_config doing the set arithmetic.

A template renders the *desired lines* (a snippet). The snippet is applied to the running
config in memory (`future`), and hier_config computes the minimal commands from running to
that future (empty for an already-migrated switch: idempotent by construction), the rollback
commands back to the running config (the backout), and a unified -/+ diff. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from hier_config import HConfig, HConfigChild, MatchRule, Platform, WorkflowRemediation, get_hconfig, get_hconfig_driver
from hier_config.models import IdempotentCommandsRule
from hier_config.platforms.driver_base import HConfigDriverBase

# Top-level lines fleetreg owns or reads. Anything else in a running config (and its
# secrets: enable hashes, SNMP communities, keys) is never stored by fleetreg.
RELEVANT_PREFIXES = (
    "service call-home",
    "call-home",
    "ip http client source-interface",
    "ip http client vrf",
    "crypto pki trustpoint ",
    "license smart ",
    "no license smart ",
)

# Single-valued IOS commands: a new value replaces the old one instead of adding a line.
_SINGLE_VALUED: tuple[tuple[str, ...], ...] = (
    ("call-home", "^(no )?http secure server-identity-check$"),
    ("call-home", "^source-interface "),
    ("call-home", "^vrf "),
    ("call-home", "^profile ", "^(no )?active$"),
    ("call-home", "^profile ", "^destination preferred-msg-format "),
    ("call-home", "^profile ", "^(no )?destination transport-method email$"),
    ("^crypto pki trustpoint ", "^revocation-check "),
    ("^crypto pki trustpoint ", "^enrollment "),
    ("^ip http client source-interface ",),
    ("^license smart transport ",),
    ("^license smart url cslu ",),
    ("^license smart url smart ",),
    ("^license smart vrf ",),
    ("^(no )?license smart server-identity-check$",),
)


def _rule(pattern: str) -> MatchRule:
    return MatchRule(re_search=pattern if pattern.startswith("^") else f"^{pattern}$")


def call_home_driver() -> HConfigDriverBase:
    """hier_config's IOS driver taught which call-home/licensing commands are single-valued
    (rules added to the driver's public `rules`, as hier_config documents)."""
    driver = get_hconfig_driver(Platform.CISCO_IOS)
    for path in _SINGLE_VALUED:
        driver.rules.idempotent_commands.append(IdempotentCommandsRule(match_rules=tuple(_rule(p) for p in path)))
    return driver


DRIVER = call_home_driver()


def relevant_excerpt(running_config: str, trustpoints: Iterable[str] = ()) -> str:
    """The parts of a running config fleetreg reads and changes, in device order."""
    wanted_trustpoints = {f"crypto pki trustpoint {name}" for name in trustpoints}
    out: list[str] = []
    keep = False
    for raw in running_config.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if not line or line.startswith("!"):
            keep = False if not line.startswith(" !") else keep
            continue
        if not line.startswith(" "):
            keep = line.startswith(RELEVANT_PREFIXES) and (
                not line.startswith("crypto pki trustpoint ") or line in wanted_trustpoints
            )
        if keep and not line.lstrip().startswith("!"):
            out.append(line)
    return "\n".join(out) + ("\n" if out else "")


def parse_config(text: str) -> HConfig:
    return get_hconfig(DRIVER, text)


def to_commands(config: HConfig) -> list[str]:
    """Flatten a hierarchical change into what is typed in one config session: each
    section is left with `exit`, so no command relies on IOS falling back to a parent mode."""
    commands: list[str] = []

    def walk(node: HConfig | HConfigChild, depth: int) -> None:
        for child in node.children:
            commands.append(" " * depth + child.text)
            if child.children:
                walk(child, depth + 1)
                commands.append(" " * (depth + 1) + "exit")

    walk(config, 0)
    return commands


@dataclass(frozen=True)
class ConfigChange:
    commands: tuple[str, ...]  # typed in config mode to migrate (empty: nothing to change)
    backout: tuple[str, ...]  # typed in config mode to return to the captured running config
    diff: tuple[str, ...]  # unified -/+ view, running vs intended

    @property
    def is_noop(self) -> bool:
        return not self.commands


@lru_cache(maxsize=1024)  # a fleet's switches mostly share their call-home block: computed once per variant
def compute_change(running_excerpt: str, desired_snippet: str) -> ConfigChange:
    running = parse_config(running_excerpt)
    future = running.future(parse_config(desired_snippet))
    workflow = WorkflowRemediation(running, future)
    return ConfigChange(
        commands=tuple(to_commands(workflow.remediation_config)),
        backout=tuple(to_commands(workflow.rollback_config)),
        diff=tuple(running.unified_diff(future)),
    )
