"""captions per video and language; their words searched with the video's texts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The search objects as app/library/search.py builds them for create_all(), copied here
# (a migration must not change when the app's code does), with and without captions.
_TRIGGERS = ("video_texts_fts_ai", "video_texts_fts_ad", "video_texts_fts_au")


def _sqlite_search(columns):
    new = ", ".join(f"new.{c}" for c in columns.split(", "))
    old = ", ".join(f"old.{c}" for c in columns.split(", "))
    fts = "video_texts_fts"
    return [
        *(f"DROP TRIGGER IF EXISTS {name}" for name in _TRIGGERS),
        f"DROP TABLE IF EXISTS {fts}",
        f"CREATE VIRTUAL TABLE {fts} USING fts5({columns}, content='video_texts', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER video_texts_fts_ai AFTER INSERT ON video_texts BEGIN "
        f"INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER video_texts_fts_ad AFTER DELETE ON video_texts BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER video_texts_fts_au AFTER UPDATE ON video_texts BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, {new}); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


_VECTOR = """
    setweight(to_tsvector('french'::regconfig, rushes_unaccent(coalesce(title, ''))), 'A') ||
    setweight(to_tsvector('english'::regconfig, rushes_unaccent(coalesce(title, ''))), 'A') ||
    setweight(to_tsvector('french'::regconfig, rushes_unaccent(coalesce(summary, ''))), 'B') ||
    setweight(to_tsvector('english'::regconfig, rushes_unaccent(coalesce(summary, ''))), 'B') ||
    setweight(to_tsvector('french'::regconfig,
      rushes_unaccent(coalesce(story, '') || ' ' || coalesce(shot_list, ''))), 'C') ||
    setweight(to_tsvector('english'::regconfig,
      rushes_unaccent(coalesce(story, '') || ' ' || coalesce(shot_list, ''))), 'C')"""
_CAPTIONS = """ ||
    setweight(to_tsvector('french'::regconfig, rushes_unaccent(coalesce(captions, ''))), 'D') ||
    setweight(to_tsvector('english'::regconfig, rushes_unaccent(coalesce(captions, ''))), 'D')"""


def _postgres_search(expression):
    return [
        "DROP INDEX IF EXISTS ix_video_texts_search_vector",
        "ALTER TABLE video_texts DROP COLUMN IF EXISTS search_vector",
        f"ALTER TABLE video_texts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}\n  ) STORED",
        "ALTER TABLE video_texts ALTER COLUMN search_vector SET STORAGE MAIN",
        "CREATE INDEX ix_video_texts_search_vector ON video_texts USING gin (search_vector)",
    ]


def _rebuild_search(with_captions):
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        columns = "title, summary, story, shot_list" + (", captions" if with_captions else "")
        statements = _sqlite_search(columns)
    elif dialect == "postgresql":
        statements = _postgres_search(_VECTOR + (_CAPTIONS if with_captions else ""))
    else:
        statements = []
    for statement in statements:
        op.execute(statement)


def upgrade():
    op.create_table(
        "captions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("video_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("vtt", sa.Text(), nullable=False),
        sa.Column("cue_count", sa.Integer(), nullable=False),
        sa.Column("original_filename", sa.String(length=300), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["video_id"], ["videos.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("video_id", "lang", name="uq_captions_video_lang"),
    )
    op.add_column(
        "video_texts", sa.Column("captions", sa.Text(), nullable=False, server_default="")
    )
    _rebuild_search(with_captions=True)


def downgrade():
    _rebuild_search(with_captions=False)
    # Native on both (SQLite ≥ 3.35): a batch copy of the table would drop its triggers.
    op.execute("ALTER TABLE video_texts DROP COLUMN captions")
    op.drop_table("captions")
