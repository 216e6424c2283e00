"""SQLite persistence: rows as JSON documents per table, N:N links, and a few settings."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS rows (tbl TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
                                 data TEXT NOT NULL, PRIMARY KEY (tbl, id));
CREATE TABLE IF NOT EXISTS links (rel TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL,
                                  PRIMARY KEY (rel, a, b));
CREATE INDEX IF NOT EXISTS links_b ON links (rel, b);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _decode(data: str, version: int) -> dict[str, Any]:
    row = json.loads(data)
    row["versionnumber"] = version
    return row


class Store:
    """One connection guarded by a re-entrant lock; callers hold `lock` for a whole request."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.executescript(SCHEMA)
        self.lock = threading.RLock()
        self._depth = 0

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Outermost call opens a transaction; nested calls join it. Any exception rolls everything back."""
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")
            finally:
                self._depth = 0

    def _next_version(self) -> int:
        row = self.conn.execute("SELECT value FROM settings WHERE key='rowversion'").fetchone()
        version = int(row[0]) + 1 if row else 1000
        self.conn.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES ('rowversion', ?)", (str(version),)
        )
        return version

    def get(self, tbl: str, row_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT data, version FROM rows WHERE tbl=? AND id=?", (tbl, row_id)
        ).fetchone()
        return _decode(*row) if row else None

    def all(self, tbl: str) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT data, version FROM rows WHERE tbl=? ORDER BY rowid", (tbl,))
        return [_decode(data, version) for data, version in rows]

    def first(self, tbl: str, column: str, value: str) -> dict[str, Any] | None:
        """The earliest-written row of `tbl` whose `column` equals `value`, found without decoding the others."""
        row = self.conn.execute(
            "SELECT data, version FROM rows WHERE tbl=? AND json_extract(data, '$.' || ?)=? ORDER BY rowid LIMIT 1",
            (tbl, column, value),
        ).fetchone()
        return _decode(*row) if row else None

    def put(self, tbl: str, row_id: str, data: dict[str, Any]) -> int:
        version = self._next_version()
        stored = {k: v for k, v in data.items() if k != "versionnumber"}
        self.conn.execute(
            "INSERT INTO rows (tbl, id, version, data) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (tbl, id) DO UPDATE SET version=excluded.version, data=excluded.data",
            (tbl, row_id, version, json.dumps(stored)),
        )
        return version

    def delete(self, tbl: str, row_id: str) -> None:
        self.conn.execute("DELETE FROM rows WHERE tbl=? AND id=?", (tbl, row_id))
        self.conn.execute("DELETE FROM links WHERE a=? OR b=?", (row_id, row_id))

    def link(self, rel: str, a: str, b: str) -> None:
        self.conn.execute("INSERT OR IGNORE INTO links (rel, a, b) VALUES (?, ?, ?)", (rel, a, b))

    def unlink(self, rel: str, a: str, b: str) -> None:
        self.conn.execute("DELETE FROM links WHERE rel=? AND a=? AND b=?", (rel, a, b))

    def linked(self, rel: str, row_id: str, from_first: bool) -> list[str]:
        if from_first:
            sql = "SELECT b FROM links WHERE rel=? AND a=? ORDER BY rowid"
        else:
            sql = "SELECT a FROM links WHERE rel=? AND b=? ORDER BY rowid"
        return [r[0] for r in self.conn.execute(sql, (rel, row_id))]

    def all_links(self, rel: str, from_first: bool) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for a, b in self.conn.execute("SELECT a, b FROM links WHERE rel=? ORDER BY rowid", (rel,)):
            key, other = (a, b) if from_first else (b, a)
            result.setdefault(key, []).append(other)
        return result

    def setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))
