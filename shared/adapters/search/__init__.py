"""Search adapters: SQLite FTS5 (embedded) and Elasticsearch / OpenSearch (servers).

Both mark the matched words in a hit's `snippet` the same way, so clients see one
format whichever backend answers: plain text (never HTML, since documents are
user content) with each match wrapped in MARK_START / MARK_END.
"""

from __future__ import annotations

MARK_START = "**"
MARK_END = "**"
SNIPPET_WORDS = 16
"""About how many words of context a snippet holds."""
