"""The emulated satellite's TLS identity (a lab CA and the server certificate it signed) and the
CA certificates a switch's trustpoints hold, with fingerprints in the format IOS prints them.

IOS prints a certificate fingerprint as upper-case hex in groups of 8 digits separated by one
space, e.g. `Fingerprint MD5: 7C96FE82 21406DC1 91ADDEB0 C8948B44` (MD5 and SHA1 over the DER).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
from dataclasses import dataclass, field
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SATELLITE_CA_NAME = "FleetReg Lab Satellite CA"
DEFAULT_SATELLITE_HOST = "ssm-onprem.fleetreg.test"
SATELLITE_IP = "127.0.0.1"
FLEETREG_TRUSTPOINT = "FLEETREG-SSM"  # the trustpoint fleetreg installs the satellite CA into
CERT_DAYS = 825

_PEM_BEGIN = "-----BEGIN CERTIFICATE-----"
_PEM_END = "-----END CERTIFICATE-----"


def ios_fingerprint(digest: bytes) -> str:
    """b'\\x7c\\x96...' -> '7C96FE82 21406DC1 ...' (no trailing space)."""
    text = digest.hex().upper()
    return " ".join(text[i : i + 8] for i in range(0, len(text), 8))


def _ios_name(name: x509.Name) -> list[str]:
    """Distinguished name lines as `show crypto pki certificates` prints them: 'cn=...', 'o=...'."""
    short = {NameOID.COMMON_NAME: "cn", NameOID.ORGANIZATION_NAME: "o", NameOID.COUNTRY_NAME: "c"}
    return [f"{short.get(attr.oid, attr.oid.dotted_string)}={attr.value!s}" for attr in reversed(list(name))]


class CertificateFormatError(ValueError):
    """Pasted text that is not one base64 X.509 certificate."""


@dataclass(frozen=True)
class CaCertificate:
    """A CA certificate as a trustpoint stores it (from `crypto pki authenticate`)."""

    der: bytes
    serial_hex: str  # upper-case, as in `certificate ca 4A3B...`
    subject: tuple[str, ...]
    issuer: tuple[str, ...]
    not_before: dt.datetime
    not_after: dt.datetime
    public_key_bits: int

    @classmethod
    def from_pem(cls, text: str) -> CaCertificate:
        """Parse pasted lines; a certificate without the PEM armour is accepted (IOS takes bare base64)."""
        body = text.strip()
        if _PEM_BEGIN not in body:
            body = f"{_PEM_BEGIN}\n{body}\n{_PEM_END}"
        try:
            cert = x509.load_pem_x509_certificate(body.encode("ascii", errors="replace"))
        except ValueError as exc:
            raise CertificateFormatError(str(exc)) from None
        key = cert.public_key()
        bits = getattr(key, "key_size", 0)
        return cls(
            der=cert.public_bytes(serialization.Encoding.DER),
            serial_hex=f"{cert.serial_number:X}",
            subject=tuple(_ios_name(cert.subject)),
            issuer=tuple(_ios_name(cert.issuer)),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            public_key_bits=int(bits),
        )

    @property
    def md5(self) -> str:
        return ios_fingerprint(hashlib.md5(self.der, usedforsecurity=False).digest())

    @property
    def sha1(self) -> str:
        return ios_fingerprint(hashlib.sha1(self.der, usedforsecurity=False).digest())

    def hex_lines(self) -> list[str]:
        """The DER as the running config shows it: 8 groups of 4 bytes per line, upper case."""
        words = [self.der[i : i + 4].hex().upper() for i in range(0, len(self.der), 4)]
        return [" ".join(words[i : i + 8]) for i in range(0, len(words), 8)]


@dataclass(frozen=True)
class SatellitePki:
    """The satellite's CA and server certificate. `server_names` are the DNS name and IP address in
    the server certificate's subjectAltName: a URL whose host is one of them passes the identity check."""

    ca_pem: str
    server_cert_pem: str
    server_key_pem: str = field(repr=False)
    server_names: tuple[str, ...] = ()

    @classmethod
    def generate(cls, host: str = DEFAULT_SATELLITE_HOST, *, ip: str = SATELLITE_IP) -> SatellitePki:
        now = dt.datetime.now(dt.UTC)
        ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ca_name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "FleetReg Lab"),
                x509.NameAttribute(NameOID.COMMON_NAME, SATELLITE_CA_NAME),
            ]
        )
        ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=CERT_DAYS * 2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(ca_ski, critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        server_cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=CERT_DAYS))
            .add_extension(
                x509.SubjectAlternativeName([x509.DNSName(host), x509.IPAddress(ipaddress.ip_address(ip))]),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        return cls(
            ca_pem=ca_cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
            server_cert_pem=server_cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
            server_key_pem=key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode("ascii"),
            server_names=(host.lower(), ip),
        )

    @staticmethod
    @cache
    def for_host(host: str = DEFAULT_SATELLITE_HOST) -> SatellitePki:
        """One PKI per satellite host name per process: RSA key generation costs ~0.3 s, and every
        emulated fleet needs one (tests build many). Use `generate` for a distinct (wrong) CA."""
        return SatellitePki.generate(host)

    @property
    def ca(self) -> CaCertificate:
        return CaCertificate.from_pem(self.ca_pem)

    @property
    def ca_fingerprint_md5(self) -> str:
        return self.ca.md5

    @property
    def ca_fingerprint_sha1(self) -> str:
        return self.ca.sha1

    def names_host(self, host: str) -> bool:
        """True when `host` (from a URL) is on the server certificate (DNS or IP subjectAltName)."""
        return host.lower().strip("[]") in self.server_names
