"""Looks for a person's identity in raw bytes: database files, WAL, logs (SQLite's files, or PostgreSQL's).

SQLite stores integers in binary, so a text search alone would miss an id; an unkeyed hash of an id is as
good as the id (the id space is small). So each id is searched as text, as 4- and 8-byte integers in both
byte orders, and as its plain SHA-256, SHA-1 and MD5; each string as UTF-8 and UTF-16.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.backends import rows


def needles(ids: Iterable[int] = (), strings: Iterable[str] = ()) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for value in ids:
        text = str(value)
        found[f"{value} as text"] = text.encode()
        found[f"{value} as UTF-16"] = text.encode("utf-16-le")
        for size in (4, 6, 8):  # SQLite writes an integer in the fewest of 1, 2, 3, 4, 6 or 8 bytes
            if value < 2 ** (8 * size):
                found[f"{value} as {size}-byte big-endian"] = value.to_bytes(size, "big")
                found[f"{value} as {size}-byte little-endian"] = value.to_bytes(size, "little")
        for algorithm in ("sha256", "sha1", "md5"):
            digest = hashlib.new(algorithm, text.encode())
            found[f"{algorithm}({value}) hex"] = digest.hexdigest().encode()
            found[f"{algorithm}({value}) raw"] = digest.digest()
    for string in strings:
        found[f"{string!r} as UTF-8"] = string.encode()
        found[f"{string!r} as UTF-16"] = string.encode("utf-16-le")
        found[f"{string!r} lowercase"] = string.lower().encode()
    return found


def scan(data: bytes, wanted: dict[str, bytes]) -> list[str]:
    return [name for name, pattern in wanted.items() if pattern in data]


def storage_files(directory: Path) -> list[Path]:
    """Every file a SQLite database may leave: the database, its WAL, shared memory and journal."""
    return sorted(p for p in directory.rglob("*") if p.is_file())


def scan_files(paths: Iterable[Path], wanted: dict[str, bytes]) -> dict[str, list[str]]:
    hits = {}
    for path in paths:
        found = scan(path.read_bytes(), wanted)
        if found:
            hits[str(path)] = found
    return hits


async def database_files(database_url: str, data_dir: Path) -> list[Path]:
    """Every file that may hold the test database's bytes, whichever backend it is.

    SQLite: the files in `data_dir` (database, WAL, shared memory, journal). PostgreSQL: after a CHECKPOINT
    (so what sits in shared buffers reaches the files, as a stop would), the database's own relation files
    (heap, indexes, free-space and visibility maps, TOAST) under `base/<oid>/`, and the whole of `pg_wal/`,
    which the server shares among all its databases, recycled segments included. Reading them needs the
    server's data directory to be readable (root or the postgres user on the test machine).
    """
    if make_url(database_url).get_backend_name() == "sqlite":
        return storage_files(data_dir)
    await rows(database_url, "CHECKPOINT")
    [(directory,)] = await rows(database_url, "SHOW data_directory")
    [(oid,)] = await rows(database_url, "SELECT oid FROM pg_database WHERE datname = current_database()")
    root = Path(directory)
    relation_files = storage_files(root / "base" / str(oid))
    wal = sorted(p for p in (root / "pg_wal").iterdir() if p.is_file())
    if not relation_files or not wal:
        raise PermissionError(f"cannot list PostgreSQL's files under {root}: the scan needs to read them")
    return relation_files + wal
