"""The fault matrix: every fault the mock fleet can inject, on one switch of a small fleet,
through plan and apply over real SSH. Each test checks the outcome and its one-line reason in
hosts.csv / the journal, that the faulty switch is migrated, backed out or untouched (never
half-configured), and that the healthy switches migrate."""

from __future__ import annotations

import csv
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml
from fleet_runs import fleet_env, latest_run, load_plan_json, run_cli, set_default_setting, set_host_setting
from fleetreg.core.config_change import relevant_excerpt
from fleetreg.core.outcomes import PENDING_ACK_EXIT
from fleetreg.services.apply import ApplyOptions, ApplyResult, apply_plan

from mock_devices.spec import FaultSpec, FleetSpec, MixSpec, SatelliteSpec, SwitchSpec, TokenSpec, VirtualAccountSpec
from mock_devices.testing import MockFleet

pytestmark = pytest.mark.integration

REGISTER_SECONDS = (0.3, 0.6)
POLL_INTERVAL_S = 0.2
# 5 switches: ams-sw001, lon-sw002, nyc-sw003 are the fleet's canaries (first per site),
# ams-sw004 and lon-sw005 are not. Faults go on FAULTY.
FLEET_SIZE = 5
FAULTY = "ams-sw004"
FAULTY_INDEX = 3
NO_THRESHOLDS = ("--canary", "0", "--max-failures", "100%")
CLASSIC = {"states": {"cloud": 1.0}}  # classic Smart Licensing, registered to the cloud
TRUSTPOINTS = ("SLA-TrustPoint",)


# ---------------------------------------------------------------- fleet and runs
def start_fleet(
    factory: Callable[..., MockFleet],
    *,
    count: int = FLEET_SIZE,
    faults: Iterable[FaultSpec] = (),
    switches: Iterable[SwitchSpec] = (),
    satellite: SatelliteSpec | None = None,
    mix: Mapping[str, Any] = CLASSIC,
    register_seconds: tuple[float, float] = REGISTER_SECONDS,
) -> MockFleet:
    spec = FleetSpec(
        count=count,
        register_seconds=register_seconds,
        mix=MixSpec.model_validate(dict(mix)),
        faults=list(faults),
        switches=list(switches),
        # the common recipe (no CA to install) unless a test asks for verified TLS
        satellite=satellite or SatelliteSpec(identity="disable"),
    )
    mock = factory(spec=spec)
    defaults = mock.inventory_dir / "defaults.yaml"
    document = yaml.safe_load(defaults.read_text())
    document["data"]["fleetreg"]["poll_interval_s"] = POLL_INTERVAL_S
    defaults.write_text(yaml.safe_dump(document, sort_keys=False))
    return mock


def plan(mock: MockFleet, runs: Path, *args: str) -> Path:
    assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), *args) == 0
    return latest_run(runs, "plan")


def apply_cli(plan_dir: Path, runs: Path, *args: str) -> tuple[int, Path]:
    code = run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes", "--read-timeout", "5", *args)
    return code, latest_run(runs, "apply")


def apply_api(
    plan_dir: Path, runs: Path, on_event: Callable[[str, str, str], None] | None = None, **options: Any
) -> ApplyResult:
    settings: dict[str, Any] = {"runs_dir": runs, "read_timeout": 5, "backoff_base_s": 0.3, **options}
    return apply_plan(plan_dir, ApplyOptions(**settings), on_event=on_event)


def rows(run_dir: Path) -> dict[str, dict[str, str]]:
    return {r["host"]: r for r in csv.DictReader((run_dir / "hosts.csv").open())}


def journal_hosts(runs: Path, run_dir: Path) -> dict[str, tuple[str, str | None, str | None]]:
    with sqlite3.connect(runs / "fleetreg.db") as db:
        found = db.execute("SELECT host, state, failed_step, reason FROM hosts WHERE run_id=?", (run_dir.name,))
        return {host: (state, step, reason) for host, state, step, reason in found.fetchall()}


def callhome_blocks(mock: MockFleet) -> dict[str, str]:
    """Per switch: the call-home, trustpoint and license lines of its running config."""
    devices = mock.fleet.dump_state()["devices"]
    return {name: relevant_excerpt(d["running_config"], TRUSTPOINTS) for name, d in devices.items()}


def set_faults(mock: MockFleet, name: str, **faults: Any) -> None:
    switch = mock.fleet.device(name)
    mock.call(setattr, switch, "faults", replace(switch.faults, **faults))


class Window(NamedTuple):
    runs: Path
    before: dict[str, str]  # call-home blocks before the change
    plan_dir: Path
    code: int
    run_dir: Path


