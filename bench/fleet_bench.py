"""Scale benchmark of fleetreg: `fleetreg plan` + `fleetreg apply` against an emulated fleet.

    .venv/bin/python bench/fleet_bench.py --counts 100,500,1000 --workers 50,100,200

For every (N, workers):
1. starts `python -m mock_devices serve` for N switches in its own process (per-command latency
   150 ms + uniform jitter 0-50 ms, registration completing 5-15 s after `register idtoken`);
2. runs `python -m fleetreg.cli.main plan` then `... apply` as child processes; each one's CPU
   time and peak RSS come from os.wait4 (that child's own rusage), the mock's CPU from /proc;
3. reads the apply run's journal (runs/fleetreg.db, table `steps`): per-step durations,
   the most hosts waiting for registration at once, the most SSH steps under way at once;
4. computes the lower bound of each phase from the mock's own latencies (see `phase_bound`
   and bench/README.md), and writes bench/results/fleet_bench-<tag>.json.
The mock is stopped after each run, also on errors and timeouts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "bench" / "results"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
WAIT_STEPS = frozenset({"wait_registered", "wait_ack"})
OK_OUTCOMES = frozenset({"migrated", "already-migrated", "skipped"})

# Round trips a careful script must make, per step (one command line = one round trip to the
# switch, whose answer comes after the per-command latency).
SESSION_SETUP = 2  # terminal width 511, terminal length 0 (the login prompt costs no round trip)
FIXED_ROUND_TRIPS = {
    "recheck": 1,
    "backup": 0,  # written locally from the pre-check's output
    "save_config": 1,
    "deregister": 1,
    "register": 1,
    "sync": 1,
    "wait_registered": 1,  # the poll that sees REGISTERED / AUTHORIZED
    "wait_ack": 1,
    "save_final": 1,
    # show crypto pki certificates, configure terminal, the trustpoint line, its 3 settings (one
    # batch), crypto pki authenticate, the PEM pasted with its `quit` (one round trip: the lines
    # go together), yes, end
    "install_ca": 8,
}


# ------------------------------------------------------------------------ the lower bound (pure)
@dataclass(frozen=True)
class MockTiming:
    latency_ms: float
    jitter_ms: float
    register_s: tuple[float, float]
    sync_ack_s: float = 1.0  # the mock's default: Last ACK this long after `license smart sync all`

    @property
    def command_s(self) -> float:
        """Mean reply delay of one command: latency + uniform(0, jitter)."""
        return (self.latency_ms + self.jitter_ms / 2) / 1000

    @property
    def register_mean_s(self) -> float:
        return sum(self.register_s) / 2


@dataclass(frozen=True)
class HostPath:
    """One switch's path: SSH round trips before and after its wait, and the wait itself."""

    before: int
    wait_s: float
    after: int


def discover_round_trips() -> int:
    """A session's setup and the show commands discover types (apply's pre-check types them again)."""
    from fleetreg.core.facts import DISCOVER_COMMANDS

    return SESSION_SETUP + len(DISCOVER_COMMANDS)


def step_round_trips(step: str, *, config_lines: Sequence[str], mode: str | None) -> int:
    if step == "precheck":  # apply opens its own session
        return discover_round_trips()
    if step == "configure":
        from fleetreg.tasks.cli import config_batches  # the rule fleetreg types config lines by

        # configure terminal, each batch of lines that need not wait for each other's prompt, end
        return len(config_batches(config_lines)) + 2
    if step == "verify":
        return 2 if mode == "callhome" else 1  # show license status (+ call-home section)
    return FIXED_ROUND_TRIPS.get(step, 1)


def host_path(steps: Sequence[str], *, config_lines: Sequence[str], mode: str | None, timing: MockTiming) -> HostPath:
    before = after = 0
    wait_s = 0.0
    seen_wait = False
    for step in ["precheck", *steps]:
        trips = step_round_trips(step, config_lines=config_lines, mode=mode)
        if step in WAIT_STEPS:
            seen_wait = True
            wait_s = timing.register_mean_s if step == "wait_registered" else timing.sync_ack_s
            after += trips
        elif seen_wait:
            after += trips
        else:
            before += trips
    return HostPath(before, wait_s, after)


