"""One run at a time. Applying a plan, resuming a run and backing a run out each hold an
exclusive lease on the plan (`plan:<plan_id>`), on the run (`run:<run_id>`) and on each switch
the plan works on (`switch:<host>`, so two plans of one fleet never meet) for as long as
they may talk to a switch: a row in the journal's `leases` table, taken in one BEGIN IMMEDIATE
transaction, plus an OS lock (flock) on a lock file in the run folder (and next to plan.json).

A second process is refused (exit 2, naming the holder: pid, host, command, since when) while
the holder lives. A lease whose holder is gone (kill -9: its pid no longer exists, its OS lock
was dropped by the kernel) is taken over by `apply --resume RUN` or `backout RUN` of that run
only: a fresh apply of the plan is pointed to `--resume`, since the dead run left switches
mid-way."""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

from fleetreg.core.errors import LeaseHeldError
from fleetreg.core.plan_model import Plan
from fleetreg.shell.journal import Journal, Lease

LOCK_FILE = "lease.lock"  # in a run folder, and next to a plan.json being applied
HOLDER_WAIT_S = 2.0
UNFINISHED = frozenset({"running", "backout"})  # run statuses of a run that stopped mid-way


def plan_key(plan_id: str) -> str:
    return f"plan:{plan_id}"


def run_key(run_id: str) -> str:
    return f"run:{run_id}"


def switch_keys(plan: Plan) -> list[str]:
    """One lease per switch the plan works on: two plans of one fleet never touch a switch at once."""
    return [f"switch:{host.name}" for host in plan.hosts if host.is_actionable]


def describe(lease: Lease) -> str:
    since = datetime.fromtimestamp(lease.acquired_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    run = f", run {lease.run_id}" if lease.run_id else ""
    return f"pid {lease.holder_pid} on {lease.holder_host} (fleetreg {lease.command}{run}, since {since})"


def _what(key: str) -> str:
    kind, _, name = key.partition(":")
    return f"{kind} {name}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, someone else's
        return True
    return True


def _lock_held_elsewhere(path: Path) -> bool:
    """Whether another process holds the OS lock on `path` (False when there is no such file)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the lock we may have taken
    return False


class Leases:
    """The leases this process holds for one command; `release()` in a finally."""

    def __init__(self, journal: Journal, command: str) -> None:
        self.journal = journal
        self.command = command
        self.host = socket.gethostname()
        self._keys: list[str] = []
        self._fds: list[int] = []

    # ------------------------------------------------------------------ taking
    def lock(self, path: Path, key: str, *, required: bool = True) -> None:
        """The OS lock on `path` (created if missing), held until release(); refused at once
        (no waiting) when another process holds it, naming the journal's holder of `key`.
        Not `required` (next to a plan.json in a read-only folder): the journal row alone."""
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            if required:
                raise
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = self._holder(key)
            who = describe(holder) if holder else f"another fleetreg process (it holds {path})"
            raise LeaseHeldError(f"{_what(key)} is in use by {who}", file=str(path)) from None
        self._fds.append(fd)

    def _holder(self, key: str) -> Lease | None:
        """The journal's holder of `key`; the OS lock is taken just before the row is written,
        so a holder seen by its lock alone gets a moment to appear, also over a row left by a
        process that is gone (a killed run being taken over: the row still names the dead one)."""
        deadline = time.monotonic() + HOLDER_WAIT_S
        while True:
            holder = self.journal.lease(key)
            gone = holder is not None and holder.holder_host == self.host and not _pid_alive(holder.holder_pid)
            if (holder is not None and not gone) or time.monotonic() >= deadline:
                return holder
            time.sleep(0.05)

    def take(self, wanted: dict[str, str | None], *, resuming: str | None = None) -> None:
        """The journal rows for `wanted` (key -> run id). `resuming`: the run this process
        resumes or backs out, whose run folder it has locked (see `lock`)."""
        self.journal.take_leases(wanted, self.command, lambda lease: self.check(lease, resuming))
        self._keys.extend(k for k in wanted if k not in self._keys)

    def check(self, lease: Lease, resuming: str | None) -> None:
        """Raise unless this process may take `lease` over."""
        if lease.holder_pid == os.getpid() and lease.holder_host == self.host:
            return  # ours already
        if resuming is not None and lease.run_id == resuming and lease.holder_host == self.host:
            return  # we hold that run folder's OS lock: its holder is gone (killed), take over
        what = _what(lease.key)
        if self._alive(lease):
            raise LeaseHeldError(f"{what} is in use by {describe(lease)}")
        info = self.journal.run_info(lease.run_id) if lease.run_id else None
        if info is not None and info["status"] in UNFINISHED:
            verb = "backout" if info["status"] == "backout" else "apply --resume"
            raise LeaseHeldError(
                f"{what}: run {lease.run_id} was left unfinished by {describe(lease)}, a process that is gone; "
                f"finish it first: fleetreg {verb} {lease.run_id}"
            )
        # a stale lease whose run ended (its holder died while releasing): taken over

    def _alive(self, lease: Lease) -> bool:
        if lease.holder_host != self.host:
            return True  # cannot tell from here: assume it is running
        info = self.journal.run_info(lease.run_id) if lease.run_id else None
        if info is not None and (Path(info["run_dir"]) / LOCK_FILE).exists():
            # the run's OS lock is the truth: the kernel drops it when its holder dies, and a
            # pid can be reused by an unrelated process meanwhile
            return _lock_held_elsewhere(Path(info["run_dir"]) / LOCK_FILE)
        return _pid_alive(lease.holder_pid)

    def peek(self, keys: list[str], *, resuming: str | None = None, lock: Path | None = None) -> None:
        """Refuse early (before tokens are fetched, before any progress is shown) when a lease
        is held: the same rules as `take`, nothing taken."""
        if lock is not None and _lock_held_elsewhere(lock):
            holder = self._holder(keys[0])
            who = describe(holder) if holder else f"another fleetreg process (it holds {lock})"
            raise LeaseHeldError(f"{_what(keys[0])} is in use by {who}", file=str(lock))
        for key in keys:
            lease = self.journal.lease(key)
            if lease is not None:
                self.check(lease, resuming)

    # ------------------------------------------------------------------ giving back
    def release(self) -> None:
        """The journal rows first, then the OS locks. A journal that cannot be written (disk
        full) keeps the rows: their holder is gone once this process ends, `--resume` takes them."""
        keys, self._keys = self._keys, []
        if keys:
            with contextlib.suppress(Exception):
                self.journal.release_leases(keys)
        fds, self._fds = self._fds, []
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
