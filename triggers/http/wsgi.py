"""The gateway as one WSGI app, settings from the environment: what the WebSocket gateway's
Knative Service (`ts-stream`) runs under gunicorn's threaded worker:

    gunicorn --worker-class gthread --threads 100 --timeout 0 triggers.http.wsgi:app
"""

from __future__ import annotations

from shared.context import bootstrap
from shared.settings import Settings
from triggers.http import create_app

app = create_app(bootstrap(Settings()))
