"""`flask rushes import` and `flask rushes demo`."""

import hashlib
import os
import stat
from pathlib import Path

import pytest

from app.extensions import db
from app.models import User, Video
from tests.conftest import PASSWORD  # noqa: F401


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_import_links_ingests_and_publishes(app, master, tmp_path):
    source = tmp_path / "incoming" / "Conseil des ministres.mp4"
    source.parent.mkdir()
    source.write_bytes(master("h264_closed").read_bytes())
    result = app.test_cli_runner().invoke(
        args=["rushes", "import", str(source), "--publish", "--title", "Conseil des ministres"]
    )
    assert result.exit_code == 0, result.output
    assert "ready: video" in result.output
    video = db.session.execute(db.select(Video)).scalar_one()
    assert video.status == "ready" and video.published
    assert video.text("fr").title == "Conseil des ministres"
    master_file = Path(app.config["MEDIA_ROOT"]) / video.master_path
    assert sha256(master_file) == sha256(source)
    assert source.exists()  # the original stays where it was
    # Same filesystem: a hard link, not a second copy.
    assert os.stat(master_file).st_ino == os.stat(source).st_ino


def test_import_copy_shows_progress(app, master):
    result = app.test_cli_runner().invoke(
        args=["rushes", "import", str(master("prores")), "--copy"]
    )
    assert result.exit_code == 0, result.output
    assert "copying" in result.output and "ingest" in result.output
    video = db.session.execute(db.select(Video)).scalar_one()
    assert not video.published  # no --publish, and no title
    master_file = Path(app.config["MEDIA_ROOT"]) / video.master_path
    assert os.stat(master_file).st_ino != os.stat(master("prores")).st_ino
    assert sha256(master_file) == sha256(master("prores"))


def test_import_refuses_a_non_video(app, master):
    result = app.test_cli_runner().invoke(args=["rushes", "import", str(master("not_video"))])
    assert result.exit_code != 0
    assert "not a video" in result.output
    assert db.session.execute(db.select(Video)).first() is None
    assert not (Path(app.config["MEDIA_ROOT"]) / "videos").exists() or not any(
        (Path(app.config["MEDIA_ROOT"]) / "videos").iterdir()
    )


@pytest.fixture
def small_demo(monkeypatch):
    """The demo, with two small and short videos so that the test stays quick."""
    from app import demo

    specs = []
    for spec in demo.DEMOS[:2]:
        specs.append({**spec, "size": (320, 180), "seconds": 2})
    monkeypatch.setattr(demo, "DEMOS", specs)
    return specs


def test_demo_is_idempotent(app, client, small_demo, tmp_path):
    from tests.helpers import post_form

    credentials = tmp_path / "demo-credentials.txt"
    app.config["DEMO_CREDENTIALS_FILE"] = str(credentials)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["rushes", "demo"])
    assert first.exit_code == 0, first.output
    assert "2 video(s) created" in first.output
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    password = credentials.read_text().split("password:")[1].strip()
    assert password in first.output

    videos = db.session.execute(db.select(Video).order_by(Video.id)).scalars().all()
    assert len(videos) == 2
    assert all(v.status == "ready" and v.published for v in videos)
    defence = videos[0]
    assert defence.start_timecode == "10:00:00:00"
    assert defence.text("en").title == "EU defence ministers meet in Brussels"
    assert "SOUNDBITE (French)" in defence.text("en").shot_list
    assert {t.name for t in defence.tags} >= {"défense", "Europe"}
    assert defence.credit.startswith("© ")

    second = runner.invoke(args=["rushes", "demo"])
    assert second.exit_code == 0, second.output
    assert "0 video(s) created" in second.output
    assert password in second.output
    db.session.expire_all()
    assert db.session.execute(db.select(db.func.count(Video.id))).scalar() == 2
    assert db.session.execute(db.select(db.func.count(User.id))).scalar() == 1

    # The printed password opens the staff account.
    response = post_form(client, "/login", {"email": "staff@rushes.local", "password": password})
    assert response.status_code == 302
    assert client.get("/admin/videos").status_code == 200


def test_worker_looks_at_an_idle_queue_often(app, monkeypatch):
    """huey's idle worker backs off to one look at the SQLite queue every 10 s; a clip
    asked for would wait that long before it starts. The worker caps the pause."""
    started = {}

    class Consumer:
        def __init__(self, huey, **options):
            started.update(options)

        def run(self):
            started["ran"] = True

    monkeypatch.setattr("app.cli.Consumer", Consumer)
    app.config["WORKER_MAX_DELAY"] = 0.25
    result = app.test_cli_runner().invoke(args=["rushes", "worker", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert started["ran"] and started["workers"] == 1 and started["periodic"]
    assert started["max_delay"] == 0.25
