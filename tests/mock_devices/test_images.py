"""Image profiles: 17.12+ SLP images print `VRF: <empty>` and end `show license status` with the
Device Telemetry Report Summary; they are chosen in the mix (`slp_versions`) or per switch. And a
call-home user profile with both transport methods shows `Transport Method: http and email`."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _switch_shell import run, switch_shell

from mock_devices.fleet import Fleet, build_fleet
from mock_devices.platform import image_profile, train_name
from mock_devices.spec import FaultSpec, FleetSpec, MixSpec, SatelliteSpec, SwitchSpec
from mock_devices.testing import MockFleet

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"
TELEMETRY = [
    "Device Telemetry Report Summary:",
    "================================",
    "Data Channel: AVAILABLE",
    "Reports on disk: 0",
]


def fleet_of(*pins: SwitchSpec, faults: list[FaultSpec] | None = None) -> Fleet:
    spec = FleetSpec(count=len(pins), satellite=SatelliteSpec(identity="disable"), switches=list(pins))
    if faults:
        spec = spec.model_copy(update={"faults": faults})
    return build_fleet(spec=spec)


def shown(fleet: Fleet, index: int, *lines: str) -> list[str]:
    session = fleet.devices[index].open_session()
    assert session is not None
    output = ""
    for line in lines:
        output = session.handle_line(line).output
    return output.splitlines()


def labels(lines: list[str]) -> list[str]:
    return [line.split(":")[0] + ":" if ":" in line else line for line in lines if line.strip()]


def test_image_profiles_by_release() -> None:
    assert image_profile("17.12.3").newer_forms and image_profile("17.15.1").newer_forms
    assert not image_profile("17.9.4").newer_forms and not image_profile("17.6.5").newer_forms
    assert not image_profile("16.12.8").slp
    assert [train_name(v) for v in ("17.6.5", "17.8.1", "17.9.4", "17.12.3", "17.14.1")] == [
        "Bengaluru",
        "Cupertino",
        "Cupertino",
        "Dublin",
        "IOSXE",
    ]


def test_17_12_status_ends_with_the_telemetry_summary_and_uses_the_one_line_vrf() -> None:
    fleet = fleet_of(
        SwitchSpec(index=0, version="17.12.3", state="satellite"),
        SwitchSpec(index=1, version="17.9.4", state="satellite"),
    )
    new, old = shown(fleet, 0, "show license status"), shown(fleet, 1, "show license status")
    assert new[-5:] == ["", *TELEMETRY]
    transport = new.index("Transport:")
    assert new[transport : transport + 6] == [
        "Transport:",
        "  Type: cslu",
        f"  Cslu address: {fleet.devices[0].config.slp_url_cslu}",
        "  Proxy:",
        "    Not Configured",
        "  VRF: <empty>",
    ]
    # the rest is what 17.9 prints, with its two-line VRF
    vrf = old.index("  VRF:")
    assert old[vrf + 1] == "    Not Configured"
    assert labels(new[:-5]) == labels([*old[:vrf], "  VRF: <empty>", *old[vrf + 2 :]])
    assert "Device Telemetry Report Summary:" not in old
    configured = shown(fleet, 0, "conf t", "license smart vrf Mgmt-vrf", "end", "show license status")
    assert "  VRF: Mgmt-vrf" in configured


def test_17_12_license_all_has_the_newer_blocks_in_the_order_of_real_outputs() -> None:
    fleet = fleet_of(SwitchSpec(index=0, version="17.12.3", state="satellite"))
    ours = shown(fleet, 0, "show license all")
    sample = [
        line.rstrip("\r")
        for line in (SAMPLES / "sla_ciscodoc_cube_slp_cslu_url_c8200l_17.18.txt").read_text().splitlines()
    ]
    sample = [line for line in sample[1:] if line != "  Status: Not started"]  # prompt line; a 17.18 addition
    head = labels(sample)[: labels(sample).index("Trust Code Installed:") + 1]
    assert labels(ours)[: len(head)] == head
    tail = labels(sample)[labels(sample).index("Usage Report Summary:") :]
    assert labels(ours)[-len(tail) :] == tail
    assert f"Smart Agent for Licensing: {image_profile('17.12.3').agent_version}" in ours


def test_17_12_is_chosen_in_the_mix_or_per_switch() -> None:
    mixed = build_fleet(spec=FleetSpec(count=12, mix=MixSpec(slp_versions={"17.12.3": 1.0}, states={"slp": 1.0})))
    assert {switch.hardware.version for switch in mixed.devices} == {"17.12.3"}
    pinned = fleet_of(SwitchSpec(index=0, version="17.12.3", state="slp"), SwitchSpec(index=1, state="cloud"))
    version = shown(pinned, 0, "show version")
    assert version[:2] == [
        "Cisco IOS XE Software, Version 17.12.03",
        "Cisco IOS Software [Dublin], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.12.3, "
        "RELEASE SOFTWARE (fc2)",
    ]
    assert shown(pinned, 0, "show license status")[-4:] == TELEMETRY


def test_a_17_12_switch_over_ssh_ends_its_status_with_the_telemetry_summary(
    mock_fleet_factory: Callable[..., MockFleet],
) -> None:
    mock = mock_fleet_factory(
        spec=FleetSpec(count=1, switches=[SwitchSpec(index=0, name="sw1712", version="17.12.3", state="satellite")])
    )

    async def scenario() -> bytes:
        async with switch_shell(mock) as sh:
            await sh.read_until(b"sw1712#")
            await sh.command("terminal length 0", b"sw1712#")
            return await sh.command("show license status", b"sw1712#")

    text = run(scenario()).decode()
    assert text.endswith("\r\n".join(["", *TELEMETRY, "sw1712#"]))
    assert re.search(r"\r\n  Type: cslu\r\n(.*\r\n){3}  VRF: <empty>\r\n", text)


def test_a_profile_with_both_transport_methods() -> None:
    fleet = fleet_of(SwitchSpec(index=0, state="cloud"), faults=[FaultSpec(share=1.0, callhome_noc_profile=True)])
    profiles = shown(fleet, 0, "show call-home profile all")
    noc = profiles.index("Profile Name: NOC")
    assert profiles[noc : noc + 9] == [
        "Profile Name: NOC",
        "    Profile status: ACTIVE",
        "    Profile mode: Full Reporting",
        "    Reporting Data: Smart Call Home",
        "    Preferred Message Format: xml",
        "    Message Size Limit: 3145728 Bytes",
        "    Transport Method: http and email",
        "    HTTP  address(es): https://noc.fleetreg.test/callhome",
        "    Email address(es): noc@fleetreg.test",
    ]
    assert "    Transport Method: http" in profiles[: profiles.index("Profile Name: NOC")]  # CiscoTAC-1: its one
    # a user profile typed by hand: email is on by default, http added, email removed
    typed = ["conf t", "call-home", 'profile "LAB"', "destination transport-method http"]
    assert "    Transport Method: http and email" in shown(fleet, 0, *typed, "do show call-home profile all")
    both = shown(fleet, 0, *typed, "no destination transport-method email", "do show call-home profile all")
    lab = both.index("Profile Name: LAB")
    assert both[lab + 6 : lab + 8] == ["    Transport Method: http", "    HTTP  address(es): Not yet set up"]
