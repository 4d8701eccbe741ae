"""Alembic environment for the example Lark Service.

The database URL is taken from the DATABASE_URL environment variable, never from alembic.ini, so a
runbook step passes it through its target's `env` (and the bot redacts it). Offline mode
(`alembic downgrade 6fc3f28b87c8:base --sql`) renders the SQL without connecting; it still needs
DATABASE_URL, for the dialect (any postgresql:// URL will do).
"""

import os
import sys
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)

# No autogenerate: the migrations are written by hand.
target_metadata = None


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        sys.stderr.write(
            "ERROR: DATABASE_URL is not set. Export it, e.g.\n"
            "  DATABASE_URL=postgresql://user:password@localhost:5432/lark_service alembic current\n"
        )
        sys.exit(2)
    # SQLAlchemy 1.4+ no longer accepts the "postgres://" scheme that libpq and Heroku-style URLs use.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    return url


def run_migrations_offline() -> None:
    """Render SQL to stdout (`--sql`): the offline preview of an upgrade or a downgrade."""
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
