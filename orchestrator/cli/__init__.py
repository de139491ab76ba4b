"""CLI verbs, one module per verb family. Each module exposes `register(app)`."""

from __future__ import annotations

import importlib

import click

# Modules listed here are imported if present, so verbs land one issue at a time.
COMMAND_MODULES = (
    "fleetreg.cli.inventory",
    "fleetreg.cli.parse",
    "fleetreg.cli.discover",
    "fleetreg.cli.plan",
    "fleetreg.cli.apply",
    "fleetreg.cli.verify",
    "fleetreg.cli.satellite",
    "fleetreg.cli.demo",
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
