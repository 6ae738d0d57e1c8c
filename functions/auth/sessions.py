"""A person's sessions: list them, end one (a lost phone), end them all ("log out
everywhere"). A session is shown by an id, the first 16 hex digits of its token's sha256:
enough to name it, useless to sign in with."""

from __future__ import annotations

from functions.auth import end_every_session_of, end_sessions
from functions.http import Request
from functions.registry import app
from shared.context import Context
from shared.errors import NotFound
from shared.records import iso

ID_LENGTH = 16


def session_id(token_hash: str) -> str:
    return token_hash[:ID_LENGTH]


@app.route("GET", "/auth/sessions", summary="Your sessions, newest first")
def list_sessions(req: Request, ctx: Context) -> dict:
    return {
        "items": [
            {
                "id": session_id(session.token_hash),
                "created_at": iso(session.created_at),
                "expires_at": iso(session.expires_at),
                "current": session.token_hash == ctx.token_hash,
            }
            for session in ctx.live.user_sessions(ctx.me.uuid)
        ]
    }


@app.route("DELETE", "/auth/sessions/{session}", status=204, summary="End one of your sessions")
def end_session(req: Request, ctx: Context) -> None:
    wanted = req.params["session"]
    for session in ctx.live.user_sessions(ctx.me.uuid):
        if session_id(session.token_hash) == wanted:
            end_sessions(ctx, [session.token_hash])
            return
    raise NotFound("no such session", field="session")


@app.route(
    "DELETE",
    "/auth/sessions",
    status=204,
    summary="End every session, this one too (log out everywhere)",
)
def end_every_session(req: Request, ctx: Context) -> None:
    end_every_session_of(ctx, ctx.me.uuid)
