"""The Alembic migrations build the schema the models declare, search objects included.

The suite itself builds its schema with create_all(); deployments run `flask db
upgrade`. This checks that the two agree, on the database of this pass (SQLite, or a
scratch database beside TEST_DATABASE_URL on PostgreSQL).
"""

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy
from flask_migrate import check, downgrade, upgrade

import config
from app import create_app
from app.extensions import db

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


@pytest.fixture
def scratch_url(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    server = sqlalchemy.make_url(url)
    name = f"rushes_migrations_{uuid.uuid4().hex[:8]}"
    admin = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sqlalchemy.exc.OperationalError as exc:
        pytest.skip(f"cannot create a scratch database on {server}: {exc}")
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_upgrade_builds_what_the_models_declare_and_search_works(scratch_url):
    from app.library.search import scored
    from app.models import Video, VideoText

    app = create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        check(directory=MIGRATIONS)  # raises when autogenerate finds a difference
        if db.engine.dialect.name == "sqlite":  # table options autogenerate does not compare
            videos = db.session.execute(
                sqlalchemy.text("SELECT sql FROM sqlite_master WHERE name = 'videos'")
            ).scalar()
            assert "AUTOINCREMENT" in videos

        video = Video(slug="ministres", status="ready", published=True)
        video.texts = [VideoText(lang="fr", title="Réunion des ministres de la Défense")]
        db.session.add(video)
        db.session.commit()
        matches = scored("defense")  # a row per matching text and way of matching
        found = db.session.execute(db.select(matches.c.video_id).distinct()).scalars().all()
        assert found == [video.id]

        # Down to nothing and up again: every migration can be undone.
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="base")
        assert sqlalchemy.inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade(directory=MIGRATIONS)
        db.session.remove()
        db.engine.dispose()


def test_places_and_terms_move_into_each_language(scratch_url):
    """0010: a video's one place and terms are copied into each of its texts (a French
    row is made for a video with none), and back on downgrade."""
    app = create_app(config.TestConfig, SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0009")
        run = db.session.execute
        insert = (
            "INSERT INTO videos (id, slug, status, progress, published, created_at, updated_at,"
            " location, credit, usage_terms, original_filename)"
            " VALUES (:id, 'v', 'ready', 1, false, '2026-01-01', '2026-01-01', :place, '',"
            " :terms, '')"
        )
        run(sqlalchemy.text(insert), {"id": 1, "place": "Bruxelles", "terms": "Éditorial"})
        run(sqlalchemy.text(insert), {"id": 2, "place": "Lyon", "terms": ""})
        for lang in ("fr", "en"):
            run(
                sqlalchemy.text(
                    "INSERT INTO video_texts (video_id, lang, title, summary, story, shot_list,"
                    " captions) VALUES (1, :lang, 'T', '', '', '', '')"
                ),
                {"lang": lang},
            )
        db.session.commit()
        upgrade(directory=MIGRATIONS, revision="0010")
        rows = run(
            sqlalchemy.text(
                "SELECT video_id, lang, location, usage_terms FROM video_texts ORDER BY 1, 2"
            )
        ).all()
        assert [tuple(r) for r in rows] == [
            (1, "en", "Bruxelles", "Éditorial"),
            (1, "fr", "Bruxelles", "Éditorial"),
            (2, "fr", "Lyon", ""),
        ]
        db.session.commit()
        downgrade(directory=MIGRATIONS, revision="0009")
        back = run(sqlalchemy.text("SELECT id, location, usage_terms FROM videos ORDER BY id"))
        assert [tuple(r) for r in back] == [(1, "Bruxelles", "Éditorial"), (2, "Lyon", "")]
        db.session.remove()
        db.engine.dispose()
