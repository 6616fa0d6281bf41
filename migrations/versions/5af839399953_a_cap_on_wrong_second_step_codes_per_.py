"""A cap on wrong second-step codes per account

Revision ID: 5af839399953
Revises: c5e1a7d3b9f2
Create Date: 2026-12-01 08:15:02.114327

"""

from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = "5af839399953"
down_revision = "c5e1a7d3b9f2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "second_step_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("second_step_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_second_step_attempts_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("two_step_locked_at", models.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("two_step_locked_at")

    with op.batch_alter_table("second_step_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_second_step_attempts_user_id"))

    op.drop_table("second_step_attempts")
