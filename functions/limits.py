"""The write-rate limit: one budget per user, whatever the transport (HTTP, WebSocket, MQTT)."""

from __future__ import annotations

from shared.context import Context
from shared.errors import RateLimited


def charge_write(ctx: Context) -> None:
    """Count one write by the caller; RateLimited (429, Retry-After) past the budget."""
    limit = ctx.settings.write_rate_per_minute
    if not ctx.live.hit_rate(f"writes:{ctx.me.uuid}", limit, 60):
        raise RateLimited(f"more than {limit} writes a minute; slow down", retry_after=60)
