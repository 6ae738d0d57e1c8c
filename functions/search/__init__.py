"""search: ranked full-text search over posts, users and groups, filtered by visibility.

The index is fed by event functions (posts: functions.posts.indexing). A query
passes the caller's visibility tokens, and post and group hits are checked again
against the store, so a stale index entry never shows what the caller may not see.
"""
