from __future__ import annotations

from pathlib import Path

import pytest
from fleetreg.core.errors import ParseError
from fleetreg.core.facts import DeviceFacts, build_drift_facts, build_facts, fingerprint, registered_to
from fleetreg.core.planner import DiscoverOutcome, plan_host
from tests_support import entry, outputs

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


@pytest.mark.parametrize(
    "status", ["sls_genie_sl_registered_csr1kv.txt", "sls_ntc_slp_transport_off.txt", "sls_ntc_slp_smart_slepolicy.txt"]
)
def test_the_pre_check_fingerprints_what_discovery_did(samples: Path, status: str) -> None:
    """Apply's pre-check reads only what the fingerprint covers; a switch unchanged since the
    plan must give the plan's fingerprint."""
    read = outputs(samples, status=status)
    drift = build_drift_facts("sw1", read, trustpoints=("ONPREM-CA",))
    assert fingerprint(drift) == fingerprint(build_facts("sw1", read, trustpoints=("ONPREM-CA",)))
    assert not isinstance(drift, DeviceFacts)


def test_the_pre_check_names_a_missing_output(samples: Path) -> None:
    read = outputs(samples, status="sls_genie_sl_registered_csr1kv.txt")
    del read["show running-config"]
    with pytest.raises(ParseError) as caught:
        build_drift_facts("sw1", read)
    assert (caught.value.host, caught.value.command) == ("sw1", "show running-config")


def test_a_drifted_switch_names_each_field_that_changed_planned_then_now(samples: Path) -> None:
    """Issue 18: a switch whose call-home lines (or smart account, transport...) changed since
    the plan was reported as 'call-home / license configuration differs' without saying what."""
    from fleetreg.core.host_flow import HostFlow

    read = outputs(samples, status="sls_genie_sl_registered_csr1kv.txt")
    plan = plan_host(entry(), DiscoverOutcome(host="sw1", facts=build_facts("sw1", read)))
    running = read["show running-config"].replace("\nend\n", "\nip http client source-interface Loopback0\nend\n")
    assert running != read["show running-config"]
    now = build_drift_facts("sw1", {**read, "show running-config": running})
    flow = HostFlow.fresh(plan, poll_interval_s=1, register_timeout_s=10)
    action = flow.precheck(now, read["show license status"])
    assert getattr(action, "outcome", None) == "drifted"
    reason = getattr(action, "reason", "") or ""
    assert "config: (absent) -> 'ip http client source-interface Loopback0'" in reason, reason
    assert "differs from the plan's pre-state" not in reason
