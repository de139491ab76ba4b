"""Options and small helpers shared by the CLI verbs."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import click
from fleetreg.cli.output import STATE, interactive
from fleetreg.core.inventory_model import Inventory
from fleetreg.core.plan_model import HostPlan
from fleetreg.core.planner import plan_risks
from fleetreg.core.satellite_trust import TrustChecked
from fleetreg.shell.inventory import load_inventory
from fleetreg.shell.inventory_source import inventory_source
from fleetreg.shell.nornir_setup import build_nornir
from fleetreg.shell.runfolder import DEFAULT_RUNS_DIR
from fleetreg.shell.secrets import credentials_from_env
from fleetreg.tasks.connection import DEFAULT_TRANSPORT, TRANSPORTS
from fleetreg.tasks.host_keys import HostKeyPolicy
from fleetreg.tasks.netmiko_options import DEFAULT_NETMIKO_EXTRAS
from nornir.core import Nornir
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

F = TypeVar("F", bound=Callable[..., Any])
logger = logging.getLogger(__name__)

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


class HumanOutput:
    """What people read: stdout, or stderr once `--json` keeps stdout for the JSON document."""

    def __init__(self) -> None:
        self._out = Console(highlight=False, soft_wrap=True)

    @property
    def console(self) -> Console:
        return stderr if STATE.json else self._out

    def print(self, *objects: Any, **kwargs: Any) -> None:
        self.console.print(*objects, **kwargs)

    def rule(self, title: str = "") -> None:
        self.console.rule(title)


stdout = HumanOutput()


def compose(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Several click options as one decorator, in the order given."""

    def apply(func: F) -> F:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


RUNS_DIR = click.option(
    "--runs-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_RUNS_DIR,
    show_default=True,
    help="Where run folders (and the journal, fleetreg.db) are written.",
)
PLACED_RUNS_DIR = click.option(
    "--runs-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Runs folder (journal fleetreg.db and run folders). Default: the one holding the plan or run named "
    f"by its path; {DEFAULT_RUNS_DIR}/ for a run named by its id.",
)
INVENTORY_FOLDER = click.option(
    "--inventory",
    "inventory_folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Nornir SimpleInventory folder (hosts.yaml, groups.yaml, defaults.yaml). Default: the inventory "
    "config.yaml names, when the current folder has one; otherwise ./inventory.",
)
NORNIR_CONFIG = click.option(
    "--config",
    "nornir_config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Nornir config file whose inventory plugin loads the hosts (SimpleInventory, AnsibleInventory, "
    "NetBoxInventory2...). Paths in it are relative to the current folder, as in Nornir.",
)


def inventory_source_options(command: F) -> F:
    """--inventory and --config, handed to the command as one `inventory_dir`: the folder or config
    file to load (fleetreg.shell.inventory_source has the rule)."""

    @functools.wraps(command)
    def gather(*args: Any, inventory_folder: Path | None, nornir_config: Path | None, **kwargs: Any) -> Any:
        return command(*args, inventory_dir=inventory_source(inventory_folder, nornir_config), **kwargs)

    return compose(INVENTORY_FOLDER, NORNIR_CONFIG)(cast(F, gather))


def plan_inventory_source_options(command: F) -> F:
    """--inventory and --config for a command that reads a plan: `inventory_dir` None (the plan's own)
    unless one is given."""

    @functools.wraps(command)
    def gather(*args: Any, inventory_folder: Path | None, nornir_config: Path | None, **kwargs: Any) -> Any:
        given = None
        if inventory_folder is not None or nornir_config is not None:
            given = inventory_source(inventory_folder, nornir_config)
        return command(*args, inventory_dir=given, **kwargs)

    help_text = " Default: the inventory the plan was made from."
    return compose(
        click.option(
            "--inventory",
            "inventory_folder",
            type=click.Path(path_type=Path, file_okay=False),
            default=None,
            help="Nornir SimpleInventory folder." + help_text,
        ),
        click.option(
            "--config",
            "nornir_config",
            type=click.Path(path_type=Path, dir_okay=False),
            default=None,
            help="Nornir config file whose inventory plugin loads the hosts." + help_text,
        ),
    )(cast(F, gather))


