"""Outbox messages are claimed by the worker sending them

Revision ID: b4e8f2a61c3d
Revises: d7a3c1e9f024
Create Date: 2026-12-04 22:45:00.000000

"""

from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = "b4e8f2a61c3d"
down_revision = "d7a3c1e9f024"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.add_column(sa.Column("claimed_until", models.types.UTCDateTime(), nullable=True))
    # Rows sent before this release still hold their codes and links.
    op.execute("UPDATE outbox_messages SET body_text = '', body_html = '' WHERE sent_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.drop_column("claimed_until")
