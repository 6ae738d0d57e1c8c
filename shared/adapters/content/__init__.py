"""Content adapters: the tables of schema.py on SQLite (embedded) and on Cassandra.

schema.py describes every table once (designed by query); rows.py maps records to
rows and back (one field ↔ column table each); tables.py writes the Content port's
rules once over a few primitives; sqlite.py and cassandra.py supply those primitives.
"""
