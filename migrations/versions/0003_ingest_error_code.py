"""a failed ingest keeps its media error code and parameters (translated when shown);
one-time codes record the delivery of their mail (sent by the worker)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 22:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("error_code", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("error_params", sa.JSON(), nullable=True))
    with op.batch_alter_table("one_time_codes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("delivery", sa.String(length=8), server_default="sent", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("one_time_codes", schema=None) as batch_op:
        batch_op.drop_column("delivery")
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.drop_column("error_params")
        batch_op.drop_column("error_code")
