"""Pseudonyms are keyed, and sealed values open only with the right key and the right row."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.identity.crypto import DecryptionError, KeyRing

USER_ID = 7013370042


def test_pseudonym_is_stable_and_keyed() -> None:
    keys = KeyRing(b"a" * 32)
    assert keys.pseudonym("user", USER_ID) == keys.pseudonym("user", USER_ID)
    assert keys.pseudonym("user", USER_ID) != KeyRing(b"b" * 32).pseudonym("user", USER_ID)
    assert keys.pseudonym("user", USER_ID) != keys.pseudonym("chat", USER_ID)


def test_pseudonym_is_not_a_plain_hash_of_the_id() -> None:
    pseudonym = KeyRing(b"a" * 32).pseudonym("user", USER_ID)
    for text in (str(USER_ID), f"tg-user:{USER_ID}", f"user:{USER_ID}"):
        for algorithm in ("sha256", "sha1", "md5", "blake2b"):
            assert hashlib.new(algorithm, text.encode()).hexdigest() != pseudonym
    assert str(USER_ID) not in pseudonym


def test_brute_forcing_small_ids_without_the_key_finds_nothing() -> None:
    target = KeyRing(b"a" * 32).pseudonym("user", 123_456)
    guess = KeyRing(b"\0" * 32)
    assert all(guess.pseudonym("user", n) != target for n in range(100_000, 130_000))


def test_seal_and_open_round_trip() -> None:
    keys = KeyRing(b"a" * 32)
    sealed = keys.seal(b"7013370042", aad="cases.address:42")
    assert b"7013370042" not in sealed
    assert keys.open(sealed, aad="cases.address:42") == b"7013370042"


def test_a_value_copied_to_another_row_does_not_open() -> None:
    keys = KeyRing(b"a" * 32)
    sealed = keys.seal(b"secret", aad="cases.address:42")
    with pytest.raises(DecryptionError):
        keys.open(sealed, aad="cases.address:43")
    with pytest.raises(DecryptionError):
        keys.open(sealed, aad="notes.text:42")


def test_wrong_key_and_tampering_fail_closed() -> None:
    sealed = KeyRing(b"a" * 32).seal(b"secret", aad="x:1")
    with pytest.raises(DecryptionError):
        KeyRing(b"b" * 32).open(sealed, aad="x:1")
    tampered = bytearray(sealed)
    tampered[-1] ^= 1
    with pytest.raises(DecryptionError):
        KeyRing(b"a" * 32).open(bytes(tampered), aad="x:1")
    for malformed in (b"", b"\x02" + sealed[1:], sealed[:20]):
        with pytest.raises(DecryptionError):
            KeyRing(b"a" * 32).open(malformed, aad="x:1")


def test_aes_gcm_known_answer() -> None:
    # NIST SP 800-38D test case 13 (AES-256, zero key, zero IV, empty plaintext): the primitive is sound.
    tag = AESGCM(b"\0" * 32).encrypt(b"\0" * 12, b"", None)
    assert tag.hex() == "530f8afbc74536b9a963b4f1c4cb738b"


def test_ephemeral_keys_differ() -> None:
    assert KeyRing.ephemeral().pseudonym("user", 1) != KeyRing.ephemeral().pseudonym("user", 1)
