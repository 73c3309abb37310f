"""Where each source and query stopped (cursor, since_id, ETag), kept in a small SQLite file.

A checkpoint is saved only after the mentions before it are acknowledged by Kafka, so a listener
killed at any point resumes without a gap; what it fetches twice collapses on the mention id.
The store holds cursors only: no mention, no author.
"""

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from config.settings import Settings

State = dict[str, Any]


class Checkpoints(Protocol):
    def get(self, source_id: str, query: str) -> State | None: ...

    def save(self, source_id: str, query: str, state: State) -> None: ...


def state_dir() -> Path:
    """$MURMURE_STATE_DIR, else `listeners/` beside the local services' data."""
    if configured := Settings().state_dir:
        return configured.expanduser()
    from services.settings import state_paths

    return state_paths().root / "listeners"


class SqliteCheckpoints:
    """Safe to share between the listener threads of one process."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS checkpoints (source TEXT NOT NULL, query TEXT NOT NULL,"
            " state TEXT NOT NULL, saved_at TEXT NOT NULL, PRIMARY KEY (source, query))"
        )

    def get(self, source_id: str, query: str) -> State | None:
        with self._lock:
            row = self._db.execute(
                "SELECT state FROM checkpoints WHERE source = ? AND query = ?", (source_id, query)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def save(self, source_id: str, query: str, state: State) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO checkpoints VALUES (?, ?, ?, ?) ON CONFLICT (source, query)"
                " DO UPDATE SET state = excluded.state, saved_at = excluded.saved_at",
                (source_id, query, json.dumps(state), datetime.now(UTC).isoformat()),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()


class MemoryCheckpoints:
    """For one-off runs that must start from the beginning (`murmure replay`)."""

    def __init__(self) -> None:
        self._states: dict[tuple[str, str], State] = {}

    def get(self, source_id: str, query: str) -> State | None:
        return self._states.get((source_id, query))

    def save(self, source_id: str, query: str, state: State) -> None:
        self._states[(source_id, query)] = state


def open_checkpoints(directory: Path | None = None) -> SqliteCheckpoints:
    return SqliteCheckpoints((directory or state_dir()) / "checkpoints.sqlite3")