def change_window(mock: MockFleet, tmp_path: Path, *apply_args: str, plan_args: tuple[str, ...] = ()) -> Window:
    """plan (no canary, no threshold) then apply, as an engineer would in the window."""
    runs = tmp_path / "runs"
    before = callhome_blocks(mock)
    with fleet_env(mock):
        plan_dir = plan(mock, runs, *NO_THRESHOLDS, *plan_args)
        code, run_dir = apply_cli(plan_dir, runs, *apply_args)
    return Window(runs, before, plan_dir, code, run_dir)


# ---------------------------------------------------------------- assertions
def one_line(reason: str | None) -> str:
    assert reason and reason.strip(), "empty reason"
    assert "\n" not in reason and "Traceback" not in reason, reason
    return reason


def assert_outcome(runs: Path, run_dir: Path, host: str, outcome: str, step: str | None, *reason_parts: str) -> str:
    """hosts.csv and the journal agree on the host's outcome, step and (one-line) reason."""
    row = rows(run_dir)[host]
    state, failed_step, reason = journal_hosts(runs, run_dir)[host]
    assert (row["outcome"], row["failed_step"] or None) == (outcome, step), row
    assert (state, failed_step, reason) == (outcome, step, row["outcome_reason"] or None)
    text = one_line(row["outcome_reason"])
    for part in reason_parts:
        assert part.lower() in text.lower(), f"{part!r} not in {text!r}"
    return text


def assert_fleet_sound(
    mock: MockFleet, plan_dir: Path, run_dir: Path, before: Mapping[str, str], *, changed_left: Iterable[str] = ()
) -> None:
    """No half-configured switch: each is migrated (REGISTERED/AUTHORIZED in its planned VA,
    saved) or has its pre-change call-home block back (saved), or was never touched.
    `changed_left`: hosts whose report says the change is still on the switch."""
    planned = {h["name"]: h for h in load_plan_json(plan_dir)["hosts"]}
    outcomes = rows(run_dir)
    after = callhome_blocks(mock)
    devices = mock.fleet.dump_state()["devices"]
    for name, device in devices.items():
        if name in changed_left:
            continue
        outcome = outcomes[name]["outcome"]
        if outcome in ("migrated", "already-migrated"):
            lic = device["licensing"]
            if planned[name]["mode"] == "callhome":
                assert (lic["status"], lic["authorization"], lic["virtual_account"]) == (
                    "REGISTERED",
                    "AUTHORIZED",
                    planned[name]["virtual_account"],
                ), name
        else:
            assert after[name] == before[name], f"{name} ({outcome}): call-home block not restored"
        assert device["unsaved_changes"] is False, f"{name} ({outcome}) has unsaved changes"


def assert_healthy_migrated(run_dir: Path, faulty: Iterable[str]) -> None:
    others = {h: r["outcome"] for h, r in rows(run_dir).items() if h not in set(faulty)}
    assert set(others.values()) == {"migrated"}, others


# ---------------------------------------------------------------- 1-3: logging in
def test_wrong_password_is_blocked_at_plan_and_never_touched(mock_fleet_factory, tmp_path: Path) -> None:
    mock = start_fleet(mock_fleet_factory, faults=[FaultSpec(switches=[FAULTY], wrong_password=True)])
    runs = tmp_path / "runs"
    before_configs = {
        n: (d["running_config"], d["startup_config"]) for n, d in mock.fleet.dump_state()["devices"].items()
    }
    with fleet_env(mock):
        plan_dir = plan(mock, runs, *NO_THRESHOLDS)
        planned = {h["name"]: h for h in load_plan_json(plan_dir)["hosts"]}
        assert planned[FAULTY]["classification"] == "blocked"
        assert one_line(planned[FAULTY]["reason"]).startswith("auth failed"), planned[FAULTY]["reason"]
        code, run_dir = apply_cli(plan_dir, runs)
    assert code == 0
    assert_outcome(runs, run_dir, FAULTY, "skipped", None, "auth failed")
    with sqlite3.connect(runs / "fleetreg.db") as db:
        assert db.execute("SELECT count(*) FROM steps WHERE host=?", (FAULTY,)).fetchone() == (0,)
    device = mock.fleet.dump_state()["devices"][FAULTY]
    assert (device["running_config"], device["startup_config"]) == before_configs[FAULTY]
    assert_healthy_migrated(run_dir, [FAULTY])


