"""Conversations with the team: threads, messages (append-only) and how far each person has read; how
each person wants to be emailed, and updates held for a daily email

Revision ID: d2a7b3c9e5f0
Revises: c0f6a2e8d4b1
Create Date: 2026-12-06 02:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

import models.types
from models.messages import MESSAGES_APPEND_ONLY_FUNCTION, MESSAGES_APPEND_ONLY_TRIGGER


# revision identifiers, used by Alembic.
revision = "d2a7b3c9e5f0"
down_revision = "c0f6a2e8d4b1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("last_message_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("waiting_since", models.types.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["assessment_requests.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
        sa.UniqueConstraint("request_id"),
    )
    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_threads_child_id"), ["child_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_threads_waiting_since"), ["waiting_since"], unique=False)
        batch_op.create_index(
            "ix_threads_one_per_child",
            ["child_id"],
            unique=True,
            postgresql_where=sa.text("request_id IS NULL"),
            sqlite_where=sa.text("request_id IS NULL"),
        )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("from_team", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_thread_id"), ["thread_id"], unique=False)
    if op.get_context().dialect.name == "postgresql":
        op.execute(MESSAGES_APPEND_ONLY_FUNCTION)
        op.execute(MESSAGES_APPEND_ONLY_TRIGGER)
    op.create_table(
        "thread_reads",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("last_read_message_id", sa.Integer(), nullable=False),
        sa.Column("read_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("thread_id", "user_id"),
    )
    with op.batch_alter_table("thread_reads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_thread_reads_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_documents_message_id"), ["message_id"], unique=False)
        batch_op.create_foreign_key("fk_documents_message_id_messages", "messages", ["message_id"], ["id"])
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unread_messages", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("parents_see_messages", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("email_updates", sa.String(length=10), server_default="each", nullable=False)
        )
        batch_op.add_column(
            sa.Column("email_on_family_messages", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=True),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("sent_at", models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_sent_at"), ["sent_at"], unique=False)


def downgrade():
    op.drop_table("notifications")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email_on_family_messages")
        batch_op.drop_column("email_updates")
        batch_op.drop_column("parents_see_messages")
        batch_op.drop_column("unread_messages")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint("fk_documents_message_id_messages", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_documents_message_id"))
        batch_op.drop_column("message_id")
    op.drop_table("thread_reads")
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS messages_append_only ON messages")
        op.execute("DROP FUNCTION IF EXISTS messages_append_only()")
    op.drop_table("messages")
    op.drop_table("threads")
