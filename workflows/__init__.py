"""Workflows: chains of functions linked by domain events.

A chain is not wired by hand: each function subscribes to the event types it handles
(`@app.on_event`) and emits its own, so the chains are read off the registry
(`workflows.chains.event_flow`). `townsquare functions` lists them.
"""
