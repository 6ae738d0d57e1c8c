"""Who is calling, for every transport that takes a person's credentials: the HTTP gateway
and the WebSocket stream both use it, and it imports neither (no circle between them)."""
