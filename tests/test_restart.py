"""`townsquare dev` keeps its data under --data: a restart loses nothing.

Sessions and live-only messages (not yet archived) included: the embedded live
store snapshots to the data folder on close.
"""

from __future__ import annotations

from shared.context import Services
from shared.settings import Settings
from tests.conftest import Api
from triggers.http import create_app


def start(data_dir, events_factory=None) -> tuple[Services, Api]:
    from functions.registry import load
    from triggers.kafka import EventDispatcher

    services = Services(Settings(data_dir=data_dir, _env_file=None))
    app = create_app(services)
    return services, Api(app.test_client(), EventDispatcher(services, load()))


def test_restart_keeps_users_sessions_posts_and_live_messages(tmp_path):
    services, api = start(tmp_path)
    ada, bob = api.person("Ada"), api.person("Bob")
    post = api.post("/posts", ada, json={"text": "hello town", "scope": "public"}).get_json()[
        "post"
    ]
    message = api.post(
        "/messages", ada, json={"to_user": bob.uuid, "text": "live only"}
    ).get_json()["message"]
    # no api.settle(): the message is only in the live store, not archived yet
    api.events.close()
    services.close()

    services, api = start(tmp_path)
    assert api.get("/users/me", ada).status_code == 200  # the session survived
    assert api.get(f"/posts/{post['uuid']}", bob).get_json()["post"]["text"] == "hello town"
    history = api.get(f"/messages?with_user={ada.uuid}", bob).get_json()["items"]
    assert [m["uuid"] for m in history] == [message["uuid"]]
    api.settle()  # the pending message.created is still on the bus, and archives now
    assert services.content.get_archived_message(message["uuid"]) is not None
    api.events.close()
    services.close()
