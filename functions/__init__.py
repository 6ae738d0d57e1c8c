"""Townsquare's functions: one package per feature, each handler small and stateless.

A handler is `handler(request_or_event, ctx) -> result`: it gets its ports from `ctx`
(shared.context.Context), never reads the environment, never builds a client.
Triggers are declared with the decorators of functions.registry.
"""
