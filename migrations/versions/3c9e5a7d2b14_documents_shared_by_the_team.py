"""Documents shared by the team with the other adults linked to the child

Revision ID: 3c9e5a7d2b14
Revises: 530f4d426f53
Create Date: 2026-12-01 08:20:00.000000

"""

from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = "3c9e5a7d2b14"
down_revision = "530f4d426f53"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shared_at", models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("shared_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_documents_shared_by_id", "users", ["shared_by_id"], ["id"])


def downgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint("fk_documents_shared_by_id", type_="foreignkey")
        batch_op.drop_column("shared_by_id")
        batch_op.drop_column("shared_at")
