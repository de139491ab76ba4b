"""The emulator stands alone: it imports nothing of the product it tests (fleetreg's modules in
`orchestrator` and `tasks`), so a test against it cannot pass because both share a bug."""

from __future__ import annotations

import subprocess
import sys

MOCK_MODULES = [
    "mock_devices.testing",
    "mock_devices.fleet",
    "mock_devices.server",
    "mock_devices.satellite_api",
    "mock_devices.satellite_tls",
    "mock_devices.inventory_out",
    "mock_devices.__main__",
]


def test_importing_the_mock_loads_no_product_module() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {MOCK_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('fleetreg', 'fleetreg.tasks')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
