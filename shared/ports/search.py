"""search: a ranked full-text index of posts, users and groups, filtered by visibility.

A document's `visibility` tokens say who may see it; a query passes the caller's
tokens and only documents sharing at least one come back, best first.
"""

from __future__ import annotations

from typing import Protocol

from shared.records import SearchDoc, SearchHit


class Search(Protocol):
    def index(self, doc: SearchDoc) -> None:
        """Insert or replace by (type, uuid)."""

    def index_many(self, docs: list[SearchDoc]) -> None:
        """index() for each, in one bulk write (one refresh for all, not one each)."""

    def remove(self, type: str, uuid: str) -> None: ...
    def query(
        self, text: str, *, types: list[str], visible_to: list[str], limit: int
    ) -> list[SearchHit]:
        """Best first; `snippet` shows the matched text. Free text, never a query language:
        operators and quotes in `text` are matched as words, never a syntax error.
        Empty `types` means every type; empty `visible_to` means nothing is visible."""

    def health(self) -> None: ...
    def close(self) -> None: ...
