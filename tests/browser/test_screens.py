"""Every main screen at phone and desktop widths: an axe-core scan (no serious or critical
violation) and a screenshot; hostile user text stays text; failures offer a retry; the
operators' application view shows what exists and says what is not computed yet."""

from __future__ import annotations

import json
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, axe_violations, shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTILE = (
    '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> '
    "\u202eevil\u202c " + "W" * 400
)


@pytest.fixture(scope="module")
def town(server):
    """A small community: Ada posts, Bob follows her, both are in a group and have
    chatted; Mallory posts hostile text; Olga is an operator."""
    ada, bob = server.someone("Ada"), server.someone("Bob")
    olga = server.operator("Olga")
    assert server.call("PUT", f"/users/{ada.uuid}/follow", bob.token).status_code == 204
    group = server.group({"token": ada.token}, {"uuid": bob.uuid}, private=False)
    post = server.call(
        "POST", "/posts", ada.token, json={"text": "Picnic in the park", "scope": "public"}
    ).json()["post"]
    mallory = server.someone("Mallory")
    server.call("POST", "/posts", mallory.token, json={"text": HOSTILE, "scope": "public"})
    server.call("POST", f"/posts/{post['uuid']}/comments", bob.token, json={"text": "Count me in"})
    server.call("POST", "/messages", bob.token, json={"to_user": ada.uuid, "text": "See you"})
    server.call("POST", "/messages", ada.token, json={"to_user": bob.uuid, "text": "At noon!"})
    server.call(
        "POST", "/posts", ada.token, json={"text": "Who has a ladder to lend?", "scope": "public"}
    )
    return {
        "ada": ada,
        "bob": bob,
        "olga": olga,
        "mallory": mallory,
        "group": group,
        "post": post["uuid"],
    }


def screens(town) -> dict[str, tuple[str, str]]:
    """name → (path, a heading that says the screen is drawn)."""
    return {
        "feed": ("/#/feed", "Feed"),
        "post": (f"/#/posts/{town['post']}", "Comments (1)"),
        "profile": (f"/#/users/{town['ada'].uuid}", "Ada"),
        "groups": ("/#/groups", "Groups"),
        "group": (f"/#/groups/{town['group']}", "Chat club"),
        "search": ("/#/search?q=picnic&type=posts", "Search"),
        "recommendations": ("/#/recommendations", "For you"),
        "messages": (f"/#/messages/dm/{town['ada'].uuid}", "Ada"),
    }


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_main_screen_passes_axe_and_is_photographed(open_app, town, viewport):
    found = {}
    login = open_app(viewport=viewport)
    expect(login.get_by_role("heading", name="Log in to Townsquare")).to_be_visible()
    found["login"] = axe_violations(login)
    shoot(login, "login")
    login.goto("/#/signup")
    expect(login.get_by_role("heading", name="Create your account")).to_be_visible()
    found["signup"] = axe_violations(login)
    shoot(login, "signup")
    page = open_app(town["bob"], viewport=viewport)
    for name, (path, heading) in screens(town).items():
        page.goto(path)
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
        page.wait_for_load_state("networkidle")
        found[name] = axe_violations(page)
        shoot(page, name)
    ops = open_app(town["olga"], viewport=viewport)
    ops.goto("/#/ops")
    expect(ops.get_by_role("heading", name="Operations")).to_be_visible()
    ops.wait_for_load_state("networkidle")
    found["operations"] = axe_violations(ops)
    shoot(ops, "operations")
    assert {name: v for name, v in found.items() if v} == {}, json.dumps(found, indent=1)
    assert page.errors == [] and ops.errors == []


def test_hostile_text_is_shown_as_text_and_does_not_break_the_layout(open_app, town):
    page = open_app(town["bob"], viewport=PHONE)
    page.goto(f"/#/users/{town['mallory'].uuid}")
    card = page.locator("article.post", has_text="evil")
    expect(card).to_be_visible()
    expect(card.locator(".text")).to_contain_text('<img src=x onerror="window.pwned=1">')
    assert page.evaluate("window.pwned") is None
    assert card.locator("img, script").count() == 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"
    assert card.evaluate("el => el.getBoundingClientRect().right") <= PHONE["width"]


