"""Costs of asyncssh that fleetreg does without (asyncssh 2.x internals, each guarded).

1. An empty SSH_MSG_IGNORE before every encrypted packet.

asyncssh (2.x) sends it unconditionally. It is the CBC-era countermeasure against predictable
IVs (RFC 4251 section 9.3.1); with the AEAD and CTR ciphers fleetreg negotiates first it only
doubles the packets each side encrypts, sends, decrypts and parses. Measured with 200 sessions
on one loop against the mock: about 25 % of the CPU of a command round trip (bench/README.md).
IOS-XE and OpenSSH do not send these packets either, and sending fewer IGNOREs is always valid
SSH ("no implementation is required to send them", RFC 4253 section 11.2).

With a CBC cipher the packets are still sent. If asyncssh's internals change so that the
cipher cannot be read, nothing is skipped: the worst case is the old cost, never less safety.

2. A debug line formatted for every packet sent or received (its type name, its size in words)
before asyncssh's logger drops it: packets are only logged at asyncssh debug level 3. The
formatting is skipped below that level; `asyncssh.set_debug_level(3)` logs every packet as before.

3. A thread hop per connection: `asyncssh.connect` builds its options in the loop's default
executor, because building them can read files (OpenSSH config, keys, known_hosts, agent).
fleetreg's sessions name none of those, so inside `options_built_inline()` they are built on the
loop's own thread. Measured: 4.0 -> 3.4 ms of CPU per login and logout (100 at once, mock).

4. A new AES-GCM key object for every packet: asyncssh's GCM cipher builds `AESGCM(key)` (an
OpenSSL context) per packet sent or received. `KeptKeyGCMCipher` builds it once per key and
direction, with the same nonces (RFC 5647: fixed field + 64-bit invocation counter, per
packet) and the same results, tag failures included (tested against asyncssh's class). Measured
in a 1,000-switch migration: the GCM shim was 7 % of fleetreg's CPU.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from asyncssh import connection as _connection
from asyncssh import encryption as _encryption
from asyncssh import logging as _logging
from asyncssh import packet as _packet
from asyncssh.constants import MSG_IGNORE
from asyncssh.crypto import cipher as _cipher
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_INSTALLED = "_fleetreg_installed"


def install() -> None:
    """All four, once per process (idempotent). 1, 2 and 4 apply to every asyncssh connection,
    both sides; 3 only to client connections opened inside `options_built_inline()`."""
    skip_empty_ignore_packets()
    format_packet_logs_only_when_logged()
    build_client_options_inline_when_asked()
    keep_gcm_keys()


def _wrap_once(
    cls: type, name: str, wrap: Callable[[Any], Callable[..., Any]], *, as_classmethod: bool = False
) -> None:
    """Replace `cls.name` by `wrap(original)`, unless that was done before."""
    original = getattr(cls, name)
    if getattr(original, _INSTALLED, False):
        return
    replacement = wrap(original)
    setattr(replacement, _INSTALLED, True)
    setattr(cls, name, classmethod(replacement) if as_classmethod else replacement)


# -- 1. no empty IGNORE before each packet, except with CBC ------------------------------------
_EMPTY_STRING = b"\0\0\0\0"  # String(b""): the payload of the inserted IGNORE


def sends_cbc(conn: Any) -> bool:
    """Whether `conn` encrypts what it sends with a CBC cipher (unknown counts as CBC)."""
    try:
        cipher = conn._enc_alg_cs if conn.is_client() else conn._enc_alg_sc
    except AttributeError:
        return True
    return not isinstance(cipher, bytes) or b"-cbc" in cipher


def skip_empty_ignore_packets() -> None:
    def wrap(original: Any) -> Callable[..., None]:
        def send_packet(self: Any, pkttype: int, *args: bytes, handler: Any = None) -> None:
            if pkttype == MSG_IGNORE and args == (_EMPTY_STRING,) and not sends_cbc(self):
                return
            original(self, pkttype, *args, handler=handler)

        return send_packet

    _wrap_once(_connection.SSHConnection, "send_packet", wrap)


# -- 2. packet log lines formatted only when logged --------------------------------------------
PACKET_DEBUG_LEVEL = 3  # asyncssh's SSHLogger.packet logs at this debug level and above


def format_packet_logs_only_when_logged() -> None:
    def wrap(original: Any) -> Callable[..., None]:
        def _log_packet(self: Any, *args: Any) -> None:
            if _logging.SSHLogger._debug_level >= PACKET_DEBUG_LEVEL:
                original(self, *args)

        return _log_packet

    _wrap_once(_packet.SSHPacketLogger, "_log_packet", wrap)


# -- 3. client options built on the loop's thread, when asked ----------------------------------
_BUILD_INLINE: ContextVar[bool] = ContextVar("fleetreg_build_asyncssh_options_inline", default=False)


@contextlib.contextmanager
def options_built_inline() -> Iterator[None]:
    """Around an `asyncssh.connect` whose options read no file (config=None, known_hosts and
    client keys given as values, no agent)."""
    token = _BUILD_INLINE.set(True)
    try:
        yield
    finally:
        _BUILD_INLINE.reset(token)


def build_client_options_inline_when_asked() -> None:
    def wrap(original: Any) -> Callable[..., Any]:  # `original`: the classmethod, bound
        async def construct(options_cls: Any, options: Any = None, **kwargs: Any) -> Any:
            if _BUILD_INLINE.get():
                return options_cls(options, loop=asyncio.get_running_loop(), **kwargs)
            return await original.__func__(options_cls, options, **kwargs)

        return construct

    _wrap_once(_connection.SSHClientConnectionOptions, "construct", wrap, as_classmethod=True)


# -- 4. one AES-GCM key object per key and direction -------------------------------------------
_GCM_TAG_SIZE = 16
_INVOCATION_MASK = (1 << 64) - 1


class KeptKeyGCMCipher(_cipher.GCMCipher):
    """asyncssh's GCMCipher with its AESGCM object made once, in the constructor."""

    def __init__(self, cipher_name: str, key: bytes, iv: bytes) -> None:
        super().__init__(cipher_name, key, iv)
        self._aead = AESGCM(key)
        self._fixed = iv[:4]
        self._invocation = int.from_bytes(iv[4:], "big")

    def _next_nonce(self) -> bytes:
        nonce = self._fixed + self._invocation.to_bytes(8, "big")
        self._invocation = (self._invocation + 1) & _INVOCATION_MASK
        return nonce

    def encrypt_and_sign(self, header: bytes, data: bytes) -> tuple[bytes, bytes]:
        sealed = self._aead.encrypt(self._next_nonce(), data, header)
        return header + sealed[:-_GCM_TAG_SIZE], sealed[-_GCM_TAG_SIZE:]

    def verify_and_decrypt(self, header: bytes, data: bytes, mac: bytes) -> bytes | None:
        nonce = self._next_nonce()  # the counter moves on a failed tag too, as in asyncssh
        try:
            return self._aead.decrypt(nonce, data + mac, header)
        except InvalidTag:
            return None


def keep_gcm_keys() -> None:
    """Only where asyncssh's GCM encryption still builds the class this one extends."""
    if getattr(_encryption, "GCMCipher", None) is _cipher.GCMCipher:
        _encryption.GCMCipher = KeptKeyGCMCipher  # type: ignore[misc]
