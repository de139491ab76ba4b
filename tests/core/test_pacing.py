"""--soak, --window-end and the wave estimates they are weighed with (issue 18, item 1). Pure."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fleetreg.core.errors import InputError
from fleetreg.core.pacing import parse_duration, parse_window_end, wave_fits
from fleetreg.core.wave_timing import DEFAULT_STEP_SECONDS, step_times, wave_seconds
from host_plans import host_plan

CET = timezone(timedelta(hours=1))
NOW = datetime(2026, 3, 1, 22, 30, tzinfo=CET)


@pytest.mark.parametrize(("text", "seconds"), [("90", 90), ("90s", 90), ("10m", 600), ("1h30m", 5400), ("1.5h", 5400)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "ten minutes", "10x", "m10", "-5m"])
def test_bad_durations_name_the_option(text: str) -> None:
    with pytest.raises(InputError, match="not a duration") as caught:
        parse_duration(text)
    assert caught.value.field == "--soak"


def test_a_time_of_day_is_its_next_occurrence_in_local_time() -> None:
    assert parse_window_end("23:45", NOW) == datetime(2026, 3, 1, 23, 45, tzinfo=CET)
    assert parse_window_end("06:00", NOW) == datetime(2026, 3, 2, 6, 0, tzinfo=CET)  # after midnight


def test_an_iso_time_is_local_unless_it_says_otherwise() -> None:
    assert parse_window_end("2026-03-02T05:00", NOW) == datetime(2026, 3, 2, 5, 0, tzinfo=CET)
    assert parse_window_end("2026-03-02T05:00+00:00", NOW) == datetime(2026, 3, 2, 6, 0, tzinfo=CET)
    with pytest.raises(InputError, match="has passed"):
        parse_window_end("2026-03-01T20:00", NOW)
    with pytest.raises(InputError, match="HH:MM"):
        parse_window_end("25:00", NOW)
    with pytest.raises(InputError, match="not a time"):
        parse_window_end("tomorrow", NOW)


def test_a_wave_fits_only_if_it_ends_before_the_window() -> None:
    assert wave_fits(1000, 100, None)
    assert wave_fits(1000, 100, 1100)
    assert not wave_fits(1000, 101, 1100)


def test_a_wave_takes_its_longest_switch_or_its_shared_ssh_time_plus_the_longest_wait() -> None:
    measured = [("precheck", 1.0), ("configure", 2.0), ("wait_registered", 10.0)] * 3  # 3 samples each
    times = step_times(measured)
    callhome = [host_plan(f"sw{i}", "configure", "wait_registered") for i in range(10)]
    # 10 switches of 3 s SSH work on 2 workers: 15 s, then the 10 s wait of the last
    assert wave_seconds(callhome, times, workers=2)[0] == 25
    # on 100 workers the longest switch is the bound: 3 s of SSH, 10 s of waiting
    assert wave_seconds(callhome, times, workers=100)[0] == 13
    assert wave_seconds([], times, workers=5)[0] == 0


def test_measured_step_times_replace_the_defaults_later_ones_winning() -> None:
    times = step_times([("configure", 1.0), ("configure", 1.5), ("configure", 9.0), ("verify", 1.0)])
    assert times.seconds["configure"] == 1.5  # the median of 3 samples
    assert times.seconds["verify"] == DEFAULT_STEP_SECONDS["verify"]  # 1 sample: not enough
    assert times.seconds["wait_registered"] == DEFAULT_STEP_SECONDS["wait_registered"]
