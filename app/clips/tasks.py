"""The clip jobs: cut a selection with the smart-cut engine, atomically; sweep dead runs.

One job per `Clip` row (identical requests share the row). A run first *claims* the row
(status queued → running, with a fresh run token), so duplicate deliveries of the same job
do nothing. The engine writes into MEDIA_ROOT/clips/tmp/<clip id>-<token><ext>; the file
is renamed into place only when the cut is complete, so a partial file is never served.
A run that raises is retried by huey (retries=2); a run whose worker was killed stops
heart-beating, and the periodic sweep (or the next status poll) hands the clip to a new
job and removes what the dead run left.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import secrets
import threading
import time
from datetime import timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import or_, update

from app import storage
from app.audio import tracks as audio_tracks
from app.clips import cache, service
from app.clock import utcnow
from app.extensions import db
from app.jobs import app_task, periodic_app_task
from app.media import cut
from app.media.errors import MediaError
from app.models import Clip, Video

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5  # seconds between two progress writes (the page polls every 0.25 s)
HEARTBEAT_INTERVAL = 20.0  # seconds between two heartbeats while the engine works


class PermanentError(Exception):
    """A failure that a retry cannot fix (master missing, selection out of range)."""


def _claim(clip_id, token):
    stale = int(current_app.config["CLIP_STALE_SECONDS"])
    now = utcnow()
    result = db.session.execute(
        update(Clip)
        .where(
            Clip.id == clip_id,
            or_(
                Clip.status == "queued",
                (Clip.status == "running") & (Clip.heartbeat_at < now - timedelta(seconds=stale)),
            ),
        )
        .values(
            status="running",
            run_token=token,
            attempts=Clip.attempts + 1,
            progress=0.0,
            error=None,
            started_at=now,
            heartbeat_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _owned(clip_id, token, **values):
    """Update the clip only if this run still owns it; True if it did."""
    result = db.session.execute(
        update(Clip)
        .where(Clip.id == clip_id, Clip.run_token == token, Clip.status == "running")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _still_owns(clip_id, token):
    db.session.expire_all()
    clip = db.session.get(Clip, clip_id)
    return clip is not None and clip.run_token == token and clip.status == "running"


def _fraction(args):
    """The engine may report a fraction, (done, total), or an object with .fraction."""
    try:
        if len(args) >= 2 and args[1]:
            return float(args[0]) / float(args[1])
        value = args[0]
        value = getattr(value, "fraction", value)
        return float(value)
    except (TypeError, ValueError, IndexError, ZeroDivisionError):
        return None


class _Progress:
    def __init__(self, clip_id, token):
        self.clip_id = clip_id
        self.token = token
        self.last_write = None
        self.last_value = 0.0

    def __call__(self, *args, **kwargs):
        value = _fraction(args)
        if value is None:
            return
        value = max(0.0, min(0.99, value))  # 1.0 only once the file is in place
        now = time.monotonic()
        recent = self.last_write is not None and now - self.last_write < PROGRESS_INTERVAL
        if recent or value <= self.last_value:
            return
        self.last_write = now
        self.last_value = value
        try:
            _owned(self.clip_id, self.token, progress=value, heartbeat_at=utcnow())
        except Exception:  # progress is a nicety: never let it break the cut
            db.session.rollback()
            log.exception("clip %s: could not record progress", self.clip_id)


class _Heartbeat:
    """Marks the run alive every HEARTBEAT_INTERVAL seconds from a thread of its own, so
    that a long stretch without progress callbacks is not mistaken for a dead worker."""

    def __init__(self, app, clip_id, token):
        self.app = app
        self.clip_id = clip_id
        self.token = token
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True, name=f"clip-{clip_id}-beat")

    def run(self):
        while not self.stop_event.wait(HEARTBEAT_INTERVAL):
            try:
                with self.app.app_context():
                    _owned(self.clip_id, self.token, heartbeat_at=utcnow())
                    db.session.remove()
            except Exception:
                log.warning("clip %s: heartbeat failed", self.clip_id, exc_info=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join(5)


def _jsonable(report):
    if report is None:
        return None
    if dataclasses.is_dataclass(report):
        report = dataclasses.asdict(report)
    elif hasattr(report, "to_dict"):
        report = report.to_dict()
    elif not isinstance(report, dict):
        report = {"repr": repr(report)}
    return json.loads(json.dumps(report, default=str))


def _master_of(clip):
    video = db.session.get(Video, clip.video_id)
    master = storage.existing_file(video.master_path) if video is not None else None
    if master is None:
        raise PermanentError("the video has no master file")
    if clip.in_frame < 0 or clip.out_frame <= clip.in_frame:
        raise PermanentError("empty or reversed selection")
    if video.frame_count and clip.out_frame > video.frame_count:
        raise PermanentError("selection beyond the end of the master")
    return video, master


def run_cut(clip_id, token):
    """Cut the clip owned by run `token`; raises on failure (the caller decides)."""
    clip = db.session.get(Clip, clip_id)
    video, master = _master_of(clip)
    ext = cache.clip_extension(video)
    final = cache.final_path(clip, ext)
    final.parent.mkdir(parents=True, exist_ok=True)
    cache.remove_temp_files_of(clip_id)  # what earlier, dead runs left
    tmp = cache.work_path(clip_id, token, ext)
    app = current_app._get_current_object()
    try:
        with _Heartbeat(app, clip_id, token):
            report = cut.cut(
                master,
                clip.in_frame,
                clip.out_frame,
                tmp,
                progress=_Progress(clip_id, token),
                start_timecode=video.master_start_timecode,
                audio=audio_tracks.picks(video, clip.audio),
            )
        if not tmp.is_file():
            raise RuntimeError("the engine wrote no file")
        if not _still_owns(clip_id, token):
            log.warning("clip %s: run %s lost the clip to another run; dropped", clip_id, token)
            return False
        os.replace(tmp, final)  # atomic: the clip appears whole or not at all
    finally:
        tmp.unlink(missing_ok=True)

    done = _owned(
        clip_id,
        token,
        status="done",
        progress=1.0,
        path=storage.relative(final),
        size=final.stat().st_size,
        report=_jsonable(report),
        error=None,
        finished_at=utcnow(),
        heartbeat_at=utcnow(),
        last_used_at=utcnow(),
    )
    if done:
        cache.enforce_cache_limit(keep_id=clip_id)
    return done


def _failed(clip_id, token, exc):
    reason = f"{type(exc).__name__}: {exc}"[:2000]
    log.error("clip %s failed: %s", clip_id, reason, exc_info=exc)
    report = (
        {"error_code": exc.code, "error_params": exc.params}
        if isinstance(exc, MediaError)
        else None
    )
    _owned(clip_id, token, status="failed", error=reason, report=report, finished_at=utcnow())


@app_task(retries=2, context=True)
def cut_clip(clip_id, task=None):
    """Cut clip `clip_id` unless another run has it or it is already done."""
    token = secrets.token_hex(8)
    if not _claim(clip_id, token):
        log.info("clip %s: nothing to do (done, or another run has it)", clip_id)
        return False
    try:
        return run_cut(clip_id, token)
    except Exception as exc:
        db.session.rollback()
        retries_left = getattr(task, "retries", 0) or 0
        if isinstance(exc, PermanentError | ValueError | MediaError) or retries_left <= 0:
            _failed(clip_id, token, exc)
            return False
        reason = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning("clip %s: attempt failed (%s); %s retries left", clip_id, reason, retries_left)
        _owned(clip_id, token, status="queued", error=reason, run_token=None, queued_at=utcnow())
        raise


@periodic_app_task(crontab(minute="*"))
def sweep_stale_clips():
    """Every minute (and when a worker starts): give clips whose worker died to a new job;
    clear dead temporary files."""
    recovered = service.recover_stale()
    for clip_id in recovered:
        cut_clip(clip_id)
    return recovered