def test_user_mode_login_with_a_wrong_enable_secret_is_blocked(mock_fleet_factory, tmp_path: Path) -> None:
    mock = start_fleet(mock_fleet_factory, faults=[FaultSpec(switches=[FAULTY], user_mode_login=True)])
    runs = tmp_path / "runs"
    before = callhome_blocks(mock)
    with fleet_env(mock), pytest.MonkeyPatch.context() as env:
        env.setenv("FLEETREG_ENABLE_SECRET", "not-the-enable-secret")
        plan_dir = plan(mock, runs, *NO_THRESHOLDS)
        planned = {h["name"]: h for h in load_plan_json(plan_dir)["hosts"]}
        assert planned[FAULTY]["classification"] == "blocked"
        reason = one_line(planned[FAULTY]["reason"])
        assert reason.startswith("auth failed") and "FLEETREG_ENABLE_SECRET" in reason, reason
        assert "not-the-enable-secret" not in reason
        code, run_dir = apply_cli(plan_dir, runs)
    assert code == 0
    assert_outcome(runs, run_dir, FAULTY, "skipped", None, "enable secret")
    assert_fleet_sound(mock, plan_dir, run_dir, before)
    assert_healthy_migrated(run_dir, [FAULTY])


def test_banner_and_user_mode_login_with_the_right_enable_secret_migrate(mock_fleet_factory, tmp_path: Path) -> None:
    banner = "*" * 60 + "\n  Authorized access only. Disconnect NOW if not authorized.\n" + "*" * 60 + "\n"
    mock = start_fleet(mock_fleet_factory, faults=[FaultSpec(switches=[FAULTY], user_mode_login=True, banner=banner)])
    _runs, before, plan_dir, code, run_dir = change_window(mock, tmp_path)
    assert code == 0
    assert {r["outcome"] for r in rows(run_dir).values()} == {"migrated"}
    assert_fleet_sound(mock, plan_dir, run_dir, before)


# ---------------------------------------------------------------- 4-7: sessions
# The planned change is 18 config lines (+ `end`), its backout 11 (+ `end`); the on-prem
# profile is created by the 6th line.
@pytest.mark.parametrize(
    ("after_lines", "heal_after_failure"),
    [
        pytest.param(14, False, id="drop-late-backout-fits"),
        pytest.param(3, True, id="drop-early-then-reachable"),
    ],
)
def test_session_dropped_in_config_mode_is_backed_out(
    after_lines: int, heal_after_failure: bool, mock_fleet_factory, tmp_path: Path
) -> None:
    mock = start_fleet(mock_fleet_factory, faults=[FaultSpec(switches=[FAULTY], drop_in_config_after=after_lines)])
    runs = tmp_path / "runs"
    before = callhome_blocks(mock)

    def on_event(host: str, event: str, text: str) -> None:
        if heal_after_failure and host == FAULTY and event.endswith("failed") and text.startswith("configure:"):
            set_faults(mock, FAULTY, drop_in_config_after=None)  # the switch is reachable again for the backout

    with fleet_env(mock):
        plan_dir = plan(mock, runs, *NO_THRESHOLDS)
        result = apply_api(plan_dir, runs, on_event)
    assert result.exit_code == 1
    assert_outcome(runs, result.run_dir, FAULTY, "backed-out", "configure", "SSH session lost")
    assert callhome_blocks(mock)[FAULTY] == before[FAULTY]
    if after_lines < 6:  # the on-prem profile was never created: the backout's `no profile` is refused, and holds
        log = (result.run_dir / "session-logs" / f"{FAULTY}.log").read_text()
        assert "% Profile SSM-OnPrem does not exist" in log
    assert_fleet_sound(mock, plan_dir, result.run_dir, before)
    assert_healthy_migrated(result.run_dir, [FAULTY])


def test_session_dropped_in_config_mode_for_good_is_reported_as_left_changed(
    mock_fleet_factory, tmp_path: Path
) -> None:
    # Every session drops after 3 config lines: the backout cannot get through either.
    mock = start_fleet(mock_fleet_factory, faults=[FaultSpec(switches=[FAULTY], drop_in_config_after=3)])
    runs = tmp_path / "runs"
    before = callhome_blocks(mock)
    with fleet_env(mock):
        plan_dir = plan(mock, runs, *NO_THRESHOLDS)
        result = apply_api(plan_dir, runs)
    reason = assert_outcome(
        runs, result.run_dir, FAULTY, "failed", "backout", "backout failed", "still on the switch", "at configure"
    )
    assert f"fleetreg backout RUN --hosts {FAULTY}" in reason
    device = mock.fleet.dump_state()["devices"][FAULTY]
    assert device["unsaved_changes"] is True and callhome_blocks(mock)[FAULTY] != before[FAULTY]
    assert_fleet_sound(mock, plan_dir, result.run_dir, before, changed_left=[FAULTY])
    assert_healthy_migrated(result.run_dir, [FAULTY])


