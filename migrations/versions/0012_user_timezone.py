"""each user may choose the time zone dates and times are shown in

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 15:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column("users", "timezone")  # in place: SQLite 3.35 and later, PostgreSQL
