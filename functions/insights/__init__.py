"""insights: what the analytics jobs computed, served to operators only.

Operators are the users granted the role with `townsquare admin grant EMAIL` (an
accounts column; signing up never grants it). Everyone else gets 403: they may know insights exist, not read them.
"""
