"""Build the emulated fleet (switches + satellite) from a fleet spec, deterministically per seed.
Entry points used by the SSH front end: build_fleet, Fleet, InventoryHost, load_spec."""

from __future__ import annotations

import random
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mock_devices.cloud import Cloud
from mock_devices.config import (
    CISCO_TAC_PROFILE,
    CallHome,
    CallHomeProfile,
    Interface,
    SwitchConfig,
    Trustpoint,
)
from mock_devices.interface import FleetInfo
from mock_devices.licensing import DAY, ClassicLicensing, Clock, SlpLicensing
from mock_devices.pki import FLEETREG_TRUSTPOINT, SatellitePki
from mock_devices.platform import MODELS, Hardware, config_version
from mock_devices.satellite import LicensePool, Satellite, Token, VirtualAccount
from mock_devices.spec import FaultSpec, FleetSpec, SpecError, SwitchSpec, load_spec
from mock_devices.switch import Credentials, Faults, Switch

__all__ = ["Fleet", "FleetSpec", "InventoryHost", "SpecError", "build_fleet", "load_spec"]

ONPREM_PROFILE = "SSM-OnPrem"
NOC_PROFILE = "NOC"


@dataclass(frozen=True)
class InventoryHost:
    """What --inventory-out writes per switch."""

    name: str
    host: str
    port: int
    site: str
    virtual_account: str
    source_interface: str
    platform: str = "cisco_xe"
    canary: bool = False


@dataclass
class Fleet:
    devices: list[Switch]
    satellite: Satellite
    info: FleetInfo
    canaries: frozenset[str] = frozenset()
    clock: Clock | None = None  # shared by every switch and the satellite API
    cloud: Cloud | None = None  # Cisco's cloud (CSSM)

    def advance_clock(self, seconds: float) -> None:
        """Let `seconds` pass for the whole fleet at once (ACKs due in hours, token expiry, eval
        countdown). Call on the loop thread that serves the fleet (MockFleet.advance_clock)."""
        clock = self.clock or (self.devices[0].clock if self.devices else None)
        if clock is not None:
            clock.advance(seconds)
        for switch in self.devices:
            switch.time_moved()

    def device(self, name: str) -> Switch:
        for switch in self.devices:
            if switch.name == name:
                return switch
        raise KeyError(name)

    def inventory_hosts(self) -> list[InventoryHost]:
        return [
            InventoryHost(
                name=s.name,
                host=s.host,
                port=s.port,
                site=s.site,
                virtual_account=s.virtual_account,
                source_interface=s.source_interface,
                canary=s.name in self.canaries,
            )
            for s in self.devices
        ]

    def dump_state(self) -> dict[str, Any]:
        devices = {s.name: s.dump() for s in self.devices}  # dump() completes due registrations first
        state: dict[str, Any] = {"devices": devices, "satellite": self.satellite.dump()}
        if self.cloud is not None:
            state["cloud"] = self.cloud.dump()
        return state


# --- helpers ---------------------------------------------------------------------------------


def _exact_counts(weights: dict[str, float], total: int) -> list[str]:
    """Largest-remainder apportionment: exactly `total` labels in the given shares."""
    positive = {k: v for k, v in weights.items() if v > 0}
    norm = sum(positive.values())
    raw = {k: total * v / norm for k, v in positive.items()}
    counts = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[: total - sum(counts.values())]:
        counts[k] += 1
    return [k for k in positive for _ in range(counts[k])]


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = [k for k, v in weights.items() if v > 0]
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _serial(rng: random.Random, prefix: str = "FCW") -> str:
    tail = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(4))
    return f"{prefix}{rng.randint(20, 26)}{rng.randint(10, 52)}{tail}"


