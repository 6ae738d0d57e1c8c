"""The field ↔ column tables of the stores, and the one uuid and millisecond helpers.

The round trips through the real stores are in tests/contract; these check what a
round trip cannot: that each table names every column of its store, so a column added
to the schema without a field (or the other way round) fails here.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from shared.adapters.accounts import rows as account_rows
from shared.adapters.accounts import tables as account_tables
from shared.adapters.content import rows as content_rows
from shared.adapters.content.schema import TABLES
from shared.errors import Invalid
from shared.records import Message, canonical_uuid, optional_uuid, to_millisecond, uuid_or_none

CONTENT = {
    "post_master": content_rows.POST,
    "posts_by_author": content_rows.POST,
    "posts_by_group": content_rows.POST,
    "post_comments": content_rows.COMMENT,
    "post_reactions": content_rows.REACTION,
    "share_master": content_rows.SHARE,
    "messages_archive": content_rows.MESSAGE,
    "messages_by_uuid": content_rows.MESSAGE,
    "media_master": content_rows.MEDIA,
    "insights": content_rows.INSIGHT,
}
ACCOUNTS = {  # table -> (its map, the columns written beside the record)
    account_tables.user_master: (account_rows.USER, {"user_password_hashed"}),
    account_tables.user_group_master: (account_rows.GROUP, set()),
    account_tables.user_group_user_list: (account_rows.MEMBERSHIP, {"group_user_index"}),
    account_tables.app_service_groups_master: (account_rows.SERVICE, set()),
}


@pytest.mark.parametrize("table", sorted(CONTENT))
def test_each_content_map_names_every_column_of_its_table(table):
    assert set(CONTENT[table].columns) == set(TABLES[table].columns)


@pytest.mark.parametrize("table", list(ACCOUNTS), ids=lambda t: t.name)
def test_each_accounts_map_names_every_column_of_its_table(table):
    fields, beside = ACCOUNTS[table]
    assert set(fields.columns) | beside == {column.name for column in table.columns}


def test_a_message_row_reads_back_as_the_same_message():
    sender, to = str(uuid.uuid4()), str(uuid.uuid4()).upper()
    message = Message(
        uuid=str(uuid.uuid4()),
        sender_uuid=sender,
        to_user=to,
        to_group="",
        text="hi",
        created_at=datetime(2026, 1, 2, 3, 4, 5, 678_901, tzinfo=UTC),
        media=(str(uuid.uuid4()),),
    )
    row = content_rows.MESSAGE.row(message)
    assert row["destination_user_uuid"] == to.lower()
    assert row["destination_group_uuid"] is None  # an optional uuid may be empty
    assert row["contains_media"] is True and row["conversation"] == message.conversation
    assert row["message_timestamp"].microsecond == 678_000
    again = content_rows.MESSAGE.record(row)
    assert again == message.replace(
        to_user=to.lower(), to_group=None, created_at=row["message_timestamp"]
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("uuid", "nope"), ("sender_uuid", ""), ("media", ("x",)), ("created_at", "today")],
)
def test_a_message_row_refuses_a_bad_value_naming_the_field(field, value):
    good = Message(
        str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4()), None, "hi", datetime.now(UTC)
    )
    with pytest.raises(Invalid) as refused:
        content_rows.MESSAGE.row(good.replace(**{field: value}))
    assert refused.value.field == field


def test_canonical_uuid_is_lower_case_and_names_the_field_when_refused():
    value = uuid.uuid4()
    assert canonical_uuid(str(value).upper(), "x") == str(value)
    assert canonical_uuid(value, "x") == str(value)
    assert uuid_or_none(f"{{{value}}}") == str(value)
    with pytest.raises(Invalid) as refused:
        canonical_uuid("12", "group", where="group in the path")
    assert refused.value.field == "group"
    assert str(refused.value).startswith("group in the path must be a UUID")


@pytest.mark.parametrize("value", [None, "", "nope", 12, 0x1234567890ABCDEF1234567890ABCDEF, ["x"]])
def test_what_is_not_a_uuid_string_is_refused(value):
    assert uuid_or_none(value) is None
    with pytest.raises(Invalid):
        canonical_uuid(value, "uuid")


def test_optional_uuid_lets_none_through_only():
    assert optional_uuid(None, "to_user") is None
    with pytest.raises(Invalid):
        optional_uuid("", "to_user")


def test_to_millisecond_cuts_the_microseconds():
    when = datetime(2026, 1, 2, 3, 4, 5, 999_999, tzinfo=UTC)
    assert to_millisecond(when) == datetime(2026, 1, 2, 3, 4, 5, 999_000, tzinfo=UTC)
