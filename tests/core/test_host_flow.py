"""The per-host state machine's pure helpers (the runner drives the rest end to end)."""

from __future__ import annotations

from fleetreg.core.host_flow import (
    Action,
    Finish,
    HostFlow,
    PollLater,
    RunStep,
    longest_wait_first,
    registration_verdict,
)
from fleetreg.core.outcomes import DONE_OUTCOMES, FAILURE_OUTCOMES, TERMINAL_OUTCOMES
from fleetreg.core.parsing.models import CallHomeConfig, CallHomeProfileConfig, LicenseStatus
from fleetreg.core.plan_model import HostPlan, PreState
from host_plans import host_plan


def _plan(name: str, *steps: str) -> HostPlan:
    return host_plan(name, *steps, hostname="127.0.0.1")


def test_hosts_that_register_start_before_hosts_that_only_sync_or_do_not_wait() -> None:
    sync_only = _plan("sw1", "configure", "sync", "wait_ack", "verify")
    no_wait = _plan("sw2", "configure", "verify")
    register_a = _plan("sw3", "configure", "register", "wait_registered", "verify")
    register_b = _plan("sw4", "configure", "register", "wait_registered", "verify")
    order = longest_wait_first([sync_only, no_wait, register_a, register_b])
    assert [p.name for p in order] == ["sw3", "sw4", "sw1", "sw2"]  # plan order kept within a kind


def test_a_host_without_steps_goes_last() -> None:
    assert [p.name for p in longest_wait_first([_plan("a"), _plan("b", "wait_ack")])] == ["b", "a"]


# ---------------------------------------------------------------- SLP acknowledgements
URL = "https://sat.example.net/cslu/v1/pi/Corporate%20Network%20Devices-1"


def _slp_flow(ack_wait_s: float = 60) -> HostFlow:
    plan = _plan("sw1", "configure", "save_config", "sync", "wait_ack", "verify").model_copy(
        update={"mode": "cslu", "expected_url": URL}
    )
    flow = HostFlow.fresh(plan, poll_interval_s=5, register_timeout_s=900, ack_wait_s=ack_wait_s)
    flow.queue = ["wait_ack", "verify"]  # configured, saved and synced
    flow.config_changed = True
    return flow


def _slp_status(url: str | None = URL, ack: str | None = None, failure: str | None = None) -> LicenseStatus:
    return LicenseStatus(
        mode="slp", transport_type="cslu", transport_url=url, last_ack_received=ack, failure_reason=failure
    )


def test_an_ack_that_comes_ends_the_wait() -> None:
    flow = _slp_flow()
    assert flow.ack_polled(_slp_status(), now=0) == PollLater("wait_ack", 5)
    assert flow.ack_polled(_slp_status(ack="Dec 03 10:01:02 2026 UTC"), now=3) == RunStep("verify")


def test_no_ack_within_the_wait_ends_pending_ack_without_backout() -> None:
    flow = _slp_flow(ack_wait_s=60)
    flow.ack_polled(_slp_status(), now=0)
    assert isinstance(flow.ack_polled(_slp_status(), now=59), PollLater)
    action = flow.ack_polled(_slp_status(), now=60)
    assert isinstance(action, Finish) and action.outcome == "pending-ack"
    assert URL in (action.reason or "") and "fleetreg verify" in (action.reason or "")
    assert flow.queue == [] and flow.config_changed  # nothing backed out


def test_no_ack_and_another_url_read_back_is_a_failure_backed_out() -> None:
    flow = _slp_flow(ack_wait_s=10)
    flow.ack_polled(_slp_status(url="https://elsewhere/cslu/v1/pi/X"), now=0)
    action = flow.ack_polled(_slp_status(url="https://elsewhere/cslu/v1/pi/X"), now=10)
    assert action == RunStep("backout")
    assert flow.failure is not None and "Cslu address is 'https://elsewhere/cslu/v1/pi/X'" in (
        flow.failure.reason or ""
    )


def test_no_ack_with_a_failure_reason_is_a_failure_backed_out() -> None:
    flow = _slp_flow(ack_wait_s=10)
    flow.ack_polled(_slp_status(failure="Communication send error"), now=0)
    assert flow.ack_polled(_slp_status(failure="Communication send error"), now=10) == RunStep("backout")