def test_a_server_failure_shows_a_clear_message_and_a_retry(open_app, town):
    page = open_app(town["bob"])
    expect(page.locator("article.post", has_text="Picnic in the park")).to_be_visible()
    # The browser is told the feed is down (a real outage is tested in
    # tests/triggers/test_outage.py) until the alert is on screen: every feed request
    # fails meanwhile, whichever one the app makes (a live push may refresh the feed too);
    # then the retry reaches the real server.
    down = [True]

    def outage(route):
        if not down[0]:
            return route.continue_()
        return route.fulfill(
            status=503,
            content_type="application/json",
            body=json.dumps({"error": {"code": "unavailable", "message": "content is down"}}),
        )

    page.route("**/api/v1/feed?*", outage)
    page.goto("/#/groups")
    page.goto("/#/feed")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("content is down")
    down[0] = False
    alert.get_by_role("button", name="Try again").click()
    expect(page.locator("article.post", has_text="Picnic in the park")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)


def test_the_operator_sees_the_application_view_and_a_live_anomaly_flag(open_app, server, town):
    bob_page = open_app(town["bob"])
    expect(bob_page.get_by_role("link", name="Operations")).to_have_count(0)
    page = open_app(town["olga"])
    page.get_by_role("link", name="Operations").click()
    expect(page.get_by_role("heading", name="Operations")).to_be_visible()
    insights = page.get_by_role("region", name="Insights")
    expect(insights.get_by_text("not computed yet").first).to_be_visible()
    services = page.get_by_role("region", name="Services")
    expect(services.locator("table, .not-yet")).to_be_visible()
    # The flag arrives on the operator's stream as the analytics detector pushes it; here
    # it is published on that person's live channel, the stream's own source.
    flag = {
        "series": "messages_per_minute",
        "value": 90,
        "expected": 12,
        "score": 7.5,
        "at": "2026-01-01T00:00:00.000Z",
    }
    server.services.live.publish(
        f"user:{town['olga'].uuid}", {"type": "anomaly.detected", "data": flag}
    )
    expect(page.get_by_role("alert").filter(has_text="messages_per_minute")).to_be_visible()

    device = f"sensor-{uuid.uuid4().hex[:8]}"  # the real log store outlives a run
    client = server.mqtt("device", device)
    payload = json.dumps({"level": "warning", "message": "battery <b>low</b>"})
    client.publish(f"townsquare/devices/{device}/logs", payload, qos=1).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()
    page.get_by_label("Device id").fill(device)
    logs = page.get_by_role("region", name="Device logs")
    for _ in range(20):  # the log is stored once the MQTT trigger ran
        logs.get_by_role("button", name="Show logs").click()
        if logs.get_by_text("battery <b>low</b>").count():
            break
        page.wait_for_timeout(250)
    expect(logs.get_by_text("battery <b>low</b>")).to_be_visible()
    assert page.errors == []


def test_the_operator_sees_the_chart_of_a_computed_insight(open_app, server, town):
    from shared.records import Insight, utcnow

    now = utcnow()
    items = [
        {"period": period, "start": "2026-11-30T00:00:00Z", "users": users}
        for period, users in (("day", 12), ("week", 40), ("month", 75))
    ]
    window = {"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"}
    server.services.content.put_insight(
        Insight("active_users", now, {"window": window, "items": items})
    )
    page = open_app(town["olga"])
    page.get_by_role("link", name="Operations").click()
    chart = page.get_by_role("img", name="Chart of active users")
    expect(chart).to_be_visible()
    page.wait_for_function(
        "() => [...document.images].some(i => i.alt === 'Chart of active users' && i.naturalWidth > 0)"
    )
    assert page.errors == []


def test_keyboard_alone_logs_in_posts_and_moves_around(open_app, town):
    page = open_app()
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(town["bob"].email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Feed")).to_be_visible()
    page.keyboard.press("Tab")  # a new screen puts focus at its start
    expect(page.get_by_label("What's happening?")).to_be_focused()
    page.keyboard.type("Typed without a mouse")
    for _ in range(3):  # who sees it, images, Post
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Post", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("article.post", has_text="Typed without a mouse")).to_be_visible()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")  # back past the form into the navigation
    expect(page.get_by_role("button", name="Log out")).to_be_focused()
