"""`show license summary` rows -> LicenseSummary."""

from __future__ import annotations

from fleetreg.core.errors import ParseError
from fleetreg.core.parsing.license_status import has_status_block, license_status_from_row
from fleetreg.core.parsing.models import LicenseSummary, LicenseUsage
from fleetreg.core.parsing.rows import Row, text


def parse_license_summary_rows(
    rows: list[dict[str, str | list[str]]], command: str, first: str | None
) -> LicenseSummary:
    if not rows or not (
        text(rows[0], "USAGE_SECTION") or text(rows[0], "ACCOUNT_SECTION") or has_status_block(rows[0])
    ):
        raise ParseError("no license summary found", command=command, unexpected_line=first)
    head = rows[0]
    classic = has_status_block(head)
    return LicenseSummary(
        status=license_status_from_row(head) if classic else None,
        smart_account=text(head, "SMART_ACCOUNT"),
        virtual_account=text(head, "VIRTUAL_ACCOUNT"),
        licenses=[_usage(row) for row in rows if text(row, "COUNT") is not None],
    )


def _usage(row: Row) -> LicenseUsage:
    return LicenseUsage(
        license=text(row, "LICENSE") or "",
        entitlement_tag=text(row, "ENTITLEMENT_TAG") or "",
        count=int(text(row, "COUNT") or 0),
        status=text(row, "LICENSE_STATUS") or "",
    )
