"""The issue's journeys in a real browser: account, posting with an image, search and a
follower's feed with its reason, live chat through a dropped network, private groups."""

from __future__ import annotations

import re
import struct
import zlib

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, PHONE, shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG (red pixels), made here so the test ships no binary."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_sign_up_log_in_and_post_an_image(open_app, server):
    page = open_app()
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Name").fill("Ada")
    email = f"ada.{id(page)}@example.org"
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Feed")).to_be_visible()
    assert "ts_session" not in page.evaluate("document.cookie")  # HttpOnly: not for scripts

    page.get_by_label("What's happening?").fill("Sunset over the square")
    page.get_by_label("Add images").set_input_files(
        files=[{"name": "sunset.png", "mimeType": "image/png", "buffer": png()}]
    )
    expect(page.get_by_alt_text("Preview of sunset.png")).to_be_visible()
    page.get_by_role("button", name="Post", exact=True).click()
    card = page.locator("article.post", has_text="Sunset over the square").first
    image = card.get_by_alt_text("Image in the post")
    expect(image).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 4", arg=image.element_handle()
    )
    card.get_by_role("link", name=re.compile("comments")).click()
    expect(page.get_by_role("heading", name="Post", exact=True)).to_be_visible()
    expect(page.get_by_alt_text("Image in the post")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to Townsquare")).to_be_visible()
    assert page.errors == []


def test_a_post_is_found_by_search_and_reaches_a_followers_feed_with_its_reason(open_app, server):
    ada, bob = server.someone("Ada"), server.someone("Bob")
    reader = open_app(bob)
    reader.goto(f"/#/users/{ada.uuid}")
    reader.get_by_role("button", name="Follow").click()
    expect(reader.get_by_role("button", name="Unfollow")).to_be_visible()
    reader.goto("/#/feed")
    expect(reader.get_by_role("heading", name="Feed")).to_be_visible()

    writer = open_app(ada)
    writer.get_by_label("What's happening?").fill("Marmalade workshop on Thursday")
    writer.get_by_role("button", name="Post", exact=True).click()
    expect(writer.locator("article.post", has_text="Marmalade workshop")).to_be_visible()

    live = reader.locator("article.post", has_text="Marmalade workshop")
    expect(live).to_be_visible(timeout=15_000)  # pushed over the stream, no reload
    reader.reload()
    card = reader.locator("article.post", has_text="Marmalade workshop")
    # the reason as a sentence a person reads (feed items carry reason_detail.text)
    expect(card.locator(".reason")).to_have_text(f"{ada.name}, whom you follow, posted")

    reader.goto("/#/search?q=marmalade&type=posts")
    hit = reader.get_by_role("list", name=re.compile("result")).get_by_role("listitem").first
    expect(hit.locator("mark")).to_have_text(re.compile("marmalade", re.I), timeout=15_000)
    hit.get_by_role("link").click()
    expect(reader.locator("article.post")).to_contain_text("Marmalade workshop on Thursday")
    reader.goto(f"/#/users/{ada.uuid}")
    reader.get_by_role("button", name="Unfollow").click()
    expect(reader.get_by_role("button", name="Follow")).to_be_visible()
    expect(reader.get_by_text("0 followers")).to_be_visible()
    assert reader.errors == [] and writer.errors == []


def _open_chat(page, path: str):
    page.goto(f"/#/messages/{path}")
    expect(page.get_by_label("Message", exact=True)).to_be_visible()
    return page.get_by_role("log", name="Messages")


def _say(page, text: str) -> None:
    page.get_by_label("Message", exact=True).fill(text)
    page.get_by_role("button", name="Send").click()


def _exactly_once(log, *texts: str) -> None:
    for text in texts:
        expect(log.locator("li.message:not(.pending)", has_text=text)).to_have_count(
            1, timeout=15_000
        )


@pytest.mark.parametrize("kind", ["dm", "private group"])
def test_live_chat_survives_a_dropped_network_with_no_loss_and_no_doubles(open_app, server, kind):
    ada, bob = server.someone("Ada"), server.someone("Bob")
    if kind == "dm":
        ada_path, bob_path = f"dm/{bob.uuid}", f"dm/{ada.uuid}"
    else:
        group = server.group({"token": ada.token}, {"uuid": bob.uuid}, private=True)
        ada_path = bob_path = f"group/{group}"
    ada_page, bob_page = open_app(ada), open_app(bob)
    sockets = []
    bob_page.on("websocket", lambda ws: sockets.append(ws.url))
    ada_log, bob_log = _open_chat(ada_page, ada_path), _open_chat(bob_page, bob_path)
    expect(bob_page.locator("#connection")).to_be_empty()  # live

    _say(ada_page, "hello before the drop")
    _exactly_once(bob_log, "hello before the drop")

    bob_page.context.set_offline(True)
    expect(bob_page.locator("#connection")).to_contain_text("Offline")
    _say(ada_page, "missed one")
    _say(ada_page, "missed two")
    _say(bob_page, "typed while offline")
    expect(bob_log.locator("li.pending", has_text="typed while offline")).to_be_visible()
    _exactly_once(ada_log, "missed one", "missed two")
    expect(ada_log).not_to_contain_text("typed while offline")

    bob_page.context.set_offline(False)
    _exactly_once(bob_log, "missed one", "missed two", "typed while offline")
    _exactly_once(ada_log, "typed while offline")
    assert any("since=" in url for url in sockets), sockets  # resumed, not started afresh
    _say(ada_page, "after the drop")
    _exactly_once(bob_log, "after the drop")
    bob_page.wait_for_timeout(500)  # a late duplicate would show up by now
    _exactly_once(bob_log, "hello before the drop", "missed one", "missed two", "after the drop")
    expect(ada_log.locator("li.message")).to_have_count(5)
    expect(bob_log.locator("li.message")).to_have_count(5)
    assert ada_page.errors == [] and bob_page.errors == []


def test_an_outsider_cannot_see_a_private_group(open_app, server):
    ada, bob, eve = server.someone("Ada"), server.someone("Bob"), server.someone("Eve")
    group = server.group({"token": ada.token}, {"uuid": bob.uuid}, private=True)
    posted = server.call(
        "POST",
        "/posts",
        ada.token,
        json={"text": "Members only secret", "scope": "group", "group_uuid": group},
    )
    assert posted.status_code == 201
    said = server.call("POST", "/messages", ada.token, json={"to_group": group, "text": "psst"})
    assert said.status_code == 201

    member = open_app(bob)
    member.goto(f"/#/groups/{group}")
    expect(member.get_by_role("heading", name="Chat club")).to_be_visible()
    expect(member.get_by_text("Private group")).to_be_visible()

    outsider = open_app(eve, viewport=PHONE)
    outsider.goto(f"/#/groups/{group}")
    expect(outsider.get_by_role("heading", name="Group not found")).to_be_visible()
    outsider.goto(f"/#/messages/group/{group}")
    expect(outsider.get_by_role("alert")).to_be_visible()
    outsider.goto("/#/search?q=secret&type=posts")
    expect(outsider.get_by_text("Nothing found")).to_be_visible(timeout=15_000)
    for path in (f"/#/groups/{group}", f"/#/messages/group/{group}", "/#/feed"):
        outsider.goto(path)
        outsider.wait_for_timeout(300)
        body = outsider.locator("main").inner_text()
        assert "Members only secret" not in body and "psst" not in body
    shoot(outsider, "private-group-outsider")
