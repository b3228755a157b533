"""Stored relative path -> file: one safe join under MEDIA_ROOT, no escape."""

import os

import pytest

from app import storage


@pytest.fixture
def media(app):
    root = app.config["MEDIA_ROOT"]
    os.makedirs(os.path.join(root, "videos", "7"), exist_ok=True)
    with open(os.path.join(root, "videos", "7", "master.mov"), "wb") as f:
        f.write(b"master")
    return root


def test_absolute_refuses_escapes(app, media):
    assert storage.absolute("videos/7/master.mov").read_bytes() == b"master"
    for bad in ("", None, "../outside", "/etc/passwd", "videos/../../x", "a\x00b"):
        with pytest.raises(storage.UnsafePath):
            storage.absolute(bad)


def test_existing_file_is_none_unless_a_file_is_there(app, media):
    assert storage.existing_file("videos/7/master.mov") == storage.absolute("videos/7/master.mov")
    for missing in ("", None, "videos/7/none.mov", "videos/7", "../etc/passwd", "/etc/passwd"):
        assert storage.existing_file(missing) is None


def test_clip_path(app, media):
    path = storage.clip_path(12, 25, 75, ".MOV")
    assert path == storage.media_root() / "clips" / "12" / "12-25-75.mov"
    assert storage.clip_path(12, 0, 1, "mxf").name == "12-0-1.mxf"
    assert storage.clip_work_dir() == storage.media_root() / "clips" / "tmp"
    for bad in ("", "../x", "a/b", "toolongextension"):
        with pytest.raises(storage.UnsafePath):
            storage.clip_path(12, 0, 1, bad)


def test_accel_uri(app, media, tmp_path):
    app.config["X_ACCEL_PREFIX"] = "/_protected"
    path = storage.absolute("videos/7/master.mov")
    assert storage.accel_uri(path) == "/_protected/videos/7/master.mov"
    odd = storage.media_root() / "videos" / "7" / "a b#é.mov"
    assert storage.accel_uri(odd) == "/_protected/videos/7/a%20b%23%C3%A9.mov"
    assert storage.accel_uri(tmp_path / "elsewhere.mov") is None
