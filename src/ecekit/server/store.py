"""Surveys in SQLite: one row per accepted survey, committed before the server answers 204.

WAL journaling with ``synchronous=NORMAL`` makes each commit durable against a crash of the server
process (SIGKILL included: the WAL frame is in the operating system before ``commit`` returns);
``durable=True`` adds an fsync per commit (``synchronous=FULL``) for power-loss durability at a
throughput cost. One connection guarded by a lock serves every thread: commits are ~50 µs, shorter
than any hand-off to a writer thread would be.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS surveys (
    id INTEGER PRIMARY KEY,
    sid TEXT NOT NULL,
    received_at REAL NOT NULL,
    pairs TEXT NOT NULL            -- JSON: [[question, answer], ...]
)
"""


class SurveyStore:
    """Append-only survey storage; safe to share between threads and the event loop."""

    def __init__(self, path: str | Path, *, durable: bool = False) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.execute(_SCHEMA)
        self._closed = False

    def add(self, sid: str, pairs: list[tuple[str, str]]) -> int:
        """Store one survey and commit; returns its row id. Only then may the caller answer 204."""
        row = (sid, time.time(), json.dumps(pairs, ensure_ascii=False))
        with self._lock:
            cur = self._db.execute("INSERT INTO surveys (sid, received_at, pairs) VALUES (?, ?, ?)", row)
            return int(cur.lastrowid or 0)

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM surveys").fetchone()[0])

    def recent(self, limit: int = 20) -> list[dict[str, object]]:
        """The last ``limit`` surveys, newest first, for the admin API."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, sid, received_at, pairs FROM surveys ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [{"id": r[0], "sid": r[1], "received_at": r[2], "pairs": json.loads(r[3])} for r in rows]

    def close(self) -> None:
        """Checkpoint the WAL into the main file and close (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                self._db.close()


def count_rows(path: str | Path) -> int:
    """Rows in a survey database written by any process (opened read-only, WAL honoured)."""
    db = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
    try:
        return int(db.execute("SELECT COUNT(*) FROM surveys").fetchone()[0])
    finally:
        db.close()