SECRETS_FILE = click.option(
    "--secrets-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="YAML key -> token file for `secrets:KEY` references (default: $FLEETREG_SECRETS_FILE).",
)
WORKERS = click.option(
    "--workers", type=click.IntRange(1, 1000), default=20, show_default=True, help="Switches worked on at once."
)
CONNECT_TIMEOUT = click.option(
    "--connect-timeout",
    type=click.FloatRange(1, 300),
    default=15,
    show_default=True,
    help="Seconds for TCP connect, SSH banner and authentication.",
)
KNOWN_HOSTS = click.option(
    "--known-hosts",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Check switches' SSH host keys strictly against this known_hosts file "
    "(default: trust on first use, recorded under RUNS_DIR/known_hosts.d/).",
)
TRANSPORT = click.option(
    "--transport",
    type=click.Choice(TRANSPORTS),
    default=DEFAULT_TRANSPORT,
    show_default=True,
    envvar="FLEETREG_TRANSPORT",
    help="How to talk to switches: netmiko (stock Netmiko through nornir-netmiko: the default) or "
    "asyncssh (fleetreg's own driver, all sessions on one event loop: faster on large fleets).",
)
TYPEAHEAD = click.option(
    "--typeahead",
    is_flag=True,
    default=False,
    help="asyncssh transport: type a config section's settings without waiting for each line's echo "
    "(fewer round trips). Risk: after a refused line its siblings in the section are already typed, "
    "and a slow or noisy terminal (syslog, scrolled echo) may interleave answers; off: one line at a time.",
)
KEEP_CONFIGS = click.option(
    "--keep-configs",
    is_flag=True,
    default=False,
    help="Keep each switch's full running config in the run folder (configs/), with passwords, "
    "secrets, keys and SNMP communities masked. Off by default: full configs never reach disk.",
)


SATELLITE_UNREACHABLE_OK = click.option(
    "--satellite-unreachable-ok",
    is_flag=True,
    help="Go on when the satellite's URL cannot be reached from here (the CA to install then is not "
    "checked against its certificate; the plan records it as a risk). A certificate the CA does not "
    "validate always blocks.",
)


def print_trust(checked: TrustChecked) -> None:
    """The satellite trust check: each check passed on stdout, each distinct risk once on stderr."""
    for line in checked.passed():
        stdout.print(line, markup=False)
    for risk in checked.warnings():
        stderr.print(f"[yellow]warning: {escape(risk)}[/]")


def command_timeout(dest: str = "command_timeout") -> Callable[[F], F]:
    return click.option(
        "--command-timeout",
        "--read-timeout",
        dest,
        type=click.FloatRange(0.5, 3600),
        default=30,
        show_default=True,
        help="Seconds to wait for a switch to answer one command (write memory, register: twice this).",
    )


PROJECT = click.option(
    "--project",
    "project_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="Project folder whose templates/ override the bundled ones.",
)


@dataclass(frozen=True)
class Targets:
    """--hosts, --group, --site (comma-separated names or globs) and --filter KEY=VALUE."""

    hosts: str | None = None
    groups: str | None = None
    sites: str | None = None
    filters: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.hosts or self.groups or self.sites or self.filters)

    def select(self, inventory: Inventory) -> Inventory:
        return inventory.filter(
            hosts=_split(self.hosts), groups=_split(self.groups), sites=_split(self.sites), data=self.filters or None
        )

    def describe(self) -> str:
        given = [("--hosts", self.hosts), ("--group", self.groups), ("--site", self.sites)]
        parts = [f"{option} {value}" for option, value in given if value]
        return " ".join([*parts, *(f"--filter {item}" for item in self.filters)])


def target_options(what: str) -> Callable[[F], F]:
    """--hosts, --group, --site and --filter, handed to the command as one `targets: Targets`."""

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def gather(
            *args: Any, hosts: str | None, groups: str | None, sites: str | None, filters: tuple[str, ...], **kw: Any
        ) -> Any:
            return command(*args, targets=Targets(hosts, groups, sites, tuple(filters)), **kw)

        return compose(
            click.option(
                "--hosts", "hosts", default=None, help=f"Only these {what} (names or globs, comma-separated)."
            ),
            click.option("--group", "groups", default=None, help="Only members of these groups (names or globs)."),
            click.option("--site", "sites", default=None, help="Only these sites (names or globs)."),
            click.option(
                "--filter",
                "filters",
                multiple=True,
                metavar="KEY=VALUE",
                help="Only hosts whose inventory data KEY (dotted: fleetreg.virtual_account) matches VALUE "
                "(a glob); repeat to narrow further.",
            ),
        )(cast(F, gather))

    return decorate


