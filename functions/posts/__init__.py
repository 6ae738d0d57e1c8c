"""posts: write a post, read it with its comments and reactions, comment, react, share.

Handlers live in the modules below (the registry imports them all); the event
functions in `indexing` keep search and the graph in step with what is written.
"""
