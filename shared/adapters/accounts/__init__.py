"""accounts adapters: SqlAccounts (sql.py) over SQLite or PostgreSQL, one code path.

Layout: tables.py (the seed's tables), migrations/ (Alembic, run on open),
engine.py (URL → engine, dialect capabilities, named transactions), rows.py
(rows ↔ records), users.py and groups.py (the two halves of the store).
"""
