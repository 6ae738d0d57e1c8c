"""Journeys around posts and groups in the browser: comments, reactions and shares on a
post page; infinite scroll of the feed; making a private group, joining a public one,
admins managing members; replies, images and unread counts in the messenger."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.test_journeys import _open_chat, _say, png

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_comment_react_and_share_on_a_post_page(open_app, server):
    ada, bob = server.someone("Ada"), server.someone("Bob")
    post = server.call(
        "POST", "/posts", ada.token, json={"text": "Bake sale at noon", "scope": "public"}
    ).json()["post"]
    page = open_app(bob)
    page.goto(f"/#/posts/{post['uuid']}")
    page.get_by_label("Your comment").fill("I'll bring scones")
    page.get_by_role("button", name="Comment").click()
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(page.locator(".comment")).to_contain_text("I'll bring scones")
    expect(page.locator(".comment").get_by_role("link", name="Bob")).to_be_visible()

    page.get_by_role("button", name="Like 0").click()
    expect(page.get_by_role("button", name="Like 1")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Like 1").click()
    expect(page.get_by_role("button", name="Like 0")).to_have_attribute("aria-pressed", "false")

    page.get_by_label("Share with a comment (optional)").fill("Don't miss it")
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.locator("article.post footer")).to_contain_text("1 share")
    read = server.call("GET", f"/posts/{post['uuid']}", bob.token).json()["post"]
    assert (read["comment_count"], read["share_count"]) == (1, 1)
    assert page.errors == []


def test_the_feed_loads_more_as_it_scrolls(open_app, server):
    ada, bob = server.someone("Ada"), server.someone("Bob")
    assert server.call("PUT", f"/users/{ada.uuid}/follow", bob.token).status_code == 204
    for i in range(14):
        server.call("POST", "/posts", ada.token, json={"text": f"Note {i:02}", "scope": "public"})
    page = open_app(bob)
    pages = []
    page.on("request", lambda r: "/api/v1/feed?" in r.url and pages.append(r.url))
    posts = page.locator("article.post", has_text="Note")
    expect(posts.first).to_be_visible()
    page.mouse.wheel(0, 20_000)
    expect(posts).to_have_count(14)
    assert any("before=" in url for url in pages), pages  # the second page came by scrolling
    texts = sorted(t.strip() for t in posts.locator(".text").all_inner_texts())
    assert texts == [f"Note {i:02}" for i in range(14)]  # each once, pushed live or paged


def test_groups_create_private_join_public_and_manage_members(open_app, server):
    ada, bob = server.someone("Ada"), server.someone("Bob")
    name = f"Allotment growers {uuid.uuid4().hex[:6]}"  # the real search index outlives a run
    public = server.call(
        "POST", "/groups", bob.token, json={"name": name, "is_private": False}
    ).json()["group"]
    page = open_app(ada)
    page.get_by_role("link", name="Groups").click()
    page.get_by_label("Find groups by name").fill(name.split()[-1])
    page.get_by_role("button", name="Search").click()
    found = page.get_by_role("list", name="Groups found")
    for _ in range(30):  # the group is found once the indexing function has run
        if found.count():
            break
        page.get_by_role("button", name="Search").click()
        page.wait_for_timeout(500)
    expect(found.get_by_role("link", name=name)).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Book circle")
    page.get_by_label(re.compile("^Private")).check()
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("heading", name="Book circle")).to_be_visible()
    expect(page.get_by_text("Private group · 1 member")).to_be_visible()
    private_url = page.url

    page.goto(f"/#/groups/{public['uuid']}")
    page.get_by_role("button", name="Join group").click()
    expect(page.get_by_role("button", name="Leave group")).to_be_visible()
    expect(page.get_by_role("link", name="Open group chat")).to_be_visible()
    page.get_by_role("button", name="Leave group").click()
    expect(page.get_by_role("button", name="Join group")).to_be_visible()

    page.goto(private_url)
    page.get_by_label("Add a member by id").fill(bob.uuid)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Private group · 2 members")).to_be_visible()
    page.get_by_role("button", name="Make Bob an admin").click()
    expect(page.get_by_role("button", name="Remove admin rights from Bob")).to_be_visible()
    page.get_by_role("button", name="Remove Bob").click()
    expect(page.get_by_text("Private group · 1 member")).to_be_visible()
    assert page.errors == []


def test_messenger_replies_images_and_unread_counts(open_app, server):
    ada, bob = server.someone("Ada"), server.someone("Bob")
    ada_page, bob_page = open_app(ada), open_app(bob)
    ada_log = _open_chat(ada_page, f"dm/{bob.uuid}")
    bob_page.goto("/#/feed")
    _say(ada_page, "Lunch on Friday?")
    _say(ada_page, "Or Saturday")
    expect(bob_page.get_by_role("link", name="Messages, 2 unread")).to_be_visible()

    bob_page.get_by_role("link", name="Messages, 2 unread").click()
    ada_unread = re.compile(
        r"^Ada\s*, 2 unread$"
    )  # the count is a box of its own: a space may come
    expect(bob_page.get_by_role("link", name=ada_unread)).to_be_visible()
    bob_page.get_by_role("link", name=ada_unread).click()
    bob_log = bob_page.get_by_role("log", name="Messages")
    conversations = bob_page.get_by_role("navigation", name="Conversations")
    expect(conversations.get_by_role("link", name="Ada", exact=True)).to_be_visible()  # read
    expect(bob_page.get_by_role("link", name="Messages", exact=True)).to_be_visible()
    bob_log.locator("li", has_text="Lunch on Friday?").get_by_role("button", name="Reply").click()
    bob_page.get_by_label("Attach an image").set_input_files(
        files=[{"name": "menu.png", "mimeType": "image/png", "buffer": png()}]
    )
    _say(bob_page, "Friday works")
    reply = ada_log.locator("li.message", has_text="Friday works")
    expect(reply.locator("blockquote")).to_have_text("Lunch on Friday?")
    image = reply.get_by_alt_text("Image in a message")
    expect(image).to_be_visible()
    ada_page.wait_for_function(
        "img => img.complete && img.naturalWidth === 4", arg=image.element_handle()
    )
    assert ada_page.errors == [] and bob_page.errors == []


def test_a_drop_before_any_message_still_shows_what_was_missed(open_app, server):
    ada, bob = server.someone("Ada"), server.someone("Bob")
    ada_page, bob_page = open_app(ada), open_app(bob)
    _open_chat(ada_page, f"dm/{bob.uuid}")
    bob_log = _open_chat(bob_page, f"dm/{ada.uuid}")
    bob_page.context.set_offline(True)  # the stream has no message to resume from yet
    expect(bob_page.locator("#connection")).to_contain_text("Offline")
    _say(ada_page, "first words while you were away")
    bob_page.context.set_offline(False)
    expect(bob_log.locator("li.message", has_text="first words")).to_have_count(1)
    _say(ada_page, "and now live")
    expect(bob_log.locator("li.message")).to_have_count(2)
