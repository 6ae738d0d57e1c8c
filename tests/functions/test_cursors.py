"""A `before` cursor Townsquare never issued (malformed, or a time outside any it hands
out) is a 400 naming `before` on every paginated route, never a fault of ours."""

from __future__ import annotations

import pytest

from tests.functions.helpers import error

UUID0 = "00000000-0000-0000-0000-000000000000"
BAD = [
    "yesterday",
    "9999-12-31T23:59:59.999Z",
    "0001-01-01T00:00:00Z",
    f"9999-12-31T23:59:59.999Z~{UUID0}",
    f"0001-01-01T00:00:00Z~{UUID0}",
    "2026-01-01T00:00:00Z~not-a-uuid",
]


@pytest.mark.parametrize("cursor", BAD)
def test_a_cursor_we_never_issued_is_400(api, cursor):
    ada, bob = api.person("Ada"), api.person("Bob")
    paths = [f"/users/{ada.uuid}/posts", "/feed", f"/messages?with_user={bob.uuid}"]
    for path in paths:
        if "~" in cursor and not path.startswith("/messages"):
            continue  # only message history cursors carry a uuid
        joiner = "&" if "?" in path else "?"
        error(api.get(f"{path}{joiner}before={cursor}", who=ada), 400, "before")