def test_session_dropped_while_polling_registration_reconnects_and_completes(
    mock_fleet_factory, tmp_path: Path
) -> None:
    mock = start_fleet(mock_fleet_factory, register_seconds=(1.5, 2.0))
    runs = tmp_path / "runs"
    before = callhome_blocks(mock)
    switch = mock.fleet.device(FAULTY)
    events: list[tuple[str, str, str]] = []
    armed = threading.Event()

    def commands_on_open_session() -> int:
        return max((s.commands_seen for s in switch.sessions), default=0)

    def on_event(host: str, event: str, text: str) -> None:
        events.append((host, event, text))

    with fleet_env(mock):
        plan_dir = plan(mock, runs, *NO_THRESHOLDS)
        db = runs / "fleetreg.db"

        def arm_when_polling() -> None:
            # Once the switch is being polled, its session drops at the next command.
            while not armed.is_set():
                try:
                    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                        row = conn.execute(
                            "SELECT 1 FROM steps WHERE host=? AND step='wait_registered'", (FAULTY,)
                        ).fetchone()
                except sqlite3.OperationalError:  # the journal is not there yet
                    row = None
                if row:
                    set_faults(mock, FAULTY, drop_after_commands=mock.call(commands_on_open_session))
                    armed.set()
                    return
                armed.wait(0.02)

        watcher = threading.Thread(target=arm_when_polling, daemon=True)
        watcher.start()
        try:
            result = apply_api(plan_dir, runs, on_event)
        finally:
            armed.set()
            watcher.join(timeout=10)
    assert result.exit_code == 0, rows(result.run_dir)[FAULTY]
    retries = [text for host, event, text in events if host == FAULTY and event == "retry"]
    assert retries and "SSH session lost" in retries[0], events
    with sqlite3.connect(runs / "fleetreg.db") as conn:
        steps = conn.execute("SELECT step, status FROM steps WHERE host=? ORDER BY id", (FAULTY,)).fetchall()
    assert ("wait_registered", "done") in steps and ("verify", "done") in steps, steps
    assert_fleet_sound(mock, plan_dir, result.run_dir, before)
    assert {r["outcome"] for r in rows(result.run_dir).values()} == {"migrated"}


def test_hung_register_command_times_out_and_is_backed_out(mock_fleet_factory, tmp_path: Path) -> None:
    mock = start_fleet(mock_fleet_factory, faults=[FaultSpec(switches=[FAULTY], hang_command="license smart register")])
    runs, before, plan_dir, code, run_dir = change_window(mock, tmp_path, "--read-timeout", "1.5")
    assert code == 1
    reason = assert_outcome(runs, run_dir, FAULTY, "backed-out", "register", "read timeout")
    assert "idtoken" not in reason
    assert_fleet_sound(mock, plan_dir, run_dir, before)
    assert_healthy_migrated(run_dir, [FAULTY])


def test_all_vty_lines_busy_then_free_connects_after_a_retry(mock_fleet_factory, tmp_path: Path) -> None:
    mock = start_fleet(mock_fleet_factory)
    runs = tmp_path / "runs"
    before = callhome_blocks(mock)
    events: list[tuple[str, str, str]] = []

    def on_event(host: str, event: str, text: str) -> None:
        events.append((host, event, text))
        if host == FAULTY and event == "retry":
            set_faults(mock, FAULTY, max_sessions=None)  # a vty line comes free

    with fleet_env(mock):
        plan_dir = plan(mock, runs, *NO_THRESHOLDS)
        set_faults(mock, FAULTY, max_sessions=0)
        result = apply_api(plan_dir, runs, on_event)
    retries = [text for host, event, text in events if host == FAULTY and event == "retry"]
    assert len(retries) == 1 and "retrying in" in retries[0], events
    assert result.exit_code == 0, rows(result.run_dir)[FAULTY]
    assert {r["outcome"] for r in rows(result.run_dir).values()} == {"migrated"}
    assert_fleet_sound(mock, plan_dir, result.run_dir, before)


# ---------------------------------------------------------------- 8-10: registration
LAB_VA = "Lab Devices"
LAB_TOKEN_ENV = "FLEETREG_TOKEN_LAB_DEVICES"
EXPIRED = "Expired0Token0Value0000000000000000000000000000000000000000%0A"
USED_UP = "UsedUp0Token0Value00000000000000000000000000000000000000000%0A"


def lab_satellite(token: TokenSpec | None = None, licenses: dict[str, int] | None = None) -> SatelliteSpec:
    return SatelliteSpec(
        virtual_accounts=[
            VirtualAccountSpec(name="Corporate Network Devices"),
            VirtualAccountSpec(name="Public Network Devices"),
            VirtualAccountSpec(name=LAB_VA, tokens=[token] if token else [], licenses=licenses),
        ]
    )


