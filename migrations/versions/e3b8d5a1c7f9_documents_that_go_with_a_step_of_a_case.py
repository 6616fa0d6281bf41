"""Documents that go with a step of a case: the team's decision letters and what a family sends with an
answer

Revision ID: e3b8d5a1c7f9
Revises: 9c4e1f7a2b60
Create Date: 2026-12-06 00:30:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e3b8d5a1c7f9"
down_revision = "9c4e1f7a2b60"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_event_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_documents_case_event_id"), ["case_event_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_documents_case_event_id_case_events", "case_events", ["case_event_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint("fk_documents_case_event_id_case_events", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_documents_case_event_id"))
        batch_op.drop_column("case_event_id")
