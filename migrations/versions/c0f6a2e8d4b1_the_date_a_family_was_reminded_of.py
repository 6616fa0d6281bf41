"""The date a family was last reminded of, so that a reminder is sent once

Revision ID: c0f6a2e8d4b1
Revises: b8d4f0a2c6e3
Create Date: 2026-12-06 01:30:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c0f6a2e8d4b1"
down_revision = "b8d4f0a2c6e3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assessment_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("family_reminded_for", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("assessment_requests", schema=None) as batch_op:
        batch_op.drop_column("family_reminded_for")