REGISTRATION_FAILURES = [
    pytest.param(
        {"faults": [FaultSpec(switches=[FAULTY], registration_failure="Fail to send out Call Home HTTP message.")]},
        None,
        "wait_registered",
        ("registration failed", "Fail to send out Call Home HTTP message"),
        id="callhome-http-failure",
    ),
    pytest.param(
        {"satellite": lab_satellite()},
        "NotAToken0000000000000000000000000000000000000000000000000000000%0A",
        "wait_registered",
        ("registration failed", "The token is not valid"),
        id="invalid-token",
    ),
    pytest.param(
        {"satellite": lab_satellite(TokenSpec(value=EXPIRED, expires_in_days=-1))},
        EXPIRED,
        "wait_registered",
        ("registration failed", "The token has expired"),
        id="expired-token",
    ),
    pytest.param(
        {"satellite": lab_satellite(TokenSpec(value=USED_UP, allowed_uses=3, used=3))},
        USED_UP,
        "wait_registered",
        ("registration failed", "used the maximum number of times"),
        id="token-used-up",
    ),
    pytest.param(
        {"satellite": lab_satellite(licenses={})},
        None,
        "wait_registered",
        ("no licenses left", LAB_VA, "OUT OF COMPLIANCE"),
        id="no-licenses-left",
    ),
]


@pytest.mark.parametrize(("fleet", "lab_token", "step", "reason_parts"), REGISTRATION_FAILURES)
def test_registration_failure_is_reported_and_backed_out(
    fleet: dict[str, Any],
    lab_token: str | None,
    step: str,
    reason_parts: tuple[str, ...],
    mock_fleet_factory,
    tmp_path: Path,
) -> None:
    in_lab = "satellite" in fleet
    pins = [SwitchSpec(index=FAULTY_INDEX, state="cloud", virtual_account=LAB_VA if in_lab else None)]
    mock = start_fleet(mock_fleet_factory, switches=pins, **fleet)
    runs = tmp_path / "runs"
    before = callhome_blocks(mock)
    with fleet_env(mock), pytest.MonkeyPatch.context() as env:
        if lab_token:
            env.setenv(LAB_TOKEN_ENV, lab_token)
        plan_dir = plan(mock, runs, *NO_THRESHOLDS)
        code, run_dir = apply_cli(plan_dir, runs)
    assert code == 1
    assert_outcome(runs, run_dir, FAULTY, "backed-out", step, *reason_parts)
    state = mock.fleet.dump_state()
    serial = state["devices"][FAULTY]["serial"]
    assert serial not in [p["serial"] for p in state["satellite"]["product_instances"]], "backout left it registered"
    assert_fleet_sound(mock, plan_dir, run_dir, before)
    assert_healthy_migrated(run_dir, [FAULTY])


def drop_cloud_tokens(mock: MockFleet) -> None:
    """The inventory names no cloud token (cloud_token_ref) for any virtual account."""
    groups_file = mock.inventory_dir / "groups.yaml"
    groups = yaml.safe_load(groups_file.read_text())
    for group in groups.values():
        group["data"].get("fleetreg", {}).pop("cloud_token_ref", None)
    groups_file.write_text(yaml.safe_dump(groups, sort_keys=False))


@pytest.mark.parametrize("cloud_token", [True, False], ids=["cloud-token", "no-cloud-token"])
def test_satellite_url_typo_fails_registration_with_the_callhome_reason(
    cloud_token: bool, mock_fleet_factory, tmp_path: Path
) -> None:
    mock = start_fleet(mock_fleet_factory)
    if not cloud_token:
        drop_cloud_tokens(mock)
    hosts_file = mock.inventory_dir / "hosts.yaml"
    hosts = yaml.safe_load(hosts_file.read_text())
    url = mock.fleet.satellite.callhome_url
    # a typo in the path: the host and port (checked by fleetreg's TLS check) are the satellite's
    hosts[FAULTY]["data"]["fleetreg"]["satellite_url"] = url.replace("Transportgateway", "Transportgatway")
    hosts_file.write_text(yaml.safe_dump(hosts, sort_keys=False))
    runs, before, plan_dir, code, run_dir = change_window(mock, tmp_path)
    assert code == 1
    reason = assert_outcome(
        runs, run_dir, FAULTY, "backed-out", "wait_registered", "Fail to send out Call Home HTTP message"
    )
    # what the switch showed after the backout, read back: nothing assumed (it left the cloud)
    after = "state after backout: UNREGISTERED - REGISTRATION FAILED / EVAL MODE, reporting to (CiscoTAC-1 default)"
    assert after in reason, reason
    state = mock.fleet.dump_state()
    licensing, serial = state["devices"][FAULTY]["licensing"], state["devices"][FAULTY]["serial"]
    cloud_instances = [p["serial"] for p in state["cloud"]["product_instances"]]
    if cloud_token:  # registered back with the VA's cloud token, and read back so
        back = "registered back to the cloud: REGISTERED / AUTHORIZED in 'Campus Switches', reporting to (CiscoTAC-1"
        assert back in reason and "license smart register" not in reason, reason
        assert (licensing["status"], licensing["registered_to"]) == ("REGISTERED", "cloud")
        assert serial in cloud_instances
    else:  # it was on the cloud before: the report says so, and what to run
        assert "it is no longer registered to the cloud: to restore that, register it on the switch with" in reason
        assert (licensing["status"], serial in cloud_instances) == ("FAILED", False)  # its failed registration
    assert_fleet_sound(mock, plan_dir, run_dir, before)
    assert_healthy_migrated(run_dir, [FAULTY])


