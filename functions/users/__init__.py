"""users: profiles (your own, with email and phone; anyone's public one), follows, and a
person's posts as the caller may see them.

Follows live in the graph port — it is their store, written before the call answers, so
`user.followed` / `user.unfollowed` are news for others (feed, recommendations), not the
write itself. Following twice or unfollowing someone you do not follow is a no-op that
emits nothing. Every user is indexed for search as a public "users" document, on
`user.signed_up` and again on `user.updated`.
"""
