"""What a switch is: model catalogue (PIDs, license entitlement tags, hardware lines) and
IOS-XE version facts (SLP or classic, release train, the image profile that shapes its outputs)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelInfo:
    pid: str
    provision: str  # `switch 1 provision ...`
    network_license: str  # license name as `show license summary` prints it
    network_tag: str  # entitlement tag (classic) == satellite pool name
    dna_license: str
    dna_tag: str
    boot_level: str  # `license boot level ...`
    memory: str  # the "(X86) processor with ..." memory text
    port_lines: tuple[str, ...]
    uplink_ifs: tuple[str, ...]  # interface names created in the config (besides Vlan SVIs)

    def access_ports(self) -> list[str]:
        """Front ports that come and go (link flaps in the log): 1/0/3 to 1/0/24 of the first kind."""
        first = next((name for name in self.uplink_ifs if "1/0/" in name), "GigabitEthernet1/0/1")
        prefix = first.rsplit("/", 1)[0]
        return [f"{prefix}/{number}" for number in range(3, 25)]


MODELS: dict[str, ModelInfo] = {
    "C9200L-48P-4X": ModelInfo(
        "C9200L-48P-4X",
        "c9200l-48p-4x",
        "network-essentials",
        "C9200L-NW-E-48",
        "dna-essentials",
        "C9200L-DNA-E-48",
        "network-essentials addon dna-essentials",
        "1354840K/6147K",
        ("1 Virtual Ethernet interface", "48 Gigabit Ethernet interfaces", "4 Ten Gigabit Ethernet interfaces"),
        ("GigabitEthernet1/0/1", "GigabitEthernet1/0/2", "TenGigabitEthernet1/1/1"),
    ),
    "C9300-48P": ModelInfo(
        "C9300-48P",
        "c9300-48p",
        "network-advantage",
        "C9300-48 Network Advantage",
        "dna-advantage",
        "C9300-48 DNA Advantage",
        "network-advantage addon dna-advantage",
        "1419044K/6147K",
        ("36 Virtual Ethernet interfaces", "52 Gigabit Ethernet interfaces", "8 Ten Gigabit Ethernet interfaces"),
        ("GigabitEthernet0/0", "GigabitEthernet1/0/1", "GigabitEthernet1/0/2", "TenGigabitEthernet1/1/1"),
    ),
    "C9300-24P": ModelInfo(
        "C9300-24P",
        "c9300-24p",
        "network-advantage",
        "C9300-24 Network Advantage",
        "dna-advantage",
        "C9300-24 DNA Advantage",
        "network-advantage addon dna-advantage",
        "1419044K/6147K",
        ("36 Virtual Ethernet interfaces", "28 Gigabit Ethernet interfaces", "8 Ten Gigabit Ethernet interfaces"),
        ("GigabitEthernet0/0", "GigabitEthernet1/0/1", "GigabitEthernet1/0/2", "TenGigabitEthernet1/1/1"),
    ),
    "C9500-40X": ModelInfo(
        "C9500-40X",
        "c9500-40x",
        "network-advantage",
        "C9500 Network Advantage",
        "dna-advantage",
        "C9500 DNA Advantage",
        "network-advantage addon dna-advantage",
        "1419496K/6147K",
        ("16 Virtual Ethernet interfaces", "48 Ten Gigabit Ethernet interfaces", "2 Forty Gigabit Ethernet interfaces"),
        ("GigabitEthernet0/0", "TenGigabitEthernet1/0/1", "TenGigabitEthernet1/0/2", "FortyGigabitEthernet1/1/1"),
    ),
}

# (first release of the train, name in `show version`); 17.13 on carry no name but IOSXE
_TRAINS = (
    ((16, 9), "Fuji"),
    ((16, 10), "Gibraltar"),
    ((17, 1), "Amsterdam"),
    ((17, 4), "Bengaluru"),
    ((17, 7), "Cupertino"),
    ((17, 10), "Dublin"),
    ((17, 13), "IOSXE"),
)


def version_tuple(version: str) -> tuple[int, int, int]:
    parts = [int("".join(ch for ch in p if ch.isdigit()) or 0) for p in version.split(".")]
    parts += [0] * (3 - len(parts))
    return parts[0], parts[1], parts[2]


def is_slp_version(version: str) -> bool:
    """Smart Licensing Using Policy replaced classic Smart Licensing in 17.3.2."""
    return version_tuple(version) >= (17, 3, 2)


def train_name(version: str) -> str:
    major, minor, _ = version_tuple(version)
    names = [name for first, name in _TRAINS if (major, minor) >= first]
    return names[-1] if names else "Fuji"


@dataclass(frozen=True)
class ImageProfile:
    """How a release prints its licensing state (`show license status` / `all`)."""

    slp: bool
    # 17.12+: `VRF: <empty>` on one line (earlier: `VRF:` then `Not Configured`), the License
    # Conversion block, `Reporting Mode`, and a `Device Telemetry Report Summary:` block at the end
    newer_forms: bool
    agent_version: str  # Smart Agent for Licensing: ...


def image_profile(version: str) -> ImageProfile:
    if not is_slp_version(version):
        return ImageProfile(slp=False, newer_forms=False, agent_version="4.4.13_rel/116")
    if version_tuple(version) >= (17, 12, 0):
        return ImageProfile(slp=True, newer_forms=True, agent_version="5.11.2_rel/6")
    return ImageProfile(slp=True, newer_forms=False, agent_version="5.1.26_rel/120")


def long_version(version: str) -> str:
    """'16.9.3' -> '16.09.03' (first line of show version)."""
    major, minor, patch = version_tuple(version)
    return f"{major}.{minor:02d}.{patch:02d}"


def config_version(version: str) -> str:
    major, minor, _ = version_tuple(version)
    return f"{major}.{minor}"


@dataclass(frozen=True)
class Hardware:
    model: str
    serial: str
    version: str
    mac: str  # "0c:d0:f8:cd:b5:80"
    board_serial: str
    uptime_s: int

    @property
    def info(self) -> ModelInfo:
        return MODELS[self.model]

    @property
    def slp(self) -> bool:
        return is_slp_version(self.version)

    @property
    def profile(self) -> ImageProfile:
        return image_profile(self.version)
