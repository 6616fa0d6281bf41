"""An annual review from the meeting to its outcome: papers shared, the family's views and comments, the
report, the decision and any amendment; reminders of reviews coming up and overdue

Revision ID: f7b3d9e1a5c2
Revises: e4c8a1f6b2d7
Create Date: 2026-12-06 03:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = "f7b3d9e1a5c2"
down_revision = "e4c8a1f6b2d7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_soon_reminded_for", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("overdue_reminded_for", sa.Date(), nullable=True))
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("papers_shared_at", models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("views_reminded_at", models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("held_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("report_added_at", models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("decision", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("decision_reasons", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("decided_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("decided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("amendment_summary", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("comments_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("amended_plan_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("finished_on", sa.Date(), nullable=True))
        batch_op.create_foreign_key("fk_reviews_decided_by_id_users", "users", ["decided_by_id"], ["id"])
    op.create_table(
        "review_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("section_status", sa.JSON(), nullable=False),
        sa.Column("last_section", sa.String(length=30), nullable=True),
        sa.Column("saved_by_tab", sa.String(length=32), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("sent_at", models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "kind"),
    )
    with op.batch_alter_table("review_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_responses_review_id"), ["review_id"], unique=False)
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_documents_review_id"), ["review_id"], unique=False)
        batch_op.create_foreign_key("fk_documents_review_id_reviews", "reviews", ["review_id"], ["id"])


def downgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint("fk_documents_review_id_reviews", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_documents_review_id"))
        batch_op.drop_column("review_id")
    with op.batch_alter_table("review_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_responses_review_id"))
    op.drop_table("review_responses")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_constraint("fk_reviews_decided_by_id_users", type_="foreignkey")
        for column in (
            "finished_on",
            "amended_plan_due_on",
            "comments_due_on",
            "amendment_summary",
            "decided_by_id",
            "decided_on",
            "decision_reasons",
            "decision",
            "report_added_at",
            "held_on",
            "views_reminded_at",
            "papers_shared_at",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("overdue_reminded_for")
        batch_op.drop_column("due_soon_reminded_for")
