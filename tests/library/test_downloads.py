"""The download log of full downloads: bytes, ranges, broken downloads, X-Accel-Redirect."""

from app.extensions import db
from app.models import Download
from tests.library.conftest import FHD_BYTES, MASTER_BYTES


def rows():
    db.session.expire_all()
    return db.session.execute(db.select(Download).order_by(Download.id)).scalars().all()


def test_full_download_is_logged_with_bytes_and_address(client, make_video, verified):
    video = make_video()
    response = client.get(
        f"/videos/{video.id}/download/original",
        buffered=True,
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert response.data == MASTER_BYTES
    [row] = rows()
    assert row.user_id == verified.id
    assert row.video_id == video.id
    assert row.rendition == "master"
    assert row.bytes_sent == len(MASTER_BYTES)
    assert row.range_header is None
    assert row.client_address == "203.0.113.9"
    assert row.created_at is not None


def test_resumed_download_logs_the_range_and_its_bytes(client, make_video, verified):
    video = make_video()
    response = client.get(
        f"/videos/{video.id}/download/fhd", headers={"Range": "bytes=1000-"}, buffered=True
    )
    assert response.status_code == 206
    assert response.data == FHD_BYTES[1000:]
    [row] = rows()
    assert row.rendition == "fhd"
    assert row.range_header == "bytes=1000-"
    assert row.bytes_sent == len(FHD_BYTES) - 1000


def test_conditional_answers_are_not_logged(client, make_video, verified):
    video = make_video()
    etag = client.get(f"/videos/{video.id}/download/fhd", buffered=True).headers["ETag"]
    client.get(f"/videos/{video.id}/download/fhd", headers={"If-None-Match": etag}, buffered=True)
    client.head(f"/videos/{video.id}/download/fhd")
    assert len(rows()) == 1


def test_a_broken_download_logs_what_was_sent(client, make_video, verified, app):
    app.config["DOWNLOAD_BLOCK_SIZE"] = 64 * 1024
    video = make_video()
    response = client.get(f"/videos/{video.id}/download/original")
    stream = iter(response.response)
    next(stream), next(stream), next(stream)
    response.close()  # the client went away after three blocks
    [row] = rows()
    assert row.bytes_sent == 2 * 64 * 1024


def test_x_accel_redirect_download_is_authorised_and_logged(client, make_video, verified, app):
    app.config["X_ACCEL_REDIRECT"] = True
    video = make_video()
    response = client.get(f"/videos/{video.id}/download/original", buffered=True)
    assert response.status_code == 200
    assert response.headers["X-Accel-Redirect"] == f"/_protected/videos/{video.id}/master.mov"
    assert response.data == b""
    [row] = rows()
    assert row.bytes_sent == len(MASTER_BYTES)
