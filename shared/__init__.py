"""Townsquare's thin data-access package.

settings  one Settings object, built once from the environment
records   the domain's records (plain dataclasses)
errors    the errors every port raises, whatever the backend
ports     one typing.Protocol per storage concern
adapters  the embedded and real implementations of each port
backends  the table that picks an adapter by URL scheme
context   bootstrap(settings) -> Services, and the per-call Context handed to functions
events    domain events as CloudEvents
"""
