"""Config changes as fleetreg plans them (indented, each section left with `exit`), for tests."""

from __future__ import annotations

CALLHOME_CHANGE = [
    "call-home",
    ' profile "CiscoTAC-1"',
    "  no active",
    "  exit",
    ' profile "SSM-OnPrem"',
    "  reporting smart-licensing-data",
    "  destination transport-method http",
    "  active",
    "  exit",
    " exit",
    "ip http client source-interface Vlan10",
]
