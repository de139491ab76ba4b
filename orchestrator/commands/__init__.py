"""CLI verbs, one module per verb family. Each module exposes `register(app)`."""

from __future__ import annotations

import importlib

import click

# Modules listed here are imported if present, so verbs land one issue at a time.
COMMAND_MODULES = (
    "orchestrator.commands.inventory",
    "orchestrator.commands.parse",
    "orchestrator.commands.discover",
    "orchestrator.commands.plan",
    "orchestrator.commands.apply",
    "orchestrator.commands.verify",
    "orchestrator.commands.satellite",
    "orchestrator.commands.demo",
)


def register_all(app: click.Group) -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(app)
