"""Package data: the Jinja2 templates (config/, reports/) and the TextFSM templates with their
clitable index (textfsm/). Installed with the package; a project's own `templates/` folder
overrides them file by file (fleetreg.core.render)."""

from pathlib import Path

BUNDLED_DIR = Path(__file__).resolve().parent
