"""live adapters: RedisLive serves both `redis://host:port/db` and the embedded
`fakeredis:///abs/path/live.snapshot` through one code path."""
