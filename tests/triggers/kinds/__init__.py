"""Trigger kinds that exist only for the tests (found with triggers.kinds.discover)."""
