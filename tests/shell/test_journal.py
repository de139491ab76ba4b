"""Journal.batch: a scheduling round is one transaction, visible all at once or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from fleetreg.shell.journal import Journal


def journal_with_run(path: Path) -> Journal:
    journal = Journal(path)
    journal.start_run("r1", "apply", "p1", path.parent, {"sw1": 1, "sw2": 1}, {})
    return journal


def test_a_round_is_seen_by_other_readers_only_when_it_ends(tmp_path: Path) -> None:
    path = tmp_path / "fleetreg.db"
    journal, reader = journal_with_run(path), Journal(path)
    with journal.batch():
        step = journal.step_started("r1", "sw1", "precheck")
        journal.step_started("r1", "sw2", "precheck")
        journal.host_flags("r1", "sw1", config_changed=True)
        assert reader.steps("r1") == []  # a resume reading now sees the state before the round
        journal.step_finished(step, "done")
    assert [(s.host, s.status) for s in reader.steps("r1")] == [("sw1", "done"), ("sw2", "started")]
    assert reader.hosts("r1")["sw1"].config_changed is True


def test_a_round_that_fails_leaves_nothing_behind(tmp_path: Path) -> None:
    journal = journal_with_run(tmp_path / "fleetreg.db")
    with pytest.raises(RuntimeError), journal.batch():
        journal.step_started("r1", "sw1", "precheck")
        raise RuntimeError("scheduler bug")
    assert journal.steps("r1") == []
    with journal.batch():  # the journal is usable again
        journal.step_started("r1", "sw1", "precheck")
    assert len(journal.steps("r1")) == 1


def test_a_round_that_journals_nothing_takes_no_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "fleetreg.db"
    journal, other = journal_with_run(path), Journal(path)
    with journal.batch():
        other.step_started("r1", "sw2", "precheck")  # would wait for the lock (busy_timeout) if held
        journal.step_started("r1", "sw1", "precheck")
    assert sorted(s.host for s in other.steps("r1")) == ["sw1", "sw2"]
