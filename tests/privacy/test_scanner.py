"""The raw-storage scanner catches each kind of leak it looks for (so a clean scan means something)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from tests.privacy.scanner import needles, scan, scan_files, storage_files

CANARY_ID = 7013370042
SMALL_ID = 42424242


@pytest.mark.parametrize("planted", [
    str(CANARY_ID).encode(),
    CANARY_ID.to_bytes(8, "big"),
    CANARY_ID.to_bytes(8, "little"),
    SMALL_ID.to_bytes(4, "big"),
    CANARY_ID.to_bytes(6, "big"),
    hashlib.sha256(str(CANARY_ID).encode()).hexdigest().encode(),
    hashlib.md5(str(SMALL_ID).encode()).hexdigest().encode(),
    "Kanareyka".encode("utf-16-le"),
    b"canary_q7x",
])
def test_each_kind_of_leak_is_found(planted: bytes) -> None:
    data = b"\x00" * 100 + planted + b"\xff" * 100
    assert scan(data, needles([CANARY_ID, SMALL_ID], ["Kanareyka", "canary_q7x"]))


def test_an_id_stored_by_sqlite_as_an_integer_is_found(tmp_path: Path) -> None:
    database = tmp_path / "leak.sqlite"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE t (x INTEGER)")
        connection.execute("INSERT INTO t VALUES (?)", (CANARY_ID,))
    hits = scan_files(storage_files(tmp_path), needles([CANARY_ID]))
    assert any("6-byte big-endian" in hit for found in hits.values() for hit in found)


def test_clean_data_is_clean() -> None:
    assert scan(b"\x00" * 4096 + b"nothing to see", needles([CANARY_ID], ["Kanareyka"])) == []