def test_registration_verdicts() -> None:
    def status(reg: str, auth: str = "", failure: str | None = None) -> LicenseStatus:
        return LicenseStatus(
            mode="classic", registration_status=reg, authorization_status=auth, failure_reason=failure,
            virtual_account="VA",
        )  # fmt: skip

    assert registration_verdict(status("REGISTERED", "AUTHORIZED"))[0] == "registered"
    assert registration_verdict(status("REGISTRATION IN PROGRESS", "EVAL MODE"))[0] == "pending"
    assert registration_verdict(status("UNREGISTERED", "EVAL MODE", "Fail to send out Call Home HTTP message")) == (
        "failed",
        "registration failed: Fail to send out Call Home HTTP message",
    )
    assert registration_verdict(status("REGISTERED", "OUT OF COMPLIANCE"))[0] == "failed"


def test_every_outcome_has_one_meaning() -> None:
    assert {"migrated", "already-migrated", "skipped"} == DONE_OUTCOMES
    assert {"failed", "backed-out"} == FAILURE_OUTCOMES
    assert "pending-ack" in TERMINAL_OUTCOMES and "interrupted" not in TERMINAL_OUTCOMES


def test_the_last_registration_poll_is_kept_as_the_state_after_until_verify_reads_it() -> None:
    flow = HostFlow.fresh(
        _plan("sw1", "register", "wait_registered", "verify"), poll_interval_s=1, register_timeout_s=5
    )
    failed = LicenseStatus(mode="classic", registration_status="UNREGISTERED - REGISTRATION FAILED", failure_reason="x")
    flow.registration_polled(failed, "raw: registration failed", now=0.0)
    assert flow.after_status == "raw: registration failed"  # what the report shows for a switch backed out here
    done = LicenseStatus(mode="classic", registration_status="REGISTERED", authorization_status="AUTHORIZED")
    flow.verified(done, None, "raw: registered")
    assert flow.after_status == "raw: registered"


# ---------------------------------------------------------------- rollback to the cloud
CLOUD_PRE = PreState(
    version="16.12.8",
    model="C9300-48P",
    serial="FCW0000X001",
    licensing_mode="classic",
    registered_to="cloud",
    registration_status="REGISTERED",
    authorization_status="AUTHORIZED",
    smart_account="ACME Corp",
    virtual_account="Campus Switches",
    transport_type=None,
    transport_url=None,
)
CISCO_TAC = CallHomeConfig(
    callhome_present=True,
    service_call_home=True,
    profiles=[CallHomeProfileConfig(name="CiscoTAC-1", reporting_smart_licensing=True, transport_http=True)],
)
SATELLITE_PROFILE = CallHomeConfig(
    callhome_present=True,
    service_call_home=True,
    profiles=[
        CallHomeProfileConfig(
            name="SSM-OnPrem",
            reporting_smart_licensing=True,
            transport_http=True,
            http_addresses=["https://sat.example.net/Transportgateway/services/DeviceRequestHandler"],
        )
    ],
)
UNREGISTERED = LicenseStatus(mode="classic", registration_status="UNREGISTERED", authorization_status="EVAL MODE")
IN_CLOUD = LicenseStatus(
    mode="classic",
    registration_status="REGISTERED",
    authorization_status="AUTHORIZED",
    smart_account="ACME Corp",
    virtual_account="Campus Switches",
)


def _failed_cloud_switch(cloud_token_ref: str | None = "env:FLEETREG_CLOUD_TOKEN") -> HostFlow:
    """A former cloud switch whose registration to the satellite failed after its deregister."""
    plan = _plan("sw1", "configure", "deregister", "register", "wait_registered", "verify").model_copy(
        update={"mode": "callhome", "pre": CLOUD_PRE, "cloud_token_ref": cloud_token_ref}
    )
    flow = HostFlow.fresh(plan, poll_interval_s=5, register_timeout_s=100)
    flow.queue = ["wait_registered", "verify"]
    flow.config_changed = True
    assert flow.step_failed("wait_registered", "registration failed: token expired") == RunStep("backout")
    return flow


def _backed_out(flow: HostFlow, status: LicenseStatus = UNREGISTERED, callhome: CallHomeConfig = CISCO_TAC) -> Action:
    return flow.backout_done("raw", status, callhome, "backed out")


def test_a_former_cloud_switch_left_unregistered_registers_back_with_the_cloud_token() -> None:
    flow = _failed_cloud_switch()
    assert _backed_out(flow) == RunStep("restore_cloud")
    assert flow.restore_cloud_started() == RunStep("wait_cloud")
    assert flow.cloud_polled(UNREGISTERED.model_copy(update={"registration_status": "REGISTRATION IN PROGRESS"}),
                             CISCO_TAC, "raw", now=0) == PollLater("wait_cloud", 5)  # fmt: skip
    action = flow.cloud_polled(IN_CLOUD, CISCO_TAC, "raw", now=3)
    assert isinstance(action, Finish) and action.outcome == "backed-out" and action.failed_step == "wait_registered"
    assert action.reason is not None
    assert action.reason.startswith("registration failed: token expired; state after backout: UNREGISTERED")
    assert "registered back to the cloud: REGISTERED / AUTHORIZED in 'Campus Switches'" in action.reason
    assert "license smart register" not in action.reason  # nothing left for the engineer to run


