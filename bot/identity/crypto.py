"""Keyed pseudonyms and authenticated encryption under HOTLINE_SECRET_KEY.

A Telegram user id is as good as a phone number to the police, and ids are a small space: a plain hash
is reversed by trying them all. So people are known by HMAC-SHA256(key, id) only, and anything that has
to be turned back into an id (a chat id for delivery) is sealed with AES-GCM, its associated data binding
the ciphertext to the table, column and row it belongs to, so a value copied elsewhere fails to open.

Keys rotate: the ring holds the current master key and any previous ones. Values sealed under a previous
key still open and are re-sealed under the current one; pseudonyms made with a previous key are found
and renamed when their owner next writes. Case data is sealed with a per-case key that is itself sealed
("wrapped") by the master key, so deleting a case key shreds the case, and a rotation only rewraps keys.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ENVELOPE_VERSION = 1
_NONCE_BYTES = 12
_HEADER_BYTES = 5  # version byte + 4-byte key id


class DecryptionError(Exception):
    """A sealed value that does not open: wrong key, wrong row, or tampered. Carries no data."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"hotline/" + purpose).derive(master)


def key_id(key: bytes) -> bytes:
    """Names a key without revealing it, so an envelope says which key sealed it."""
    return hashlib.sha256(b"hotline/key-id" + key).digest()[:4]


def seal_with(key: bytes, plaintext: bytes, aad: str) -> bytes:
    header = bytes([ENVELOPE_VERSION]) + key_id(key)
    nonce = os.urandom(_NONCE_BYTES)
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header + aad.encode())


def envelope_key_id(envelope: bytes) -> bytes:
    if len(envelope) < _HEADER_BYTES + _NONCE_BYTES + 16 or envelope[0] != ENVELOPE_VERSION:
        raise DecryptionError("unknown or malformed envelope")
    return envelope[1:_HEADER_BYTES]


def open_with(key: bytes, envelope: bytes, aad: str) -> bytes:
    if envelope_key_id(envelope) != key_id(key):
        raise DecryptionError("sealed under another key")
    header, nonce = envelope[:_HEADER_BYTES], envelope[_HEADER_BYTES:_HEADER_BYTES + _NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, envelope[_HEADER_BYTES + _NONCE_BYTES:], header + aad.encode())
    except InvalidTag:
        raise DecryptionError("the value does not open with this key and row") from None


@dataclass(frozen=True)
class _Generation:
    pseudonym_key: bytes
    seal_key: bytes

    @classmethod
    def of(cls, master: bytes) -> _Generation:
        if len(master) != 32:
            raise ValueError("a master key must be 32 bytes")
        return cls(_derive(master, b"pseudonym"), _derive(master, b"seal"))

    def pseudonym(self, kind: str, value: int | str) -> str:
        return hmac.new(self.pseudonym_key, f"tg-{kind}:{value}".encode(), hashlib.sha256).hexdigest()


class KeyRing:
    """Keys derived from the master secret, one per purpose, so no key ever serves two roles."""

    def __init__(self, master: bytes, previous: Sequence[bytes] = ()) -> None:
        self._current = _Generation.of(master)
        self._previous = [_Generation.of(key) for key in previous if key != master]
        self.key_id = key_id(self._current.seal_key)

    @classmethod
    def ephemeral(cls) -> KeyRing:
        """A throwaway key for the offline demo: nothing it writes outlives the process."""
        return cls(os.urandom(32))

    def pseudonym(self, kind: str, value: int | str) -> str:
        """The stable stand-in for a Telegram identity, e.g. pseudonym("user", 42)."""
        return self._current.pseudonym(kind, value)

    @property
    def has_previous(self) -> bool:
        """True while previous keys are in the ring (a rotation is under way)."""
        return bool(self._previous)

    def previous_pseudonyms(self, kind: str, value: int | str) -> list[str]:
        """What the same identity was called under previous keys: for renaming after a rotation."""
        return [generation.pseudonym(kind, value) for generation in self._previous]

    def seal(self, plaintext: bytes, *, aad: str) -> bytes:
        return seal_with(self._current.seal_key, plaintext, aad)

    def open(self, envelope: bytes, *, aad: str) -> bytes:
        wanted = envelope_key_id(envelope)
        for generation in (self._current, *self._previous):
            if key_id(generation.seal_key) == wanted:
                return open_with(generation.seal_key, envelope, aad)
        raise DecryptionError("sealed under a key that is not in the key ring")

    def is_current(self, envelope: bytes) -> bool:
        return envelope_key_id(envelope) == self.key_id

    def reseal(self, envelope: bytes, *, aad: str) -> bytes:
        """The same value sealed under the current key (unchanged if it already is)."""
        return envelope if self.is_current(envelope) else self.seal(self.open(envelope, aad=aad), aad=aad)

    @staticmethod
    def new_data_key() -> bytes:
        return os.urandom(32)