def phase_bound(waves: Iterable[Sequence[HostPath]], workers: int, command_s: float) -> float:
    """Lower bound of a phase's wall time from the switches' own latencies, wave after wave.

    Per wave, the largest of:
      one switch:  max over hosts of (before + after) x L + wait;
      the pool:    sum over hosts of (before + after) x L / workers  (SSH work only holds a worker);
      the pool, then the wait: for each kind of wait (registration, sync ACK, none), the work
                   before the wait of every host of that kind / workers + the shortest
                   wait + after x L among them (a host that waits holds no worker).
    With identical hosts and N/workers whole this is N/workers x before x L + wait + after x L,
    i.e. ceil(N / workers) x the round trips before the wait x L, plus the registration and
    what follows it. N/workers rather than ceil(): a pool splits work finer than whole rounds."""
    total = 0.0
    for hosts in waves:
        if not hosts:
            continue
        single = max((h.before + h.after) * command_s + h.wait_s for h in hosts)
        pool = sum((h.before + h.after) * command_s for h in hosts) / workers
        by_wait: dict[float, list[HostPath]] = defaultdict(list)
        for h in hosts:
            by_wait[h.wait_s].append(h)
        then_wait = max(
            sum(h.before for h in group) * command_s / workers + min(h.wait_s + h.after * command_s for h in group)
            for group in by_wait.values()
        )
        total += max(single, pool, then_wait)
    return total


ACTIONABLE = frozenset({"to-migrate", "wrong-virtual-account"})  # what fleetreg apply acts on


def plan_paths(plan: dict[str, Any], timing: MockTiming) -> list[list[HostPath]]:
    """Host paths of the actionable hosts of a plan.json document, wave by wave. (Read as
    JSON, not through fleetreg's model, so the bench does not depend on its version.)"""
    by_name = {h["name"]: h for h in plan["hosts"]}
    waves = []
    for wave in plan["waves"]:
        hosts = [by_name[name] for name in wave["hosts"] if by_name[name]["classification"] in ACTIONABLE]
        waves.append(
            [
                host_path(
                    [s["name"] for s in h["steps"]],
                    config_lines=h["config_commands"],
                    mode=h.get("mode"),
                    timing=timing,
                )
                for h in hosts
            ]
        )
    return waves


def discover_paths(count: int) -> list[list[HostPath]]:
    return [[HostPath(discover_round_trips(), 0.0, 0)] * count]


# ------------------------------------------------------------------------ journal analysis (pure-ish)
def max_overlap(intervals: Iterable[tuple[float, float]]) -> int:
    """Most intervals open at one instant (an interval ending when another starts: not both)."""
    spans = list(intervals)
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    level = peak = 0
    for _, delta in events:
        level += delta
        peak = max(peak, level)
    return peak


def journal_summary(db_path: Path, run_id: str) -> dict[str, Any]:
    db = sqlite3.connect(str(db_path))
    try:
        steps = db.execute(
            "SELECT host, step, status, started_at, finished_at FROM steps WHERE run_id=? ORDER BY id", (run_id,)
        ).fetchall()
        hosts = db.execute("SELECT host, state, failed_step, reason FROM hosts WHERE run_id=?", (run_id,)).fetchall()
    finally:
        db.close()
    done = [s for s in steps if s[4] is not None]
    durations: dict[str, list[float]] = defaultdict(list)
    busy_by_host: dict[str, float] = defaultdict(float)
    for host, step, _, start, end in done:
        durations[step].append(end - start)
        if step not in WAIT_STEPS and step != "backup":
            busy_by_host[host] += end - start
    outcomes: dict[str, int] = defaultdict(int)
    for _, state, _, _ in hosts:
        outcomes[state] += 1
    failures = [
        {"host": h, "state": st, "step": fs, "reason": (r or "")[:200]}
        for h, st, fs, r in hosts
        if st not in OK_OUTCOMES
    ]
    return {
        "outcomes": dict(outcomes),
        "failures": len(failures),
        "failure_examples": failures[:5],
        "step_mean_s": {k: sum(v) / len(v) for k, v in sorted(durations.items())},
        "step_count": {k: len(v) for k, v in sorted(durations.items())},
        "ssh_busy_per_host_s": sum(busy_by_host.values()) / len(busy_by_host) if busy_by_host else 0.0,
        "max_concurrent_waiting": max_overlap((s[3], s[4]) for s in done if s[1] in WAIT_STEPS),
        "max_concurrent_ssh_steps": max_overlap(
            (s[3], s[4]) for s in done if s[1] not in WAIT_STEPS and s[1] != "backup"
        ),
    }


