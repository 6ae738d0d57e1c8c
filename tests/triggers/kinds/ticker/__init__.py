"""A toy trigger kind: proof that a new kind needs no edit outside its own folder."""
