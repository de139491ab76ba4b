"""An apply run's reports from its journal and run folder: outcomes with their times, the state
each switch showed when the run last read it, and the run's timings for waves and charts."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from fleetreg.core.host_paths import host_file
from fleetreg.services.run_reports import run_outcomes, run_record, write_run_reports
from fleetreg.shell.journal import Journal
from report_fleet import mixed_fleet_plan


def test_each_host_carries_its_times_and_the_state_read_back_by_its_last_read(tmp_path: Path, samples: Path) -> None:
    plan = mixed_fleet_plan(samples, 20, wave_size=10, canary=2)
    migrated, backed_out, never_read = plan.waves[0].hosts[0], plan.waves[0].hosts[1], plan.waves[1].hosts[0]
    left_failed = plan.waves[1].hosts[1]  # failed while registering, not backed out
    run_dir = tmp_path / "run"
    (run_dir / "status").mkdir(parents=True)
    registered = (samples / "sls_genie_sl_registered_csr1kv.txt").read_text()
    host_file(run_dir / "status", migrated, ".after.txt").write_text(registered)
    host_file(run_dir / "status", backed_out, ".after.txt").write_text(registered)
    host_file(run_dir / "status", left_failed, ".after.txt").write_text(registered)
    journal = Journal(tmp_path / "fleetreg.db")
    journal.start_run("r1", "apply", plan.plan_id, run_dir, {h.name: h.wave for h in plan.hosts}, {"workers": 7})
    for host, steps, state in (
        (migrated, ["precheck", "wait_registered", "verify"], "migrated"),
        (backed_out, ["precheck", "wait_registered", "backout"], "backed-out"),
        (left_failed, ["precheck", "wait_registered"], "failed"),
        (never_read, ["precheck"], "failed"),
    ):
        for step in steps:
            journal.step_finished(journal.step_started("r1", host, step), "done")
        journal.host_finished("r1", host, state, failed_step="wait_registered" if state != "migrated" else None)

    outcomes = run_outcomes(run_dir, journal, "r1", plan)
    steps = {s.host + s.step: s for s in journal.steps("r1")}
    after = outcomes[migrated].after
    assert after is not None and after.step == "verify" and after.read_at == steps[migrated + "verify"].finished_at
    assert after.summary == "REGISTERED / AUTHORIZED / VA RADKit-LMM-NA"
    assert outcomes[migrated].started_at == steps[migrated + "precheck"].started_at
    assert outcomes[migrated].finished_at is not None and outcomes[migrated].duration_s is not None
    restored = outcomes[backed_out]  # read back after its backout
    assert restored.after is not None and restored.after.step == "backout" and not restored.read_before_backout
    late = outcomes[left_failed]  # its last registration poll
    assert late.after is not None and late.after.step == "wait_registered"
    assert outcomes[never_read].after is None

    record = run_record(journal, "r1")
    assert record is not None and record.workers == 7 and len(record.steps) == 9
    assert {h.host for h in record.hosts if h.started_at is not None} == {migrated, backed_out, left_failed, never_read}

    write_run_reports(run_dir, journal, "r1", plan)
    rows = {r["host"]: r for r in csv.DictReader(io.StringIO((run_dir / "hosts.csv").read_text()))}
    assert rows[migrated]["after_registration_status"] == "REGISTERED" and rows[migrated]["after_read_step"] == "verify"
    assert rows[never_read]["after_read_step"] == ""
    html = (run_dir / "report.html").read_text()
    assert 'data-chart="timeline"' in html and "read at backout" in html
    journal.close()
