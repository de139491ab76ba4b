"""Dependencies are used as shipped: no product or mock module patches another package, overrides
its private members or reads its private attributes. Read from the source with `ast`, so a
new violation fails here before it can hide behind a version pin."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FOLDERS = ("orchestrator", "tasks", "mock_devices")  # the folders of fleetreg, fleetreg.tasks and the mock
DEPENDENCIES = frozenset(
    {"asyncssh", "netmiko", "paramiko", "nornir", "nornir_netmiko", "nornir_ansible", "nornir_netbox", "scrapli",
     "textfsm", "hier_config", "httpx", "jinja2", "yaml", "pydantic", "click", "rich", "cryptography", "uvloop"}
)  # fmt: skip


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def from_dependency(module: str | None) -> bool:
    return module is not None and module.split(".")[0] in DEPENDENCIES


def resolve(dotted: str, imported: dict[str, str]) -> object | None:
    """The dependency's object a base-class expression names (None: not a dependency's)."""
    head, _, rest = dotted.partition(".")
    if head not in imported:
        return None
    module, _, name = imported[head].rpartition(".")
    try:
        found: object = importlib.import_module(imported[head])
    except ImportError:
        found = getattr(importlib.import_module(module), name)
    for part in filter(None, rest.split(".")):
        found = getattr(found, part)
    return found


def violations(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    imported: dict[str, str] = {}  # name bound to a dependency's module or class -> what it is
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if from_dependency(alias.name):
                    if any(private(part) for part in alias.name.split(".")):
                        yield f"{path}:{node.lineno}: imports a private module {alias.name}"
                    bound = (alias.asname or alias.name).split(".")[0]
                    imported[bound] = alias.name if alias.asname else bound
        elif isinstance(node, ast.ImportFrom) and from_dependency(node.module):
            if any(private(part) for part in (node.module or "").split(".")):
                yield f"{path}:{node.lineno}: imports from a private module {node.module}"
            for alias in node.names:
                if private(alias.name):
                    yield f"{path}:{node.lineno}: imports a private name {alias.name} from {node.module}"
                imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in imported:
                yield f"{path}:{node.lineno}: reads {ast.unparse(node)}, a private attribute of a dependency"
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute):
                root = target.value
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name) and root.id in imported:
                    yield f"{path}:{target.lineno}: assigns to {ast.unparse(target)}, part of a dependency"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Name) and first.id in imported:
                yield f"{path}:{node.lineno}: setattr on {first.id}, part of a dependency"
        if isinstance(node, ast.ClassDef):
            bases = [b for b in node.bases if isinstance(b, ast.Name | ast.Attribute)]
            classes = [resolve(ast.unparse(b), imported) for b in bases]
            for item in node.body:
                overrides = any(cls is not None and hasattr(cls, getattr(item, "name", "")) for cls in classes)
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and private(item.name) and overrides:
                    yield f"{path}:{item.lineno}: {node.name} overrides {item.name} of a dependency's class"


def sources() -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (REPO / folder).rglob("*.py"))


def test_no_module_patches_or_reads_a_dependency_s_internals() -> None:
    assert {folder: any(p.parts[len(REPO.parts)] == folder for p in sources()) for folder in FOLDERS} == dict.fromkeys(
        FOLDERS, True
    ), "a folder holds no module: the check would read nothing there"
    found = [v for path in sources() for v in violations(path)]
    assert found == []


@pytest.mark.parametrize(
    "code",
    [
        "from asyncssh import connection as _c\n_c.SSHConnection.send_packet = None\n",
        "from asyncssh.connection import _private\n",
        "import netmiko\nnetmiko.BaseConnection.send_command = None\n",
        "from netmiko import BaseConnection\nclass X(BaseConnection):\n    def _prompt_handler(self): ...\n",
        "import paramiko\nprint(paramiko.Transport._preferred_ciphers)\n",
        "import asyncssh\nsetattr(asyncssh, 'connect', None)\n",
    ],
)
def test_the_check_finds_each_kind_of_violation(code: str, tmp_path: Path) -> None:
    path = tmp_path / "example.py"
    path.write_text(code)
    assert list(violations(path))
