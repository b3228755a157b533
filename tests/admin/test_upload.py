"""The tus 1.0.0 upload endpoint: chunked, resumed, refused, terminated, expired."""

import hashlib
import os
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Video
from tests.admin.conftest import TUS, TusClient


def upload_files(app):
    path = Path(app.config["UPLOAD_DIR"])
    return sorted(p.name for p in path.iterdir()) if path.exists() else []


def video_dirs(app):
    path = Path(app.config["MEDIA_ROOT"]) / "videos"
    return sorted(p.name for p in path.iterdir()) if path.exists() else []


def test_options_advertise_the_protocol(app, client, staff):
    response = client.options("/admin/uploads/")
    assert response.status_code == 204
    assert response.headers["Tus-Version"] == "1.0.0"
    extensions = response.headers["Tus-Extension"].split(",")
    assert {"creation", "termination", "expiration"} <= set(extensions)
    assert response.headers["Tus-Max-Size"] == str(app.config["MAX_UPLOAD_BYTES"])


@pytest.mark.parametrize("who", ["anonymous", "user"])
def test_only_staff_may_upload(app, client, make_user, login, who):
    if who == "user":
        make_user(email="user@example.org")
        login("user@example.org")
    assert client.get("/admin/upload").status_code == 404
    assert client.options("/admin/uploads/").status_code == 404
    response = client.post("/admin/uploads/", headers={**TUS, "Upload-Length": "10"})
    assert response.status_code == 404
    assert client.head("/admin/uploads/" + "0" * 32, headers=TUS).status_code == 404
    assert upload_files(app) == []


def test_chunked_upload_becomes_a_ready_video(app, tus, master, staff):
    data = master("h264_closed").read_bytes()
    location, first = tus.create(len(data), "Réunion défense.mp4").headers["Location"], None
    # Several PATCH requests, checking the offset with HEAD between them.
    chunk = len(data) // 3 + 1
    offset = 0
    while offset < len(data):
        head = tus.head(location)
        assert head.status_code == 200
        assert int(head.headers["Upload-Offset"]) == offset
        assert int(head.headers["Upload-Length"]) == len(data)
        assert "Upload-Expires" in head.headers
        first = tus.patch(location, offset, data[offset : offset + chunk])
        offset = min(offset + chunk, len(data))
        assert int(first.headers["Upload-Offset"]) == offset
    assert first.status_code == 204, first.get_data(as_text=True)
    video_id = int(first.headers["Rushes-Video-Id"])
    assert first.headers["Rushes-Edit-Url"] == f"/admin/videos/{video_id}"

    video = db.session.get(Video, video_id)
    assert video.original_filename == "Réunion défense.mp4"
    assert video.uploaded_by_id == staff.id
    assert video.status == "ready", video.error
    master_file = Path(app.config["MEDIA_ROOT"]) / video.master_path
    assert master_file.name == "master.mp4"
    assert hashlib.sha256(master_file.read_bytes()).digest() == hashlib.sha256(data).digest()
    assert upload_files(app) == []  # moved, not copied: nothing left in uploads


def test_resume_after_a_dropped_connection(app, tus, master):
    data = master("h264_closed").read_bytes()
    location = tus.create(len(data)).headers["Location"]
    assert tus.patch(location, 0, data[:50_000]).status_code == 204

    # The connection drops in the middle of the next chunk: the client announced
    # 50,000 bytes but the connection breaks after 30,000. What arrived is kept.
    response = tus.client.patch(
        location,
        input_stream=FakeBody(50_000, data[50_000:100_000], drop_after=30_000),
        headers=tus.headers(
            **{"Upload-Offset": "50000", "Content-Type": "application/offset+octet-stream"}
        ),
    )
    assert response.status_code == 204
    offset = int(tus.head(location).headers["Upload-Offset"])
    assert offset == 80_000

    # A client that lost track of the offset is told the real one.
    stale = tus.patch(location, 50_000, data[50_000:60_000])
    assert stale.status_code == 409
    assert stale.headers["Upload-Offset"] == "80000"

    final = tus.patch(location, offset, data[offset:])
    assert final.status_code == 204
    video = db.session.get(Video, int(final.headers["Rushes-Video-Id"]))
    master_file = Path(app.config["MEDIA_ROOT"]) / video.master_path
    assert hashlib.sha256(master_file.read_bytes()).digest() == hashlib.sha256(data).digest()


