"""The family's responses to draft EHC plans

Revision ID: b8d4f0a2c6e3
Revises: a7c3e9f1b5d2
Create Date: 2026-12-06 01:15:00.000000

"""

from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = "b8d4f0a2c6e3"
down_revision = "a7c3e9f1b5d2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plan_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("section_status", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_section", sa.String(length=30), nullable=True),
        sa.Column("saved_by_tab", sa.String(length=32), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("sent_at", models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["assessment_requests.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id"),
    )


def downgrade():
    op.drop_table("plan_responses")
