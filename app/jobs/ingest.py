"""Ingest: turn an uploaded (or imported) file into a ready video.

Steps, each safe to run again (the task is idempotent and retryable):

1. place the master: MEDIA_ROOT/videos/<id>/master.<ext>, byte for byte — a rename
   when the source is on the same filesystem, a hard link (import --link) or a copy
   to a temporary name then a rename otherwise. Once in place, the master is never
   deleted by ingest, whatever fails later;
2. probe it (app.media.probe) and store the technical sheet on the Video row;
3. poster, thumbnail strip + WebVTT index, renditions (config RENDITIONS, never
   upscaled), each written by app.media, then recorded as Rendition rows.

Progress (0–1) and status (queued → processing → ready | failed, with the reason) are
committed on the Video row as the work goes, so the admin list can show them.

Staff may delete a video while it is being ingested (from another process): the job's
next progress commit then matches no row, the job stops there and removes whatever it
wrote after the deletion, so no orphan files are left.
"""

import logging
import time
from pathlib import Path

from flask import current_app, has_app_context
from huey import crontab
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

import app.jobs
from app import storage
from app.extensions import db, huey
from app.jobs import app_task

log = logging.getLogger(__name__)

# Shares of the progress bar: probe + poster + thumbnails, then the renditions.
_PREP_SHARE = 0.1


class IngestError(Exception):
    pass


def _get(obj, *names, default=None):
    """A field of an object (attribute) or of a dict (key)."""
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return default


def apply_probe(video, info):
    """Copy the technical sheet of a MediaInfo onto the Video row."""
    video.media_info = info.to_dict()
    video.duration = info.duration
    video.fps_num, video.fps_den = info.frame_rate_num, info.frame_rate_den
    video.frame_count = info.frame_count
    video.width, video.height = info.width, info.height
    video.start_timecode = info.start_timecode


def place_master(video, source=None, link=False):
    """Put the master in place (idempotent). Returns its absolute path."""
    if source and Path(source).exists():
        dest = storage.master_path(video.id, video.original_filename or str(source))
        storage.move_into_place(source, dest, link=link)
        video.master_path = storage.relative(dest)
        video.master_size = dest.stat().st_size
        db.session.commit()
    if not video.master_path:
        raise IngestError("The master file is missing.")
    path = storage.absolute(video.master_path)
    if not path.exists():
        raise IngestError("The master file is missing.")
    if video.master_size is None:
        video.master_size = path.stat().st_size
    return path


def _set_progress(video, value, status=None):
    video.progress = max(0.0, min(1.0, float(value)))
    if status:
        video.status = status
    db.session.commit()


def _bits(value):
    """ "2500k" / "12M" / 128000 -> bits per second (int), None stays None."""
    if value is None or isinstance(value, int):
        return value
    text = str(value).strip().lower()
    factor = {"k": 1000, "m": 1000**2}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def rendition_specs(video):
    """config RENDITIONS -> app.media.renditions.RenditionSpec dicts, with their paths.

    The media core skips a rung taller than the master (never upscaled); the proxy is
    marked `always` so that the player gets one at the master's height.
    """
    specs = []
    for rung in current_app.config["RENDITIONS"]:
        specs.append(
            {
                "name": rung["name"],
                "label": rung.get("label"),
                "max_height": rung["height"],
                "crf": rung.get("crf"),
                "maxrate": _bits(rung.get("maxrate")),
                "preset": rung.get("preset", "veryfast"),
                "audio_bitrate": _bits(rung.get("audio_bitrate")) or 128_000,
                "keyframe_interval": rung.get("keyint_seconds", 2),
                "always": not rung.get("download", True),
                "path": str(storage.derivative_path(video.id, f"{rung['name']}.mp4")),
            }
        )
    return specs


