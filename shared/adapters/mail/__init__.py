"""Mail adapters: the console (development) and SMTP."""
