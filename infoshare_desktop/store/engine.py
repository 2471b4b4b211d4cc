"""The SQLCipher connection and the SQLAlchemy engine over it.

The data key is a random 32-byte raw key (no per-connection key stretching), given to
SQLCipher by a `creator` function so it never appears in a URL, a log or an exception.
A connection refuses to start when the SQLite library has no encryption, so plaintext
can never be written by accident.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlcipher3
from sqlalchemy import create_engine, event, exc, pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlcipher import SQLiteDialect_pysqlcipher
from sqlalchemy.engine import URL, Connection, Engine
from sqlmodel import Session

from infoshare_desktop.store import packing
from infoshare_desktop.store.errors import (
    DiskFullError,
    NotEncryptedError,
    StoreBusyError,
    StoreDamagedError,
    StoreError,
    StoreMissingError,
    StoreReadOnlyError,
)

SQLITE_HEADER = b"SQLite format 3\x00"
_HEX_KEY = re.compile(r"^[0-9a-f]{64}$")

# SQLite primary result codes we can explain to a user.
_KNOWN_CODES = {
    5: StoreBusyError,  # SQLITE_BUSY
    6: StoreBusyError,  # SQLITE_LOCKED
    8: StoreReadOnlyError,  # SQLITE_READONLY
    10: StoreDamagedError,  # SQLITE_IOERR
    11: StoreDamagedError,  # SQLITE_CORRUPT
    13: DiskFullError,  # SQLITE_FULL
    14: StoreReadOnlyError,  # SQLITE_CANTOPEN
    23: StoreReadOnlyError,  # SQLITE_AUTH
    26: StoreDamagedError,  # SQLITE_NOTADB
}

_KNOWN_MESSAGES = {
    "database is locked": StoreBusyError,
    "attempt to write a readonly database": StoreReadOnlyError,
    "disk I/O error": StoreDamagedError,
    "database disk image is malformed": StoreDamagedError,
    "database or disk is full": DiskFullError,
    "unable to open database file": StoreReadOnlyError,
    "file is not a database": StoreDamagedError,
}


def known_error(error: BaseException) -> StoreError | None:
    """The user-facing error for an environment failure, or None for a bug."""
    if isinstance(error, StoreError):
        return error
    if isinstance(error, exc.DBAPIError) and error.orig is not None:
        error = error.orig
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        # Some calls (the backup API) raise without a code: SQLite's own fixed wording
        # for the code (sqlite3_errstr) says which it was.
        kind = _KNOWN_MESSAGES.get(str(error)) if isinstance(error, sqlcipher3.Error) else None
        return kind() if kind else None
    kind = _KNOWN_CODES.get(code & 0xFF)
    return kind() if kind else None


def check_file(path: Path) -> None:
    """Refuse a missing, empty or plaintext database before SQLCipher touches it."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise StoreMissingError() from None
    if size == 0:
        raise StoreMissingError()
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
            raise NotEncryptedError()


def raw_connect(path: Path, key: bytes, *, create: bool = False) -> sqlcipher3.Connection:
    """A keyed, configured DB-API connection. Raises StoreDamagedError on a wrong key."""
    return _connect(path, key, "rwc" if create else "rw", _LIVE)


_LIVE = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA temp_store = MEMORY",
)
#: A new file filled in one pass (a backup, a rotated copy): no journal and no sync while
#: it is written, since a failure deletes it; the writer syncs it once at the end.
_BULK = ("PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF", "PRAGMA temp_store = MEMORY")
_READ_ONLY = ("PRAGMA query_only = ON", "PRAGMA temp_store = MEMORY")


def bulk_connect(path: Path, key: bytes) -> sqlcipher3.Connection:
    """A keyed connection creating a new database file to be filled in one pass (see
    `_BULK`); the caller removes the file should anything fail."""
    return _connect(path, key, "rwc", _BULK)


def read_only_connect(path: Path, key: bytes) -> sqlcipher3.Connection:
    """A keyed connection that never writes to the file nor creates one beside it (a
    backup file, which is in rollback-journal mode, perhaps on a read-only stick)."""
    return _connect(path, key, "ro", _READ_ONLY)


def _connect(path: Path, key: bytes, mode: str, pragmas: tuple[str, ...]) -> sqlcipher3.Connection:
    hex_key = key.hex()
    if not _HEX_KEY.match(hex_key):
        raise ValueError("the data key must be 32 bytes")
    # Quoted, so that "?", "#" or "%" in a folder name cannot open (or create) another file.
    uri = "file:" + quote(str(path), safe="/:\\") + f"?mode={mode}"
    conn = sqlcipher3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        if not conn.execute("PRAGMA cipher_version").fetchall():
            raise RuntimeError("this SQLite library has no encryption; refusing to continue")
        conn.execute(f"PRAGMA key = \"x'{hex_key}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        for pragma in pragmas:
            conn.execute(pragma)
        packing.register(conn)  # saved_record.payload's SQL functions
    except sqlcipher3.DatabaseError as error:
        conn.close()
        raise known_error(error) or StoreDamagedError() from None
    except BaseException:
        conn.close()
        raise
    return conn


class _KeyedCipherDialect(SQLiteDialect_pysqlcipher):
    """pysqlcipher without its own `PRAGMA key`: our creator has keyed the connection."""

    supports_statement_cache = True

    def on_connect_url(self, url: URL) -> Callable[[Any], Any] | None:
        return None

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        return pool.QueuePool


registry.register("sqlite.infoshare", __name__, "_KeyedCipherDialect")


def make_engine(path: Path, key: bytes) -> Engine:
    engine = create_engine(
        "sqlite+infoshare://",
        creator=lambda: raw_connect(path, key),
        pool_size=2,
        max_overflow=2,
    )

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Writers take the lock at BEGIN, so the audit chain's sequence cannot race.
        write = conn.get_execution_options().get("infoshare_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One write transaction: commits on success, rolls back on any error."""
    with engine.connect() as conn:
        conn = conn.execution_options(infoshare_write=True)
        with Session(bind=conn, expire_on_commit=False) as session, session.begin():
            yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with (
        engine.connect() as conn,
        Session(bind=conn, expire_on_commit=False) as session,
        session.begin(),
    ):
        yield session
