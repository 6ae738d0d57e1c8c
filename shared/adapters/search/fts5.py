"""Search on SQLite FTS5: the embedded, zero-setup backend.

URL: ``sqlite:///relative/search.db``, ``sqlite:////absolute/search.db`` or
``sqlite:///:memory:``.

- Ranking is FTS5's bm25 with the title weighted twice the text; `score` is the
  negated bm25 rank, so bigger is better.
- Words are stemmed (porter) and folded (unicode61, diacritics removed), so
  "Cafés" finds "cafe". Beside the title and the text, two more columns hold what
  unicode61 misses (shared.adapters.search.terms): CJK characters and pairs, emoji,
  hashtags, ß/ae/Arabic folding and compound heads — so `東京` and `花` are found
  inside longer runs of Japanese or Chinese, `🎉` finds a party and `Verein` a
  `Fußballverein`.
- The query is free text: it is cut into units (words, CJK runs, emoji) and each is
  quoted, so operators, quotes and brackets are matched as words (or ignored), never
  parsed. Every unit must match (any of its spellings, in any column); the last word
  also matches as a prefix, for search-as-you-type.
- A query that finds nothing is tried once more with each word that is in no document
  replaced by the closest indexed term (difflib, same first letter, TYPO_CUTOFF), so
  `marathn` finds `marathon`.
- A snippet comes from the text (or the title) with the matches marked; when only the
  extra columns matched (a CJK or emoji hit), the first place the query's characters
  occur in the text is marked instead.
- Schema 2 replaced the two-column `search_text` table by `search_words`; an older
  index is emptied on open and filled again by `townsquare backfill search`.
- Visibility tokens live in their own table; a document is returned only when it
  shares at least one token with the caller's.
- One connection in WAL mode, serialised by a lock: safe to share across threads.
"""

from __future__ import annotations

import difflib
import re
import sqlite3

from shared.adapters import LockedSqlite, sqlite_path
from shared.adapters.search import MARK_END, MARK_START, SNIPPET_WORDS, free_text
from shared.adapters.search.terms import CJK, EMOJI, extra_terms, query_units
from shared.records import SearchDoc, SearchHit, iso

TITLE_WEIGHT, TEXT_WEIGHT = 2.0, 1.0
WEIGHTS = (TITLE_WEIGHT, TEXT_WEIGHT, TITLE_WEIGHT, TEXT_WEIGHT)  # title, text and their extras
TYPO_CUTOFF = 0.8  # difflib's similarity ratio a replacement word needs
TYPO_MIN_LENGTH = 4  # shorter words are left as typed
SNIPPET_CHARS = SNIPPET_WORDS * 4  # around a CJK or emoji match, where words have no spaces
_MARKABLE = re.compile(f"[{CJK}{EMOJI}]+")

SCHEMA = """
CREATE TABLE IF NOT EXISTS search_docs (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    uuid TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (type, uuid)
);
DROP TABLE IF EXISTS search_text;
CREATE VIRTUAL TABLE IF NOT EXISTS search_words USING fts5(
    title, text, title_extra, text_extra,
    tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE VIRTUAL TABLE IF NOT EXISTS search_vocab USING fts5vocab(search_words, 'row');
CREATE TABLE IF NOT EXISTS search_visibility (
    token TEXT NOT NULL,
    doc_id INTEGER NOT NULL REFERENCES search_docs (id) ON DELETE CASCADE,
    PRIMARY KEY (token, doc_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS search_visibility_doc ON search_visibility (doc_id);
"""


def match_expression(text: str) -> str | None:
    """Free text → an FTS5 expression: every unit, as any of its quoted spellings (the
    last word also as a prefix); None if the text holds nothing to look for."""
    units = query_units(text)
    if not units:
        return None
    last_word = max((i for i, (_, is_word) in enumerate(units) if is_word), default=-1)
    parts = []
    for i, (alternatives, _) in enumerate(units):
        star = "*" if i == last_word else ""
        quoted = [f'"{alternative}"{star}' for alternative in alternatives]
        parts.append(quoted[0] if len(quoted) == 1 else f"({' OR '.join(quoted)})")
    return " AND ".join(parts)


def snippet_of(text: str, query: str) -> str:
    """A CJK or emoji match marked in `text` (when FTS5's snippet had none to mark)."""
    for run in _MARKABLE.findall(query):
        for piece in (run, *(run[i : i + 2] for i in range(len(run) - 1)), *run):
            at = text.find(piece)
            if at >= 0:
                start = max(0, at - SNIPPET_CHARS // 2)
                before, after = text[start:at], text[at + len(piece) : at + SNIPPET_CHARS]
                return f"{before}{MARK_START}{piece}{MARK_END}{after}"
    return text[: SNIPPET_CHARS * 2]


def _marks(count: int) -> str:
    return ", ".join("?" * count)


class Fts5Search:
    def __init__(self, path: str) -> None:
        self.path = path
        self._sql = LockedSqlite(path, SCHEMA, "search index", "foreign_keys = ON")

    @classmethod
    def from_url(cls, url: str, *, timeout: float | None = None) -> Fts5Search:
        # embedded: no network; it waits only for its own file locks (its busy timeout)
        return cls(sqlite_path(url))

    def index(self, doc: SearchDoc) -> None:
        self.index_many([doc])

    def index_many(self, docs: list[SearchDoc]) -> None:
        with self._sql.transaction() as db:
            for doc in docs:
                self._insert(db, doc)

    def _insert(self, db: sqlite3.Connection, doc: SearchDoc) -> None:
        self._delete(db, doc.type, doc.uuid)
        doc_id = db.execute(
            "INSERT INTO search_docs (type, uuid, created_at) VALUES (?, ?, ?)",
            (doc.type, doc.uuid, iso(doc.created_at)),
        ).lastrowid
        title, text = free_text(doc.title, None), free_text(doc.text, None)
        db.execute(
            "INSERT INTO search_words (rowid, title, text, title_extra, text_extra)"
            " VALUES (?, ?, ?, ?, ?)",
            (doc_id, title, text, extra_terms(title), extra_terms(text)),
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
            db.execute("DELETE FROM search_words WHERE rowid = ?", row)
            db.execute("DELETE FROM search_docs WHERE id = ?", row)  # cascades to visibility

    def query(
        self, text: str, *, types: list[str], visible_to: list[str], limit: int
    ) -> list[SearchHit]:
        """`types` empty means every type; `visible_to` empty means nothing is visible."""
        text = free_text(text)
        expression = match_expression(text)
        if expression is None or not visible_to or limit <= 0:
            return []
        with self._sql.reading() as db:
            rows = db.execute(*self._select(expression, types, visible_to, limit)).fetchall()
            corrected = None if rows else self._corrected(db, text)
            if corrected:
                rows = db.execute(*self._select(corrected, types, visible_to, limit)).fetchall()
        return [
            SearchHit(type=kind, uuid=uuid, score=-rank, snippet=_best(marked, body, text))
            for kind, uuid, rank, body, *marked in rows
        ]

    @staticmethod
    def _corrected(db: sqlite3.Connection, text: str) -> str | None:
        """The query with each word no document holds replaced by the closest indexed
        term; None when there is nothing to replace."""
        changed, words = False, []
        for word in re.findall(r"[^\W\d_]+|\S+", text):
            near = None
            if len(word) >= TYPO_MIN_LENGTH and word.isalpha() and not _indexed(db, word):
                near = _closest(db, word.lower())
            changed |= near is not None
            words.append(near or word)
        return match_expression(" ".join(words)) if changed else None

    @staticmethod
    def _select(expression: str, types: list[str], visible_to: list[str], limit: int):
        type_filter = f"AND d.type IN ({_marks(len(types))})" if types else ""
        sql = f"""
            SELECT d.type, d.uuid, bm25(search_words, ?, ?, ?, ?) AS rank, w.text,
                   snippet(search_words, 1, ?, ?, '…', ?), snippet(search_words, 0, ?, ?, '…', ?)
            FROM search_words w JOIN search_docs d ON d.id = w.rowid
            WHERE search_words MATCH ? {type_filter}
              AND EXISTS (SELECT 1 FROM search_visibility v
                          WHERE v.doc_id = d.id AND v.token IN ({_marks(len(visible_to))}))
            ORDER BY rank, d.created_at DESC
            LIMIT ?"""
        marks = [MARK_START, MARK_END, SNIPPET_WORDS]
        params = [*WEIGHTS, *marks, *marks, expression]
        return sql, [*params, *types, *visible_to, limit]

    def health(self) -> None:
        with self._sql.reading() as db:
            db.execute("SELECT count(*) FROM search_docs").fetchone()

    def close(self) -> None:
        self._sql.close()


def _best(marked: list[str], body: str, query: str) -> str:
    """The text's snippet if it marks a match, else the title's, else a CJK/emoji mark."""
    return next((each for each in marked if MARK_START in each), None) or snippet_of(body, query)


def _indexed(db: sqlite3.Connection, word: str) -> bool:
    found = db.execute(
        "SELECT 1 FROM search_words WHERE search_words MATCH ? LIMIT 1", (f'"{word}"',)
    )
    return found.fetchone() is not None


def _closest(db: sqlite3.Connection, word: str) -> str | None:
    terms = [
        term
        for (term,) in db.execute(
            "SELECT term FROM search_vocab WHERE term >= ? AND term < ? AND length(term) BETWEEN ? AND ?",
            (word[0], chr(ord(word[0]) + 1), len(word) - 2, len(word) + 2),
        )
    ]
    return next(iter(difflib.get_close_matches(word, terms, n=1, cutoff=TYPO_CUTOFF)), None)
