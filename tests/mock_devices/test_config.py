from pathlib import Path

from mock_devices.config import (
    CallHome,
    CallHomeProfile,
    Interface,
    SwitchConfig,
    Trustpoint,
    config_body,
    filter_include,
    filter_section,
    normalize_interface,
    render_running_config,
)

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"


def _factory() -> SwitchConfig:
    return SwitchConfig(
        hostname="SwitchLv3CUB",
        version_train="17.6",
        provision="c9200l-24t-4g",
        license_boot_level="network-essentials addon dna-essentials",
        interfaces=[Interface("Vlan781", ip_address="10.78.0.2 255.255.255.0")],
        trustpoints=[
            Trustpoint("SLA-TrustPoint", enrollment="pkcs12", revocation_check="crl"),
            Trustpoint(
                "TP-self-signed-3639644206",
                enrollment="selfsigned",
                subject_name="cn=IOS-Self-Signed-Certificate-3639644206",
                revocation_check="none",
                rsakeypair="TP-self-signed-3639644206",
            ),
        ],
        call_home=CallHome(profiles=[CallHomeProfile("CiscoTAC-1", active=True, transport_http=True)]),
    )


def _sample_section(text: str, start: str, stop: str) -> list[str]:
    lines = text.splitlines()
    first = lines.index(start)
    last = lines.index(stop, first)
    return [line.rstrip() for line in lines[first:last]]


def test_factory_call_home_block_is_exactly_the_real_one() -> None:
    sample = (SAMPLES / "runcfg_libgr_c9200l_17.6_full.txt").read_text()
    expected = _sample_section(sample, "call-home", "end")
    rendered = config_body(_factory()).splitlines()
    got = rendered[rendered.index("call-home") : rendered.index("end")]
    assert got == expected


def test_factory_trustpoints_and_service_call_home_as_real() -> None:
    sample = (SAMPLES / "runcfg_libgr_c9200l_17.6_full.txt").read_text().splitlines()
    body = config_body(_factory()).splitlines()
    start = sample.index("crypto pki trustpoint SLA-TrustPoint")
    end = sample.index(" certificate self-signed 01 nvram:IOS-Self-Sig#21.cer")
    ours = body[body.index("crypto pki trustpoint SLA-TrustPoint") :]
    assert ours[: end - start + 1] == sample[start : end + 1]
    assert body[body.index("service call-home") - 1] == "! Call-home is enabled by Smart-Licensing."


def test_running_config_header_and_byte_count() -> None:
    text = render_running_config(_factory(), "08:12:31 UTC Wed Mar 13 2024 by admin")
    lines = text.splitlines()
    assert lines[0] == "Building configuration..."
    assert lines[2].startswith("Current configuration : ")
    assert lines[4] == "! Last configuration change at 08:12:31 UTC Wed Mar 13 2024 by admin"
    assert lines[-1] == "end"
    count = int(lines[2].split(":")[1].split()[0])
    assert count == len("\n".join(lines[3:]) + "\n")


def test_section_and_include_filters() -> None:
    cfg = _factory()
    tac = cfg.call_home.profiles[0]
    tac.active = False
    tac.transport_email = False
    text = config_body(cfg)
    section = filter_section(text, "call-home").splitlines()
    assert section[0] == "service call-home"
    assert section[1] == "call-home"
    assert section[-4:] == [
        ' profile "CiscoTAC-1"',
        "  no active",
        "  destination transport-method http",
        "  no destination transport-method email",
    ]
    assert filter_include(text, "source-interface|hostname") == "hostname SwitchLv3CUB\n"
    vlan = filter_section(text, "Vlan781").splitlines()
    assert vlan == ["interface Vlan781", " ip address 10.78.0.2 255.255.255.0"]


def test_section_shows_header_with_matching_child_only() -> None:
    text = "interface Vlan1\n no ip address\n shutdown\ninterface Vlan2\n ip address 1.1.1.1 255.0.0.0\n"
    assert filter_section(text, "ip address 1") == "interface Vlan2\n ip address 1.1.1.1 255.0.0.0\n"


def test_interface_names_are_normalised() -> None:
    assert normalize_interface("vlan 781") == "Vlan781"
    assert normalize_interface("Vl781") == "Vlan781"
    assert normalize_interface("gi1/0/1") == "GigabitEthernet1/0/1"
    assert normalize_interface("te1/1/1") == "TenGigabitEthernet1/1/1"
    assert normalize_interface("bogus") is None
