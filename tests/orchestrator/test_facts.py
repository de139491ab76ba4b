from __future__ import annotations

from pathlib import Path

import pytest
from tests_support import entry, outputs

from orchestrator.facts import build_facts, registered_to
from orchestrator.planner import DiscoverOutcome, plan_host

HEADER = "Building configuration...\n\nCurrent configuration : 9154 bytes\n!\n"


@pytest.mark.parametrize(
    ("lines", "unsaved"),
    [
        (
            "! Last configuration change at 10:20:31 UTC Mon Jan 1 2024 by admin\n"
            "! NVRAM config last updated at 10:20:35 UTC Mon Jan 1 2024 by admin\n",
            False,
        ),
        (
            "! Last configuration change at 11:02:09 CET Tue Jan 2 2024 by netops\n"
            "! NVRAM config last updated at 10:20:35 CET Mon Jan 1 2024 by admin\n",
            True,
        ),
        ("! Last configuration change at 11:02:09.123 UTC Tue Jan 2 2024 by netops\n", True),  # never saved
        ("", None),  # the header is not shown: unknown
    ],
)
def test_unsaved_changes_come_from_the_running_config_header(samples: Path, lines: str, unsaved: bool | None) -> None:
    running = HEADER + lines + "!\n" + (samples / "runcfg_libgr_c9200l_17.6_full.txt").read_text()
    facts = build_facts("sw1", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt", running=running))
    assert facts.unsaved_changes is unsaved
    plan = plan_host(entry(), DiscoverOutcome(host="sw1", facts=facts))
    assert plan.pre is not None and plan.pre.unsaved_changes is unsaved
    assert any("unsaved configuration changes" in r for r in plan.risks) is bool(unsaved)


def test_where_a_switch_licenses_today(samples: Path) -> None:
    cloud = build_facts("sw1", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt"))
    assert registered_to(cloud, "ssm.example.net") == "cloud"
    unregistered = build_facts("sw1", outputs(samples, status="sls_ntc_slp_transport_off.txt"))
    assert registered_to(unregistered, "ssm.example.net") == "unregistered"
