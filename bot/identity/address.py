"""Where to deliver a message, without letting the chat id leak.

An Address holds a Telegram chat id privately: it never shows in repr, logs or exceptions, and it is
stored only sealed (AES-GCM, bound to its row). Only the identity boundary makes one from an update, and
only delivery code asks for the number, at the moment of sending.
"""

from __future__ import annotations

from bot.identity.crypto import KeyRing


class Address:
    __slots__ = ("_chat_id",)

    def __init__(self, chat_id: int) -> None:
        self._chat_id = chat_id

    def __repr__(self) -> str:
        return "Address(<hidden>)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Address) and other._chat_id == self._chat_id

    def __hash__(self) -> int:
        return hash(("address", self._chat_id))

    def for_delivery(self) -> int:
        """The chat id, for the one API call about to be made. Never store or log the result."""
        return self._chat_id

    def seal(self, keys: KeyRing, aad: str) -> bytes:
        return keys.seal(str(self._chat_id).encode(), aad=aad)

    @classmethod
    def open(cls, keys: KeyRing, sealed: bytes, aad: str) -> Address:
        return cls(int(keys.open(sealed, aad=aad)))
