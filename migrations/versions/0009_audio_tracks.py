"""audio tracks: staff labels per track and language; clips and basket items carry a choice

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 14:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audio_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("video_id", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(length=16), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["video_id"], ["videos.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("video_id", "track", "lang", name="uq_audio_labels_video_track_lang"),
    )
    # A clip is one file per selection *and* audio choice: "" (every track) for the
    # clips cut so far.
    with op.batch_alter_table("clips") as batch_op:
        batch_op.add_column(
            sa.Column("audio", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.drop_constraint("uq_clips_selection", type_="unique")
        batch_op.create_unique_constraint(
            "uq_clips_selection_audio", ["video_id", "in_frame", "out_frame", "audio"]
        )
    with op.batch_alter_table("basket_items") as batch_op:
        batch_op.add_column(
            sa.Column("audio", sa.String(length=200), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("basket_items") as batch_op:
        batch_op.drop_column("audio")
    op.execute("DELETE FROM clips WHERE audio <> ''")
    with op.batch_alter_table("clips") as batch_op:
        batch_op.drop_constraint("uq_clips_selection_audio", type_="unique")
        batch_op.create_unique_constraint(
            "uq_clips_selection", ["video_id", "in_frame", "out_frame"]
        )
        batch_op.drop_column("audio")
    op.drop_table("audio_labels")