def test_without_a_cloud_token_the_reason_says_what_to_run() -> None:
    action = _backed_out(_failed_cloud_switch(cloud_token_ref=None))
    assert isinstance(action, Finish) and action.outcome == "backed-out"
    assert action.reason is not None and "no cloud_token_ref in the plan" in action.reason
    assert "register it on the switch with `license smart register`" in action.reason
    assert "'Campus Switches'" in action.reason


def test_a_switch_whose_call_home_does_not_send_to_the_cloud_is_not_registered_anywhere() -> None:
    action = _backed_out(_failed_cloud_switch(), callhome=SATELLITE_PROFILE)
    assert isinstance(action, Finish) and action.outcome == "backed-out"
    assert action.reason is not None and "does not send to the cloud" in action.reason


def test_a_switch_still_registered_after_the_backout_is_left_alone() -> None:
    action = _backed_out(_failed_cloud_switch(), status=IN_CLOUD)
    assert isinstance(action, Finish) and action.outcome == "backed-out"
    assert action.reason is not None and action.reason.endswith("reporting to (CiscoTAC-1 default)")
    assert "registered back" not in action.reason and "no longer registered" not in action.reason


def test_a_failed_or_slow_cloud_registration_is_reported_with_what_to_run() -> None:
    failed = _failed_cloud_switch()
    _backed_out(failed)
    failed.restore_cloud_started()
    refused = UNREGISTERED.model_copy(update={"failure_reason": '{"token":["The token has expired."]}'})
    action = failed.cloud_polled(refused, CISCO_TAC, "raw", now=0)
    assert isinstance(action, Finish) and action.outcome == "backed-out" and action.reason is not None
    assert "registering it back to the cloud failed" in action.reason and "license smart register" in action.reason
    slow = _failed_cloud_switch()
    _backed_out(slow)
    slow.restore_cloud_started()
    pending = UNREGISTERED.model_copy(update={"registration_status": "REGISTRATION IN PROGRESS"})
    assert isinstance(slow.cloud_polled(pending, CISCO_TAC, "raw", now=0), PollLater)
    assert isinstance(slow.cloud_polled(pending, CISCO_TAC, "raw", now=99), PollLater)
    action = slow.cloud_polled(pending, CISCO_TAC, "raw", now=100)
    assert isinstance(action, Finish) and action.reason is not None and "timed out after 100s" in action.reason


def test_a_switch_back_on_the_cloud_out_of_compliance_is_registered_back_not_told_to_register() -> None:
    """Registered to the cloud again, its account short of licenses (as it may have been before
    the change): it is back on the cloud; registering it once more is not what it needs."""
    flow = _failed_cloud_switch()
    _backed_out(flow)
    flow.restore_cloud_started()
    short = IN_CLOUD.model_copy(update={"authorization_status": "OUT OF COMPLIANCE"})
    action = flow.cloud_polled(short, CISCO_TAC, "raw", now=0)
    assert isinstance(action, Finish) and action.outcome == "backed-out" and action.reason is not None
    assert "registered back to the cloud: REGISTERED / OUT OF COMPLIANCE in 'Campus Switches'" in action.reason
    assert "no longer registered" not in action.reason and "license smart register" not in action.reason


def test_a_refused_cloud_registration_ends_backed_out_not_failed() -> None:
    flow = _failed_cloud_switch()
    _backed_out(flow)
    action = flow.step_failed("restore_cloud", "registration not started: % Invalid input")
    assert isinstance(action, Finish) and action.outcome == "backed-out" and action.failed_step == "wait_registered"
    assert action.reason is not None and "registering it back to the cloud failed: registration not started" in (
        action.reason
    )


def test_a_rollback_interrupted_while_registering_back_resumes_from_the_backout() -> None:
    plan = _failed_cloud_switch().plan
    for step in ("restore_cloud", "wait_cloud"):
        flow = HostFlow.resumed(
            plan, step, config_changed=False, registered=False, poll_interval_s=5, register_timeout_s=100
        )
        assert flow.queue == ["recheck", "backout"], step


