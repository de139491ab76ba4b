"""MaskedLog: secrets never reach the file, even when a read splits them."""

from __future__ import annotations

from pathlib import Path

from tasks.session_log import MAX_PENDING, MaskedLog, SessionLogSpec

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
