"""The accounts contract: every adapter (SQLite embedded, PostgreSQL real) passes it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.adapters import sqlite_path
from shared.backends import open_port
from shared.errors import Conflict, NotFound, Unavailable
from shared.records import Group, Service, User
from tests.contract.conftest import backend_params, open_adapter, unique

T0 = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)


@pytest.fixture(params=backend_params("accounts"))
def open_accounts(request, tmp_path):
    """Opens the adapter under test (again and again: the same file or server each time)."""
    opened = []

    def open_():
        opened.append(open_adapter("accounts", request.param, tmp_path))
        return opened[-1]

    yield open_
    for adapter in opened:
        adapter.close()


@pytest.fixture
def accounts(open_accounts):
    return open_accounts()


def person(accounts, name="Ada", *, email=None, when=T0) -> User:
    email = email or f"{name}.{unique()}@Example.org"
    return accounts.create_user(User(unique(), email, name, "+44 1234", when), f"hash-{name}")


def group(accounts, creator: User, *, name="Chess club", private=False, when=T0) -> Group:
    fresh = Group(unique(), name, private, creator.uuid, 0, True, when)
    return accounts.create_group(fresh, creator)


# users ----------------------------------------------------------------------------
def test_a_user_reads_back_as_written_with_the_email_lower_cased(accounts):
    ada = person(accounts, email=f"Ada.{unique()}@Example.ORG")
    assert ada.email == ada.email.lower()
    found = accounts.get_user(ada.uuid)
    assert found == ada
    assert found.signup_date == T0 and found.signup_date.tzinfo is not None
    assert found.signup_date.utcoffset() == timedelta(0)
    assert found.last_logged_in is None


def test_operators_are_granted_explicitly_and_revoked(accounts):
    ada, bob = person(accounts), person(accounts, "Bob")
    assert not ada.is_operator
    assert accounts.set_operator(ada.uuid, True).is_operator
    assert accounts.get_user(ada.uuid).is_operator
    assert ada.uuid in {u.uuid for u in accounts.operators()}
    assert bob.uuid not in {u.uuid for u in accounts.operators()}
    accounts.set_operator(ada.uuid, False)
    assert not accounts.find_user_by_email(ada.email).is_operator
    with pytest.raises(NotFound):
        accounts.set_operator(unique(), True)


def test_follow_requests_wait_oldest_first_until_dropped(accounts):
    ada, bob, cy = person(accounts), person(accounts, "Bob"), person(accounts, "Cy")
    assert not ada.is_private
    assert accounts.update_user(ada.uuid, is_private=True).is_private
    accounts.request_follow(bob.uuid, ada.uuid, T0 + timedelta(seconds=2))
    accounts.request_follow(cy.uuid, ada.uuid, T0 + timedelta(seconds=1))
    accounts.request_follow(bob.uuid, ada.uuid, T0 + timedelta(seconds=9))  # a repeat
    assert accounts.follow_requests(ada.uuid) == [
        (cy.uuid, T0 + timedelta(seconds=1)),
        (bob.uuid, T0 + timedelta(seconds=2)),
    ]
    assert accounts.follow_requests(bob.uuid) == []
    assert accounts.drop_follow_request(cy.uuid, ada.uuid)
    assert not accounts.drop_follow_request(cy.uuid, ada.uuid)
    assert [uuid for uuid, _ in accounts.follow_requests(ada.uuid)] == [bob.uuid]
    with pytest.raises(NotFound):
        accounts.request_follow(unique(), ada.uuid, T0)


def test_missing_users_are_not_found(accounts):
    missing = unique()
    with pytest.raises(NotFound):
        accounts.get_user(missing)
    with pytest.raises(NotFound):
        accounts.password_hash(missing)
    with pytest.raises(NotFound):
        accounts.set_password_hash(missing, "x")
    with pytest.raises(NotFound):
        accounts.update_user(missing, name="Nobody")
    with pytest.raises(NotFound):
        accounts.record_login(missing, T0)
    assert accounts.find_user_by_email(f"{missing}@example.org") is None


def test_an_email_is_taken_whatever_its_case(accounts):
    email = f"grace.{unique()}@example.org"
    person(accounts, "Grace", email=email)
    before = accounts.count_users()
    with pytest.raises(Conflict) as taken:
        person(accounts, "Impostor", email=email.upper())
    assert taken.value.field == "email"
    assert accounts.count_users() == before


def test_find_user_by_email_ignores_case(accounts):
    ada = person(accounts)
    assert accounts.find_user_by_email(ada.email.upper()) == ada


def test_users_returns_those_that_exist(accounts):
    ada, bob = person(accounts), person(accounts, "Bob")
    found = accounts.users([ada.uuid, unique(), bob.uuid, ada.uuid])
    assert sorted(found, key=lambda u: u.name) == [ada, bob]
    assert accounts.users([]) == []


def test_password_hash_is_stored_and_replaced(accounts):
    ada = person(accounts)
    assert accounts.password_hash(ada.uuid) == "hash-Ada"
    accounts.set_password_hash(ada.uuid, "argon2id$new")
    assert accounts.password_hash(ada.uuid) == "argon2id$new"


def test_update_user_changes_only_the_fields_given(accounts):
    ada = person(accounts)
    assert accounts.update_user(ada.uuid, phone="+1 555") == ada.replace(phone="+1 555")
    renamed = accounts.update_user(ada.uuid, name="Ada L.")
    assert renamed == ada.replace(phone="+1 555", name="Ada L.")
    assert accounts.update_user(ada.uuid) == renamed
    assert accounts.get_user(ada.uuid) == renamed


def test_a_rename_reaches_the_member_lists(accounts):
    ada = person(accounts)
    club = group(accounts, ada)
    accounts.update_user(ada.uuid, name="Countess")
    assert [m.user_name for m in accounts.members(club.uuid)] == ["Countess"]


def test_record_login_keeps_the_instant_in_utc(accounts):
    ada = person(accounts)
    paris = datetime(2024, 6, 1, 14, 30, 5, 250000, tzinfo=timezone(timedelta(hours=2)))
    accounts.record_login(ada.uuid, paris)
    seen = accounts.get_user(ada.uuid).last_logged_in
    assert seen == paris and seen.utcoffset() == timedelta(0)


def test_count_users_counts_new_users(accounts):
    before = accounts.count_users()
    person(accounts), person(accounts, "Bob")
    assert accounts.count_users() == before + 2


# groups and membership -------------------------------------------------------------
def test_a_new_group_has_its_creator_as_its_only_admin(accounts):
    ada = person(accounts)
    club = group(accounts, ada, private=True)
    assert club.user_count == 1
    assert accounts.get_group(club.uuid) == club
    [admin] = accounts.members(club.uuid)
    assert (admin.user_uuid, admin.user_name, admin.is_admin, admin.is_active) == (
        ada.uuid,
        "Ada",
        True,
        True,
    )
    assert admin.added_on == T0
    assert accounts.membership(club.uuid, ada.uuid) == admin
    assert accounts.groups_of(ada.uuid) == [club]


def test_missing_groups_are_not_found(accounts):
    ada = person(accounts)
    missing = unique()
    with pytest.raises(NotFound):
        accounts.get_group(missing)
    with pytest.raises(NotFound):
        accounts.delete_group(missing, T0)
    with pytest.raises(NotFound):
        accounts.add_member(missing, ada, is_admin=False, when=T0)
    assert accounts.membership(missing, ada.uuid) is None
    assert accounts.members(missing) == []


def test_a_group_needs_an_existing_creator(accounts):
    ghost = User(unique(), f"{unique()}@example.org", "Ghost", None, T0)
    with pytest.raises(NotFound):
        group(accounts, ghost)


def test_groups_returns_those_that_exist(accounts):
    ada = person(accounts)
    one, two = group(accounts, ada, name="one"), group(accounts, ada, name="two")
    found = accounts.groups([two.uuid, unique(), one.uuid])
    assert sorted(found, key=lambda g: g.name) == [one, two]
    assert accounts.groups([]) == []


def test_joining_counts_and_a_second_join_conflicts(accounts):
    ada, bob = person(accounts), person(accounts, "Bob")
    club = group(accounts, ada)
    joined = accounts.add_member(club.uuid, bob, is_admin=False, when=T0 + timedelta(minutes=1))
    assert (joined.user_uuid, joined.is_active, joined.is_admin) == (bob.uuid, True, False)
    assert accounts.membership(club.uuid, bob.uuid) == joined
    assert accounts.get_group(club.uuid).user_count == 2
    with pytest.raises(Conflict):
        accounts.add_member(club.uuid, bob, is_admin=True, when=T0)
    assert accounts.get_group(club.uuid).user_count == 2


def test_an_unknown_user_cannot_join(accounts):
    club = group(accounts, person(accounts))
    ghost = User(unique(), f"{unique()}@example.org", "Ghost", None, T0)
    with pytest.raises(NotFound):
        accounts.add_member(club.uuid, ghost, is_admin=False, when=T0)
    assert accounts.get_group(club.uuid).user_count == 1


def test_members_are_the_active_ones_oldest_first(accounts):
    ada = person(accounts)
    club = group(accounts, ada)
    later = [person(accounts, name) for name in ("Cy", "Bob", "Dee")]
    for minutes, member in enumerate(later, start=1):
        accounts.add_member(club.uuid, member, is_admin=False, when=T0 + timedelta(minutes=minutes))
    accounts.remove_member(club.uuid, later[1].uuid, T0 + timedelta(hours=1))
    assert [m.user_name for m in accounts.members(club.uuid)] == ["Ada", "Cy", "Dee"]


def test_leaving_is_a_soft_remove_and_a_rejoin_counts_again(accounts):
    ada, bob = person(accounts), person(accounts, "Bob")
    club = group(accounts, ada)
    accounts.add_member(club.uuid, bob, is_admin=True, when=T0)
    accounts.remove_member(club.uuid, bob.uuid, T0 + timedelta(days=1))
    assert accounts.membership(club.uuid, bob.uuid) is None
    assert accounts.get_group(club.uuid).user_count == 1
    assert accounts.groups_of(bob.uuid) == []
    with pytest.raises(NotFound):
        accounts.remove_member(club.uuid, bob.uuid, T0)
    assert accounts.get_group(club.uuid).user_count == 1

    back = T0 + timedelta(days=2)
    again = accounts.add_member(club.uuid, bob, is_admin=False, when=back)
    assert (again.is_active, again.is_admin, again.added_on, again.removed_on) == (
        True,
        False,
        back,
        None,
    )
    assert accounts.membership(club.uuid, bob.uuid) == again
    assert accounts.get_group(club.uuid).user_count == 2
    assert [g.uuid for g in accounts.groups_of(bob.uuid)] == [club.uuid]


def test_set_admin_changes_active_members_only(accounts):
    ada, bob = person(accounts), person(accounts, "Bob")
    club = group(accounts, ada)
    accounts.add_member(club.uuid, bob, is_admin=False, when=T0)
    promoted = accounts.set_admin(club.uuid, bob.uuid, True)
    assert promoted.is_admin and accounts.membership(club.uuid, bob.uuid).is_admin
    assert not accounts.set_admin(club.uuid, bob.uuid, False).is_admin
    accounts.remove_member(club.uuid, bob.uuid, T0)
    with pytest.raises(NotFound):
        accounts.set_admin(club.uuid, bob.uuid, True)
    with pytest.raises(NotFound):
        accounts.set_admin(club.uuid, unique(), True)


def test_a_deleted_group_is_kept_but_leaves_groups_of(accounts):
    ada, bob = person(accounts), person(accounts, "Bob")
    kept, gone = group(accounts, ada, name="kept"), group(accounts, ada, name="gone")
    accounts.add_member(gone.uuid, bob, is_admin=False, when=T0)
    when = T0 + timedelta(days=3)
    accounts.delete_group(gone.uuid, when)
    deleted = accounts.get_group(gone.uuid)
    assert (deleted.is_active, deleted.deleted_on, deleted.user_count) == (False, when, 2)
    assert len(accounts.members(gone.uuid)) == 2  # memberships are kept
    assert accounts.groups_of(ada.uuid) == [kept]
    assert accounts.groups_of(bob.uuid) == []
    with pytest.raises(NotFound):
        accounts.add_member(gone.uuid, person(accounts, "Cy"), is_admin=False, when=T0)
    with pytest.raises(NotFound):
        accounts.delete_group(gone.uuid, when)


def test_concurrent_joins_keep_the_count_true(accounts):
    ada = person(accounts)
    club = group(accounts, ada)
    joiners = [person(accounts, f"P{n}") for n in range(8)]
    twice = joiners[0]

    def join(user):
        try:
            accounts.add_member(club.uuid, user, is_admin=False, when=T0)
            return "joined"
        except Conflict:
            return "conflict"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(join, joiners + [twice] * 4))
    assert outcomes.count("joined") == 8 and outcomes.count("conflict") == 4
    assert accounts.get_group(club.uuid).user_count == 9 == len(accounts.members(club.uuid))


# service groups ---------------------------------------------------------------------
def test_register_service_is_an_upsert(accounts):
    pods_before = accounts.app_pods_count()
    service = Service(unique(), f"feed-{unique()}", "registry/feed:1", 2)
    accounts.register_service(service)
    scaled = service.replace(image_id="registry/feed:2", pods_count=5, min_scale=1, max_scale=9)
    accounts.register_service(scaled)
    mine = [s for s in accounts.services() if s.service_uuid == service.service_uuid]
    assert mine == [scaled]
    assert accounts.app_pods_count() == pods_before + 5


# the store itself ------------------------------------------------------------------
def test_what_is_written_survives_a_reopen(open_accounts):
    first = open_accounts()
    ada = person(first)
    club = group(first, ada)
    first.close()
    second = open_accounts()
    assert second.get_user(ada.uuid) == ada
    assert second.get_group(club.uuid) == club
    assert second.password_hash(ada.uuid) == "hash-Ada"


def test_health_passes_on_a_working_store(accounts):
    accounts.health()


def test_an_unreachable_server_is_unavailable():
    with pytest.raises(Unavailable):
        open_port("accounts", "postgresql://nobody:secret@127.0.0.1:1/townsquare")


def test_sqlite_path_follows_sqlalchemy(tmp_path):
    assert sqlite_path(f"sqlite:///{tmp_path}/deep/x.db") == f"{tmp_path}/deep/x.db"
    assert (tmp_path / "deep").is_dir()
    assert sqlite_path("sqlite:///:memory:") == ":memory:"
    assert sqlite_path("sqlite://") == ":memory:"
    assert sqlite_path("sqlite:///relative.db") == "relative.db"


# whole tables (the analytics export) -------------------------------------------------
def test_the_whole_table_reads_include_removed_and_deleted_rows(accounts):
    ada, bob = person(accounts, "Ada"), person(accounts, "Bob")
    club = group(accounts, ada)
    accounts.add_member(club.uuid, bob, is_admin=False, when=T0 + timedelta(days=1))
    accounts.remove_member(club.uuid, bob.uuid, T0 + timedelta(days=2))
    accounts.delete_group(club.uuid, T0 + timedelta(days=3))

    users = {u.uuid: u for u in accounts.all_users()}
    assert users[ada.uuid] == accounts.get_user(ada.uuid) and bob.uuid in users
    [club_row] = [g for g in accounts.all_groups() if g.uuid == club.uuid]
    assert club_row.is_active is False and club_row.deleted_on is not None
    rows = {m.user_uuid: m for m in accounts.all_memberships() if m.group_uuid == club.uuid}
    assert rows[ada.uuid].is_admin and rows[ada.uuid].is_active
    assert rows[bob.uuid].is_active is False and rows[bob.uuid].removed_on is not None


def test_popular_groups_are_active_public_ones_most_members_first(accounts):
    people = [person(accounts, f"P{i}") for i in range(3)]
    big = group(accounts, people[0], name="Big")
    small = group(accounts, people[0], name="Small")
    hidden = group(accounts, people[0], name="Hidden", private=True)
    for other in people[1:]:
        accounts.add_member(big.uuid, other, is_admin=False, when=T0)
        accounts.add_member(hidden.uuid, other, is_admin=False, when=T0)
    popular = accounts.popular_groups(limit=1000)
    uuids = [g.uuid for g in popular]
    assert uuids.index(big.uuid) < uuids.index(small.uuid) and hidden.uuid not in uuids
    assert all(g.is_active and not g.is_private for g in popular)
    assert [g.user_count for g in popular] == sorted((g.user_count for g in popular), reverse=True)
    accounts.delete_group(big.uuid, T0)
    assert big.uuid not in [g.uuid for g in accounts.popular_groups(limit=1000)]
