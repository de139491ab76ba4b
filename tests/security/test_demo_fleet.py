"""A whole demo migration with recognisable secrets: none of them may reach any file fleetreg
writes (run folders, SQLite journal and its WAL, session logs, backups, reports, known_hosts)
nor anything it prints."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fleet_runs import files_containing, run_cli

pytestmark = pytest.mark.integration

PASSWORD = "Pw-ZEBRA-7731-quartz"
ENABLE = "En-OKAPI-4419-basalt"
API_SECRET = "Api-NARWHAL-2208-marble"
EXPIRED = "Tok-IBEX-9902-granite-expired"  # forces the API to mint fresh tokens (their values checked too)
DEMO_SPEC = Path(__file__).resolve().parents[2] / "mock_devices" / "specs" / "demo.yaml"


def test_demo_migration_leaks_no_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = yaml.safe_load(DEMO_SPEC.read_text())
    spec.update(count=12, register_seconds=[0.3, 0.8])
    spec["switches"] = [s for s in spec["switches"] if s["index"] < 12]
    spec["faults"] = [f for f in spec["faults"] if all(int(n[-3:]) <= 12 for n in f["switches"])]
    spec["credentials"] = {"username": "netops", "password": PASSWORD, "enable_secret": ENABLE}
    spec["satellite"] = {
        "api": {"client_secret": API_SECRET},
        "virtual_accounts": [
            {"name": "Corporate Network Devices", "tokens": [{"value": EXPIRED + "-c", "expires_in_days": -1}]},
            {"name": "Public Network Devices", "tokens": [{"value": EXPIRED + "-p", "expires_in_days": -1}]},
        ],
    }
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(yaml.safe_dump(spec))
    runs = tmp_path / "runs"
    from mock_devices import testing

    minted: list[str] = []
    original_stop = testing.MockFleet.stop

    def stop_and_collect(self: testing.MockFleet) -> None:  # the tokens the API minted during the run
        minted.extend(t.value for t in self.fleet.satellite.tokens)
        original_stop(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(testing.MockFleet, "stop", stop_and_collect)
        assert run_cli("demo", "--spec", str(spec_file), "--runs-dir", str(runs), "--workers", "12") == 0
    printed = capsys.readouterr()

    secrets = [PASSWORD, ENABLE, API_SECRET, *minted]
    assert len(minted) >= 4  # 2 expired + at least one minted per virtual account
    assert list(runs.rglob("session-logs/*.log")), "the demo should have written session logs"
    assert files_containing(runs, secrets) == []
    leaked = [s[:6] for s in secrets if s in printed.out or s in printed.err]
    assert leaked == []
    assert "migrated" in printed.out
