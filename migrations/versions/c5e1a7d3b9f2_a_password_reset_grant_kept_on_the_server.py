"""A password reset grant kept on the server

Revision ID: c5e1a7d3b9f2
Revises: 3c9e5a7d2b14
Create Date: 2026-12-01 08:20:00.000000

"""

from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = "c5e1a7d3b9f2"
down_revision = "3c9e5a7d2b14"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("email_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opened_at", models.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("email_tokens", schema=None) as batch_op:
        batch_op.drop_column("opened_at")
