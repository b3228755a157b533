"""The ingest of one video: place the master, probe it, make its derivatives.

Steps, each safe to run again (the task is idempotent and retryable):

1. place the master: MEDIA_ROOT/videos/<id>/master.<ext>, byte for byte — a rename
   when the source is on the same filesystem, a hard link (import --link) or a copy
   to a temporary name then a rename otherwise. Once in place, the master is never
   deleted by ingest, whatever fails later;
2. probe it (app.media.probe) and store the technical sheet on the Video row;
3. poster, thumbnail strip + WebVTT index, renditions (config RENDITIONS, never
   upscaled), each written by app.media, then recorded as Rendition rows.

Progress (0–1) and status (queued → processing → ready | failed, with the reason) are
committed on the Video row as the work goes, so the admin list can show them. A media
failure is stored as its code and parameters (`video.error_code`, `error_params`), so
staff read it in their language; `video.error` keeps the English, for logs.

Staff may delete a video while it is being ingested (from another process): the job's
next progress commit then matches no row, the job stops there and removes whatever it
wrote after the deletion, so no orphan files are left.
"""

import logging
import time
from pathlib import Path

from flask import current_app
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from app import storage
from app.clock import utcnow
from app.extensions import db
from app.ingest.store import forget_uploads_of, pending_source
from app.media import derivatives, renditions
from app.media.errors import MediaError
from app.media.info import MediaInfo
from app.media.probe import probe
from app.models import Rendition, Video, VideoText

log = logging.getLogger(__name__)

# Shares of the progress bar: probe + poster + thumbnails, then the renditions.
_PREP_SHARE = 0.1

# Codecs of still pictures: a JPEG or PNG named .mp4 probes as one "video" frame.
STILL_IMAGE_CODECS = frozenset({"mjpeg", "png", "bmp", "gif", "webp", "tiff", "jpeg2000"})


def default_credit():
    return f"© {current_app.config['SITE_NAME']}, {utcnow().year}"


def apply_defaults(video):
    """What a new video starts with before staff describe it."""
    if not video.credit:
        video.credit = default_credit()


def check_is_video(path) -> MediaInfo:
    """Probe a file offered as a master; MediaError when it is no video we can use."""
    info = probe(str(path))
    if info.video_codec in STILL_IMAGE_CODECS and info.frame_count <= 1:
        raise MediaError("still_image")
    return info


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
        raise MediaError("master_missing", path="")
    path = storage.absolute(video.master_path)
    if not path.exists():
        raise MediaError("master_missing", path=video.master_path)
    if video.master_size is None:
        video.master_size = path.stat().st_size
    return path