def observed_round_trips(session_logs: Path) -> float | None:
    """Mean command lines the switches answered per apply session, from the session logs: each
    line typed (Enter included) comes back after one prompt; the login prompt is not one."""
    counts = []
    for log in session_logs.glob("*.log"):
        name = re.escape(log.stem)
        counts.append(len(re.findall(rf"(?m)^{name}(?:\([^)]*\))?[#>]", log.read_text(errors="replace"))) - 1)
    return sum(counts) / len(counts) if counts else None


# ------------------------------------------------------------------------ processes
@dataclass
class Measured:
    argv: list[str]
    wall_s: float
    cpu_s: float
    user_s: float
    sys_s: float
    max_rss_mb: float
    returncode: int
    timed_out: bool = False
    stderr_tail: str = ""


def process_cpu_seconds(pid: int) -> float:
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_measured(argv: list[str], *, env: dict[str, str], cwd: Path, timeout_s: float, log: Path) -> Measured:
    """Run a child to completion (killed at the timeout); its own rusage from wait4."""
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout_s and not timed_out:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
            time.sleep(0.05)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    tail = log.read_text(errors="replace").strip().splitlines()[-6:]
    return Measured(
        argv=argv,
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        user_s=usage.ru_utime,
        sys_s=usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,
        returncode=proc.returncode,
        timed_out=timed_out,
        stderr_tail="\n".join(tail),
    )