inventory_options = compose(inventory_source_options, SECRETS_FILE, target_options("hosts"))


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def select_inventory(
    inventory_dir: Path, secrets_file: Path | None, targets: Targets, *, check_secrets: bool
) -> Inventory:
    inventory = load_inventory(inventory_dir, secrets_file=secrets_file, check_secrets=check_secrets)
    return targets.select(inventory)


@dataclass(frozen=True)
class FleetAccess:
    """How discover, plan and verify reach the switches: their shared command-line options."""

    runs_dir: Path
    workers: int
    connect_timeout: float
    known_hosts: Path | None
    transport: str = DEFAULT_TRANSPORT
    typeahead: bool = False

    def nornir(self, inventory: Inventory) -> Nornir:
        """Nornir over the selected switches: credentials from the environment, fleetreg's
        Netmiko settings, host keys trusted on first use under runs_dir (or checked against
        known_hosts)."""
        return build_nornir(
            inventory,
            credentials_from_env(inventory_defaults=inventory.login_defaults),
            workers=self.workers,
            connect_timeout=self.connect_timeout,
            extras=DEFAULT_NETMIKO_EXTRAS,
            host_keys=HostKeyPolicy.for_runs(self.runs_dir, self.known_hosts),
            transport=self.transport,
            typeahead=self.typeahead,
        )


def fleet_access_options(command: F) -> F:
    """--runs-dir, --workers, --connect-timeout, --known-hosts, --transport and --typeahead, handed to the
    command as one `access: FleetAccess`."""

    @functools.wraps(command)
    def gather(
        *args: Any,
        runs_dir: Path,
        workers: int,
        connect_timeout: float,
        known_hosts: Path | None,
        transport: str,
        typeahead: bool,
        **kwargs: Any,
    ) -> Any:
        access = FleetAccess(runs_dir, workers, connect_timeout, known_hosts, transport, typeahead)
        return command(*args, access=access, **kwargs)

    return compose(RUNS_DIR, WORKERS, CONNECT_TIMEOUT, KNOWN_HOSTS, TRANSPORT, TYPEAHEAD)(cast(F, gather))


run_options = compose(fleet_access_options, command_timeout(), PROJECT)


class HostProgress:
    """The per-host callback of a progress display: `progress(host, ok)`; `paused()` lifts a
    live display while the operator is asked something."""

    def __init__(self, done: Callable[[str, bool], None], live: Progress | None = None) -> None:
        self._done = done
        self._live = live

    def __call__(self, host: str, ok: bool) -> None:
        self._done(host, ok)

    @contextmanager
    def paused(self) -> Iterator[None]:
        if self._live is None:
            yield
            return
        self._live.stop()
        try:
            yield
        finally:
            self._live.start()


@contextmanager
def host_progress(total: int, label: str, *, log_hosts: bool = True) -> Iterator[HostProgress]:
    """A progress bar with ok / failed / remaining counts on a terminal; without one (no live
    display), a plain line per host when `log_hosts` (apply's hosts are logged by the service)."""
    counts = {"ok": 0, "failed": 0}
    if not interactive():

        def logged(host: str, ok: bool) -> None:
            counts["ok" if ok else "failed"] += 1
            if log_hosts:
                done = counts["ok"] + counts["failed"]
                logger.info("%s %s: %s (%d/%d)", label, host, "ok" if ok else "failed", done, total)

        yield HostProgress(logged)
        return
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("ok {task.fields[ok]} · failed {task.fields[failed]} · remaining {task.fields[remaining]}"),
        TimeElapsedColumn(),
        console=stderr,
        transient=False,
    )
    with progress:
        task_id = progress.add_task(label, total=total, ok=0, failed=0, remaining=total)

        def done(_host: str, ok: bool) -> None:
            counts["ok" if ok else "failed"] += 1
            finished = counts["ok"] + counts["failed"]
            progress.update(
                task_id, completed=finished, ok=counts["ok"], failed=counts["failed"], remaining=total - finished
            )

        yield HostProgress(done, progress)


def print_risks(hosts: Iterable[HostPlan]) -> None:
    """The plan's risks (disabled TLS checks among them), one line each, as report.html lists them."""
    for risk, count in plan_risks(hosts).items():
        stdout.print(f"[bold red]Risk:[/] {escape(risk)} ({count} host{'' if count == 1 else 's'})")
