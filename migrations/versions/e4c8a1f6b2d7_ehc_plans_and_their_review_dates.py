"""EHC plans, the dates of their annual reviews, and each review's meeting

Revision ID: e4c8a1f6b2d7
Revises: d2a7b3c9e5f0
Create Date: 2026-12-06 02:30:00.000000

"""

from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = "e4c8a1f6b2d7"
down_revision = "d2a7b3c9e5f0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("last_reviewed_on", sa.Date(), nullable=True),
        sa.Column("review_due_on", sa.Date(), nullable=False),
        sa.Column("transfer_year", sa.Integer(), nullable=True),
        sa.Column("to_post_16", sa.Boolean(), nullable=False),
        sa.Column("school", sa.String(length=200), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"]),
        sa.ForeignKeyConstraint(["officer_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["assessment_requests.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
        sa.UniqueConstraint("request_id"),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plans_child_id"), ["child_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plans_review_due_on"), ["review_due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_plans_school"), ["school"], unique=False)
        batch_op.create_index(batch_op.f("ix_plans_officer_id"), ["officer_id"], unique=False)
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("meeting_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("invited", sa.Text(), nullable=False),
        sa.Column("late_notice_reason", sa.Text(), nullable=True),
        sa.Column("invited_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("arranged_by_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["arranged_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(
            "ix_reviews_one_open_per_plan",
            ["plan_id"],
            unique=True,
            postgresql_where=sa.text("outcome IS NULL"),
            sqlite_where=sa.text("outcome IS NULL"),
        )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_documents_plan_id"), ["plan_id"], unique=False)
        batch_op.create_foreign_key("fk_documents_plan_id_plans", "plans", ["plan_id"], ["id"])


def downgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint("fk_documents_plan_id_plans", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_documents_plan_id"))
        batch_op.drop_column("plan_id")
    op.drop_table("reviews")
    op.drop_table("plans")
