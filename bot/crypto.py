"""Keyed pseudonyms and authenticated encryption under HOTLINE_SECRET_KEY.

A Telegram user id is as good as a phone number to the police, and ids are a small space: a plain hash
is reversed by trying them all. So people are known by HMAC-SHA256(key, id) only, and anything that has
to be turned back into an id (a chat id for delivery) is sealed with AES-GCM, its associated data binding
the ciphertext to the table, column and row it belongs to, so a value copied elsewhere fails to open.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ENVELOPE_VERSION = 1
_NONCE_BYTES = 12


class DecryptionError(Exception):
    """A sealed value that does not open: wrong key, wrong row, or tampered. Carries no data."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"hotline/" + purpose).derive(master)


class KeyRing:
    """Keys derived from the one master secret, one per purpose, so no key ever serves two roles."""

    def __init__(self, master: bytes) -> None:
        if len(master) != 32:
            raise ValueError("the master key must be 32 bytes")
        self._pseudonym_key = _derive(master, b"pseudonym")
        self._seal_key = _derive(master, b"seal")
        # The key id lets a later rotation tell which key sealed a value, without revealing the key.
        self.key_id = hashlib.sha256(self._seal_key).digest()[:4]

    @classmethod
    def ephemeral(cls) -> KeyRing:
        """A throwaway key for the offline demo: nothing it writes outlives the process."""
        return cls(os.urandom(32))

    def pseudonym(self, kind: str, value: int | str) -> str:
        """The stable stand-in for a Telegram identity, e.g. pseudonym("user", 42)."""
        message = f"tg-{kind}:{value}".encode()
        return hmac.new(self._pseudonym_key, message, hashlib.sha256).hexdigest()

    def seal(self, plaintext: bytes, *, aad: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        header = bytes([ENVELOPE_VERSION]) + self.key_id
        ciphertext = AESGCM(self._seal_key).encrypt(nonce, plaintext, header + aad.encode())
        return header + nonce + ciphertext

    def open(self, envelope: bytes, *, aad: str) -> bytes:
        if len(envelope) < 5 + _NONCE_BYTES + 16 or envelope[0] != ENVELOPE_VERSION:
            raise DecryptionError("unknown or malformed envelope")
        header, nonce, ciphertext = envelope[:5], envelope[5 : 5 + _NONCE_BYTES], envelope[5 + _NONCE_BYTES :]
        if header[1:] != self.key_id:
            raise DecryptionError("sealed under another key")
        try:
            return AESGCM(self._seal_key).decrypt(nonce, ciphertext, header + aad.encode())
        except InvalidTag:
            raise DecryptionError("the value does not open with this key and row") from None