def test_a_session_lost_once_the_cloud_registration_is_typed_is_read_again_not_reported_lost(
    mock_fleet_factory, tmp_path: Path
) -> None:
    """The rollback types `license smart register idtoken <cloud token> force`, the switch starts
    the registration and the SSH session drops before its answer. restore_cloud reads first, so
    it runs again on a new session (finding the registration under way) and wait_cloud reads the
    switch back on the cloud: the report says so, and the token was typed once."""
    mock = start_fleet(mock_fleet_factory)
    hosts_file = mock.inventory_dir / "hosts.yaml"
    hosts = yaml.safe_load(hosts_file.read_text())
    url = mock.fleet.satellite.callhome_url
    hosts[FAULTY]["data"]["fleetreg"]["satellite_url"] = url.replace("Transportgateway", "Transportgatway")
    hosts_file.write_text(yaml.safe_dump(hosts, sort_keys=False))
    (cloud_token,) = {v for k, v in mock.env.items() if k.startswith("FLEETREG_CLOUD_TOKEN_")}
    set_faults(mock, FAULTY, drop_after_line=f"license smart register idtoken {cloud_token}")
    runs, _before, _plan_dir, code, run_dir = change_window(mock, tmp_path)
    assert code == 1
    reason = assert_outcome(runs, run_dir, FAULTY, "backed-out", "wait_registered", "Fail to send out Call Home")
    assert "registered back to the cloud: REGISTERED / AUTHORIZED in 'Campus Switches'" in reason, reason
    assert "no longer registered" not in reason, reason
    licensing = mock.fleet.dump_state()["devices"][FAULTY]["licensing"]
    assert (licensing["status"], licensing["registered_to"]) == ("REGISTERED", "cloud")
    assert mock.fleet.cloud is not None and sum(t.used for t in mock.fleet.cloud.tokens) == 1


def test_a_satellite_registration_still_under_way_at_the_backout_is_not_taken_for_the_cloud(
    mock_fleet_factory, tmp_path: Path
) -> None:
    """The satellite answers after wait_registered gave up: the backout reads the switch's
    registration still in progress (to the satellite; no cloud token typed yet, and none can be
    while it is), and it ends registered to the satellite. The rollback must not report that as
    'registered back to the cloud', nor say nothing of where it is."""
    mock = start_fleet(mock_fleet_factory, register_seconds=(10.0, 10.0))
    set_host_setting(mock, FAULTY, register_timeout_s=7)
    runs, _before, _plan_dir, code, run_dir = change_window(mock, tmp_path)
    assert code == 1
    reason = assert_outcome(runs, run_dir, FAULTY, "backed-out", "wait_registered", "timed out after 7s")
    assert "state after backout: REGISTRATION IN PROGRESS" in reason, reason  # the satellite's, under way
    licensing = mock.fleet.dump_state()["devices"][FAULTY]["licensing"]
    assert (licensing["registered_to"], licensing["smart_account"]) == ("satellite", "FleetReg Lab")
    assert "registered back to the cloud" not in reason, reason
    assert "not the cloud account it left ('ACME Corp' / 'Campus Switches')" in reason, reason


