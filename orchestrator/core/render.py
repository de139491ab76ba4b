"""Jinja2 rendering of device config snippets and reports. Pure given the templates.

Templates are the user's to edit: a `templates/` folder in the project (the current
directory, or `--project`) overrides the bundled one file by file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from fleetreg.core.errors import InputError
from fleetreg.templates import BUNDLED_DIR as BUNDLED_TEMPLATES
from jinja2.sandbox import SandboxedEnvironment


def template_dirs(project_dir: Path | None = None) -> tuple[Path, ...]:
    dirs = []
    if project_dir is not None and (project_dir / "templates").is_dir():
        dirs.append((project_dir / "templates").resolve())
    if BUNDLED_TEMPLATES.is_dir() and BUNDLED_TEMPLATES not in dirs:
        dirs.append(BUNDLED_TEMPLATES)
    return tuple(dirs)


@lru_cache(maxsize=8)
def environment(dirs: tuple[Path, ...], autoescape: bool = False) -> SandboxedEnvironment:
    # Sandboxed: templates are the user's to edit, and a template must not reach Python's internals.
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def render(name: str, *, project_dir: Path | None = None, autoescape: bool = False, **context: Any) -> str:
    env = environment(template_dirs(project_dir), autoescape)
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateNotFound:
        raise InputError("template not found", file=f"templates/{name}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(f"template syntax error: {exc.message}", file=exc.filename or name, line=exc.lineno) from None
    except jinja2.exceptions.SecurityError as exc:
        raise InputError(f"template does something the sandbox refuses: {exc}", file=f"templates/{name}") from None
    except jinja2.UndefinedError as exc:
        raise InputError(f"template uses an undefined value: {exc.message}", file=f"templates/{name}") from None
