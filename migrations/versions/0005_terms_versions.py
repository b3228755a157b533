"""usage terms accepted once (at sign-up), with versions published by staff

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 22:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "terms_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["published_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("terms_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_terms_versions_published_at"), ["published_at"], unique=False
        )
    # One acceptance: the later of the sign-up's and the download panel's.
    op.execute(
        "UPDATE users SET terms_accepted_at = usage_terms_accepted_at "
        "WHERE usage_terms_accepted_at IS NOT NULL AND "
        "(terms_accepted_at IS NULL OR usage_terms_accepted_at > terms_accepted_at)"
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("usage_terms_accepted_at")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("usage_terms_accepted_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE users SET usage_terms_accepted_at = terms_accepted_at")
    with op.batch_alter_table("terms_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_terms_versions_published_at"))
    op.drop_table("terms_versions")