# ---------------------------------------------------------------- 11: canary threshold
def test_failing_canaries_halt_the_run_before_wave_2(mock_fleet_factory, tmp_path: Path) -> None:
    faulty = ["lon-sw002", "nyc-sw003"]  # flagged canaries (first cloud switch of their site)
    mock = start_fleet(
        mock_fleet_factory,
        count=200,
        faults=[FaultSpec(switches=faulty, registration_failure="Fail to send out Call Home HTTP message.")],
        switches=[SwitchSpec(index=1, state="cloud"), SwitchSpec(index=2, state="cloud")],
        mix={},
        register_seconds=(0.2, 0.4),
    )
    runs = tmp_path / "runs"
    before_state = mock.fleet.dump_state()["devices"]
    before_blocks = callhome_blocks(mock)
    with fleet_env(mock):
        plan_dir = plan(mock, runs, "--canary", "20", "--max-failures", "1", "--workers", "50")
        code, run_dir = apply_cli(plan_dir, runs, "--workers", "50")
    assert code == 5  # halted by the failure threshold
    plan_data = load_plan_json(plan_dir)
    canary = plan_data["waves"][0]
    assert canary["name"] == "canary" and len(canary["hosts"]) == 20 and set(faulty) <= set(canary["hosts"])
    later = {h for wave in plan_data["waves"][1:] for h in wave["hosts"]}
    assert len(later) > 100
    outcomes = rows(run_dir)
    for host in faulty:
        assert_outcome(runs, run_dir, host, "backed-out", "wait_registered", "Fail to send out Call Home HTTP")
    after = mock.fleet.dump_state()["devices"]
    for host in later:
        assert outcomes[host]["outcome"] == "skipped", (host, outcomes[host])
        reason = one_line(outcomes[host]["outcome_reason"])
        assert reason.startswith("not run: halted after canary: 2 hosts failed"), reason
        assert (after[host]["running_config"], after[host]["startup_config"]) == (
            before_state[host]["running_config"],
            before_state[host]["startup_config"],
        ), f"{host} was touched"
    with sqlite3.connect(runs / "fleetreg.db") as db:
        touched = {h for (h,) in db.execute("SELECT DISTINCT host FROM steps WHERE run_id=?", (run_dir.name,))}
        status = db.execute("SELECT status FROM runs WHERE run_id=?", (run_dir.name,)).fetchone()
    assert touched == set(canary["hosts"]) and status == ("halted",)
    healthy_canaries = {outcomes[h]["outcome"] for h in canary["hosts"] if h not in faulty}
    assert healthy_canaries <= {"migrated", "already-migrated"}, healthy_canaries
    assert_fleet_sound(mock, plan_dir, run_dir, before_blocks)


# ---------------------------------------------------------------- 12: backout on demand
def test_backout_on_demand_restores_the_block_and_deregisters(mock_fleet_factory, tmp_path: Path) -> None:
    mock = start_fleet(mock_fleet_factory, count=4)
    target = "lon-sw002"
    runs = tmp_path / "runs"
    before = callhome_blocks(mock)
    with fleet_env(mock):
        plan_dir = plan(mock, runs, *NO_THRESHOLDS)
        code, run_dir = apply_cli(plan_dir, runs)
        assert code == 0
        serial = mock.fleet.dump_state()["devices"][target]["serial"]
        instances = mock.fleet.dump_state()["satellite"]["product_instances"]
        assert serial in [p["serial"] for p in instances]
        assert run_cli("backout", run_dir.name, "--runs-dir", str(runs), "--yes", "--hosts", target) == 0
    state = mock.fleet.dump_state()
    device = state["devices"][target]
    assert callhome_blocks(mock)[target] == before[target]
    assert device["unsaved_changes"] is False
    assert serial not in [p["serial"] for p in state["satellite"]["product_instances"]], "still on the satellite"
    reason = assert_outcome(runs, run_dir, target, "backed-out", None, "backed out on demand")
    assert "(deregistered from the satellite)" in reason  # it read back registered there first
    assert "state after backout: UNREGISTERED / EVAL MODE, reporting to (CiscoTAC-1 default)" in reason, reason
    # it came from the cloud: the rollback registers it back there with its VA's cloud token
    assert "registered back to the cloud: REGISTERED / AUTHORIZED in 'Campus Switches'" in reason, reason
    assert (device["licensing"]["status"], device["licensing"]["registered_to"]) == ("REGISTERED", "cloud")
    assert serial in [p["serial"] for p in state["cloud"]["product_instances"]]
    others = {h: r["outcome"] for h, r in rows(run_dir).items() if h != target}
    assert set(others.values()) == {"migrated"}


# ---------------------------------------------------------------- verified TLS and SLP
VERIFIED = SatelliteSpec(identity="verify")
# the switches reach the satellite at 127.0.0.2 too (not on its certificate); fleetreg, where it runs,
# does not (nothing listens there): its own trust check cannot run and is told to go on
SWITCHES_ONLY_ADDRESS = "127.0.0.2"
VERIFIED_WITH_ALIAS = SatelliteSpec(identity="verify", aliases=[SWITCHES_ONLY_ADDRESS])
UNCHECKED = ("--satellite-unreachable-ok",)
SLP_AND_CLASSIC = [SwitchSpec(index=i, state="cloud") for i in range(3)] + [
    SwitchSpec(index=FAULTY_INDEX, state="slp"),
    SwitchSpec(index=4, state="slp"),
]