def test_over_size_is_refused(app, app_config, client, staff):
    app.config["MAX_UPLOAD_BYTES"] = 1000
    tus = TusClient(client)
    response = tus.create(1001)
    assert response.status_code == 413
    assert response.headers["Tus-Max-Size"] == "1000"
    assert "1,000\u00a0B" in response.get_json()["error"]  # the size formatter's units
    assert upload_files(app) == []
    # A chunk that runs past the announced length is refused too.
    location = tus.create(100).headers["Location"]
    response = tus.patch(location, 0, b"x" * 150)
    assert response.status_code == 413
    assert int(tus.head(location).headers["Upload-Offset"]) == 0


def test_a_non_video_is_refused_and_nothing_is_left(app, tus, master):
    data = master("not_video").read_bytes()
    _location, response = tus.upload(data, filename="notes.mp4", chunk=1000)
    assert response.status_code == 422
    message = response.get_json()["error"]
    assert "notes.mp4" in message and "not a video" in message
    assert db.session.execute(db.select(Video)).first() is None
    assert upload_files(app) == []
    assert video_dirs(app) == []


def test_a_still_image_named_like_a_video_is_refused(app, tus, tmp_path):
    import subprocess

    still = tmp_path / "photo.jpg"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=640x360",
            "-frames:v",
            "1",
            str(still),
        ],
        check=True,
    )
    _location, response = tus.upload(still.read_bytes(), filename="photo.mp4", chunk=4096)
    assert response.status_code == 422
    message = response.get_json()["error"]
    assert "photo.mp4" in message and "still image" in message
    assert db.session.execute(db.select(Video)).first() is None
    assert upload_files(app) == []


def test_an_upload_larger_than_the_free_space_is_refused_at_once(app, tus, monkeypatch):
    from app.admin import tus as tus_views

    monkeypatch.setattr(tus_views, "_free_space", lambda: 10 * 1024**3)
    created = tus.create(9 * 1024**3)  # fits under MAX_UPLOAD_BYTES, not on this disk
    assert created.status_code == 507
    assert "free space" in created.get_json()["error"]
    assert upload_files(app) == []
    assert tus.create(1000).status_code == 201


def test_a_truncated_video_is_refused_in_french(app, tus, master, staff):
    staff.language = "fr"
    db.session.commit()
    data = master("truncated").read_bytes()
    created = tus.client.post(
        "/admin/uploads/",
        headers=tus.headers(**{"Upload-Length": str(len(data)), "Accept-Language": "fr"}),
    )
    response = tus.client.patch(
        created.headers["Location"],
        data=data,
        headers=tus.headers(
            **{
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
                "Accept-Language": "fr",
            }
        ),
    )
    assert response.status_code == 422
    assert "n'est pas une vidéo" in response.get_json()["error"]
    assert db.session.execute(db.select(Video)).first() is None
    assert upload_files(app) == []


