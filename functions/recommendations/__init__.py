"""recommendations: people, groups and posts the graph suggests, filtered by visibility.

The graph proposes (functions.posts.indexing and the follow/join functions feed it);
the store decides: a post is shown only if can_see_post allows it, a group only if it
is active and either public or one the caller belongs to, a person only if they exist.
"""
