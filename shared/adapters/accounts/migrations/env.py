"""Alembic environment for the accounts tables.

The adapter runs migrations itself when it opens (engine.migrate), handing over its
open connection in `config.attributes["connection"]`; there is no alembic.ini.
Offline mode (`--sql`) needs `sqlalchemy.url` set on the config.
"""

from __future__ import annotations

from alembic import context

from shared.adapters.accounts.engine import VERSION_TABLE
from shared.adapters.accounts.tables import metadata

config = context.config


def run_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
