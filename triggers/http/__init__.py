"""The HTTP gateway: `create_app(services)` builds the Flask app from the registry."""

from triggers.http.gateway import create_app

__all__ = ["create_app"]
