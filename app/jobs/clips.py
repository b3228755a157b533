"""The clip job: cut a selection of a master with the smart-cut engine, atomically.

One job per `Clip` row (the unique (video, in, out) row makes identical requests share
it). A run first *claims* the row (status queued → running, with a fresh run token), so
duplicate deliveries of the same job do nothing. The engine writes into
``MEDIA_ROOT/clips/tmp/<clip id>-<token><ext>``; the file is renamed into place only
when the cut is complete, so a partial file is never served. A run that raises is
retried by huey (``retries=2``); a run whose worker was killed stops heart-beating, and
the periodic sweep (or the next status poll) hands the clip to a new job and removes
what the dead run left in the temporary directory.
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

from huey import crontab
from sqlalchemy import or_, update

from app.clock import utcnow
from app.extensions import db, huey
from app.jobs import app_task
from app.library import clip_service
from app.media.errors import MediaError
from app.models import Clip, Video

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 1.0  # seconds between two progress writes to the database
HEARTBEAT_INTERVAL = 20.0  # seconds between two heartbeats while the engine works


class PermanentError(Exception):
    """A failure that a retry cannot fix (master missing, selection out of range)."""


def _claim(clip_id, token):
    from flask import current_app

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


def run_cut(clip_id, token):
    """Cut the clip owned by run `token`; raises on failure (the caller decides)."""
    from flask import current_app

    from app.media import smartcut

    clip = db.session.get(Clip, clip_id)
    video = db.session.get(Video, clip.video_id)
    if video is None or not video.master_path:
        raise PermanentError("the video has no master file")
    master = os.path.join(clip_service.media_root(), video.master_path)
    if not os.path.isfile(master):
        raise PermanentError(f"master file missing: {video.master_path}")
    if clip.in_frame < 0 or clip.out_frame <= clip.in_frame:
        raise PermanentError("empty or reversed selection")
    if video.frame_count and clip.out_frame > video.frame_count:
        raise PermanentError("selection beyond the end of the master")

    ext = clip_service.clip_extension(video)
    relpath = clip_service.clip_relpath(clip, ext)
    final = os.path.join(clip_service.media_root(), relpath)
    tmp_dir = clip_service.tmp_dir()
    os.makedirs(tmp_dir, exist_ok=True)
    os.makedirs(os.path.dirname(final), exist_ok=True)
    clip_service.remove_temp_files_of(clip_id)  # what earlier, dead runs left
    tmp = os.path.join(tmp_dir, f"{clip_id}-{token}{ext}")
    in_frame, out_frame = clip.in_frame, clip.out_frame

    app = current_app._get_current_object()
    try:
        with _Heartbeat(app, clip_id, token):
            report = smartcut.cut(
                master, in_frame, out_frame, tmp, progress=_Progress(clip_id, token)
            )
        if not os.path.isfile(tmp):
            raise RuntimeError("the engine wrote no file")
        if not _still_owns(clip_id, token):
            log.warning(
                "clip %s: run %s lost the clip to another run; result dropped", clip_id, token
            )
            return False
        os.replace(tmp, final)  # atomic: the clip appears whole or not at all
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)

    size = os.path.getsize(final)
    done = _owned(
        clip_id,
        token,
        status="done",
        progress=1.0,
        path=relpath,
        size=size,
        report=_jsonable(report),
        error=None,
        finished_at=utcnow(),
        heartbeat_at=utcnow(),
        last_used_at=utcnow(),
    )
    if done:
        clip_service.enforce_cache_limit(keep_id=clip_id)
    return done


@app_task(retries=2, context=True)
def cut_clip(clip_id, task=None):
    """Huey task: cut clip `clip_id` unless another run has it or it is already done."""
    token = secrets.token_hex(8)
    if not _claim(clip_id, token):
        log.info("clip %s: nothing to do (done, or another run has it)", clip_id)
        return False
    try:
        return run_cut(clip_id, token)
    except Exception as exc:
        db.session.rollback()
        retries_left = getattr(task, "retries", 0) or 0
        permanent = isinstance(exc, PermanentError | ValueError | MediaError)
        reason = f"{type(exc).__name__}: {exc}"[:2000]
        if permanent or retries_left <= 0:
            log.exception("clip %s failed: %s", clip_id, reason)
            _owned(clip_id, token, status="failed", error=reason, finished_at=utcnow())
            return False
        log.warning("clip %s: attempt failed (%s); %s retries left", clip_id, reason, retries_left)
        _owned(clip_id, token, status="queued", error=reason, run_token=None, queued_at=utcnow())
        raise


def _bound_app():
    from app import jobs

    return jobs._app


@huey.periodic_task(crontab(minute="*"))
def sweep_stale_clips():
    """Every minute: give clips whose worker died to a new job; clear dead temp files."""
    app = _bound_app()
    if app is None:
        return []
    with app.app_context():
        return clip_service.recover_stale()


@huey.on_startup()
def _sweep_on_startup():
    app = _bound_app()
    if app is None:
        return
    try:
        with app.app_context():
            clip_service.recover_stale()
            db.session.remove()
    except Exception:
        log.exception("clip sweep at start-up failed")
