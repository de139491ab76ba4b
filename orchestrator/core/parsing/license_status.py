"""`show license status` / `show license all` rows -> LicenseStatus."""

from __future__ import annotations

from fleetreg.core.errors import ParseError
from fleetreg.core.parsing.models import LicenseStatus, RegistrationAttempt
from fleetreg.core.parsing.rows import Row, items, text

_EVAL_AUTHORIZATION = "EVAL MODE"


def license_status_from_row(row: Row) -> LicenseStatus:
    slp = bool(text(row, "SLP_SECTION"))
    authorization_status = text(row, "AUTH_STATUS")
    registration_status = text(row, "REG_STATUS")
    return LicenseStatus(
        mode="slp" if slp else "classic",
        enabled=_enabled(text(row, "SLP_STATUS") if slp else text(row, "SL_ENABLED")),
        registration_status=registration_status,
        smart_account=text(row, "SMART_ACCOUNT"),
        smart_account_as_of=text(row, "SMART_ACCOUNT_AS_OF"),
        virtual_account=text(row, "VIRTUAL_ACCOUNT"),
        export_controlled=text(row, "EXPORT_CONTROLLED"),
        authorization_status=authorization_status,
        authorization_time=text(row, "AUTH_TIME"),
        initial_registration=_initial_registration(row),
        last_renewal_attempt=text(row, "LAST_RENEWAL"),
        next_renewal_attempt=text(row, "NEXT_RENEWAL"),
        next_registration_attempt=text(row, "NEXT_REGISTRATION"),
        registration_expires=text(row, "REG_EXPIRES"),
        failure_reason=text(row, "REG_FAILURE_REASON") or text(row, "AUTH_FAILURE_REASON"),
        last_communication_attempt=text(row, "LAST_COMM"),
        next_communication_attempt=text(row, "NEXT_COMM"),
        communication_deadline=text(row, "COMM_DEADLINE"),
        evaluation_period_remaining=text(row, "EVAL_REMAINING"),
        transport_type=text(row, "TRANSPORT_TYPE"),
        transport_url=_transport_url(row),
        last_ack_received=text(row, "LAST_ACK"),
        next_ack_deadline=text(row, "NEXT_ACK"),
        trust_code_installed=_trust_code(row),
        evaluation_mode=_evaluation_mode(authorization_status, registration_status),
        policy_name=text(row, "POLICY_NAME"),
        reporting_mode=text(row, "REPORTING_MODE"),
    )


def has_status_block(row: Row) -> bool:
    """True when the output carried any of the lines that say what the licensing state is."""
    return any(text(row, key) for key in ("SL_ENABLED", "SLP_SECTION", "REG_STATUS", "AUTH_STATUS"))


def parse_license_status_rows(rows: list[dict[str, str | list[str]]], command: str, first: str | None) -> LicenseStatus:
    if len(rows) != 1 or not has_status_block(rows[0]):
        raise ParseError("no Smart Licensing status block found", command=command, unexpected_line=first)
    return license_status_from_row(rows[0])


def _transport_url(row: Row) -> str | None:
    """As printed; "" when IOS printed the line with nothing after it (None: no such line)."""
    url = text(row, "TRANSPORT_URL")
    if url is None and text(row, "EMPTY_TRANSPORT_URL"):
        return ""
    return url


def _enabled(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.upper() == "ENABLED"


def _initial_registration(row: Row) -> RegistrationAttempt | None:
    result = text(row, "INITIAL_REG_RESULT")
    if result is None:
        return None
    return RegistrationAttempt(result=result, time=text(row, "INITIAL_REG_TIME"))


def _trust_code(row: Row) -> str | None:
    single = text(row, "TRUST_CODE")
    if single is not None:
        return single
    units = items(row, "TRUST_CODE_UNIT")
    statuses = items(row, "TRUST_CODE_UNIT_STATUS")
    if not units:
        return None
    # Stack form: "Active: PID:..,SN:.." followed by an indented "INSTALLED on ..." line.
    joined = [" ".join(part for part in (unit, status) if part) for unit, status in _pad(units, statuses)]
    return "; ".join(joined)


def _pad(units: list[str], statuses: list[str]) -> list[tuple[str, str]]:
    return [(unit, statuses[i] if i < len(statuses) else "") for i, unit in enumerate(units)]


def _evaluation_mode(authorization_status: str | None, registration_status: str | None) -> bool:
    if authorization_status is not None and authorization_status.upper() == _EVAL_AUTHORIZATION:
        return True
    return registration_status is not None and "EVAL MODE" in registration_status.upper()
