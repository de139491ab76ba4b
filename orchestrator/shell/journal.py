"""The run journal: SQLite (standard library) in WAL mode at runs/fleetreg.db.

A row per host and step, written before the step starts and after it ends, so a run killed
at any moment (Ctrl-C, kill -9, lost session) can be resumed from the journal. Every text
stored here has already been through the Redactor: no tokens, no passwords."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fleetreg.core.errors import RunFolderError
from fleetreg.core.outcomes import TERMINAL_OUTCOMES

JOURNAL_FILE = "fleetreg.db"
TERMINAL_STATES = TERMINAL_OUTCOMES  # a resume leaves these hosts alone

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    plan_id TEXT NOT NULL,
    run_dir TEXT NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL,
    status TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS hosts (
    run_id TEXT NOT NULL,
    host TEXT NOT NULL,
    wave INTEGER,
    state TEXT NOT NULL,
    failed_step TEXT,
    reason TEXT,
    config_changed INTEGER NOT NULL DEFAULT 0,
    registered INTEGER NOT NULL DEFAULT 0,
    polls INTEGER NOT NULL DEFAULT 0,
    started_at REAL,
    finished_at REAL,
    PRIMARY KEY (run_id, host)
);
CREATE TABLE IF NOT EXISTS steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    host TEXT NOT NULL,
    step TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS steps_by_host ON steps (run_id, host, id);
CREATE TABLE IF NOT EXISTS plans (
    plan_id TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    recorded_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS leases (
    key TEXT PRIMARY KEY,
    holder_pid INTEGER NOT NULL,
    holder_host TEXT NOT NULL,
    run_id TEXT,
    command TEXT NOT NULL,
    acquired_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class HostRecord:
    host: str
    wave: int | None
    state: str
    failed_step: str | None
    reason: str | None
    config_changed: bool
    registered: bool
    polls: int
    started_at: float | None
    finished_at: float | None

    @property
    def duration_s(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at


@dataclass(frozen=True)
class StepRecord:
    host: str
    step: str
    status: str  # started | done | failed
    started_at: float
    finished_at: float | None
    detail: str | None


@dataclass(frozen=True)
class Lease:
    """Who holds a plan (`plan:<plan_id>`) or a run (`run:<run_id>`): see orchestrator.lease."""

    key: str
    holder_pid: int
    holder_host: str
    run_id: str | None
    command: str
    acquired_at: float


LEASE_COLUMNS = "key, holder_pid, holder_host, run_id, command, acquired_at"


class Journal:
    """One SQLite connection, used from one thread (the runner's scheduler)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._batching = False
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not path.exists():
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            # the busy timeout first: two processes opening the journal at once (two applies)
            # otherwise see "database is locked" while the other switches it to WAL
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise RunFolderError(f"cannot open the journal: {exc}", file=str(path)) from None

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Everything journaled inside is one transaction: committed at the end, before the
        caller lets any of the steps it recorded as started talk to a switch. The runner's
        scheduler journals a whole round (finished steps, new steps) this way: one commit
        instead of several per step kept its event loop (and every session) waiting. The
        transaction begins at the first write: a round that journals nothing costs nothing."""
        if self._batching:
            yield
            return
        self._batching = True
        try:
            yield
        except BaseException:
            self.abandon()
            raise
        finally:
            self._batching = False
        if self._db.in_transaction:
            self._commit()

    def _commit(self) -> None:
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error:
            self.abandon()  # a failed COMMIT (disk full) may leave the transaction open
            raise

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        if self._db.in_transaction:  # inside batch(): part of its transaction
            yield self._db
            return
        self._db.execute("BEGIN IMMEDIATE")
        if self._batching:  # batch() commits or rolls back
            yield self._db
            return
        try:
            yield self._db
        except BaseException:
            self.abandon()
            raise
        self._commit()

    def abandon(self) -> None:
        """After a failed write (disk full): drop whatever transaction is left open, quietly."""
        try:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    # ------------------------------------------------------------------ leases
    def lease(self, key: str) -> Lease | None:
        row = self._db.execute(f"SELECT {LEASE_COLUMNS} FROM leases WHERE key=?", (key,)).fetchone()
        return Lease(*row) if row else None

    def take_leases(self, wanted: Mapping[str, str | None], command: str, check: Callable[[Lease], None]) -> None:
        """Take every lease in `wanted` (key -> run id) for this process, all or none, in one
        BEGIN IMMEDIATE transaction: of two processes, the second sees the first's rows.
        `check` is shown each row already there and raises when it may not be taken over."""
        with self._tx() as db:
            for key in wanted:
                row = db.execute(f"SELECT {LEASE_COLUMNS} FROM leases WHERE key=?", (key,)).fetchone()
                if row is not None:
                    check(Lease(*row))
            now = time.time()
            db.executemany(
                f"INSERT OR REPLACE INTO leases ({LEASE_COLUMNS}) VALUES (?,?,?,?,?,?)",
                [(key, os.getpid(), socket.gethostname(), run_id, command, now) for key, run_id in wanted.items()],
            )

    def release_leases(self, keys: list[str]) -> None:
        """Give back this process's leases (rows another process took over are left alone)."""
        with self._tx() as db:
            db.executemany(
                "DELETE FROM leases WHERE key=? AND holder_pid=? AND holder_host=?",
                [(key, os.getpid(), socket.gethostname()) for key in keys],
            )

    # ------------------------------------------------------------------ runs
    def start_run(
        self, run_id: str, kind: str, plan_id: str, run_dir: Path, hosts: dict[str, int | None], options: dict[str, Any]
    ) -> None:
        now = time.time()
        with self._tx() as db:
            db.execute(
                "INSERT INTO runs (run_id, kind, plan_id, run_dir, started_at, status, options) VALUES (?,?,?,?,?,?,?)",
                (run_id, kind, plan_id, str(run_dir), now, "running", json.dumps(options)),
            )
            db.executemany(
                "INSERT INTO hosts (run_id, host, wave, state) VALUES (?,?,?,'pending')",
                [(run_id, host, wave) for host, wave in hosts.items()],
            )

    def set_run_status(self, run_id: str, status: str) -> None:
        finished = time.time() if status != "running" else None
        self._db.execute("UPDATE runs SET status=?, finished_at=? WHERE run_id=?", (status, finished, run_id))

    def run_info(self, run_id: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT run_id, kind, plan_id, run_dir, started_at, finished_at, status, options FROM runs WHERE run_id=?",
            (run_id,),
        ).fetchone()
        if row is None:
            return None
        keys = ("run_id", "kind", "plan_id", "run_dir", "started_at", "finished_at", "status", "options")
        info = dict(zip(keys, row, strict=True))
        info["options"] = json.loads(info["options"])
        return info

    # ------------------------------------------------------------------ steps
    def step_started(self, run_id: str, host: str, step: str) -> int:
        now = time.time()
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO steps (run_id, host, step, status, started_at) VALUES (?,?,?,'started',?)",
                (run_id, host, step, now),
            )
            db.execute(
                "UPDATE hosts SET state='running', started_at=COALESCE(started_at, ?) WHERE run_id=? AND host=?",
                (now, run_id, host),
            )
        return int(cursor.lastrowid or 0)

    def step_finished(self, step_id: int, status: str, detail: str | None = None) -> None:
        self._db.execute(
            "UPDATE steps SET status=?, finished_at=?, detail=? WHERE id=?", (status, time.time(), detail, step_id)
        )

    def host_flags(
        self,
        run_id: str,
        host: str,
        *,
        config_changed: bool | None = None,
        registered: bool | None = None,
        polls: int | None = None,
    ) -> None:
        sets, values = [], []
        for column, value in (("config_changed", config_changed), ("registered", registered), ("polls", polls)):
            if value is not None:
                sets.append(f"{column}=?")
                values.append(int(value))
        if sets:
            self._db.execute(f"UPDATE hosts SET {', '.join(sets)} WHERE run_id=? AND host=?", (*values, run_id, host))

    def host_finished(
        self, run_id: str, host: str, state: str, *, failed_step: str | None = None, reason: str | None = None
    ) -> None:
        self._db.execute(
            "UPDATE hosts SET state=?, failed_step=?, reason=?, finished_at=? WHERE run_id=? AND host=?",
            (state, failed_step, reason, time.time(), run_id, host),
        )

    # ------------------------------------------------------------------ reading
    def hosts(self, run_id: str) -> dict[str, HostRecord]:
        rows = self._db.execute(
            "SELECT host, wave, state, failed_step, reason, config_changed, registered, polls, started_at, finished_at "
            "FROM hosts WHERE run_id=? ORDER BY host",
            (run_id,),
        ).fetchall()
        return {r[0]: HostRecord(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]), r[7], r[8], r[9]) for r in rows}

    def host(self, run_id: str, host: str) -> HostRecord | None:
        row = self._db.execute(
            "SELECT host, wave, state, failed_step, reason, config_changed, registered, polls, started_at, finished_at "
            "FROM hosts WHERE run_id=? AND host=?",
            (run_id, host),
        ).fetchone()
        return HostRecord(row[0], row[1], row[2], row[3], row[4], bool(row[5]), bool(row[6]), *row[7:]) if row else None

    def steps(self, run_id: str, host: str | None = None) -> list[StepRecord]:
        query = "SELECT host, step, status, started_at, finished_at, detail FROM steps WHERE run_id=?"
        params: tuple[Any, ...] = (run_id,)
        if host is not None:
            query += " AND host=?"
            params += (host,)
        return [StepRecord(*row) for row in self._db.execute(query + " ORDER BY id", params).fetchall()]

    def step_durations(self, limit: int = 20_000) -> list[tuple[str, float]]:
        """(step, seconds) of the latest steps that finished as planned, in any run of this
        runs folder: what a new plan's wave estimates learn from."""
        rows = self._db.execute(
            "SELECT step, finished_at - started_at FROM steps WHERE status='done' AND finished_at IS NOT NULL "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [(step, float(seconds)) for step, seconds in rows]

    def interrupted_step(self, run_id: str, host: str) -> str | None:
        """The step a host was in when the run stopped (started, never finished)."""
        row = self._db.execute(
            "SELECT step, status FROM steps WHERE run_id=? AND host=? ORDER BY id DESC LIMIT 1", (run_id, host)
        ).fetchone()
        if row is None:
            return None
        return row[0] if row[1] == "started" else None

    def last_done_step(self, run_id: str, host: str) -> str | None:
        row = self._db.execute(
            "SELECT step FROM steps WHERE run_id=? AND host=? AND status='done' ORDER BY id DESC LIMIT 1",
            (run_id, host),
        ).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------------ plans
    def record_plan(self, plan_id: str, digest: str) -> None:
        """The sha256 of plan.json as `fleetreg plan` wrote it: apply names a file changed since."""
        self._db.execute(
            "INSERT OR REPLACE INTO plans (plan_id, digest, recorded_at) VALUES (?,?,?)", (plan_id, digest, time.time())
        )
