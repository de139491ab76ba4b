"""What the satellite's API answers, and how its failures are named: the models and errors of
`orchestrator.satellite_client`, without the HTTP stack (httpx loads only when a client is made)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fleetreg.core.errors import FleetregError
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel


class SatelliteError(FleetregError):
    """The satellite API could not answer what fleetreg asked. One line, never a secret."""


class SatelliteAuthError(SatelliteError):
    """Bad client credentials, or a bearer refused even after a fresh one."""


class SatelliteTlsError(SatelliteError):
    """The satellite's certificate did not verify (or the CA file is unusable)."""


class SatelliteNotFoundError(SatelliteError):
    """Unknown account or virtual account (HTTP 404)."""


class SatelliteUnreachableError(SatelliteError):
    """No TCP/TLS connection, or no answer within the timeout."""


# --- response models -------------------------------------------------------------------------


class _ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)


class BearerToken(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    access_token: str = Field(repr=False, min_length=1)
    token_type: str = "bearer"
    expires_in: float = Field(gt=0)


class VirtualAccountInfo(_ApiModel):
    name: str
    description: str = ""
    is_default: bool = False
    cslu_tenant: str | None = None  # SSM On-Prem: the tenant of its CSLU URL (`/cslu/v1/pi/<tenant>`)


class RegistrationToken(_ApiModel):
    """A registration (id) token of a virtual account. `token` is a secret: hidden from repr."""

    token: str = Field(repr=False, min_length=1)
    description: str = ""
    expiration_date: dt.datetime
    export_controlled: bool = False
    max_uses: int | None = None
    uses: int = 0
    status: str = "ACTIVE"

    @field_validator("export_controlled", mode="before")
    @classmethod
    def _allowed(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip().lower() == "allowed"
        return value

    @property
    def uses_left(self) -> int | None:
        return None if self.max_uses is None else max(self.max_uses - self.uses, 0)


class ProductInstanceInfo(_ApiModel):
    hostname: str
    pid: str
    serial_number: str
    virtual_account: str
    registration_type: str = ""
    last_contact: dt.datetime | None = None
    license: str = ""
    license_authorized: bool = True


class LicenseUsage(_ApiModel):
    virtual_account: str
    license: str
    quantity: int
    in_use: int
    available: int
    status: str = ""
