"""Advice for an assessment: each professional asked, when it is due, received and shared, and the
case events about it

Revision ID: f1a6c2d8e4b3
Revises: e3b8d5a1c7f9
Create Date: 2026-12-06 00:45:00.000000

"""

from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = "f1a6c2d8e4b3"
down_revision = "e3b8d5a1c7f9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "advice_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("asked_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("chased_on", sa.Date(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("shared_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("asked_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["asked_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["assessment_requests.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
    )
    with op.batch_alter_table("advice_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_advice_requests_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_advice_requests_request_id"), ["request_id"], unique=False)
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("advice_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_documents_advice_id"), ["advice_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_documents_advice_id_advice_requests", "advice_requests", ["advice_id"], ["id"]
        )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("advice_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_case_events_advice_id_advice_requests", "advice_requests", ["advice_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_constraint("fk_case_events_advice_id_advice_requests", type_="foreignkey")
        batch_op.drop_column("advice_id")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint("fk_documents_advice_id_advice_requests", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_documents_advice_id"))
        batch_op.drop_column("advice_id")
    with op.batch_alter_table("advice_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_advice_requests_request_id"))
        batch_op.drop_index(batch_op.f("ix_advice_requests_due_on"))
    op.drop_table("advice_requests")
