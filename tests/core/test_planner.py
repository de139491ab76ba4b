from __future__ import annotations

from pathlib import Path

import pytest
from fleetreg.core.facts import build_facts
from fleetreg.core.inventory_model import HostEntry
from fleetreg.core.plan_model import HostPlan, Step, WavePolicy
from fleetreg.core.planner import (
    NO_CLOUD_ROLLBACK_RISK,
    UNPROVEN_TOKEN_RISK,
    DiscoverOutcome,
    assign_waves,
    build_plan,
    choose_mode,
    cslu_tenant_of,
    inventory_fingerprint,
    plan_host,
    takes_a_license,
    tenant_check_hosts,
    tenant_problems,
)
from fleetreg.core.settings import MigrationSettings
from tests_support import SATELLITE, entry, outputs, slp_version  # type: ignore[import-not-found]


def test_cloud_registered_classic_switch_is_planned_for_migration(samples: Path) -> None:
    facts = build_facts("sw1", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt"))
    plan = plan_host(entry(), DiscoverOutcome(host="sw1", facts=facts))
    assert plan.classification == "to-migrate"
    assert plan.mode == "callhome" and "classic" in plan.mode_reason
    assert plan.pre is not None and plan.pre.registered_to == "cloud"
    assert [s.name for s in plan.steps] == [
        "backup",
        "configure",
        "save_config",
        "deregister",
        "register",
        "wait_registered",
        "save_final",
        "verify",
    ]
    assert plan.deregister
    assert f"  destination address http {SATELLITE}" in plan.config_commands
    assert "  no active" in plan.config_commands
    register = next(s for s in plan.steps if s.name == "register")
    assert register.commands == ("license smart register idtoken <token from env:FLEETREG_TOKEN_CORPORATE>",)
    assert plan.fingerprint and len(plan.fingerprint) == 16
    # it leaves the cloud before registering, and without the satellite's API its token is unproven;
    # with no cloud token, a failed change leaves it unregistered
    assert plan.risks == (UNPROVEN_TOKEN_RISK, NO_CLOUD_ROLLBACK_RISK)
    assert plan.cloud_token_ref is None


def test_a_cloud_token_for_rollback_is_planned_only_for_switches_leaving_the_cloud(samples: Path) -> None:
    cloud = build_facts("sw1", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt"))
    plan = plan_host(entry(cloud_token_ref="env:FLEETREG_CLOUD_TOKEN"), DiscoverOutcome(host="sw1", facts=cloud))
    assert plan.classification == "to-migrate" and plan.cloud_token_ref == "env:FLEETREG_CLOUD_TOKEN"
    assert plan.risks == (UNPROVEN_TOKEN_RISK,)
    unreadable = plan_host(
        entry(cloud_token_ref="env:FLEETREG_CLOUD_TOKEN"),
        DiscoverOutcome(host="sw1", facts=cloud),
        cloud_token_problem="environment variable FLEETREG_CLOUD_TOKEN is not set",
    )
    assert (unreadable.classification, unreadable.reason) == (
        "blocked",
        "cloud token reference: environment variable FLEETREG_CLOUD_TOKEN is not set",
    )
    evaluation = build_facts("sw1", outputs(samples, status="slsum_c9kdevnet_sl_unregistered_evalmode_c9200l.txt"))
    never_on_the_cloud = plan_host(
        entry(cloud_token_ref="env:FLEETREG_CLOUD_TOKEN"),
        DiscoverOutcome(host="sw1", facts=evaluation),
        cloud_token_problem="environment variable FLEETREG_CLOUD_TOKEN is not set",  # not needed: not blocked
    )
    assert never_on_the_cloud.classification == "to-migrate" and never_on_the_cloud.cloud_token_ref is None
    assert NO_CLOUD_ROLLBACK_RISK not in never_on_the_cloud.risks


def test_identity_check_disable_is_rendered_and_flagged(samples: Path) -> None:
    facts = build_facts("sw1", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt"))
    plan = plan_host(entry(server_identity_check="disable"), DiscoverOutcome(host="sw1", facts=facts))
    assert " no http secure server-identity-check" in plan.config_commands
    assert any("identity check disabled" in r for r in plan.risks)


def test_slp_switch_gets_cslu_transport_and_no_registration(samples: Path) -> None:
    facts = build_facts("sw2", outputs(samples, version=slp_version(samples), status="sls_ntc_slp_smart_slepolicy.txt"))
    plan = plan_host(entry("sw2"), DiscoverOutcome(host="sw2", facts=facts))
    assert plan.classification == "to-migrate"
    assert plan.mode == "cslu"
    assert plan.pre is not None and plan.pre.registered_to == "cloud"
    assert "license smart transport cslu" in plan.config_commands
    assert "license smart url cslu https://ssm.example.net/cslu/v1/pi/SA-Example" in plan.config_commands
    assert [s.name for s in plan.steps] == ["backup", "configure", "save_config", "sync", "wait_ack", "verify"]


def test_cslu_forced_on_classic_image_is_blocked(samples: Path) -> None:
    facts = build_facts("sw1", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt"))
    mode, reason = choose_mode(entry(transport="cslu").settings, facts)
    assert mode is None and "17.3.2" in reason
    plan = plan_host(entry(transport="cslu"), DiscoverOutcome(host="sw1", facts=facts))
    assert plan.classification == "blocked" and "16.09.03" in plan.reason


def test_unreachable_host_is_blocked_with_reason() -> None:
    plan = plan_host(entry(), DiscoverOutcome(host="sw1", error_reason="unreachable", error="connection refused"))
    assert plan.classification == "blocked"
    assert plan.reason == "unreachable: connection refused"
    assert plan.steps == ()


def test_missing_token_ref_blocks_only_hosts_that_must_register(samples: Path) -> None:
    facts = build_facts("sw1", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt"))
    plan = plan_host(entry(token_ref=None), DiscoverOutcome(host="sw1", facts=facts))
    assert plan.classification == "blocked" and "token" in plan.reason


@pytest.mark.parametrize(
    ("canary", "wave_size", "expected"),
    [
        (2, 3, [["a1", "a2"], ["a3", "a4", "b1"], ["b2"]]),
        (0, 4, [["a1", "a2", "a3", "a4"], ["b1", "b2"]]),
    ],
)
def test_waves_are_stable_and_canary_first(canary: int, wave_size: int, expected: list[list[str]]) -> None:
    names = ["b2", "a3", "b1", "a1", "a4", "a2"]
    hosts = [
        plan_host(entry(n), DiscoverOutcome(host=n, error_reason="x", error="y")).model_copy(
            update={"classification": "to-migrate", "site": n[0]}
        )
        for n in names
    ]
    planned, waves = assign_waves(hosts, WavePolicy(canary=canary, wave_size=wave_size, max_failures="50%"))
    assert [list(w.hosts) for w in waves] == expected
    assert waves[0].name == ("canary" if canary else "wave 1")
    assert waves[-1].max_failures == len(expected[-1]) // 2
    assert {h.name: h.wave for h in planned}[expected[-1][0]] == waves[-1].number


def test_flagged_canaries_lead(samples: Path) -> None:
    hosts = [
        plan_host(entry(n, canary=(n == "z9")), DiscoverOutcome(host=n, error_reason="x", error="y")).model_copy(
            update={"classification": "to-migrate"}
        )
        for n in ["a1", "z9", "b1"]
    ]
    _, waves = assign_waves(hosts, WavePolicy(canary=2, wave_size=10))
    assert waves[0].hosts == ("z9", "a1")


def test_build_plan_round_trips_through_json(samples: Path) -> None:
    facts = build_facts("sw1", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt"))
    plan = build_plan(
        [entry("sw1"), entry("sw2")],
        [DiscoverOutcome(host="sw1", facts=facts)],
        policy=WavePolicy(),
        plan_id="p1",
        created_at="2026-11-27T00:00:00+00:00",
        inventory_dir="inventory",
    )
    assert [h.classification for h in plan.hosts] == ["to-migrate", "blocked"]
    assert plan.hosts[1].reason.startswith("not discovered")
    from fleetreg.core.plan_model import Plan

    assert Plan.model_validate_json(plan.model_dump_json()) == plan


def test_license_shortage_blocks_the_last_switches_of_that_virtual_account(samples: Path) -> None:
    from fleetreg.shell.satellite_client import LicenseUsage

    facts = build_facts("x", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt"))
    names = ["a1", "a2", "a3", "p1"]
    entries = [entry(n) for n in names[:3]] + [entry("p1", virtual_account="Public Network Devices")]
    usage = [
        LicenseUsage(
            virtual_account="Corporate Network Devices", license="C9300 NA", quantity=10, in_use=8, available=2
        ),
        LicenseUsage(virtual_account="Public Network Devices", license="C9300 NA", quantity=5, in_use=0, available=5),
    ]
    plan = build_plan(
        entries,
        [DiscoverOutcome(host=n, facts=facts) for n in names],
        policy=WavePolicy(canary=0),
        plan_id="p",
        created_at="now",
        inventory_dir="inventory",
        license_usage=usage,
    )
    by_name = {h.name: h for h in plan.hosts}
    assert [by_name[n].classification for n in names] == ["to-migrate", "to-migrate", "blocked", "to-migrate"]
    assert by_name["a3"].reason == "not enough licenses in Corporate Network Devices (2 available, 3 planned)"
    assert by_name["a3"].steps == () and by_name["a3"].wave is None
    assert [(c.virtual_account, c.available, c.planned, c.blocked) for c in plan.licenses] == [
        ("Corporate Network Devices", 2, 3, 1),
        ("Public Network Devices", 5, 1, 0),
    ]


def test_unreadable_token_blocks_only_switches_that_must_register(samples: Path) -> None:
    facts = build_facts("sw1", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt"))
    plan = plan_host(
        entry(),
        DiscoverOutcome(host="sw1", facts=facts),
        token_problem="environment variable FLEETREG_TOKEN_CORPORATE is not set",
    )
    assert plan.classification == "blocked"
    assert plan.reason == "token reference: environment variable FLEETREG_TOKEN_CORPORATE is not set"
    slp = build_facts("sw2", outputs(samples, version=slp_version(samples), status="sls_ntc_slp_smart_slepolicy.txt"))
    assert plan_host(entry("sw2"), DiscoverOutcome(host="sw2", facts=slp), token_problem="unset").classification == (
        "to-migrate"
    )


def test_verified_tls_installs_the_ca_before_any_licensing_step(samples: Path) -> None:
    facts = build_facts("sw1", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt"))
    settings = {
        "server_identity_check": "verify",
        "trustpoint": {"name": "FLEETREG-SSM", "mode": "ca-file", "ca_file": "/etc/fleetreg/satellite-ca.pem"},
    }
    plan = plan_host(
        entry(**settings),
        DiscoverOutcome(host="sw1", facts=facts),
        ca_sha1={"/etc/fleetreg/satellite-ca.pem": "0A1B2C3D 4E5F6071 8293A4B5 C6D7E8F9 0A1B2C3D"},
    )
    names = [s.name for s in plan.steps]
    assert names[:3] == ["backup", "install_ca", "configure"]
    assert plan.ca_sha1 == "0A1B2C3D 4E5F6071 8293A4B5 C6D7E8F9 0A1B2C3D"
    assert not any("crypto pki trustpoint" in c for c in plan.config_commands)  # install_ca owns the trustpoint
    assert " no http secure server-identity-check" not in plan.config_commands
    assert plan.risks == (UNPROVEN_TOKEN_RISK, NO_CLOUD_ROLLBACK_RISK)
    unreadable = plan_host(entry(**settings), DiscoverOutcome(host="sw1", facts=facts), ca_sha1={})
    assert unreadable.classification == "blocked" and "CA file" in unreadable.reason


def test_slp_identity_check_follows_the_setting(samples: Path) -> None:
    slp = build_facts("sw2", outputs(samples, version=slp_version(samples), status="sls_ntc_slp_smart_slepolicy.txt"))
    disabled = plan_host(entry("sw2", server_identity_check="disable"), DiscoverOutcome(host="sw2", facts=slp))
    assert "no license smart server-identity-check" in disabled.config_commands
    verified = plan_host(entry("sw2"), DiscoverOutcome(host="sw2", facts=slp))
    assert not any("server-identity-check" in c for c in verified.config_commands)


# ---------------------------------------------------------------- SLP: the tenant selects the VA
def _slp(name: str, va: str, tenant: str) -> HostPlan:
    return HostPlan(
        name=name, hostname="192.0.2.1", port=22, site=None, virtual_account=va, token_ref=None,
        classification="to-migrate", reason="", mode="cslu", expected_url=f"https://sat/cslu/v1/pi/{tenant}",
        steps=(Step(name="sync", title="sync"),),
    )  # fmt: skip


def test_one_tenant_for_two_virtual_accounts_blocks_their_slp_switches() -> None:
    hosts = [_slp("a", "Corporate", "Corp-1"), _slp("b", "Public", "Corp-1"), _slp("c", "Lab", "Lab-1")]
    problems = tenant_problems(hosts)
    assert set(problems) == {"a", "b"}
    assert problems["a"].startswith("cslu tenant 'Corp-1' is set for virtual accounts 'Corporate', 'Public'")


def test_a_tenant_is_checked_against_the_satellites_virtual_accounts() -> None:
    hosts = [
        _slp("a", "Corporate", "Public%20Network%20Devices-1"),
        _slp("b", "Public", "Public%20Network%20Devices-1x"),
    ]
    va_tenants = {"Corporate": "Corporate%20Network%20Devices-1", "Public": "Public%20Network%20Devices-1"}
    problems = tenant_problems(hosts[:1], va_tenants)
    assert problems == {
        "a": "cslu tenant 'Public%20Network%20Devices-1' is virtual account 'Public' on the satellite, planned "
        "'Corporate' (its tenant: 'Corporate%20Network%20Devices-1')"
    }
    assert tenant_problems(hosts[1:], va_tenants)["b"].startswith(
        "cslu tenant 'Public%20Network%20Devices-1x' is no virtual account"
    )
    blocked = tenant_check_hosts(hosts[:1], va_tenants)[0]
    assert blocked.classification == "blocked" and blocked.steps == () and "planned 'Corporate'" in blocked.reason


def test_slp_switches_count_in_the_license_preflight() -> None:
    assert takes_a_license(_slp("a", "Corporate", "Corp-1"))
    assert cslu_tenant_of("https://sat:8443/cslu/v1/pi/Corp%20Net-1") == "Corp%20Net-1"
    assert cslu_tenant_of("https://sat/Transportgateway/services/DeviceRequestHandler") is None


def test_a_wave_set_in_the_inventory_is_the_wave_the_host_runs_in() -> None:
    """`fleetreg.wave: N` places a host in wave N (0: the canary wave), beyond wave_size; the
    other hosts fill the waves as before."""
    waves_set = {"a2": 2, "b2": 0, "c1": 7}
    hosts = [
        plan_host(entry(n, wave=waves_set.get(n)), DiscoverOutcome(host=n, error_reason="x", error="y")).model_copy(
            update={"classification": "to-migrate", "site": n[0]}
        )
        for n in ["a1", "a2", "a3", "b1", "b2", "c1"]
    ]
    planned, waves = assign_waves(hosts, WavePolicy(canary=1, wave_size=2))
    assert [(w.number, w.name, list(w.hosts)) for w in waves] == [
        (0, "canary", ["a1", "b2"]),
        (1, "wave 1", ["a3", "b1"]),
        (2, "wave 2", ["a2"]),
        (7, "wave 7", ["c1"]),
    ]
    assert {h.name: h.wave for h in planned} == {"a1": 0, "b2": 0, "a3": 1, "b1": 1, "a2": 2, "c1": 7}


def test_a_wave_and_canary_that_contradict_each_other_are_refused() -> None:
    with pytest.raises(ValueError, match="wave: 3 contradicts it"):
        entry("sw1", canary=True, wave=3)
    assert entry("sw1", canary=True, wave=0).settings.wave == 0


def test_plan_integrity_derives_the_waves_the_inventory_sets(samples: Path) -> None:
    """A plan.json whose host was moved out of the wave its inventory sets is not the plan fleetreg derives."""
    from fleetreg.core.plan_integrity import plan_differences, wave_differences

    facts = build_facts("sw1", outputs(samples, status="sls_genie_sl_registered_csr1kv.txt"))
    entries = [entry(n, wave=3 if n == "sw2" else None) for n in ("sw1", "sw2", "sw3")]
    outcomes = [DiscoverOutcome(host=e.name, facts=facts.model_copy(update={"host": e.name})) for e in entries]
    plan = build_plan(
        entries, outcomes, policy=WavePolicy(canary=0, wave_size=5), plan_id="p", created_at="t", inventory_dir="inv"
    )
    assert [(w.number, w.hosts) for w in plan.waves] == [(1, ("sw1", "sw3")), (3, ("sw2",))]
    by_name = {e.name: e for e in entries}
    assert plan_differences(plan, by_name, ca_sha1={}) == []
    moved = plan.model_copy(
        update={
            "hosts": tuple(h.model_copy(update={"wave_setting": None}) if h.name == "sw2" else h for h in plan.hosts)
        }
    )
    assert plan_differences(moved, by_name, ca_sha1={})[0].startswith("host sw2: wave_setting is None")
    regrouped = plan.model_copy(update={"waves": (plan.waves[0].model_copy(update={"hosts": ("sw1", "sw2", "sw3")}),)})
    assert wave_differences(regrouped)


def test_settings_added_later_leave_the_fingerprint_of_older_plans_alone() -> None:
    """A plan reviewed before fleetreg learnt `max_clock_skew_s` and `cloud_token_ref` still
    applies after the upgrade while they are at their defaults (the digest below is the one
    fleetreg computed at commit fab08fa, before both existed); setting one changes it."""
    settings = {
        "satellite_url": "https://ssm.example.net/Transportgateway/services/DeviceRequestHandler",
        "virtual_account": "Corporate Network Devices",
        "token_ref": "env:FLEETREG_TOKEN_CORPORATE",
        "source_interface": "Vlan781",
    }

    def entry_with(**more: object) -> HostEntry:
        return HostEntry(
            name="sw1",
            hostname="192.0.2.10",
            port=22,
            platform="cisco_xe",
            groups=(),
            site=None,
            settings=MigrationSettings(**{**settings, **more}),
            connection_options={},
        )

    assert inventory_fingerprint([entry_with()]) == "290cb70a97d26a4a"
    assert inventory_fingerprint([entry_with(cloud_token_ref="env:FLEETREG_CLOUD")]) != "290cb70a97d26a4a"
    assert inventory_fingerprint([entry_with(max_clock_skew_s=60)]) != "290cb70a97d26a4a"
