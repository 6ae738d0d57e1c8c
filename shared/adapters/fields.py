"""A record's field ↔ column table, read in both directions.

The stores name their columns after the seed's tables, the records (shared.records) name
their fields their own way. One FieldMap per record says which column holds which field;
writes (record → row) and reads (row → record) both go through it, so the two directions
cannot drift apart. A column may name a property of the record (Message.conversation):
it is written, and not read back, since the record computes it.

`store` and `load` convert one value on its way into and out of a row; both get the
column and the field's name (for an error naming the field). By default values pass as
they are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

R = TypeVar("R")
Convert = Callable[[str, str, Any], Any]  # (column, field, value) -> value


def as_is(column: str, field: str, value: Any) -> Any:
    return value


class FieldMap(Generic[R]):
    def __init__(
        self,
        record: type[R],
        columns: Mapping[str, str],
        *,
        store: Convert = as_is,
        load: Convert = as_is,
    ) -> None:
        self.record_type = record
        self.columns = dict(columns)  # column -> the record's field (or property)
        self.store, self.load = store, load
        fields = {f.name for f in dataclasses.fields(record)}  # type: ignore[arg-type]
        self._read = {c: f for c, f in self.columns.items() if f in fields}

    def row(self, record: R) -> dict:
        """The row holding `record`: every column, converted by `store`."""
        return {c: self.store(c, f, getattr(record, f)) for c, f in self.columns.items()}

    def record(self, row: Mapping, **extra: Any) -> R:
        """The record a row holds (with `extra` fields the row does not)."""
        found = {f: self.load(c, f, row[c]) for c, f in self._read.items()}
        return self.record_type(**found, **extra)
