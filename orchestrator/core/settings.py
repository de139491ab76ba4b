"""Typed migration settings, read from Nornir inventory data under the key `fleetreg`.

Precedence is field by field: defaults < groups (in the host's group order, the first group
wins, as in Nornir) < host. Secrets are never values here: `token_ref` names where the
registration token lives (`env:VAR` or `secrets:KEY`)."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

from fleetreg.core.cli_text import check_https_url, check_interface, check_ios_name, check_tenant, check_text
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

SETTINGS_KEY = "fleetreg"
# env: only FLEETREG_ variables, so an inventory cannot make fleetreg type another secret of its environment
TOKEN_REF_RE = re.compile(r"^(env:FLEETREG_[A-Za-z0-9_]+|secrets:[A-Za-z0-9_.-]+)$")

Transport = Literal["auto", "callhome", "cslu"]
IdentityCheck = Literal["verify", "disable"]


class TrustpointSettings(BaseModel):
    """How the satellite's TLS certificate is trusted.

    mode `ca-file`: install the satellite's CA (PEM at `ca_file`) into trustpoint `name` with
    `crypto pki authenticate` (needed for identity check `verify`);
    `revocation-check-none`: only set `revocation-check none` on `name` (the common recipe);
    `keep`: touch no trustpoint."""

    model_config = ConfigDict(extra="forbid")

    name: str = "SLA-TrustPoint"
    mode: Literal["ca-file", "revocation-check-none", "keep"] = "revocation-check-none"
    ca_file: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_ios_name(value, "trustpoint.name")

    @field_validator("ca_file")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value)

    @model_validator(mode="after")
    def _ca_file_needed(self) -> TrustpointSettings:
        if self.mode == "ca-file" and not self.ca_file:
            raise ValueError("trustpoint mode 'ca-file' needs trustpoint.ca_file (path to a PEM file)")
        return self


class SatelliteApiSettings(BaseModel):
    """The satellite's API (SSM On-Prem API toolkit), optional. Client id and secret are
    references (`env:VAR` / `secrets:KEY`), never values. `token_source: api` takes the
    registration token per virtual account from the API (reused or created at apply time)
    instead of `token_ref`."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = Field(description="e.g. https://ssm-onprem.example.net:8443")
    account: str = Field(min_length=1, description="the satellite's local account")
    client_id_ref: str
    client_secret_ref: str
    ca_file: str | None = Field(default=None, description="PEM CA bundle that signed the satellite's certificate")
    token_source: Literal["env", "api"] = "env"
    verify_tls: bool = True
    timeout_s: float = Field(default=15, gt=0, le=300)
    retries: int = Field(default=4, ge=0, le=10)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return check_https_url(value, what="satellite API URL", example="https://host[:port]").rstrip("/")

    @field_validator("account", "ca_file")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value)

    @field_validator("client_id_ref", "client_secret_ref")
    @classmethod
    def _secret_ref(cls, value: str) -> str:
        if not TOKEN_REF_RE.match(value):
            raise ValueError(
                "must name where the value lives, 'env:FLEETREG_NAME' or 'secrets:KEY' (never the value itself)"
            )
        return value


class MigrationSettings(BaseModel):
    """Everything fleetreg needs to migrate one switch, after inheritance is resolved."""

    model_config = ConfigDict(extra="forbid")

    satellite_url: str = Field(
        description="call-home destination, e.g. https://ssm.example.net/Transportgateway/services/DeviceRequestHandler"
    )
    cslu_tenant: str | None = Field(default=None, description="SSM On-Prem tenant id for SLP (`/cslu/v1/pi/<tenant>`)")
    virtual_account: str
    token_ref: str | None = None
    # a CSSM token of the switch's former cloud virtual account: used only to register a switch
    # back to the cloud when its migration failed after it left the cloud
    cloud_token_ref: str | None = None
    callhome_profile: str = "SSM-OnPrem"
    transport: Transport = "auto"
    source_interface: str | None = None
    vrf: str | None = None
    server_identity_check: IdentityCheck = "verify"
    trustpoint: TrustpointSettings = Field(default_factory=TrustpointSettings)
    allow_force: bool = False
    register_timeout_s: float = Field(default=900, gt=0, le=86400)
    poll_interval_s: float = Field(default=10, gt=0, le=3600)
    # SLP: how long apply waits for the usage report's ACK before the switch ends pending-ack, and
    # how long after the change verify still calls a missing ACK pending rather than overdue
    ack_wait_s: float = Field(default=180, gt=0, le=86400)
    ack_overdue_s: float = Field(default=86400, gt=0, le=30 * 86400)
    # plan-time pre-check: a switch whose clock is further than this from fleetreg's is blocked
    max_clock_skew_s: float = Field(default=300, gt=0, le=86400)
    canary: bool = False
    wave: int | None = Field(default=None, ge=0, le=10000, description="this switch's wave (0: the canary wave)")
    satellite_api: SatelliteApiSettings | None = None

    @field_validator("satellite_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_https_url(value, what="satellite URL", example="https://host[:port]/path")

    @field_validator("callhome_profile", "vrf")
    @classmethod
    def _ios_name(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else check_ios_name(value, str(info.field_name))

    @field_validator("cslu_tenant")
    @classmethod
    def _tenant(cls, value: str | None) -> str | None:
        return None if value is None else check_tenant(value)

    @field_validator("virtual_account")
    @classmethod
    def _virtual_account(cls, value: str) -> str:
        return check_text(value)

    @field_validator("token_ref", "cloud_token_ref")
    @classmethod
    def _token_ref(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and not TOKEN_REF_RE.match(value):
            raise ValueError(
                f"{info.field_name} must name where the token lives, 'env:FLEETREG_NAME' or 'secrets:KEY' "
                "(never the token itself)"
            )
        return value

    @field_validator("source_interface")
    @classmethod
    def _interface(cls, value: str | None) -> str | None:
        return None if value is None else check_interface(value)

    @model_validator(mode="after")
    def _one_wave(self) -> MigrationSettings:
        if self.canary and self.wave not in (None, 0):
            raise ValueError(f"canary: true puts a switch in the canary wave (0); wave: {self.wave} contradicts it")
        return self

    @property
    def uses_api_tokens(self) -> bool:
        """Registration tokens come from the satellite's API instead of token_ref."""
        return self.satellite_api is not None and self.satellite_api.token_source == "api"

    @property
    def satellite_host(self) -> str:
        return urlsplit(self.satellite_url).hostname or ""

    @property
    def cslu_url(self) -> str | None:
        """The satellite's SLP endpoint: https://<host>[:port]/cslu/v1/pi/<tenant>."""
        if not self.cslu_tenant:
            return None
        parts = urlsplit(self.satellite_url)
        return f"{parts.scheme}://{parts.netloc}/cslu/v1/pi/{self.cslu_tenant}"


def token_ref_scheme(token_ref: str) -> str | None:
    """The `scheme` of `scheme:rest` when it looks like one (short, lowercase), else None.

    Used to name an unknown scheme without ever echoing what may be a pasted token."""
    scheme, sep, _ = token_ref.partition(":")
    if sep and 1 <= len(scheme) <= 16 and scheme.isascii() and scheme.isalpha() and scheme.islower():
        return scheme
    return None


def merge_layers(*layers: dict | None) -> dict:
    """Merge settings dicts, later layers winning field by field (one level deep for `trustpoint`
    and `satellite_api`)."""
    merged: dict = {}
    for layer in layers:
        for key, value in (layer or {}).items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged
