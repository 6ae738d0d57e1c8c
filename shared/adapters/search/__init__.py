"""Search adapters: SQLite FTS5 (embedded) and Elasticsearch / OpenSearch (servers).

Both mark the matched words in a hit's `snippet` the same way, so clients see one
format whichever backend answers: plain text (never HTML, since documents are
user content) with each match wrapped in MARK_START / MARK_END.

Both take query text through `free_text` first, so no string reaches an engine that
it could choke on: lone surrogates (valid in a Python str, not in UTF-8) and control
characters become spaces, and only the first MAX_QUERY_CHARS characters count.
"""

from __future__ import annotations

import re

MARK_START = "**"
MARK_END = "**"
SNIPPET_WORDS = 16
"""About how many words of context a snippet holds."""
MAX_QUERY_CHARS = 256
"""A query longer than this is cut: no one types more, and every word must match anyway."""

_UNSPEAKABLE = re.compile(r"[\ud800-\udfff\x00-\x1f\x7f]")


def free_text(text: str, limit: int | None = MAX_QUERY_CHARS) -> str:
    """`text` with lone surrogates and control characters turned into spaces, cut to `limit`."""
    return _UNSPEAKABLE.sub(" ", text[:limit] if limit else text)
