"""Hash the OAuth state

A later release, the demo's "bad release": it renames user_auth_sessions.state to state_hash, which the
running app's code still reads, so /health/ready fails until this migration is rolled back (`alembic
downgrade -1`, the seed's scenario 3). It lives in migrations/releases, which only release.ini lists, so the
default alembic.ini (and every test that upgrades to head) keeps the one migration of the guide.

Revision ID: 9d4b2e7c1a35
Revises: 6fc3f28b87c8
Create Date: 2026-02-01 10:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "9d4b2e7c1a35"
down_revision = "6fc3f28b87c8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("user_auth_sessions", "state", new_column_name="state_hash")


def downgrade() -> None:
    op.alter_column("user_auth_sessions", "state_hash", new_column_name="state")