def read_env(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.startswith("export "):
            name, _, value = line[len("export ") :].partition("=")
            values[name] = shlex.split(value)[0] if value else ""
    return values


class MockProcess:
    """`python -m mock_devices serve` in its own process; stopped on exit, even on errors."""

    def __init__(self, count: int, base_port: int, timing: MockTiming, workdir: Path) -> None:
        lo, hi = timing.register_s
        self.inventory = workdir / "inventory"
        self.argv = [
            sys.executable,
            "-m",
            "mock_devices",
            "serve",
            "--count",
            str(count),
            "--base-port",
            str(base_port),
            "--latency-ms",
            str(timing.latency_ms),
            "--jitter-ms",
            str(timing.jitter_ms),
            "--register-seconds",
            f"{lo}-{hi}",
            "--state-dir",
            str(workdir / "state"),
            "--inventory-out",
            str(self.inventory),
        ]
        self.proc: subprocess.Popen[str] | None = None
        self.startup_s = 0.0

    def __enter__(self) -> MockProcess:
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # the mock prints one line when every switch listens
        if "listening" not in line:
            self.stop()
            raise RuntimeError(f"mock did not start: {line.strip()}")
        self.startup_s = time.perf_counter() - started
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ------------------------------------------------------------------------ one run
@dataclass
class RunConfig:
    count: int
    workers: int
    timing: MockTiming
    session_logs: bool = True
    base_port: int = 26000
    timeout_s: float = 900.0
    transport: str = "netmiko"  # FLEETREG_TRANSPORT for the fleetreg children
    keep_dir: Path | None = None
    profile_dir: Path | None = None  # py-spy the apply (its CPU figures then include py-spy's)
    processes: int = 1  # apply --processes (worker processes per wave)


@dataclass
class RunResult:
    config: dict[str, Any]
    mock_startup_s: float
    plan: dict[str, Any]
    apply: dict[str, Any]
    totals: dict[str, Any] = field(default_factory=dict)


def _phase(measured: Measured, mock_cpu_s: float, count: int, latency_bound: float, cores: int) -> dict[str, Any]:
    cpu_bound = (measured.cpu_s + mock_cpu_s) / cores
    bound = max(latency_bound, cpu_bound)
    return {
        **asdict(measured),
        "mock_cpu_s": mock_cpu_s,
        "latency_bound_s": latency_bound,
        "cpu_bound_s": cpu_bound,
        "bound_s": bound,
        "ratio": measured.wall_s / bound if bound else None,
        "orchestrator_cpu_ms_per_switch": measured.cpu_s / count * 1000,
        "mock_cpu_ms_per_switch": mock_cpu_s / count * 1000,
    }


def profiled(argv: list[str], out: Path) -> list[str]:
    """`argv` under py-spy, sampling only threads that hold the GIL (Python CPU, not waits)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    spy = str(Path(sys.executable).with_name("py-spy"))
    return [spy, "record", "--gil", "-r", "100", "-f", "raw", "-o", str(out), "--", *argv]


def run_one(cfg: RunConfig) -> RunResult:
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="fleet-bench-") as tmp:
        workdir = cfg.keep_dir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        runs = workdir / "runs"
        with MockProcess(cfg.count, cfg.base_port, cfg.timing, workdir) as mock:
            env = {
                **os.environ,
                **read_env(mock.inventory / "fleet.env"),
                "FLEETREG_TRANSPORT": cfg.transport,
            }
            cli = [sys.executable, "-m", "fleetreg.cli.main"]
            common = ["--runs-dir", str(runs), "--workers", str(cfg.workers)]
            # One wave after the canaries: waves are a safety policy, not a throughput knob.
            plan_argv = [*cli, "plan", "--inventory", str(mock.inventory), *common]
            plan_argv += ["--wave-size", str(cfg.count), "--max-failures", "10%"]
            if cfg.profile_dir is not None:
                plan_argv = profiled(plan_argv, cfg.profile_dir / f"plan-{cfg.count}-{cfg.workers}.txt")
            mock_cpu0 = process_cpu_seconds(mock.pid)
            plan_run = run_measured(plan_argv, env=env, cwd=REPO, timeout_s=cfg.timeout_s, log=workdir / "plan.log")
            mock_cpu1 = process_cpu_seconds(mock.pid)
            plan_dirs = sorted(runs.glob("*-plan"))
            if plan_run.returncode != 0 or not plan_dirs:
                raise RuntimeError(f"fleetreg plan failed ({plan_run.returncode}): {plan_run.stderr_tail}")
            plan = json.loads((plan_dirs[-1] / "plan.json").read_text())
            apply_argv = [*cli, "apply", str(plan_dirs[-1]), *common, "--yes", "--processes", str(cfg.processes)]
            if not cfg.session_logs:
                apply_argv.append("--no-session-logs")
            if cfg.profile_dir is not None:
                apply_argv = profiled(apply_argv, cfg.profile_dir / f"apply-{cfg.count}-{cfg.workers}.txt")
            apply_run = run_measured(apply_argv, env=env, cwd=REPO, timeout_s=cfg.timeout_s, log=workdir / "apply.log")
            mock_cpu2 = process_cpu_seconds(mock.pid)
            mock_rss = process_rss_mb(mock.pid)
            startup = mock.startup_s
        apply_dirs = sorted(runs.glob("*-apply"))
        journal = journal_summary(runs / "fleetreg.db", apply_dirs[-1].name) if apply_dirs else {}
        logs = apply_dirs[-1] / "session-logs" if apply_dirs else None
        observed = observed_round_trips(logs) if logs and logs.is_dir() else None
    command_s = cfg.timing.command_s
    classes: dict[str, int] = defaultdict(int)
    for h in plan["hosts"]:
        classes[h["classification"]] += 1
    apply_paths = plan_paths(plan, cfg.timing)
    actionable = [p for wave in apply_paths for p in wave]
    plan_phase = _phase(
        plan_run,
        mock_cpu1 - mock_cpu0,
        cfg.count,
        phase_bound(discover_paths(cfg.count), cfg.workers, command_s),
        cores,
    )
    plan_phase["classes"] = dict(classes)
    # The default mock fleet has no faulty switches: a blocked host is a discovery that failed.
    blocked = [h for h in plan["hosts"] if h["classification"] == "blocked"]
    plan_phase["failures"] = len(blocked) + (0 if plan_run.returncode == 0 else 1)
    plan_phase["failure_examples"] = [{"host": h["name"], "reason": h.get("reason")} for h in blocked[:5]]
    apply_phase = _phase(
        apply_run, mock_cpu2 - mock_cpu1, cfg.count, phase_bound(apply_paths, cfg.workers, command_s), cores
    )
    apply_phase.update(journal)
    if apply_run.returncode != 0 and not apply_phase.get("failures"):
        ok = sum(n for state, n in apply_phase.get("outcomes", {}).items() if state in OK_OUTCOMES)
        apply_phase["failures"] = max(1, cfg.count - ok)
    apply_phase.setdefault("failures", 0)
    apply_phase["waves"] = [len(w) for w in apply_paths]
    apply_phase["essential_round_trips_per_host"] = (
        sum(p.before + p.after for p in actionable) / len(actionable) if actionable else 0
    )
    apply_phase["observed_round_trips_per_host"] = observed
    wall = plan_run.wall_s + apply_run.wall_s
    bound = plan_phase["bound_s"] + apply_phase["bound_s"]
    cpu = plan_run.cpu_s + apply_run.cpu_s
    mock_cpu = mock_cpu2 - mock_cpu0
    totals = {
        "wall_s": wall,
        "bound_s": bound,
        "ratio": wall / bound,
        "orchestrator_cpu_ms_per_switch": cpu / cfg.count * 1000,
        "mock_cpu_ms_per_switch": mock_cpu / cfg.count * 1000,
        "orchestrator_peak_rss_mb": max(plan_run.max_rss_mb, apply_run.max_rss_mb),
        "mock_peak_rss_mb": mock_rss,
        "failures": apply_phase["failures"] + plan_phase["failures"],
    }
    config = {**asdict(cfg), "timing": asdict(cfg.timing)}
    return RunResult(config, startup, plan_phase, apply_phase, totals)


# ------------------------------------------------------------------------ report
def machine() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "nproc": nproc,
        "cpu_model": model,
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def markdown_rows(results: Sequence[dict[str, Any]]) -> str:
    header = (
        "| N | workers | logs | phase | wall s | bound s | wall/bound | orch CPU ms/switch | mock CPU ms/switch "
        "| orch peak RSS MB | max waiting / SSH steps at once | failures |"
    )
    lines = [header, "|" + "---|" * 12]
    for r in results:
        cfg, plan, apply, tot = r["config"], r["plan"], r["apply"], r["totals"]
        logs = "on" if cfg["session_logs"] else "off"
        for name, ph in (("plan", plan), ("apply", apply)):
            overlap = (
                f"{ph.get('max_concurrent_waiting', 0)} / {ph.get('max_concurrent_ssh_steps', 0)}"
                if name == "apply"
                else ""
            )
            fails = ph.get("failures", 0)
            lines.append(
                f"| {cfg['count']} | {cfg['workers']} | {logs} | {name} | {ph['wall_s']:.1f} | {ph['bound_s']:.1f} "
                f"| {ph['ratio']:.2f} | {ph['orchestrator_cpu_ms_per_switch']:.1f} "
                f"| {ph['mock_cpu_ms_per_switch']:.1f} | {ph['max_rss_mb']:.0f} | {overlap} | {fails} |"
            )
        lines.append(
            f"| {cfg['count']} | {cfg['workers']} | {logs} | **total** | {tot['wall_s']:.1f} | {tot['bound_s']:.1f} "
            f"| **{tot['ratio']:.2f}** | **{tot['orchestrator_cpu_ms_per_switch']:.1f}** "
            f"| {tot['mock_cpu_ms_per_switch']:.1f} | {tot['orchestrator_peak_rss_mb']:.0f} | | {tot['failures']} |"
        )
    return "\n".join(lines)


def _csv_ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", type=_csv_ints, default=[100, 500, 1000])
    parser.add_argument("--workers", type=_csv_ints, default=[50, 100, 200])
    parser.add_argument("--latency-ms", type=float, default=150.0)
    parser.add_argument("--jitter-ms", type=float, default=50.0)
    parser.add_argument("--register-seconds", default="5-15", help="MIN-MAX seconds until registration completes")
    parser.add_argument("--base-port", type=int, default=26000)
    parser.add_argument("--timeout", type=float, default=900.0, help="per fleetreg command, seconds")
    parser.add_argument("--no-session-logs", action="store_true")
    parser.add_argument("--processes", type=int, default=1, help="apply --processes")
    parser.add_argument("--transport", choices=("asyncssh", "netmiko"), default="netmiko", help="FLEETREG_TRANSPORT")
    parser.add_argument("--tag", default=None, help="results file name: bench/results/fleet_bench-<tag>.json")
    parser.add_argument("--keep-dir", type=Path, default=None, help="keep runs/ and inventory here (one run only)")
    parser.add_argument("--profile-dir", type=Path, default=None, help="py-spy raw profiles of apply here")
    parser.add_argument("--table", type=Path, nargs="+", help="only print the Markdown table of these results files")
    args = parser.parse_args(argv)
    if args.table:
        runs = [r for path in args.table for r in json.loads(path.read_text())["runs"] if "error" not in r]
        print(markdown_rows(runs))
        return 0
    lo, _, hi = args.register_seconds.partition("-")
    timing = MockTiming(args.latency_ms, args.jitter_ms, (float(lo), float(hi or lo)))
    tag = args.tag or time.strftime("%Y%m%dT%H%M%S")
    output = RESULTS_DIR / f"fleet_bench-{tag}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    document: dict[str, Any] = {"machine": machine(), "timing": asdict(timing), "runs": []}
    status = 0
    for count in args.counts:
        for workers in args.workers:
            cfg = RunConfig(
                count=count,
                workers=workers,
                timing=timing,
                session_logs=not args.no_session_logs,
                base_port=args.base_port,
                timeout_s=args.timeout,
                transport=args.transport,
                keep_dir=args.keep_dir,
                profile_dir=args.profile_dir,
                processes=args.processes,
            )
            print(f"N={count} workers={workers} ...", file=sys.stderr, flush=True)
            try:
                result = asdict(run_one(cfg))
            except Exception as exc:  # one failed run is reported, the others still run
                print(f"  failed: {exc}", file=sys.stderr, flush=True)
                document["runs"].append({"config": {"count": count, "workers": workers}, "error": str(exc)})
                status = 1
                continue
            document["runs"].append(result)
            t = result["totals"]
            print(
                f"  wall {t['wall_s']:.1f}s bound {t['bound_s']:.1f}s ratio {t['ratio']:.2f} "
                f"cpu {t['orchestrator_cpu_ms_per_switch']:.1f} ms/switch failures {t['failures']}",
                file=sys.stderr,
                flush=True,
            )
            status |= 1 if t["failures"] else 0
            output.write_text(json.dumps(document, indent=1, default=str) + "\n")
    output.write_text(json.dumps(document, indent=1, default=str) + "\n")
    print(markdown_rows([r for r in document["runs"] if "error" not in r]))
    print(f"\nwritten {output.relative_to(REPO)}")
    return status


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
