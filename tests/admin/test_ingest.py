"""Ingest: the master kept byte for byte, probe values, derivatives, failure and retry."""

import hashlib
import shutil
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Rendition, Video
from tests.mediagen import ffprobe_json


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def queued_video(app, tmp_path):
    """A queued Video row and a copy of a master waiting in the uploads folder."""

    def make(source, name=None):
        name = name or source.name
        video = Video(status="queued", original_filename=name)
        db.session.add(video)
        db.session.commit()
        # A completed tus upload waiting for its ingest job, as the endpoint leaves it.
        from app.ingest.store import Upload

        upload = Upload.create(source.stat().st_size, {"filename": name}, None)
        shutil.copyfile(source, upload.data_path)
        upload.meta["video_id"] = video.id
        upload.save()
        return video, upload.data_path

    return make


def test_ingest_keeps_the_master_and_makes_derivatives(app, master, queued_video):
    from app.ingest.service import run_ingest

    source = master("h264_closed")
    video, pending = queued_video(source, "Sujet défense.MP4")
    seen = []

    def progress(fraction):
        row = db.session.get(Video, video.id)
        seen.append((row.status, fraction))

    run_ingest(video.id, str(pending), progress=progress)
    db.session.expire_all()
    video = db.session.get(Video, video.id)
    assert video.status == "ready", video.error
    assert video.progress == 1.0 and video.error is None
    # State went through "processing", with progress only moving forward.
    assert seen and all(status == "processing" for status, _ in seen[:-1])
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0

    # The master: renamed into place (not left behind), byte for byte.
    root = Path(app.config["MEDIA_ROOT"])
    master_file = root / video.master_path
    assert master_file == root / "videos" / str(video.id) / "master.mp4"
    assert sha256(master_file) == sha256(source)
    assert not pending.exists()
    assert video.master_size == source.stat().st_size

    # Probe values agree with ffprobe.
    reference = ffprobe_json(source)
    vstream = next(s for s in reference["streams"] if s["codec_type"] == "video")
    assert (video.width, video.height) == (vstream["width"], vstream["height"])
    num, den = (int(x) for x in vstream["r_frame_rate"].split("/"))
    assert video.fps_num / video.fps_den == num / den
    assert video.frame_count == int(vstream["nb_frames"])
    assert abs(video.duration - float(vstream["duration"])) < 0.05
    assert video.start_timecode == "10:00:00:00"
    assert video.media_info["video_codec"] == "h264"

    # Poster, thumbnail strip and its WebVTT index.
    assert (root / video.poster_path).read_bytes()[:2] == b"\xff\xd8"
    sprite = root / video.thumbs_path
    assert sprite.read_bytes()[:2] == b"\xff\xd8"
    vtt = sprite.with_suffix(".vtt").read_text()
    assert vtt.startswith("WEBVTT") and "#xywh=" in vtt

    # Renditions: a 216-line master gets a proxy only (never upscaled).
    names = {r.name: r for r in video.renditions}
    assert set(names) == {"proxy"}
    proxy = names["proxy"]
    assert proxy.height == 216 and proxy.size == (root / proxy.path).stat().st_size
    probe = ffprobe_json(root / proxy.path)
    codecs = sorted(s["codec_name"] for s in probe["streams"])
    assert codecs == ["aac", "h264"]


def test_ingest_is_idempotent(app, master, queued_video):
    from app.ingest.service import run_ingest

    video, pending = queued_video(master("h264_closed"))
    run_ingest(video.id, str(pending))
    first = sha256(Path(app.config["MEDIA_ROOT"]) / video.master_path)
    run_ingest(video.id, str(pending))  # the source is gone: works from the master
    db.session.expire_all()
    video = db.session.get(Video, video.id)
    assert video.status == "ready"
    assert db.session.execute(db.select(db.func.count(Rendition.id))).scalar() == 1
    assert sha256(Path(app.config["MEDIA_ROOT"]) / video.master_path) == first


