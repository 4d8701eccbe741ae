"""Initial Schema

Tables tokens, user_cache and user_auth_sessions, with the six indexes the rollback guide names.

Revision ID: 6fc3f28b87c8
Revises:
Create Date: 2026-01-15 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "6fc3f28b87c8"
down_revision = None
branch_labels = None
depends_on = None


def _timestamps() -> list:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    ]


def upgrade() -> None:
    # App access tokens (tenant_access_token, app_access_token) cached per app.
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("app_id", sa.String(64), nullable=False),
        sa.Column("token_type", sa.String(32), nullable=False),
        sa.Column("token_value", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        *_timestamps(),
    )
    op.create_index("idx_tokens_expires", "tokens", ["expires_at"])

    # User profiles fetched from the Lark contact API, cached until expires_at.
    op.create_table(
        "user_cache",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("app_id", sa.String(64), nullable=False),
        sa.Column("union_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("open_id", sa.String(64), nullable=True),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("email", sa.String(255), nullable=True),
        sa.Column("mobile", sa.String(32), nullable=True),
        sa.Column("avatar_url", sa.Text(), nullable=True),
        sa.Column("data", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        *_timestamps(),
    )
    op.create_index("idx_user_cache_union_id", "user_cache", ["union_id"])
    op.create_index("idx_user_cache_user_id", "user_cache", ["user_id"])
    op.create_index("idx_user_cache_expires", "user_cache", ["expires_at"])

    # OAuth sessions for user_access_token: `state` ties the redirect back to the session.
    op.create_table(
        "user_auth_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("state", sa.String(128), nullable=False),
        sa.Column("app_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("open_id", sa.String(64), nullable=True),
        sa.Column("union_id", sa.String(64), nullable=True),
        sa.Column("user_access_token", sa.Text(), nullable=True),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("redirect_uri", sa.Text(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        *_timestamps(),
    )
    op.create_index("idx_auth_session_expires", "user_auth_sessions", ["expires_at"])
    op.create_index("idx_auth_session_state", "user_auth_sessions", ["state"], unique=True)


def downgrade() -> None:
    # The order of the guide's "回滚影响分析" section.
    op.drop_index("idx_auth_session_expires", table_name="user_auth_sessions")
    op.drop_index("idx_auth_session_state", table_name="user_auth_sessions")
    op.drop_table("user_auth_sessions")
    op.drop_index("idx_user_cache_union_id", table_name="user_cache")
    op.drop_index("idx_user_cache_user_id", table_name="user_cache")
    op.drop_index("idx_user_cache_expires", table_name="user_cache")
    op.drop_table("user_cache")
    op.drop_index("idx_tokens_expires", table_name="tokens")
    op.drop_table("tokens")
