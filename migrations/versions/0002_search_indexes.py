"""search and category filter indexes; video ids never reused on SQLite

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 06:42:11.432879

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    # The category filter goes from a tag to its videos (the primary key starts with
    # video_id).
    with op.batch_alter_table("video_tags", schema=None) as batch_op:
        batch_op.create_index("ix_video_tags_tag_id", ["tag_id"], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # Video ids are never reused (files are kept by id; see the model).
        with op.batch_alter_table(
            "videos", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass

    # As app/library/search.py now builds the search objects (see docs/library.md).
    if dialect == "sqlite":
        # FTS5 matches give text ids; this covering index maps them to video ids.
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_video_texts_id_video_id ON video_texts (id, video_id)"
        )
    elif dialect == "postgresql":
        # Ranking reads the vector of every match: keep it inline, not in TOAST. The
        # setting applies to rows written afterwards, so rewrite the existing ones.
        op.execute("ALTER TABLE video_texts ALTER COLUMN search_vector SET STORAGE MAIN")
        # Only an update of one of its inputs recomputes a stored generated column.
        op.execute("UPDATE video_texts SET title = title")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP INDEX IF EXISTS ix_video_texts_id_video_id")
    elif dialect == "postgresql":
        op.execute("ALTER TABLE video_texts ALTER COLUMN search_vector SET STORAGE EXTENDED")
    with op.batch_alter_table("video_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_video_tags_tag_id")
