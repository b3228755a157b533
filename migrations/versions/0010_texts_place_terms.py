"""places and usage terms per language: video_texts.location and .usage_terms

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 15:00:00

The one value each video had is copied into each of its texts (staff then translate
it); a video with no texts at all gets a French row to hold it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("video_texts") as batch_op:
        batch_op.add_column(
            sa.Column("location", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("usage_terms", sa.Text(), nullable=False, server_default=""))
    op.execute(
        "INSERT INTO video_texts (video_id, lang, title, summary, story, shot_list, captions,"
        " location, usage_terms)"
        " SELECT id, 'fr', '', '', '', '', '', location, usage_terms FROM videos"
        " WHERE (location <> '' OR usage_terms <> '')"
        " AND NOT EXISTS (SELECT 1 FROM video_texts t WHERE t.video_id = videos.id)"
    )
    op.execute(
        "UPDATE video_texts SET"
        " location = (SELECT v.location FROM videos v WHERE v.id = video_texts.video_id),"
        " usage_terms = (SELECT v.usage_terms FROM videos v WHERE v.id = video_texts.video_id)"
    )
    # SQLite (3.35 and later) and PostgreSQL drop a plain column in place: no table copy.
    op.drop_column("videos", "location")
    op.drop_column("videos", "usage_terms")


def downgrade():
    op.add_column(
        "videos", sa.Column("location", sa.String(length=200), nullable=False, server_default="")
    )
    op.add_column("videos", sa.Column("usage_terms", sa.Text(), nullable=False, server_default=""))
    for name in ("location", "usage_terms"):
        op.execute(
            f"UPDATE videos SET {name} = coalesce((SELECT t.{name} FROM video_texts t"
            f" WHERE t.video_id = videos.id AND t.{name} <> '' ORDER BY t.lang DESC LIMIT 1), '')"
        )
    with op.batch_alter_table("video_texts") as batch_op:
        batch_op.drop_column("usage_terms")
        batch_op.drop_column("location")