def test_wrong_cslu_tenant_gets_no_ack_and_ends_pending_ack_not_backed_out(mock_fleet_factory, tmp_path: Path) -> None:
    mock = start_fleet(mock_fleet_factory, switches=SLP_AND_CLASSIC, satellite=VERIFIED)
    set_default_setting(mock, register_timeout_s=3, ack_wait_s=3)
    set_host_setting(mock, FAULTY, cslu_tenant="No-Such-Tenant")
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir = plan(mock, runs, *NO_THRESHOLDS)
        assert load_plan_json(plan_dir)["hosts"][FAULTY_INDEX]["mode"] == "cslu"
        code, run_dir = apply_cli(plan_dir, runs)
    # it reports to the URL its settings give, so without the satellite's API (which would have
    # refused the tenant at plan time) it waits for an ACK that verify will call overdue
    assert code == PENDING_ACK_EXIT
    assert_outcome(runs, run_dir, FAULTY, "pending-ack", None, "no ACK within 3s")
    assert_healthy_migrated(run_dir, [FAULTY])


def test_ca_file_swapped_after_the_plan_stops_apply_before_any_switch(
    mock_fleet_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mock_devices.pki import SatellitePki

    mock = start_fleet(mock_fleet_factory, satellite=VERIFIED)
    runs = tmp_path / "runs"
    before = callhome_blocks(mock)
    with fleet_env(mock):
        plan_dir = plan(mock, runs, *NO_THRESHOLDS)
        host = load_plan_json(plan_dir)["hosts"][0]
        Path(host["ca_file"]).write_text(SatellitePki.generate().ca_pem)  # replaced before the window
        capsys.readouterr()
        code = run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes")
    err = capsys.readouterr().err
    assert code == 2
    assert "not the plan fleetreg derives: host " in err and ": ca_sha1 is " in err
    assert not [p for p in runs.iterdir() if p.name.endswith("-apply")]
    assert callhome_blocks(mock) == before


def test_wrong_ca_in_the_inventory_fails_tls_and_is_backed_out(mock_fleet_factory, tmp_path: Path) -> None:
    from mock_devices.pki import SatellitePki

    mock = start_fleet(mock_fleet_factory, satellite=VERIFIED_WITH_ALIAS)
    wrong = tmp_path / "not-the-satellite-ca.pem"
    wrong.write_text(SatellitePki.generate().ca_pem)
    set_host_setting(mock, FAULTY, trustpoint={"name": "FLEETREG-SSM", "mode": "ca-file", "ca_file": str(wrong)})
    url = mock.fleet.satellite.callhome_url.replace("127.0.0.1", SWITCHES_ONLY_ADDRESS)
    set_host_setting(mock, FAULTY, satellite_url=url)
    runs, before, plan_dir, code, run_dir = change_window(mock, tmp_path, *UNCHECKED, plan_args=UNCHECKED)
    assert code == 1
    reason = assert_outcome(runs, run_dir, FAULTY, "backed-out", "wait_registered", "registration failed")
    assert "cert" in reason.lower() or "tls" in reason.lower(), reason
    assert_fleet_sound(mock, plan_dir, run_dir, before)
    assert_healthy_migrated(run_dir, [FAULTY])


def test_satellite_host_name_not_on_its_certificate_fails_tls(mock_fleet_factory, tmp_path: Path) -> None:
    mock = start_fleet(mock_fleet_factory, satellite=VERIFIED_WITH_ALIAS)
    defaults = yaml.safe_load((mock.inventory_dir / "defaults.yaml").read_text())
    url = defaults["data"]["fleetreg"]["satellite_url"]
    alias = url.replace("127.0.0.1", SWITCHES_ONLY_ADDRESS)  # reaches it, but is not on the certificate
    set_host_setting(mock, FAULTY, satellite_url=alias)
    runs, before, plan_dir, code, run_dir = change_window(mock, tmp_path, *UNCHECKED, plan_args=UNCHECKED)
    assert code == 1
    reason = assert_outcome(runs, run_dir, FAULTY, "backed-out", "wait_registered", "registration failed")
    assert "cert" in reason.lower() or "tls" in reason.lower() or "identity" in reason.lower(), reason
    assert_fleet_sound(mock, plan_dir, run_dir, before)
    assert_healthy_migrated(run_dir, [FAULTY])