def test_a_resumed_rollback_says_it_was_cut_short_registering_back_not_during_the_backout() -> None:
    """Killed in restore_cloud or wait_cloud, the backout had ended: the resumed rollback's reason
    says where it was cut short (the backout is repeated all the same)."""
    plan = _failed_cloud_switch().plan
    for step in ("restore_cloud", "wait_cloud"):
        flow = HostFlow.resumed(
            plan, step, config_changed=False, registered=False, poll_interval_s=5, register_timeout_s=100
        )
        flow.queue.pop(0)  # the recheck
        _backed_out(flow)
        flow.restore_cloud_started()
        action = flow.cloud_polled(IN_CLOUD, CISCO_TAC, "raw", now=0)
        assert isinstance(action, Finish) and action.reason is not None
        assert action.reason.startswith(f"interrupted while registering it back to the cloud ({step}); "), action
        assert "during backout" not in action.reason


def test_a_cloud_registration_still_under_way_at_the_timeout_is_not_an_invitation_to_register_again() -> None:
    flow = _failed_cloud_switch()
    _backed_out(flow)
    flow.restore_cloud_started()
    pending = UNREGISTERED.model_copy(update={"registration_status": "REGISTRATION IN PROGRESS"})
    flow.cloud_polled(pending, CISCO_TAC, "raw", now=0)
    action = flow.cloud_polled(pending, CISCO_TAC, "raw", now=100)
    assert isinstance(action, Finish) and action.outcome == "backed-out" and action.reason is not None
    assert "timed out after 100s: REGISTRATION IN PROGRESS" in action.reason
    assert "still in progress: read `show license status` before registering it again" in action.reason
    assert "license smart register` and a CSSM token" not in action.reason  # no second registration suggested


def test_what_the_rollback_leaves_in_the_flow_for_the_journal_and_the_reports() -> None:
    flow = _failed_cloud_switch()
    assert flow.backout_done("raw after backout", UNREGISTERED, CISCO_TAC, "backed out") == RunStep("restore_cloud")
    assert (flow.config_changed, flow.after_status, flow.queue) == (False, "raw after backout", ["restore_cloud"])
    flow.restore_cloud_started()
    assert flow.queue == ["wait_cloud"]
    started = 1000.0  # the wait is measured from its first poll, whatever the clock's origin
    pending = UNREGISTERED.model_copy(update={"registration_status": "REGISTRATION IN PROGRESS"})
    assert isinstance(flow.cloud_polled(pending, CISCO_TAC, "raw poll 1", now=started), PollLater)
    assert isinstance(flow.cloud_polled(pending, CISCO_TAC, "raw poll 2", now=started + 99), PollLater)
    action = flow.cloud_polled(IN_CLOUD, CISCO_TAC, "raw poll 3", now=started + 100)
    assert isinstance(action, Finish) and action.failed_step == "wait_registered"
    assert (flow.polls, flow.after_status, flow.queue) == (3, "raw poll 3", [])


def test_registered_in_another_account_after_the_backout_is_not_back_on_the_cloud() -> None:
    """A registration to the satellite still under way at the backout ends after it, in the
    satellite's account: not the cloud account the switch left."""
    flow = _failed_cloud_switch()
    _backed_out(flow)
    flow.restore_cloud_started()
    satellite = IN_CLOUD.model_copy(
        update={"smart_account": "FleetReg Lab", "virtual_account": "Public Network Devices"}
    )
    action = flow.cloud_polled(satellite, CISCO_TAC, "raw", now=0)
    assert isinstance(action, Finish) and action.outcome == "backed-out" and action.reason is not None
    assert "not the cloud account it left ('ACME Corp' / 'Campus Switches')" in action.reason
    assert "registered back to the cloud" not in action.reason
    assert "register it on the switch with `license smart register`" in action.reason
    unknown_before = _failed_cloud_switch()
    unknown_before.plan = unknown_before.plan.model_copy(
        update={"pre": CLOUD_PRE.model_copy(update={"smart_account": None, "virtual_account": None})}
    )
    _backed_out(unknown_before)
    unknown_before.restore_cloud_started()
    back = unknown_before.cloud_polled(IN_CLOUD, CISCO_TAC, "raw", now=0)  # nothing recorded to tell them apart
    assert isinstance(back, Finish) and back.reason is not None and "registered back to the cloud" in back.reason


def test_a_backout_that_leaves_call_home_elsewhere_says_what_to_run_and_keeps_the_first_step() -> None:
    action = _backed_out(_failed_cloud_switch(), callhome=SATELLITE_PROFILE)
    assert isinstance(action, Finish) and action.failed_step == "wait_registered" and action.reason is not None
    assert "register it on the switch with `license smart register`" in action.reason
    still_there = _backed_out(_failed_cloud_switch(), status=IN_CLOUD)
    assert isinstance(still_there, Finish) and still_there.failed_step == "wait_registered"
