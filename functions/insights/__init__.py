"""insights: what the analytics jobs computed, served to operators only.

Operators are the users whose email is in Settings.operator_emails (comma-separated,
case-insensitive). Everyone else gets 403: they may know insights exist, not read them.
"""
