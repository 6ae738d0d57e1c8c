"""`townsquare backfill search|graph`: an empty index or graph rebuilt from accounts and
content holds what the event functions had put there; a second run changes nothing."""

from __future__ import annotations

import uuid

from shared.backends import open_port
from shared.context import Context, Services
from tests.contract.conftest import EMBEDDED
from tests.functions.helpers import group_of, post_of
from triggers.cli import main
from workflows.backfill import backfill_archive, backfill_graph, backfill_search


def rebuilt(services, port: str, tmp_path) -> Services:
    """The same stores, but an empty `port` (a fresh embedded one)."""
    fresh = open_port(port, EMBEDDED[port].format(tmp=tmp_path / f"fresh-{uuid.uuid4().hex}"))
    return Services(services.settings, overrides={
        name: services.port(name) for name in ("accounts", "content", "graph", "search")
    } | {port: fresh})  # fmt: skip


def hits(services, text: str, kind: str, tokens: list[str]) -> list[str]:
    return [h.uuid for h in services.search.query(text, types=[kind], visible_to=tokens, limit=20)]


def test_backfill_search_rebuilds_users_groups_and_posts(api, services, tmp_path):
    word = "w" + uuid.uuid4().hex[:10]
    ada = api.person(f"Ada {word}")
    club = group_of(api, ada, private=True, name=f"Club {word}")
    gone = group_of(api, ada, private=False, name=f"Gone {word}")
    post = post_of(api, ada, f"hello {word}")
    api.post(f"/posts/{post['uuid']}/comments", who=ada, json={"text": f"echo {word}x"})
    assert api.delete(f"/groups/{gone}", who=ada).status_code == 204
    api.settle()
    fresh = rebuilt(services, "search", tmp_path)
    assert hits(fresh, word, "posts", ["public"]) == []
    counts = backfill_search(Context(fresh))
    assert counts["posts"] >= 1 and counts["users"] >= 1 and counts["groups"] >= 2
    for _ in range(2):  # and again: idempotent
        assert hits(fresh, word, "users", ["public"]) == [ada.uuid]
        assert hits(fresh, word, "groups", ["public"]) == []
        assert hits(fresh, word, "groups", [f"group:{club}"]) == [club]
        assert hits(fresh, f"{word}x", "posts", ["public"]) == [post["uuid"]]
        backfill_search(Context(fresh))


def test_backfill_graph_rebuilds_memberships_authorship_and_reactions(api, services, tmp_path):
    ada, bob = api.person("Ada"), api.person("Bob")
    club = group_of(api, ada, bob, private=False)
    post = post_of(api, ada, "summit #Peak")
    assert api.put(f"/posts/{post['uuid']}/reactions/like", who=bob).status_code == 204
    api.settle()
    fresh = rebuilt(services, "graph", tmp_path)
    fresh.graph.follow(bob.uuid, ada.uuid)  # follows have no other store: kept as they are
    backfill_graph(Context(fresh))
    backfill_graph(Context(fresh))
    me = api.person("Me").uuid
    fresh.graph.follow(me, bob.uuid)
    assert [s.uuid for s in fresh.graph.suggest_groups(me, limit=5)] == [club]
    assert [s.uuid for s in fresh.graph.suggest_posts(me, limit=5)] == [post["uuid"]]
    assert fresh.graph.interests(ada.uuid, limit=5) == [("peak", 3.0)]
    assert fresh.graph.interests(bob.uuid, limit=5) == [("peak", 1.0)]


def test_backfill_archive_files_old_direct_messages_under_both_people(api, services):
    """An archive written before messages_by_person existed: its direct messages are only in
    messages_by_uuid and their conversation; the backfill files them under both people."""
    from shared.adapters.content import rows
    from shared.records import Message, new_timeuuid, utcnow

    ada, bob = str(uuid.uuid4()), str(uuid.uuid4())
    old = Message(new_timeuuid(), ada, bob, None, "archived long ago", utcnow())
    content = services.content.adapter  # the store as an older version left it
    for table in ("messages_by_uuid", "messages_archive"):
        content._write(table, rows.MESSAGE.row(old))
    assert services.content.archived_direct_messages(bob, before=None, limit=5) == []
    for _ in range(2):  # idempotent
        assert backfill_archive(Context(services))["messages"] >= 1
        for person in (ada, bob):
            found = services.content.archived_direct_messages(person, before=None, limit=5)
            assert [m.uuid for m in found] == [old.uuid]


def test_the_backfill_command_runs_on_a_data_folder(tmp_path, capsys):
    assert main(["backfill", "search", "--data", str(tmp_path)]) == 0
    assert "search backfilled: 0 users, 0 posts, 0 groups" in capsys.readouterr().out
    assert main(["backfill", "graph", "--data", str(tmp_path)]) == 0
    assert main(["backfill", "archive", "--data", str(tmp_path)]) == 0
    assert "archive backfilled: 0 messages" in capsys.readouterr().out