def _bits(value):
    """ "2500k" / "12M" / 128000 -> bits per second (int), None stays None."""
    if value is None or isinstance(value, int):
        return value
    text = str(value).strip().lower()
    factor = {"k": 1000, "m": 1000**2}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def rendition_specs(video):
    """config RENDITIONS -> app.media.renditions.RenditionSpec dicts, with their paths.

    The media core skips a rung as tall as the master or taller (never upscaled); the
    proxy is marked `always` so that the player gets one at the master's height.
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
                "width": rung.get("width"),
                "interlaced": rung.get("interlaced", False),
                "frame_rate": rung.get("frame_rate"),
                "path": str(storage.derivative_path(video.id, f"{rung['name']}.mp4")),
            }
        )
    return specs


class _Progress:
    """Commits the video's progress at most every half second or each whole percent:
    the renditions report progress for every frame."""

    def __init__(self, video, callback=None):
        self.video = video
        self.callback = callback
        self.value, self.at = -1.0, 0.0

    def __call__(self, value):
        now = time.monotonic()
        if value - self.value < 0.01 and now - self.at < 0.5:
            return
        self.value, self.at = value, now
        self.video.progress = max(0.0, min(1.0, float(value)))
        db.session.commit()
        if self.callback:
            self.callback(self.video.progress)

    def renditions(self, fraction):
        try:
            value = min(max(float(fraction), 0.0), 1.0)
        except (TypeError, ValueError):
            return
        self(_PREP_SHARE + (1 - _PREP_SHARE) * value * 0.999)


def _make_derivatives(video, master, info, report):
    poster = storage.derivative_path(video.id, "poster.jpg")
    derivatives.make_poster(master, poster, info=info, max_width=current_app.config["POSTER_WIDTH"])
    video.poster_path = storage.relative(poster)
    report(0.06)

    sprite = storage.derivative_path(video.id, "thumbs.jpg")
    vtt = storage.derivative_path(video.id, "thumbs.vtt")
    derivatives.make_thumbnail_strip(
        master, sprite, vtt, interval=current_app.config["THUMBNAIL_INTERVAL_SECONDS"], info=info
    )
    video.thumbs_path = storage.relative(sprite)
    report(_PREP_SHARE)

    result = renditions.make_renditions(
        master, rendition_specs(video), progress=report.renditions, info=info
    )
    _save_renditions(video, result.produced)


def run_ingest(video_id, source=None, link=False, progress=None):
    """The whole ingest of one video, synchronously. Used by the task, the CLI, the demo.

    `progress(fraction)` is called as the work goes (0–1). Returns the Video, whose
    status is "ready" or "failed" (None when the video was deleted meanwhile). Never
    raises for a media problem: the reason is stored on the row.
    """
    video = db.session.get(Video, video_id)
    if video is None:
        log.warning("ingest: video %s no longer exists", video_id)
        return None
    report = _Progress(video, progress)
    try:
        video.status = "processing"
        _clear_error(video)
        video.progress = 0.0
        db.session.commit()
        master = str(place_master(video, source, link=link))
        if source:
            forget_uploads_of(video.id)
        info = probe(master)
        apply_probe(video, info)
        report(0.03)
        _make_derivatives(video, master, info, report)
        video.status = "ready"
        video.progress = 1.0
        _clear_error(video)
        db.session.commit()
        if progress:
            progress(1.0)
    except (StaleDataError, ObjectDeletedError):
        # The row was deleted under us (see the module's docstring).
        db.session.rollback()
        return _abandon(video_id)
    except MediaError as exc:
        return _fail(video_id, str(exc), exc.code, exc.params)
    except OSError as exc:
        return _fail(video_id, str(exc) or exc.__class__.__name__)
    except Exception as exc:
        log.exception("ingest of video %s failed", video_id)
        return _fail(video_id, f"unexpected error: {exc}")
    return video


def _clear_error(video):
    video.error = video.error_code = video.error_params = None


def _fail(video_id, reason, code=None, params=None):
    db.session.rollback()
    video = db.session.get(Video, video_id)
    if video is None:
        # Deleted meanwhile: its folder vanished under the encoders, hence the error.
        return _abandon(video_id)
    video.status = "failed"
    video.error = reason[:2000]
    video.error_code = code
    video.error_params = params or None
    db.session.commit()
    log.warning("ingest of video %s failed: %s", video_id, video.error)
    return video


def _abandon(video_id):
    """The video was deleted during its ingest: remove what the job wrote since."""
    storage.delete_video_files(video_id)
    log.info("ingest of video %s stopped: the video was deleted", video_id)
    return None


def _save_renditions(video, produced):
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


def prepare_retry(video):
    """Mark a failed video queued again; returns the source to ingest from (the pending
    upload when the master never moved into place, else None). The caller enqueues."""
    source = None
    if not (video.master_path and storage.absolute(video.master_path).exists()):
        upload = pending_source(video.id)
        source = str(upload.data_path) if upload else None
    video.status = "queued"
    video.progress = 0.0
    _clear_error(video)
    db.session.commit()
    return source


def video_from_upload(upload, user_id):
    """The Video row for a complete upload (queued for ingest), named in the upload."""
    video = Video(
        status="queued",
        progress=0.0,
        original_filename=upload.filename[:300],
        uploaded_by_id=user_id,
        slug="video",
    )
    apply_defaults(video)
    if upload.title:
        lang = current_app.config["LANGUAGES"][0]
        video.texts.append(VideoText(lang=lang, title=upload.title[:300]))
    db.session.add(video)
    db.session.commit()
    upload.meta["video_id"] = video.id
    upload.save()
    return video