def test_failure_keeps_the_master_and_can_be_retried(
    app, client, staff, master, queued_video, monkeypatch
):
    from app.media import renditions
    from app.media.errors import MediaError
    from tests.helpers import csrf_token

    source = master("h264_closed")
    video, pending = queued_video(source)
    real = renditions.make_renditions

    def broken(*args, **kwargs):
        raise MediaError("renditions_failed", detail="No space left on device")

    monkeypatch.setattr(renditions, "make_renditions", broken)
    from app.ingest.tasks import ingest_video

    ingest_video(video.id, str(pending))  # huey runs it at once in tests
    db.session.expire_all()
    video = db.session.get(Video, video.id)
    assert video.status == "failed"
    assert video.error == "The renditions could not be made: No space left on device."
    assert (video.error_code, video.error_params) == (
        "renditions_failed",
        {"detail": "No space left on device"},
    )
    master_file = Path(app.config["MEDIA_ROOT"]) / video.master_path
    assert sha256(master_file) == sha256(source)
    # Staff read the reason in their language, from its code (not from the English).
    listing = client.get("/admin/videos").get_data(as_text=True)
    assert "The renditions could not be made (No space left on device)." in listing
    staff.language = "fr"
    db.session.commit()
    french = client.get("/admin/videos").get_data(as_text=True)
    assert "Les déclinaisons n&#39;ont pas pu être créées (No space left on device)." in french

    monkeypatch.setattr(renditions, "make_renditions", real)
    token = csrf_token(listing)
    response = client.post(f"/admin/videos/{video.id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    video = db.session.get(Video, video.id)
    assert video.status == "ready" and video.error is None
    assert [r.name for r in video.renditions] == ["proxy"]
    assert sha256(master_file) == sha256(source)


def test_a_missing_master_fails_with_a_reason(app):
    from app.ingest.service import run_ingest

    video = Video(status="queued", original_filename="gone.mov")
    db.session.add(video)
    db.session.commit()
    run_ingest(video.id, "/nonexistent/gone.mov")
    db.session.expire_all()
    video = db.session.get(Video, video.id)
    assert video.status == "failed"
    assert video.error_code == "master_missing"


def test_interlaced_and_multichannel_masters(app, master, queued_video):
    from app.ingest.service import run_ingest

    video, pending = queued_video(master("prores"))
    run_ingest(video.id, str(pending))
    db.session.expire_all()
    video = db.session.get(Video, video.id)
    assert video.status == "ready", video.error
    assert video.media_info["video_codec"] == "prores"
    assert video.media_info["audio"][0]["channels"] == 8


def test_1080i_master_gets_every_rendition_smaller_than_itself(app, master, queued_video):
    from app.ingest.service import run_ingest

    video, pending = queued_video(master("h264_interlaced"))
    run_ingest(video.id, str(pending))
    db.session.expire_all()
    video = db.session.get(Video, video.id)
    assert video.status == "ready", video.error
    assert video.media_info["scan_type"] == "interlaced"
    assert video.media_info["field_order"] in ("tff", "bff")
    heights = {r.name: r.height for r in video.renditions}
    assert heights == {"proxy": 540, "hd": 720, "sd": 576}  # 1080i25: SD 576i25 too
    root = Path(app.config["MEDIA_ROOT"])
    for rendition in video.renditions:
        stream = ffprobe_json(root / rendition.path)["streams"]
        vstream = next(s for s in stream if s["codec_type"] == "video")
        assert vstream["height"] == rendition.height
        if rendition.name == "sd":  # the master's own fields, top first, 16:9 anamorphic
            assert (vstream["width"], vstream["field_order"]) == (720, "tt")
            assert vstream["display_aspect_ratio"] == "16:9"
        else:
            assert vstream.get("field_order") in ("progressive", None)


def test_a_stalled_ingest_can_be_retried(app, client, staff, master, queued_video, clock):
    from tests.helpers import csrf_token

    video, pending = queued_video(master("h264_closed"))
    video.status = "processing"  # a worker died here and will never report back
    db.session.commit()
    token = csrf_token(client.get("/admin/videos").get_data(as_text=True))
    status = client.get("/admin/videos/status.json").get_json()["videos"][0]
    assert status["can_retry"] is False
    refused = client.post(f"/admin/videos/{video.id}/retry", data={"csrf_token": token})
    assert refused.status_code == 302
    db.session.expire_all()
    assert db.session.get(Video, video.id).status == "processing"

    clock.advance(minutes=31)
    assert client.get("/admin/videos/status.json").get_json()["videos"][0]["can_retry"]
    client.post(f"/admin/videos/{video.id}/retry", data={"csrf_token": token})
    db.session.expire_all()
    video = db.session.get(Video, video.id)
    assert video.status == "ready", video.error
    assert not pending.exists()  # picked up from the uploads folder


def test_deleting_a_video_during_its_ingest_stops_it_and_leaves_no_file(
    app, client, staff, master, queued_video
):
    from app import storage
    from app.ingest.service import run_ingest
    from tests.helpers import csrf_token

    video, pending = queued_video(master("h264_closed"))
    video_id = video.id
    token = csrf_token(client.get(f"/admin/videos/{video_id}/delete").get_data(as_text=True))
    seen, deleted_at = [], []

    def progress(fraction):
        seen.append(fraction)
        if fraction > 0.2 and not deleted_at:
            deleted_at.append(len(seen))
            # Staff delete it from the web while the renditions are being encoded.
            assert storage.video_dir(video_id).exists()
            deleted = client.post(f"/admin/videos/{video_id}/delete", data={"csrf_token": token})
            assert deleted.status_code == 302

    assert run_ingest(video_id, str(pending), progress=progress) is None
    assert len(seen) == deleted_at[0]  # the job stopped at its next progress report
    db.session.expire_all()
    assert db.session.get(Video, video_id) is None
    assert db.session.scalar(db.select(db.func.count(Rendition.id))) == 0
    assert not storage.video_dir(video_id).exists()
    assert not pending.exists()


def test_a_deleted_videos_id_is_never_given_to_a_new_video(app):
    # Its folder and an ingest job still running for it must never meet a newcomer.
    older, newest = Video(status="ready"), Video(status="processing")
    db.session.add_all([older, newest])
    db.session.commit()
    gone = newest.id
    db.session.delete(newest)
    db.session.commit()
    newcomer = Video(status="queued")
    db.session.add(newcomer)
    db.session.commit()
    assert newcomer.id > gone
