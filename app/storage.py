"""Where a video's files live under MEDIA_ROOT, and how they are removed.

Layout (all paths stored in the database are relative to MEDIA_ROOT)::

    MEDIA_ROOT/videos/<id>/master.<ext>      the upload, byte for byte
    MEDIA_ROOT/videos/<id>/poster.jpg
    MEDIA_ROOT/videos/<id>/thumbs.jpg        thumbnail strip (sprite)
    MEDIA_ROOT/videos/<id>/thumbs.vtt        its WebVTT index
    MEDIA_ROOT/videos/<id>/<rendition>.mp4   proxy, fhd, hd...
    MEDIA_ROOT/clips/<clip id>.<ext>         cut clips (a cache: evicted, re-cut on demand)

Uploads in progress live outside MEDIA_ROOT, in instance/uploads/.

This module is the one place that turns a stored relative path into a file on disk:
nothing else joins MEDIA_ROOT itself.
"""

import logging
import os
import re
import shutil
from pathlib import Path
from urllib.parse import quote

from flask import current_app

_AUDIO_RE = re.compile(r"[0-9c_-]{1,200}")
_EXT_RE = re.compile(r"^[a-z0-9]{1,8}$")

CLIPS_DIR = "clips"

log = logging.getLogger(__name__)


class UnsafePath(ValueError):
    """A relative path that would escape its root."""


def media_root():
    return Path(current_app.config["MEDIA_ROOT"]).resolve()


def uploads_dir():
    path = Path(current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / "uploads")
    path.mkdir(parents=True, exist_ok=True)
    return path


def safe_join(root, *parts):
    """`root/parts...`, refusing anything that would leave `root` (.., absolute, NUL)."""
    root = Path(root).resolve()
    for part in parts:
        if not part or "\x00" in str(part):
            raise UnsafePath(f"unsafe path part: {part!r}")
    target = root.joinpath(*parts).resolve()
    if target != root and root not in target.parents:
        raise UnsafePath(f"{target} is outside {root}")
    return target


def absolute(relative):
    """Absolute path of a path stored in the database (relative to MEDIA_ROOT).

    Raises UnsafePath for an empty path or one that would leave MEDIA_ROOT.
    """
    return safe_join(media_root(), relative or "")


def existing_file(relative):
    """The file a stored path names, or None when it is empty, unsafe, missing or not a file."""
    try:
        path = absolute(relative)
    except UnsafePath:
        return None
    return path if path.is_file() else None


def relative(path):
    return Path(path).resolve().relative_to(media_root()).as_posix()


def accel_uri(path):
    """The X-Accel-Redirect URI of a file under MEDIA_ROOT (nginx's internal location
    X_ACCEL_PREFIX maps to MEDIA_ROOT), or None for a file outside it."""
    try:
        rel = relative(path)
    except ValueError:
        log.warning("X-Accel-Redirect: %s is outside MEDIA_ROOT; the app serves it", path)
        return None
    prefix = current_app.config.get("X_ACCEL_PREFIX", "/_protected/")
    if not prefix.endswith("/"):
        prefix += "/"
    return prefix + quote(rel)


def video_dir(video_id, create=False):
    path = safe_join(media_root(), "videos", str(int(video_id)))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def master_extension(filename):
    """Lower-case extension of an uploaded file name, or 'bin' when it has none usable."""
    ext = Path(filename or "").suffix.lower().lstrip(".")
    return ext if _EXT_RE.match(ext) else "bin"


def master_path(video_id, filename):
    return video_dir(video_id) / f"master.{master_extension(filename)}"


def derivative_path(video_id, name):
    """poster.jpg, thumbs.jpg, thumbs.vtt, <rendition>.mp4 of a video."""
    return safe_join(video_dir(video_id), name)


def clips_dir(video_id):
    """MEDIA_ROOT/clips/<video id>/: the cached clips of a video."""
    return safe_join(media_root(), CLIPS_DIR, str(int(video_id)))


def clip_path(video_id, in_frame, out_frame, ext, audio=""):
    """MEDIA_ROOT/clips/<video id>/<video id>-<in>-<out>[-a<audio>].<ext> (`ext` with or
    without its dot; `audio` a canonical choice of tracks, "1:1-2,2" written 1c1-2_2)."""
    ext = str(ext or "").lower().lstrip(".")
    if not _EXT_RE.match(ext):
        raise UnsafePath(f"unsafe clip extension: {ext!r}")
    name = f"{int(video_id)}-{int(in_frame)}-{int(out_frame)}"
    if audio:
        tracks = str(audio).replace(":", "c").replace(",", "_")
        if not _AUDIO_RE.fullmatch(tracks):
            raise UnsafePath(f"unsafe audio choice: {audio!r}")
        name += f"-a{tracks}"
    return safe_join(clips_dir(video_id), f"{name}.{ext}")


def clip_work_dir():
    """MEDIA_ROOT/clips/tmp/: clips being cut (renamed into place when whole)."""
    return safe_join(media_root(), CLIPS_DIR, "tmp")


def move_into_place(src, dest, link=False):
    """Put `src` at `dest` without re-copying when possible.

    Same filesystem: a rename (or a hard link when `link` is true, leaving `src` in
    place). Otherwise a copy to a temporary name then a rename, so `dest` is never a
    half file; `src` is removed after a move only once the copy is complete.
    """
    src, dest = Path(src), Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if link:
        try:
            if dest.exists():
                dest.unlink()
            os.link(src, dest)
            return dest
        except OSError:
            pass  # another filesystem, or links not allowed: copy instead
    else:
        try:
            os.replace(src, dest)
            return dest
        except OSError:
            pass  # EXDEV: another filesystem
    tmp = dest.with_name(f".{dest.name}.partial")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)
    if not link:
        os.unlink(src)
    return dest


def copy_into_place(src, dest, progress=None, block=8 * 1024 * 1024):
    """Copy `src` to `dest` (temporary name, then rename), calling progress(bytes)."""
    src, dest = Path(src), Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.partial")
    try:
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            while True:
                piece = fin.read(block)
                if not piece:
                    break
                fout.write(piece)
                if progress:
                    progress(len(piece))
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def delete_video_files(video_id):
    """Remove every file of a video (master, poster, thumbnails, renditions)."""
    path = video_dir(video_id)
    if path.exists():
        shutil.rmtree(path)
