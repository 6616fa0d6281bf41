"""Answers kept after a session ends

Revision ID: d7a3c1e9f024
Revises: 5af839399953
Create Date: 2026-12-01 18:30:00.000000

"""

from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = "d7a3c1e9f024"
down_revision = "5af839399953"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kept_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.String(length=500), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("kept_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kept_answers_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_kept_answers_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("kept_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kept_answers_user_id"))
        batch_op.drop_index(batch_op.f("ix_kept_answers_created_at"))
    op.drop_table("kept_answers")
