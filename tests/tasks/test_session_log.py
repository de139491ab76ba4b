"""MaskedLog: secrets never reach the file, even when a read splits them."""

from __future__ import annotations

from pathlib import Path

import pytest
from fleetreg.tasks.session_log import MAX_PENDING, MaskedLog, SessionLogSpec, unlogged, unlogged_note

TOKEN = "ZmxlZXRyZWctdG9rZW4tMTIzNDU2Nzg5MA%3D%3D"


def test_a_secret_split_over_two_reads_is_masked(tmp_path: Path) -> None:
    path = tmp_path / "sw1.log"
    log = MaskedLog(SessionLogSpec(path, (TOKEN, "pa55")))
    log.write(f"sw1#license smart register idtoken {TOKEN[:10]}")
    log.write(f"{TOKEN[10:]}\r\nRegistration process is in progress\r\nsw1#")
    log.write("show run | include pa5")
    log.write("5\r\n")
    log.close()
    text = path.read_bytes().decode()
    assert TOKEN not in text and "pa55" not in text
    assert "idtoken ********\r\nRegistration process is in progress\r\nsw1#show run | include ********" in text


def test_the_unfinished_last_line_is_written_at_close_and_long_lines_do_not_wait(tmp_path: Path) -> None:
    path = tmp_path / "sw1.log"
    log = MaskedLog(SessionLogSpec(path, ("s3cret",)))
    log.write("x" * (MAX_PENDING + 10))
    log.write("sw1#")
    log.close()
    assert path.read_bytes().decode() == "x" * (MAX_PENDING + 10) + "sw1#"
    log.close()  # twice is harmless


def test_complete_lines_reach_the_file_at_once(tmp_path: Path) -> None:
    path = tmp_path / "sw1.log"
    log = MaskedLog(SessionLogSpec(path, ("s3cret",)))
    log.write("sw1#show version\r\nCisco IOS XE Software\r\nsw1#")
    assert path.read_bytes().decode() == "sw1#show version\r\nCisco IOS XE Software\r\n"  # before close
    log.close()


def test_held_output_is_replaced_by_what_release_writes(tmp_path: Path) -> None:
    path = tmp_path / "sw1.log"
    log = MaskedLog(SessionLogSpec(path, ()))
    log.write("sw1#")
    log.hold()
    log.write("show running-config\r\nenable secret 9 $9$abc\r\nsw1#")
    log.release("show running-config\r\n" + unlogged_note("show running-config", 1) + "sw1#")
    log.close()
    assert path.read_bytes().decode() == (
        "sw1#show running-config\r\n[show running-config: 1 lines of output not logged; "
        "--keep-configs keeps a masked copy in the run folder]\nsw1#"
    )


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("show running-config", True),
        ("sh run", True),
        ("show run | section call-home", True),
        ("show startup-config", True),
        ("show tech-support", True),
        ("more system:running-config", True),
        ("show license status", False),
        ("show version", False),
        ("show crypto pki certificates verbose SSM", False),
    ],
)
def test_which_commands_are_kept_out_of_session_logs(command: str, expected: bool) -> None:
    assert unlogged(command) is expected
