"""baskets: one per user, its items (master, rendition, clip, still, script), a share token

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 02:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "baskets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("share_token", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
        sa.UniqueConstraint("share_token"),
    )
    op.create_table(
        "basket_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("basket_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("video_id", sa.Integer(), nullable=False),
        sa.Column("rendition", sa.String(length=32), nullable=True),
        sa.Column("in_frame", sa.Integer(), nullable=True),
        sa.Column("out_frame", sa.Integer(), nullable=True),
        sa.Column("frame", sa.Integer(), nullable=True),
        sa.Column("still_format", sa.String(length=4), nullable=True),
        sa.Column("lang", sa.String(length=5), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["basket_id"], ["baskets.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["video_id"], ["videos.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("basket_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_basket_items_basket_id"), ["basket_id"], unique=False)


def downgrade():
    with op.batch_alter_table("basket_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_basket_items_basket_id"))
    op.drop_table("basket_items")
    op.drop_table("baskets")
