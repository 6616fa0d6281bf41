"""Cases: the step and officer of each submitted request, the append-only events that move it, and the
exceptions to its time limits

Revision ID: 9c4e1f7a2b60
Revises: 5b7373e413ae
Create Date: 2026-12-05 22:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

import models.types
from models.cases import CASE_EVENTS_APPEND_ONLY_FUNCTION, CASE_EVENTS_APPEND_ONLY_TRIGGER


# revision identifiers, used by Alembic.
revision = "9c4e1f7a2b60"
down_revision = "5b7373e413ae"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assessment_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("step", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("officer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("step_changed_at", models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("next_due_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_assessment_requests_next_due_on"), ["next_due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_requests_step"), ["step"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_requests_officer_id"), ["officer_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_assessment_requests_officer_id_users", "users", ["officer_id"], ["id"]
        )
    # Every request submitted so far is a case at its first step, since it was submitted.
    op.execute(
        "UPDATE assessment_requests SET step = 'submitted', step_changed_at = COALESCE(submitted_at, updated_at),"
        " next_due_on = decision_due_on WHERE state = 'submitted'"
    )

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("note_for_family", sa.Text(), nullable=True),
        sa.Column("internal_note", sa.Text(), nullable=True),
        sa.Column("respond_by", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["officer_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["assessment_requests.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_request_id"), ["request_id"], unique=False)
    op.execute(
        "INSERT INTO case_events (request_id, kind, step, actor_id, created_at)"
        " SELECT id, 'step', 'submitted', owner_id, COALESCE(submitted_at, updated_at)"
        " FROM assessment_requests"
        " WHERE state = 'submitted'"
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(CASE_EVENTS_APPEND_ONLY_FUNCTION)
        op.execute(CASE_EVENTS_APPEND_ONLY_TRIGGER)

    op.create_table(
        "case_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["assessment_requests.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_exceptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_exceptions_request_id"), ["request_id"], unique=False)


def downgrade():
    with op.batch_alter_table("case_exceptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_exceptions_request_id"))
    op.drop_table("case_exceptions")
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS case_events_append_only ON case_events")
        op.execute("DROP FUNCTION IF EXISTS case_events_append_only()")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_request_id"))
    op.drop_table("case_events")
    with op.batch_alter_table("assessment_requests", schema=None) as batch_op:
        batch_op.drop_constraint("fk_assessment_requests_officer_id_users", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_assessment_requests_officer_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_requests_step"))
        batch_op.drop_index(batch_op.f("ix_assessment_requests_next_due_on"))
        batch_op.drop_column("next_due_on")
        batch_op.drop_column("step_changed_at")
        batch_op.drop_column("officer_id")
        batch_op.drop_column("step")
