"""The satellite CA certificate fleetreg installs into a trustpoint: its fingerprints, in the format a
switch prints them during `crypto pki authenticate`, and the lines to paste. Pure (no file I/O)."""

from __future__ import annotations

import functools
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fleetreg.core.errors import InputError

PEM_BEGIN = "-----BEGIN CERTIFICATE-----"
PEM_END = "-----END CERTIFICATE-----"


def _ios_hex(digest: bytes) -> str:
    """Upper-case hex in groups of 8 digits: '7C96FE82 21406DC1 91ADDEB0 C8948B44'."""
    text = digest.hex().upper()
    return " ".join(text[i : i + 8] for i in range(0, len(text), 8))


def first_certificate_pem(pem: str) -> str:
    """The first PEM certificate block of `pem` (a CA file may hold a bundle); InputError if none."""
    start = pem.find(PEM_BEGIN)
    end = pem.find(PEM_END, start + 1)
    if start < 0 or end < 0:
        raise InputError("no PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----) found")
    return pem[start : end + len(PEM_END)] + "\n"


def _der(pem: str) -> bytes:
    block = first_certificate_pem(pem)
    try:
        certificate = x509.load_pem_x509_certificate(block.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise InputError(f"not a valid PEM certificate: {exc}") from None
    return certificate.public_bytes(serialization.Encoding.DER)


@functools.lru_cache(maxsize=16)  # every switch's install_ca checks the same file
def ca_fingerprints(pem: str) -> tuple[str, str]:
    """(MD5, SHA1) of the first certificate in `pem`, as IOS prints them, e.g.
    ('7C96FE82 21406DC1 91ADDEB0 C8948B44', '89D35AB9 D3F6BE58 0BD257AD 91BF0BBB C3036CA3')."""
    der = _der(pem)
    md5 = hashlib.md5(der, usedforsecurity=False).digest()
    sha1 = hashlib.sha1(der, usedforsecurity=False).digest()
    return _ios_hex(md5), _ios_hex(sha1)


def normalize_fingerprint(text: str) -> str:
    """'89d35ab9 d3f6be58 ...' / '89:D3:5A...' -> '89D35AB9D3F6BE58...' for comparisons."""
    return "".join(ch for ch in text.upper() if ch in "0123456789ABCDEF")


def paste_lines(pem: str) -> list[str]:
    """The lines to paste after `crypto pki authenticate` (the first certificate, no blank lines:
    a blank line ends the paste on IOS)."""
    return [line.strip() for line in first_certificate_pem(pem).splitlines() if line.strip()]