def _token_value(rng: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits
    body = "".join(rng.choice(alphabet) for _ in range(86))
    return body + "%0A"  # real idtokens are URL-encoded base64 ending in a newline escape


def factory_config(hostname: str, hw: Hardware, source_interface: str, svi_ip: str, tp_number: int) -> SwitchConfig:
    interfaces = []
    for name in hw.info.uplink_ifs:
        if name == "GigabitEthernet0/0":
            interfaces.append(Interface(name, vrf_forwarding="Mgmt-vrf", shutdown=True))
        else:
            interfaces.append(Interface(name))
    interfaces.append(Interface("Vlan1", shutdown=True))
    interfaces.append(Interface(source_interface, description="Management", ip_address=f"{svi_ip} 255.255.255.0"))
    return SwitchConfig(
        hostname=hostname,
        version_train=config_version(hw.version),
        provision=hw.info.provision,
        license_boot_level=hw.info.boot_level,
        interfaces=interfaces,
        trustpoints=[
            Trustpoint("SLA-TrustPoint", enrollment="pkcs12", revocation_check="crl"),
            Trustpoint(
                f"TP-self-signed-{tp_number}",
                enrollment="selfsigned",
                subject_name=f"cn=IOS-Self-Signed-Certificate-{tp_number}",
                revocation_check="none",
                rsakeypair=f"TP-self-signed-{tp_number}",
            ),
        ],
        call_home=CallHome(profiles=[CallHomeProfile(CISCO_TAC_PROFILE, active=True, transport_http=True)]),
        default_route=".".join([*svi_ip.split(".")[:3], "1"]),
    )


def noc_profile() -> CallHomeProfile:
    """A user profile that sends Smart Call Home data both ways (`Transport Method: http and email`)."""
    return CallHomeProfile(
        NOC_PROFILE,
        active=True,
        reporting="smart-call-home-data",
        transport_http=True,
        transport_email=True,
        http_addresses=["https://noc.fleetreg.test/callhome"],
        email_addresses=["noc@fleetreg.test"],
    )


def _point_at_satellite(
    cfg: SwitchConfig, satellite: Satellite, source_interface: str, slp: bool, virtual_account: str
) -> None:
    """The config of a switch that was already migrated (SLP: to `virtual_account`'s CSLU URL)."""
    cfg.ip_http_client_source_interface = source_interface
    verify = satellite.identity_enforced and satellite.pki is not None
    if verify and satellite.pki is not None:
        # as a `verify` inventory leaves it: the satellite CA in fleetreg's trustpoint, identity check on
        cfg.trustpoints.append(
            Trustpoint(
                FLEETREG_TRUSTPOINT, enrollment="terminal", revocation_check="none", ca_certificate=satellite.pki.ca
            )
        )
    if slp:
        cfg.slp_transport = "cslu"
        cfg.slp_url_cslu = satellite.cslu_url_for(virtual_account)
        cfg.slp_identity_check = verify
        return
    if not verify:
        # as the written inventory's recipe leaves it: identity check off, no CRL check on SLA-TrustPoint
        cfg.call_home.identity_check = False
        for trustpoint in cfg.trustpoints:
            if trustpoint.name == "SLA-TrustPoint":
                trustpoint.revocation_check = "none"
    tac = cfg.call_home.profile(CISCO_TAC_PROFILE)
    if tac is not None:
        tac.active = False
    cfg.call_home.profiles.append(
        CallHomeProfile(
            ONPREM_PROFILE,
            active=True,
            reporting="smart-licensing-data",
            transport_http=True,
            transport_email=False,
            http_addresses=[satellite.callhome_url],
        )
    )


def _short_name(host: str) -> list[str]:
    label = host.split(".", 1)[0]
    return [label] if label != host and not label.isdigit() else []


def _build_satellite(spec: FleetSpec, rng: random.Random, wall: float, count: int) -> Satellite:
    sat_spec = spec.satellite
    satellite = Satellite(
        host=sat_spec.host,
        account=sat_spec.account,
        default_virtual_account=sat_spec.default_virtual_account,
        pki=SatellitePki.for_host(sat_spec.host.lower()),
        identity_enforced=sat_spec.identity == "verify",
        aliases=tuple(sat_spec.aliases if sat_spec.aliases is not None else _short_name(sat_spec.host)),
    )
    generous = {tag: count * 2 for m in MODELS.values() for tag in (m.network_tag, m.dna_tag)}
    tenants = sat_spec.tenants()
    for va in sat_spec.virtual_accounts:
        pools = va.licenses if va.licenses is not None else generous
        licenses = {k: LicensePool(v) for k, v in pools.items()}
        satellite.virtual_accounts[va.name] = VirtualAccount(va.name, licenses, tenants[va.name])
        tokens = va.tokens
        if not tokens:
            satellite.tokens.append(Token(_token_value(rng), va.name, wall + 30 * DAY, max(1000, count * 2)))
        for t in tokens:
            satellite.tokens.append(
                Token(t.value, va.name, wall + t.expires_in_days * DAY, t.allowed_uses, t.used, t.export_controlled)
            )
    return satellite


def _build_cloud(spec: FleetSpec, wall: float, count: int) -> Cloud:
    """Cisco's cloud; its generated token comes from a generator of its own, so that a fleet's
    switches, serials and satellite tokens stay what they were for a seed."""
    cloud_spec = spec.cloud
    cloud = Cloud(cloud_spec.smart_account, cloud_spec.virtual_account, reachable=cloud_spec.reachable)
    for t in cloud_spec.tokens:
        cloud.tokens.append(
            Token(t.value, cloud.virtual_account, wall + t.expires_in_days * DAY, t.allowed_uses, t.used)
        )
    if not cloud_spec.tokens:
        value = _token_value(random.Random(f"cloud-{spec.seed}"))
        cloud.tokens.append(Token(value, cloud.virtual_account, wall + 365 * DAY, max(1000, count * 2)))
    return cloud


def _cloud_token_handed_out(spec: FleetSpec, cloud: Cloud, wall: float) -> str | None:
    """The cloud token the written inventory refers to (None: it names none)."""
    if not spec.cloud.in_inventory:
        return None
    handed_out = next((t.value for t in spec.cloud.tokens if t.in_env), None)
    valid = cloud.valid_token(wall)
    return handed_out or (valid.value if valid is not None else None)


_ZERO_IS_A_VALUE = frozenset({"ack_delay_s"})  # 0 s is an immediate ACK, not "not set"


def _merge_faults(rules: list[FaultSpec], base: Faults) -> Faults:
    values = {
        "wrong_password": base.wrong_password,
        "auth_delay_s": base.auth_delay_s,
        "latency_ms": base.latency_ms,
        "jitter_ms": base.jitter_ms,
        "drop_after_commands": base.drop_after_commands,
        "drop_in_config_after": base.drop_in_config_after,
        "hang_command": base.hang_command,
        "max_sessions": base.max_sessions,
        "registration_failure": base.registration_failure,
        "ack_delay_s": base.ack_delay_s,
        "banner": base.banner,
        "user_mode_login": base.user_mode_login,
        "scroll_long_lines": base.scroll_long_lines,
        "syslog": base.syslog,
        "syslog_flap_s": base.syslog_flap_s,
        "monitor_at_login": base.monitor_at_login,
        "no_logging_synchronous": base.no_logging_synchronous,
        "authorization_answer": base.authorization_answer,
        "satellite_unreachable": base.satellite_unreachable,
        "dns_fails": base.dns_fails,
        "ntp_unsynchronized": base.ntp_unsynchronized,
        "ntp_disabled": base.ntp_disabled,
        "clock_offset_s": base.clock_offset_s,
    }
    for rule in rules:
        for key in values:
            value = getattr(rule, key)
            if value is not None and (key in _ZERO_IS_A_VALUE or value not in (False, 0.0)):
                values[key] = value
    refused = (*base.authorization_refuse, *(prefix for rule in rules for prefix in rule.authorization_refuse))
    return Faults(**values, authorization_refuse=refused)  # type: ignore[arg-type]


def _fault_targets(spec: FleetSpec, names: list[str], rng: random.Random) -> list[list[FaultSpec]]:
    per_switch: list[list[FaultSpec]] = [[] for _ in names]
    index_of = {name: i for i, name in enumerate(names)}
    for rule in spec.faults:
        chosen = set()
        for name in rule.switches:
            if name not in index_of:
                raise SpecError(f"fault names unknown switch {name!r}", field="faults.switches")
            chosen.add(index_of[name])
        if rule.share:
            chosen.update(rng.sample(range(len(names)), round(rule.share * len(names))))
        for index in chosen:
            per_switch[index].append(rule)
    return per_switch


def _pinned_or(pin: SwitchSpec | None, field: str, default: str) -> str:
    value = getattr(pin, field) if pin is not None else None
    return value if isinstance(value, str) and value else default


# --- build -----------------------------------------------------------------------------------


def build_fleet(
    count: int | None = None,
    *,
    spec: FleetSpec | None = None,
    base_port: int = 22000,
    address: str = "127.0.0.1",
    spread_addresses: bool = False,
    latency_ms: float = 0.0,
    jitter_ms: float = 0.0,
    register_seconds: tuple[float, float] = (1.0, 3.0),
    seed: int = 1,
    clock: Callable[[], float] = time.monotonic,
    wall_start: float | None = None,
    satellite_port: int | None = None,
) -> Fleet:
    """A deterministic fleet for `seed` (the spec's seed when a spec is given). Without a spec:
    ~40% cloud-registered classic, ~20% unregistered eval classic, ~30% SLP, ~10% already on the
    satellite; sites AMS/LON/NYC; two virtual accounts; no faults. `satellite_port`: the port of the
    satellite's HTTPS endpoint on 127.0.0.1 (mock_devices.satellite_tls), part of its URLs."""
    spec = spec or FleetSpec(seed=seed)
    total = count if count is not None else spec.count
    rng = random.Random(spec.seed)
    clk = Clock(clock, wall_start if wall_start is not None else time.time())
    wall = clk.wall()
    satellite = _build_satellite(spec, rng, wall, total)
    satellite.port = satellite_port
    cloud = _build_cloud(spec, wall, total)
    va_names = list(satellite.virtual_accounts)
    reg_lo, reg_hi = spec.register_seconds or register_seconds
    credentials = Credentials(spec.credentials.username, spec.credentials.password, spec.credentials.enable_secret)

    states = _exact_counts(spec.mix.states, total)
    rng.shuffle(states)
    pinned = {p.index: p for p in spec.switches if p.index < total}
    sites = [_pinned_or(pinned.get(i), "site", spec.sites[i % len(spec.sites)]) for i in range(total)]
    names = [_pinned_or(pinned.get(i), "name", f"{sites[i].lower()}-sw{i + 1:03d}") for i in range(total)]
    fault_rules = _fault_targets(spec, names, rng)
    serials: set[str] = set()
    devices: list[Switch] = []
    canaries: set[str] = set()
    canary_sites: set[str] = set()

    for i in range(total):
        pin = pinned.get(i)
        state = (pin.state if pin and pin.state else None) or states[i]
        model = (pin.model if pin and pin.model else None) or _weighted(rng, spec.mix.models)
        slp = state == "slp" or (state.startswith("satellite") and i % 3 == 2)
        version = (pin.version if pin and pin.version else None) or _weighted(
            rng, spec.mix.slp_versions if slp else spec.mix.classic_versions
        )
        serial = _serial(rng)
        while serial in serials:
            serial = _serial(rng)
        serials.add(serial)
        mac = "70:" + ":".join(f"{rng.randint(0, 255):02x}" for _ in range(4)) + ":80"
        hw = Hardware(model, serial, version, mac, _serial(rng, "FOC"), rng.randint(5 * 86400, 700 * 86400))
        faults = _merge_faults(fault_rules[i], Faults(latency_ms=latency_ms, jitter_ms=jitter_ms))
        site = sites[i]
        name = names[i]
        if any(rule.long_hostname for rule in fault_rules[i]):
            name = f"{site.lower()}-bldg-north-wing-floor3-access-sw{i + 1:03d}"
        target_va = (pin.virtual_account if pin and pin.virtual_account else None) or va_names[
            (i // len(spec.sites)) % len(va_names)
        ]
        site_index = spec.sites.index(site) if site in spec.sites else 0
        svi_ip = f"10.{78 + site_index}.{i // 250}.{i % 250 + 2}"
        cfg = factory_config(name, hw, spec.source_interface, svi_ip, rng.randint(10**9, 4 * 10**9))
        if any(rule.callhome_noc_profile for rule in fault_rules[i]):
            cfg.call_home.profiles.append(noc_profile())
        classic: ClassicLicensing | None = None
        slp_state: SlpLicensing | None = None
        since = wall - rng.uniform(30, 300) * DAY
        if state in ("satellite", "satellite_wrong_va"):
            va = target_va
            if state == "satellite_wrong_va":
                others = [v for v in va_names if v != target_va]
                va = others[0] if others else target_va
            # an SLP switch reports to its planned VA's tenant; in the wrong VA, the satellite lists it
            # in another one (moved there on the satellite; its next usage report moves it back)
            _point_at_satellite(cfg, satellite, spec.source_interface, hw.slp, target_va)
            satellite.record_product_instance(
                name, model, serial, va, hw.info.network_tag, since, "slp" if hw.slp else "classic"
            )
            if hw.slp:
                slp_state = SlpLicensing(
                    satellite.account, va, since, since, since - 60, since, since, acked_by="satellite"
                )
            else:
                classic = ClassicLicensing(
                    "REGISTERED", "AUTHORIZED", "satellite", satellite.account, va, False, since, since + 4
                )
        elif hw.slp:
            if rng.random() < 0.5:
                cfg.slp_transport = "smart"
                slp_state = SlpLicensing(
                    cloud.smart_account, cloud.virtual_account, since, since, since - 60, since, since, acked_by="cloud"
                )
            else:
                cfg.slp_transport = "off"
                slp_state = SlpLicensing()
        elif state == "cloud":
            cloud.record(name, model, serial, since)
            classic = ClassicLicensing(
                "REGISTERED",
                "AUTHORIZED",
                "cloud",
                spec.cloud.smart_account,
                spec.cloud.virtual_account,
                True,
                since,
                since + 4,
            )
        else:
            classic = ClassicLicensing(eval_remaining_s=rng.uniform(20, 89) * DAY, eval_counted_at_wall=wall)
        if state in ("cloud", "eval") and site not in canary_sites:
            canary_sites.add(site)
            canaries.add(name)
        host = f"127.0.{i // 250}.{i % 250 + 1}" if spread_addresses else address
        port = base_port if spread_addresses else base_port + i
        devices.append(
            Switch(
                name=name,
                host=host,
                port=port,
                hardware=hw,
                config=cfg,
                site=site,
                virtual_account=target_va,
                source_interface=spec.source_interface,
                satellite=satellite,
                credentials=credentials,
                clock=clk,
                faults=faults,
                register_seconds=rng.uniform(reg_lo, reg_hi),
                sync_ack_seconds=faults.ack_delay_s if faults.ack_delay_s is not None else spec.sync_ack_seconds,
                vty_lines=spec.vty_lines,
                classic=classic,
                slp=slp_state,
                seed=spec.seed * 100003 + i,
                cloud=cloud,
            )
        )

    tokens = {}
    for va_spec in spec.satellite.virtual_accounts:
        handed_out = next((t.value for t in va_spec.tokens if t.in_env), None)
        valid = satellite.valid_token_for(va_spec.name, wall)
        chosen = handed_out or (valid.value if valid is not None else None)
        if chosen is not None:
            tokens[va_spec.name] = chosen
    info = FleetInfo(
        satellite_url=satellite.callhome_url,
        cslu_tenant=satellite.cslu_tenant,
        cslu_tenants={name: va.cslu_tenant for name, va in satellite.virtual_accounts.items()},
        username=credentials.username,
        password=credentials.password,
        enable_secret=credentials.enable_secret,
        tokens=tokens,
        ca_pem=satellite.pki.ca_pem if satellite.pki is not None else None,
        identity_check="verify" if satellite.identity_enforced else "disable",
        cloud_token=_cloud_token_handed_out(spec, cloud, wall),
    )
    return Fleet(devices, satellite, info, frozenset(canaries), clk, cloud)
