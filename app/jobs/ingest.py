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
"""

import logging
from pathlib import Path

from flask import current_app, has_app_context
from huey import crontab

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
        raise IngestError("the master file is missing")
    path = storage.absolute(video.master_path)
    if not path.exists():
        raise IngestError("the master file is missing")
    if video.master_size is None:
        video.master_size = path.stat().st_size
    return path


def _set_progress(video, value, status=None):
    video.progress = max(0.0, min(1.0, float(value)))
    if status:
        video.status = status
    db.session.commit()


def _rendition_outputs(video):
    outputs = []
    master_height = video.height or 0
    for spec in current_app.config["RENDITIONS"]:
        # Never upscale. A master shorter than the proxy rung still gets a proxy (at
        # its own height) so that the player has something to play.
        if master_height and spec["height"] > master_height:
            if spec["name"] != "proxy":
                continue
            spec = {**spec, "height": master_height}
        path = storage.derivative_path(video.id, f"{spec['name']}.mp4")
        outputs.append({**spec, "path": str(path)})
    return outputs


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

    def report(value):
        _set_progress(video, value)
        if progress:
            progress(video.progress)

    try:
        video.status = "processing"
        video.error = None
        video.progress = 0.0
        db.session.commit()
        master = place_master(video, source, link=link)
        if source:
            _forget_upload(video.id)

        info = probe(str(master))
        apply_probe(video, info)
        report(0.03)

        poster = storage.derivative_path(video.id, "poster.jpg")
        derivatives.make_poster(str(master), str(poster))
        video.poster_path = storage.relative(poster)
        report(0.06)

        sprite = storage.derivative_path(video.id, "thumbs.jpg")
        vtt = storage.derivative_path(video.id, "thumbs.vtt")
        derivatives.make_thumbnail_strip(str(master), str(sprite), str(vtt))
        video.thumbs_path = storage.relative(sprite)
        report(_PREP_SHARE)

        outputs = _rendition_outputs(video)

        def on_progress(fraction, *_args):
            try:
                value = float(fraction)
            except (TypeError, ValueError):
                return
            report(_PREP_SHARE + (1 - _PREP_SHARE) * min(max(value, 0.0), 1.0) * 0.999)

        results = derivatives.make_renditions(str(master), outputs, progress=on_progress)
        _save_renditions(video, outputs, results, Rendition)

        video.status = "ready"
        video.progress = 1.0
        video.error = None
        db.session.commit()
        if progress:
            progress(1.0)
    except (MediaError, IngestError, OSError) as exc:
        db.session.rollback()
        video = db.session.get(Video, video_id)
        video.status = "failed"
        video.error = str(exc)[:2000] or exc.__class__.__name__
        db.session.commit()
        log.warning("ingest of video %s failed: %s", video_id, video.error)
    except Exception as exc:
        db.session.rollback()
        video = db.session.get(Video, video_id)
        if video is not None:
            video.status = "failed"
            video.error = f"unexpected error: {exc}"[:2000]
            db.session.commit()
        log.exception("ingest of video %s failed", video_id)
    return video


def _save_renditions(video, outputs, results, Rendition):
    by_name = {r.name: r for r in video.renditions}
    results_by_name = {}
    for result in results or []:
        name = _get(result, "name")
        if name:
            results_by_name[name] = result
    for spec in outputs:
        path = Path(spec["path"])
        if not path.exists():
            raise IngestError(f"the {spec['name']} rendition was not written")
        result = results_by_name.get(spec["name"])
        row = by_name.get(spec["name"]) or Rendition(name=spec["name"])
        row.path = storage.relative(path)
        row.size = path.stat().st_size
        row.width = _get(result, "width") if result is not None else None
        row.height = _get(result, "height") if result is not None else None
        row.bit_rate = _get(result, "bit_rate") if result is not None else None
        if row.width is None or row.height is None:
            row.width, row.height, row.bit_rate = _measure(path, row.bit_rate)
        if row not in video.renditions:
            video.renditions.append(row)
    wanted = {spec["name"] for spec in outputs}
    for row in list(video.renditions):
        if row.name not in wanted:
            video.renditions.remove(row)


def _measure(path, bit_rate):
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return (
            stream.codec_context.width,
            stream.codec_context.height,
            bit_rate or container.bit_rate,
        )


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