def run_ingest(video_id, source=None, link=False, progress=None):
    """The whole ingest of one video, synchronously. Used by the task and the CLI.

    `progress(fraction)` is called as the work goes (0–1). Returns the Video, whose
    status is "ready" or "failed". Never raises for a media problem: the reason is
    stored on the row.
    """
    from app.media import derivatives
    from app.media.errors import MediaError
    from app.media.probe import probe
    from app.models import Rendition, Video

    video = db.session.get(Video, video_id)
    if video is None:
        log.warning("ingest: video %s no longer exists", video_id)
        return None

    last = {"value": -1.0, "at": 0.0}

    def report(value):
        # Committed at most every half second or each whole percent: the renditions
        # report progress for every frame.
        now = time.monotonic()
        if value - last["value"] < 0.01 and now - last["at"] < 0.5:
            return
        last["value"], last["at"] = value, now
        _set_progress(video, value)
        if progress:
            progress(video.progress)

    try:
        video.status = "processing"
        video.error = None
        video.progress = 0.0
        db.session.commit()
        master = str(place_master(video, source, link=link))
        if source:
            _forget_upload(video.id)

        info = probe(master)
        apply_probe(video, info)
        report(0.03)

        poster = storage.derivative_path(video.id, "poster.jpg")
        derivatives.make_poster(
            master, poster, info=info, max_width=current_app.config["POSTER_WIDTH"]
        )
        video.poster_path = storage.relative(poster)
        report(0.06)

        sprite = storage.derivative_path(video.id, "thumbs.jpg")
        vtt = storage.derivative_path(video.id, "thumbs.vtt")
        derivatives.make_thumbnail_strip(
            master,
            sprite,
            vtt,
            interval=current_app.config["THUMBNAIL_INTERVAL_SECONDS"],
            info=info,
        )
        video.thumbs_path = storage.relative(sprite)
        report(_PREP_SHARE)

        def on_progress(fraction):
            try:
                value = min(max(float(fraction), 0.0), 1.0)
            except (TypeError, ValueError):
                return
            report(_PREP_SHARE + (1 - _PREP_SHARE) * value * 0.999)

        result = derivatives.make_renditions(
            master, rendition_specs(video), progress=on_progress, info=info
        )
        _save_renditions(video, result.produced, Rendition)

        video.status = "ready"
        video.progress = 1.0
        video.error = None
        db.session.commit()
        if progress:
            progress(1.0)
    except (StaleDataError, ObjectDeletedError):
        # The row was deleted under us (see the module's docstring).
        db.session.rollback()
        return _abandon(video_id)
    except (MediaError, IngestError, OSError) as exc:
        return _fail(video_id, str(exc) or exc.__class__.__name__)
    except Exception as exc:
        log.exception("ingest of video %s failed", video_id)
        return _fail(video_id, f"unexpected error: {exc}")
    return video


def _fail(video_id, reason):
    from app.models import Video

    db.session.rollback()
    video = db.session.get(Video, video_id)
    if video is None:
        # Deleted meanwhile: its folder vanished under the encoders, hence the error.
        return _abandon(video_id)
    video.status = "failed"
    video.error = reason[:2000]
    db.session.commit()
    log.warning("ingest of video %s failed: %s", video_id, video.error)
    return video


def _abandon(video_id):
    """The video was deleted during its ingest: remove what the job wrote since."""
    storage.delete_video_files(video_id)
    log.info("ingest of video %s stopped: the video was deleted", video_id)
    return None


def _save_renditions(video, produced, Rendition):
    """One Rendition row per file made; rows of rungs no longer made go."""
    by_name = {r.name: r for r in video.renditions}
    for result in produced:
        path = Path(result.path)
        row = by_name.get(result.name) or Rendition(name=result.name)
        row.path = storage.relative(path)
        row.size = path.stat().st_size
        row.width, row.height, row.bit_rate = result.width, result.height, result.bit_rate
        if row not in video.renditions:
            video.renditions.append(row)
    made = {result.name for result in produced}
    for row in list(video.renditions):
        if row.name not in made:
            video.renditions.remove(row)


def _forget_upload(video_id):
    from app.admin.uploads import Upload

    for upload in list(Upload.all()):
        if upload.meta.get("video_id") == video_id:
            upload.delete()


@app_task(retries=2, retry_delay=30)
def ingest_video(video_id, source=None):
    """Background ingest of one video (see run_ingest)."""
    run_ingest(video_id, source)


def retry_ingest(video):
    """Queue a failed video again, with its pending upload if the master never moved."""
    from app.admin.uploads import pending_source

    source = None
    if not (video.master_path and storage.absolute(video.master_path).exists()):
        upload = pending_source(video.id)
        source = str(upload.data_path) if upload else None
    video.status = "queued"
    video.progress = 0.0
    video.error = None
    db.session.commit()
    ingest_video(video.id, source)


@huey.periodic_task(crontab(minute="17"))
def remove_expired_uploads_task():
    """Hourly: delete uploads abandoned for UPLOAD_EXPIRY_HOURS."""
    from app.admin.uploads import remove_expired_uploads

    if has_app_context():
        removed = remove_expired_uploads()
    else:
        with app.jobs._app.app_context():
            removed = remove_expired_uploads()
    if removed:
        log.info("removed %s abandoned upload(s)", removed)


def master_checksum(path):
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()