def test_protocol_errors(app, tus):
    location = tus.create(100).headers["Location"]
    no_version = tus.client.patch(
        location,
        data=b"x",
        headers={
            "X-CSRFToken": tus.token,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert no_version.status_code == 412
    wrong_type = tus.client.patch(
        location,
        data=b"x",
        headers=tus.headers(**{"Upload-Offset": "0", "Content-Type": "text/plain"}),
    )
    assert wrong_type.status_code == 415
    no_length = tus.client.post("/admin/uploads/", headers=tus.headers())
    assert no_length.status_code == 400
    bad_meta = tus.client.post(
        "/admin/uploads/",
        headers=tus.headers(**{"Upload-Length": "10", "Upload-Metadata": "filename %%%"}),
    )
    assert bad_meta.status_code == 400
    assert tus.head("/admin/uploads/../../etc").status_code == 404


def test_csrf_token_is_required(app, client, staff):
    response = client.post("/admin/uploads/", headers={**TUS, "Upload-Length": "10"})
    assert response.status_code == 400
    assert upload_files(app) == []


def test_termination_deletes_the_upload(app, tus):
    location = tus.create(100).headers["Location"]
    tus.patch(location, 0, b"y" * 40)
    assert len(upload_files(app)) == 2  # data + metadata
    response = tus.client.delete(location, headers=tus.headers())
    assert response.status_code == 204
    assert tus.head(location).status_code == 404
    assert upload_files(app) == []


def test_abandoned_uploads_expire(app, tus, clock):
    from app.ingest.store import remove_expired_uploads
    from app.ingest.tasks import remove_expired_uploads_task

    old = tus.create(100).headers["Location"]
    tus.patch(old, 0, b"z" * 10)
    clock.advance(hours=app.config["UPLOAD_EXPIRY_HOURS"] - 1)
    recent = tus.create(100).headers["Location"]
    assert remove_expired_uploads() == 0
    clock.advance(hours=2)
    # The periodic job's body, as the worker would run it.
    remove_expired_uploads_task.call_local()
    assert tus.head(old).status_code == 404
    assert tus.head(recent).status_code == 200
    # A stray data file without its metadata goes too once it is old enough.
    stray = Path(app.config["UPLOAD_DIR"]) / ("a" * 32)
    stray.write_bytes(b"partial")
    os.utime(stray, (0, 0))
    assert remove_expired_uploads() == 1
    assert not stray.exists()


def test_a_busy_upload_answers_423(app, tus):
    import fcntl

    location = tus.create(100).headers["Location"]
    data_file = Path(app.config["UPLOAD_DIR"]) / location.rsplit("/", 1)[1]
    with open(data_file, "ab") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another request is still writing
        response = tus.patch(location, 0, b"x" * 10)
    assert response.status_code == 423
    assert tus.patch(location, 0, b"x" * 10).status_code == 204
    assert tus.head(location).headers["Upload-Offset"] == "10"


class FakeBody:
    """A request body of `size` bytes made on the fly (never held in memory).

    With `data`, the body starts with those bytes; with `drop_after`, reading past that
    many bytes fails like a connection reset by the client.
    """

    def __init__(self, size, data=b"", drop_after=None):
        self.size, self.pos, self.data, self.drop_after = size, 0, data, drop_after

    def tell(self):
        return self.pos

    def seek(self, offset, whence=0):
        self.pos = self.size + offset if whence == 2 else offset
        return self.pos

    def read(self, n=-1):
        if self.drop_after is not None and self.pos >= self.drop_after:
            raise ConnectionResetError("the client went away")
        end = self.size if n is None or n < 0 else min(self.pos + n, self.size)
        if self.drop_after is not None:
            end = min(end, self.drop_after)
        chunk = self.data[self.pos : end]
        chunk += b"\0" * (end - self.pos - len(chunk))
        self.pos = end
        return chunk


def test_memory_stays_flat_during_a_large_patch(app, tus):
    import tracemalloc

    size = 64 * 1024 * 1024
    location = tus.create(size + 1).headers["Location"]  # not complete: no probe
    tracemalloc.start()
    try:
        response = tus.client.patch(
            location,
            input_stream=FakeBody(size),
            headers=tus.headers(
                **{
                    "Upload-Offset": "0",
                    "Content-Type": "application/offset+octet-stream",
                    "Content-Length": str(size),
                }
            ),
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 204
    assert response.headers["Upload-Offset"] == str(size)
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes for a {size}-byte body"
