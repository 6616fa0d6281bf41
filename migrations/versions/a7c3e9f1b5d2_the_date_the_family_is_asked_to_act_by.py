"""The date the family is asked to act by on a case: to answer the team, or to comment on a draft plan

Revision ID: a7c3e9f1b5d2
Revises: f1a6c2d8e4b3
Create Date: 2026-12-06 01:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a7c3e9f1b5d2"
down_revision = "f1a6c2d8e4b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assessment_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("family_due_on", sa.Date(), nullable=True))
    # A case waiting for more information now: the date its latest request for it gave.
    op.execute(
        "UPDATE assessment_requests SET family_due_on = (SELECT respond_by FROM case_events"
        " WHERE case_events.request_id = assessment_requests.id AND case_events.kind = 'step'"
        " AND case_events.step = 'more_information' ORDER BY case_events.id DESC LIMIT 1)"
        " WHERE step = 'more_information'"
    )


def downgrade():
    with op.batch_alter_table("assessment_requests", schema=None) as batch_op:
        batch_op.drop_column("family_due_on")
