"""The pace of a change window: how long to soak between waves, when the window ends, and
whether a wave still fits before it. Pure: the clock is passed in."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from fleetreg.core.errors import InputError

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(h|m|s)", re.IGNORECASE)
_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0}


def parse_duration(text: str, *, option: str = "--soak") -> float:
    """'90' or '90s', '10m', '1h30m', '1.5h' -> seconds."""
    value = text.strip().replace(" ", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    parts = _DURATION.findall(value)
    if not value or "".join(f"{n}{u}" for n, u in parts).lower() != value.lower():
        raise InputError(f"not a duration: {text!r} (examples: 90s, 10m, 1h30m)", field=option)
    return sum(float(number) * _SECONDS[unit.lower()] for number, unit in parts)


def parse_window_end(text: str, now: datetime) -> datetime:
    """`HH:MM` (local time: the next time the clock shows it, today or tomorrow) or an ISO date
    and time (without a zone: local time). `now` is aware (local zone); so is the result."""
    value = text.strip()
    zone = now.tzinfo
    if re.fullmatch(r"\d{1,2}:\d{2}", value):
        hours, minutes = (int(part) for part in value.split(":"))
        if hours > 23 or minutes > 59:
            raise InputError(f"not a time of day: {text!r} (HH:MM, 00:00 to 23:59)", field="--window-end")
        end = datetime.combine(now.date(), time(hours, minutes), tzinfo=zone)
        return end if end > now else end + timedelta(days=1)
    try:
        end = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"not a time: {text!r} (HH:MM local time, or ISO like 2026-03-01T06:00 or 2026-03-01T05:00+00:00)",
            field="--window-end",
        ) from None
    end = end.replace(tzinfo=zone) if end.tzinfo is None else end
    if end <= now:
        raise InputError(f"the window end {end.isoformat(timespec='minutes')} has passed", field="--window-end")
    return end


def wave_fits(now: float, estimate_s: float, window_end: float | None) -> bool:
    """Whether a wave started now, taking `estimate_s`, ends before the window does."""
    return window_end is None or now + estimate_s <= window_end
