"""Search on SQLite FTS5: the embedded, zero-setup backend.

URL: ``sqlite:///relative/search.db``, ``sqlite:////absolute/search.db`` or
``sqlite:///:memory:``.

- Ranking is FTS5's bm25 with the title weighted twice the text; `score` is the
  negated bm25 rank, so bigger is better.
- Words are stemmed (porter) and folded (unicode61, diacritics removed), so
  "Cafés" finds "cafe".
- The query is free text: it is cut into words and each is quoted, so operators,
  quotes and brackets are matched as words (or ignored), never parsed. Every word
  must match (in the title or the text); the last one also matches as a prefix,
  for search-as-you-type.
- Visibility tokens live in their own table; a document is returned only when it
  shares at least one token with the caller's.
- One connection in WAL mode, serialised by a lock: safe to share across threads.
"""

from __future__ import annotations

import re
import sqlite3

from shared.adapters import LockedSqlite, sqlite_path
from shared.adapters.search import MARK_END, MARK_START, SNIPPET_WORDS, free_text
from shared.records import SearchDoc, SearchHit, iso

TITLE_WEIGHT, TEXT_WEIGHT = 2.0, 1.0
# unicode61 splits on everything that is not a letter or a digit; so do we
WORD = re.compile(r"[^\W_]+")

SCHEMA = """
CREATE TABLE IF NOT EXISTS search_docs (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    uuid TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (type, uuid)
);
CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5(
    title, text, tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE TABLE IF NOT EXISTS search_visibility (
    token TEXT NOT NULL,
    doc_id INTEGER NOT NULL REFERENCES search_docs (id) ON DELETE CASCADE,
    PRIMARY KEY (token, doc_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS search_visibility_doc ON search_visibility (doc_id);
"""


def match_expression(text: str) -> str | None:
    """Free text → an FTS5 expression of quoted words (the last also a prefix); None if no words."""
    words = WORD.findall(text)
    if not words:
        return None
    quoted = [f'"{word}"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _marks(count: int) -> str:
    return ", ".join("?" * count)


class Fts5Search:
    def __init__(self, path: str) -> None:
        self.path = path
        self._sql = LockedSqlite(path, SCHEMA, "search index", "foreign_keys = ON")

    @classmethod
    def from_url(cls, url: str) -> Fts5Search:
        return cls(sqlite_path(url))

    def index(self, doc: SearchDoc) -> None:
        with self._sql.transaction() as db:
            self._delete(db, doc.type, doc.uuid)
            doc_id = db.execute(
                "INSERT INTO search_docs (type, uuid, created_at) VALUES (?, ?, ?)",
                (doc.type, doc.uuid, iso(doc.created_at)),
            ).lastrowid
            db.execute(
                "INSERT INTO search_text (rowid, title, text) VALUES (?, ?, ?)",
                (doc_id, free_text(doc.title, None), free_text(doc.text, None)),
            )
            db.executemany(
                "INSERT OR IGNORE INTO search_visibility (token, doc_id) VALUES (?, ?)",
                [(token, doc_id) for token in doc.visibility],
            )

    def remove(self, type: str, uuid: str) -> None:
        with self._sql.transaction() as db:
            self._delete(db, type, uuid)

    @staticmethod
    def _delete(db: sqlite3.Connection, type: str, uuid: str) -> None:
        row = db.execute(
            "SELECT id FROM search_docs WHERE type = ? AND uuid = ?", (type, uuid)
        ).fetchone()
        if row:
            db.execute("DELETE FROM search_text WHERE rowid = ?", row)
            db.execute("DELETE FROM search_docs WHERE id = ?", row)  # cascades to visibility

    def query(
        self, text: str, *, types: list[str], visible_to: list[str], limit: int
    ) -> list[SearchHit]:
        """`types` empty means every type; `visible_to` empty means nothing is visible."""
        expression = match_expression(free_text(text))
        if expression is None or not visible_to or limit <= 0:
            return []
        sql, params = self._select(expression, types, visible_to, limit)
        with self._sql.transaction() as db:
            rows = db.execute(sql, params).fetchall()
        return [SearchHit(type=t, uuid=u, score=-rank, snippet=s) for t, u, rank, s in rows]

    @staticmethod
    def _select(expression: str, types: list[str], visible_to: list[str], limit: int):
        type_filter = f"AND d.type IN ({_marks(len(types))})" if types else ""
        sql = f"""
            SELECT d.type, d.uuid, bm25(search_text, ?, ?) AS rank,
                   snippet(search_text, -1, ?, ?, '…', ?)
            FROM search_text JOIN search_docs d ON d.id = search_text.rowid
            WHERE search_text MATCH ? {type_filter}
              AND EXISTS (SELECT 1 FROM search_visibility v
                          WHERE v.doc_id = d.id AND v.token IN ({_marks(len(visible_to))}))
            ORDER BY rank, d.created_at DESC
            LIMIT ?"""
        params = [TITLE_WEIGHT, TEXT_WEIGHT, MARK_START, MARK_END, SNIPPET_WORDS, expression]
        return sql, [*params, *types, *visible_to, limit]

    def health(self) -> None:
        with self._sql.transaction() as db:
            db.execute("SELECT count(*) FROM search_docs").fetchone()

    def close(self) -> None:
        self._sql.close()
