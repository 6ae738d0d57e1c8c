"""feed: the caller's home timeline — newest first, over what they may see.

Simple and honest: the posts of the people the caller follows, the caller's own,
and those of the caller's groups, merged by time (no ranking model yet). Every
item is checked with can_see_post (as post_filter: each group and author once a request),
and carries the `reason` it is there.
"""
