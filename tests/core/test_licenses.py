"""Pure license decisions: is a registration token usable, judged from the satellite's list."""

from __future__ import annotations

import datetime as dt

from fleetreg.core.licenses import token_problem_on_satellite
from fleetreg.core.satellite_models import RegistrationToken

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


def token(
    value: str, *, days: float = 30, uses: int = 0, max_uses: int | None = 10, status: str = "ACTIVE"
) -> RegistrationToken:
    return RegistrationToken.model_validate(
        {"token": value, "expirationDate": (NOW + dt.timedelta(days=days)).isoformat(), "uses": uses,
         "maxUses": max_uses, "status": status}
    )  # fmt: skip


def test_a_listed_valid_token_with_uses_left_is_usable() -> None:
    assert token_problem_on_satellite("t1", "VA", [token("t0"), token("t1")], now=NOW, needed_uses=10) is None


def test_every_reason_a_token_cannot_register_is_named() -> None:
    def problem(listed: list[RegistrationToken], needed: int = 1) -> str | None:
        return token_problem_on_satellite("t1", "Corporate", listed, now=NOW, needed_uses=needed)

    assert problem([token("t0")]) == "is not a token of virtual account 'Corporate' on the satellite"
    assert problem([token("t1", status="EXPIRED")]) == "is expired on the satellite"
    assert problem([token("t1", status="REVOKED")]) == "is revoked on the satellite"
    assert (problem([token("t1", days=-1)]) or "").startswith("expired on 2026-12-02")
    assert problem([token("t1", uses=8)], needed=3) == "has 2 use(s) left, 3 switch(es) to register"
    assert problem([token("t1", uses=8, max_uses=None)], needed=3) is None  # unlimited
