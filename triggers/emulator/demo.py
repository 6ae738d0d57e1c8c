"""`townsquare dev --demo`: a believable sample community, written through the public API.

Everything goes through the gateway (signup, login, posts, comments, messages...), so
the demo data has passwords, events, search entries and graph edges like real data.
It is loaded once: a data folder that already has users is left alone.
Every demo account's password is `townsquare-demo`.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from rich.progress import Progress

DEMO_PASSWORD = "townsquare-demo"
FIRST = [
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Barbara",
    "Ken",
    "Margaret",
    "Dennis",
    "Radia",
    "Edsger",
    "Frances",
    "Tim",
    "Hedy",
    "John",
    "Katherine",
    "Guido",
    "Anita",
    "Bjarne",
    "Shafi",
    "Niklaus",
]
LAST = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Liskov",
    "Thompson",
    "Hamilton",
    "Ritchie",
    "Perlman",
    "Dijkstra",
    "Allen",
    "Berners-Lee",
    "Lamarr",
    "McCarthy",
    "Johnson",
    "Rossum",
    "Borg",
    "Stroustrup",
    "Goldwasser",
    "Wirth",
]
TOPICS = [
    "gardening",
    "cycling",
    "jazz",
    "chess",
    "baking",
    "astronomy",
    "hiking",
    "film",
    "python",
    "birdwatching",
    "pottery",
    "climbing",
    "poetry",
    "football",
    "photography",
]
PHRASES = [
    "Has anyone tried {t} in the rain? Asking for a friend.",
    "Weekly {t} meetup this Saturday at the library, all welcome.",
    "Just finished my first {t} project and I'm hooked.",
    "Looking for tips on getting better at {t} on a budget.",
    "Hot take: {t} is more fun with friends than alone.",
    "Found a great book about {t} at the market today.",
    "Who's up for a {t} evening next week?",
    "Photos from yesterday's {t} session are up!",
]
REACTIONS = ["like", "love", "laugh", "wow", "clap"]


class DemoLoader:
    def __init__(self, app: Flask, *, users: int = 240, seed: int = 7) -> None:
        self.client = app.test_client()
        self.rng = random.Random(seed)
        self.n_users = users
        self.people: list[dict] = []  # {uuid, token?}
        self.groups: list[dict] = []
        self.posts: list[str] = []

    def call(self, method: str, path: str, token: str | None = None, **kw) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.open("/api/v1" + path, method=method, headers=headers, **kw)
        if response.status_code >= 400:
            raise RuntimeError(
                f"{method} {path}: {response.status_code} {response.get_data(as_text=True)}"
            )
        return response.get_json(silent=True) or {}

    def already_loaded(self) -> bool:
        response = self.client.post(
            "/api/v1/auth/login",
            json={"email": "ada.lovelace.0@demo.example.org", "password": DEMO_PASSWORD},
        )
        return response.status_code == 200

    def load(self, progress: Progress) -> None:
        # every demo person signs up from this one address: lift its limit while loading
        settings = self.client.application.extensions["townsquare"].settings
        limit = settings.auth_attempts_per_address
        settings.auth_attempts_per_address = max(limit, 4 * self.n_users)
        try:
            self._load(progress)
        finally:
            settings.auth_attempts_per_address = limit

    def _load(self, progress: Progress) -> None:
        steps = [
            ("people sign up", self.n_users, self._sign_up),
            ("active people log in", self.n_users // 3, self._log_in),
            ("follows", self.n_users, self._follow),
            ("groups and members", len(TOPICS), self._group),
            ("posts", self.n_users * 2, self._post),
            ("comments and reactions", self.n_users * 3, self._comment_or_react),
            ("messages", self.n_users * 2, self._message),
        ]
        for title, count, step in steps:
            task = progress.add_task(title, total=count)
            parallel = step in (self._sign_up, self._log_in)
            with ThreadPoolExecutor(2 if parallel else 1) as pool:
                for _ in pool.map(step, range(count)):
                    progress.advance(task)
            self.people.sort(key=lambda person: person["i"])  # threads finish out of order

    @property
    def active(self) -> list[dict]:
        return [p for p in self.people if p.get("token")]

    def _sign_up(self, i: int) -> None:
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST) + i) % len(LAST)]
        email = f"{first}.{last}.{i}@demo.example.org".lower()
        user = self.call(
            "POST",
            "/auth/signup",
            json={"email": email, "name": f"{first} {last}", "password": DEMO_PASSWORD},
        )
        self.people.append({"uuid": user["user"]["uuid"], "email": email, "i": i})

    def _log_in(self, i: int) -> None:
        person = self.people[i]
        login = self.call(
            "POST", "/auth/login", json={"email": person["email"], "password": DEMO_PASSWORD}
        )
        person["token"] = login["token"]

    def _follow(self, _: int) -> None:
        me, other = self.rng.choice(self.active), self.rng.choice(self.people)
        if me["uuid"] != other["uuid"]:
            self.call("PUT", f"/users/{other['uuid']}/follow", me["token"])

    def _group(self, i: int) -> None:
        admin = self.active[i % len(self.active)]
        body = {"name": f"{TOPICS[i].title()} club", "is_private": i % 4 == 3}
        group = self.call("POST", "/groups", admin["token"], json=body)["group"]
        group["members"] = [admin]
        for person in self.rng.sample(self.active, k=min(12, len(self.active))):
            if person is admin:
                continue
            path = f"/groups/{group['uuid']}/members"
            if group["is_private"]:
                self.call("POST", path, admin["token"], json={"user_uuid": person["uuid"]})
            else:
                self.call("POST", path, person["token"], json={})
            group["members"].append(person)
        group["topic"] = TOPICS[i]
        self.groups.append(group)

    def _post(self, _: int) -> None:
        group = self.rng.choice(self.groups)
        author = self.rng.choice(group["members"])
        text = self.rng.choice(PHRASES).format(t=group["topic"])
        if self.rng.random() < 0.4:
            body = {"text": text, "scope": "group", "group_uuid": group["uuid"]}
        else:
            body = {"text": text, "scope": self.rng.choice(["public", "public", "followers"])}
        self.posts.append(self.call("POST", "/posts", author["token"], json=body)["post"]["uuid"])

    def _comment_or_react(self, _: int) -> None:
        person, post = self.rng.choice(self.active), self.rng.choice(self.posts)
        if (
            self.client.get(
                f"/api/v1/posts/{post}", headers={"Authorization": f"Bearer {person['token']}"}
            ).status_code
            != 200
        ):
            return
        if self.rng.random() < 0.4:
            self.call(
                "POST", f"/posts/{post}/comments", person["token"], json={"text": "Count me in!"}
            )
        else:
            self.call(
                "PUT", f"/posts/{post}/reactions/{self.rng.choice(REACTIONS)}", person["token"]
            )

    def _message(self, _: int) -> None:
        if self.rng.random() < 0.5:
            group = self.rng.choice(self.groups)
            sender = self.rng.choice(group["members"])
            body = {"to_group": group["uuid"], "text": f"Anyone around for {group['topic']} later?"}
        else:
            sender, other = self.rng.sample(self.active, k=2)
            body = {"to_user": other["uuid"], "text": "Hey! Good to see you here."}
        self.call("POST", "/messages", sender["token"], json=body)
