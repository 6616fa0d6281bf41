"""The edition of the Appendix A form each request was made on

Revision ID: 5b7373e413ae
Revises: b4e8f2a61c3d
Create Date: 2026-12-05 01:30:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5b7373e413ae"
down_revision = "b4e8f2a61c3d"
branch_labels = None
depends_on = None


def upgrade():
    # Every request made so far was made on the first edition. The default only fills those rows: a new
    # request is always given its edition by the portal, so the column keeps no default.
    with op.batch_alter_table("assessment_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_edition", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("assessment_requests", schema=None) as batch_op:
        batch_op.alter_column("form_edition", server_default=None)


def downgrade():
    with op.batch_alter_table("assessment_requests", schema=None) as batch_op:
        batch_op.drop_column("form_edition")
