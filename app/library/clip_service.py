"""Partial downloads: validate a selection, share one cut per (video, in, out), cache it.

The web side of issue 5. A request names a selection of a video's master in frames
(``in_frame`` inclusive, ``out_frame`` exclusive) or in SMPTE timecode of the master
(offset by its start timecode; the out timecode is exclusive too, as in an EDL). One
`Clip` row exists per selection (unique on video/in/out): identical requests, concurrent
or not, share it and its single job. Each user gets one `ClipRequest` per clip, whose id
the API hands out, so ownership is checked against it.

Clips are files under ``MEDIA_ROOT/clips/<video id>/``; the total size of finished clips
is bounded by ``CLIP_CACHE_MAX_BYTES``, least recently used evicted first.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from datetime import timedelta
from fractions import Fraction

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.extensions import db
from app.models import Clip, ClipRequest

log = logging.getLogger(__name__)

CLIPS_DIR = "clips"
TMP_DIR = "tmp"
RECENT_LIMIT = 10


class SelectionError(ValueError):
    """A selection the user has to correct: the message is translated and shown as is."""


# ---------------------------------------------------------------- timecode

_TC_RE = re.compile(r"^\s*(\d{1,2})[:.](\d{1,2})[:.](\d{1,2})([:;.,])(\d{1,3})\s*$")


def frame_rate(video) -> Fraction:
    if not video.fps_num or not video.fps_den:
        raise SelectionError(_("This video's frame rate is unknown: clips cannot be cut."))
    return Fraction(video.fps_num, video.fps_den)


def _timebase(video):
    """(nominal frames per second, frames dropped per minute) of the video's timecode."""
    rate = frame_rate(video)
    nominal = round(rate)
    drop_frame = bool(video.start_timecode and ";" in video.start_timecode)
    drop = 0
    if drop_frame and rate.denominator != 1 and nominal % 30 == 0:
        drop = 2 * nominal // 30  # 29.97: 2 frames a minute, 59.94: 4
    return max(nominal, 1), drop


def _tc_to_count(hh, mm, ss, ff, nominal, drop):
    total_minutes = 60 * hh + mm
    count = ((hh * 3600 + mm * 60 + ss) * nominal) + ff
    return count - drop * (total_minutes - total_minutes // 10)


def _count_to_tc(count, nominal, drop):
    day = _tc_to_count(24, 0, 0, 0, nominal, drop)
    count %= day
    if drop:
        per_10min = nominal * 600 - drop * 9
        per_min = nominal * 60 - drop
        tens, rest = divmod(count, per_10min)
        count += drop * 9 * tens
        if rest > drop:
            count += drop * ((rest - drop) // per_min)
    ff = count % nominal
    seconds = count // nominal
    sep = ";" if drop else ":"
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}{sep}{ff:02d}"


def _start_count(video):
    nominal, drop = _timebase(video)
    if not video.start_timecode:
        return 0
    try:
        return _parse_count(video.start_timecode, nominal, drop)
    except SelectionError:
        log.warning("video %s: unreadable start timecode %r", video.id, video.start_timecode)
        return 0


def _parse_count(text, nominal, drop):
    match = _TC_RE.match(text or "")
    if not match:
        raise SelectionError(
            _("“%(tc)s” is not a timecode: write it as HH:MM:SS:FF.", tc=(text or "")[:40])
        )
    hh, mm, ss, _sep, ff = match.groups()
    hh, mm, ss, ff = int(hh), int(mm), int(ss), int(ff)
    if hh > 23 or mm > 59 or ss > 59 or ff >= nominal:
        raise SelectionError(_("“%(tc)s” is not a valid timecode.", tc=text.strip()))
    if drop and ss == 0 and mm % 10 != 0 and ff < drop:
        raise SelectionError(_("“%(tc)s” does not exist in drop-frame timecode.", tc=text.strip()))
    return _tc_to_count(hh, mm, ss, ff, nominal, drop)


def timecode(video, frame: int) -> str:
    """SMPTE timecode of the master's frame `frame` (0 = first frame of the file)."""
    nominal, drop = _timebase(video)
    return _count_to_tc(_start_count(video) + frame, nominal, drop)


def frame_of(video, text: str) -> int:
    """Frame index in the master of the timecode `text` (master timecode)."""
    nominal, drop = _timebase(video)
    count = _parse_count(text, nominal, drop)
    day = _tc_to_count(24, 0, 0, 0, nominal, drop)
    start = _start_count(video)
    frame = count - start
    if frame < 0 and start + (video.frame_count or 0) > day:  # the master crosses midnight
        frame += day
    return frame


def duration_text(video, frames: int) -> str:
    """A duration as HH:MM:SS:FF counted from zero (no drop-frame correction)."""
    nominal, _drop = _timebase(video)
    return _count_to_tc(frames, nominal, 0)


# ---------------------------------------------------------------- selection


def _int_field(value, name):
    if isinstance(value, bool):
        raise SelectionError(_("“%(name)s” must be a whole number of frames.", name=name))
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d{1,12}", text):
        raise SelectionError(_("“%(name)s” must be a whole number of frames.", name=name))
    return int(text)


def parse_selection(video, data) -> tuple[int, int]:
    """(in_frame, out_frame) from a form or JSON body; SelectionError with a message."""

    def get(key):
        value = data.get(key) if hasattr(data, "get") else None
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return value

    if get("in_frame") is not None or get("out_frame") is not None:
        if get("in_frame") is None or get("out_frame") is None:
            raise SelectionError(_("Give both an in point and an out point."))
        in_frame = _int_field(get("in_frame"), "in_frame")
        out_frame = _int_field(get("out_frame"), "out_frame")
    elif get("in") is not None or get("out") is not None:
        if get("in") is None or get("out") is None:
            raise SelectionError(_("Give both an in point and an out point."))
        if not isinstance(get("in"), str) or not isinstance(get("out"), str):
            raise SelectionError(_("Timecodes must be written as HH:MM:SS:FF."))
        in_frame = frame_of(video, get("in"))
        out_frame = frame_of(video, get("out"))
    else:
        raise SelectionError(_("Give both an in point and an out point."))

    total = video.frame_count or 0
    if out_frame == in_frame:
        raise SelectionError(
            _("The selection is empty: the out point must come after the in point.")
        )
    if out_frame < in_frame:
        raise SelectionError(_("The out point comes before the in point."))
    if in_frame < 0 or out_frame > total:
        raise SelectionError(
            _(
                "The selection goes beyond the video, which runs from %(first)s to %(last)s.",
                first=timecode(video, 0),
                last=timecode(video, total),
            )
        )
    return in_frame, out_frame


# ---------------------------------------------------------------- files


def media_root():
    return current_app.config["MEDIA_ROOT"]


def clip_extension(video) -> str:
    """The clip's container: the master's family (see app.media.smartcut)."""
    master = video.master_path or ""
    ext = os.path.splitext(master)[1].lower() or ".mov"
    try:  # the engine knows what it can write; ask it when it says
        from app.media import smartcut

        chooser = getattr(smartcut, "output_extension", None)
        if chooser is not None:
            return chooser(os.path.join(media_root(), master))
    except ImportError:
        pass
    return ext


def clip_relpath(clip, ext) -> str:
    return f"{CLIPS_DIR}/{clip.video_id}/{clip.video_id}-{clip.in_frame}-{clip.out_frame}{ext}"


def tmp_dir() -> str:
    return os.path.join(media_root(), CLIPS_DIR, TMP_DIR)


def abs_path(clip) -> str | None:
    return os.path.join(media_root(), clip.path) if clip.path else None


def file_present(clip) -> bool:
    path = abs_path(clip)
    return bool(path) and os.path.isfile(path)


def download_name(clip) -> str:
    """2026-03-14_defence-ministers_10-00-01-05_10-00-03-00.mp4"""
    video = clip.video
    day = video.recorded_on or (video.created_at.date() if video.created_at else utcnow().date())
    slug = re.sub(r"[^A-Za-z0-9-]+", "-", video.slug or "video").strip("-") or "video"
    tc_in = re.sub(r"[:;]", "-", timecode(video, clip.in_frame))
    tc_out = re.sub(r"[:;]", "-", timecode(video, clip.out_frame))
    ext = os.path.splitext(clip.path or "")[1] or clip_extension(video)
    return f"{day.isoformat()}_{slug}_{tc_in}_{tc_out}{ext}"


# ---------------------------------------------------------------- requests


def _find_clip(video_id, in_frame, out_frame):
    return db.session.execute(
        select(Clip).filter_by(video_id=video_id, in_frame=in_frame, out_frame=out_frame)
    ).scalar_one_or_none()


def _get_or_create_clip(video, in_frame, out_frame):
    """(clip, created). The unique row makes concurrent identical requests share one."""
    clip = _find_clip(video.id, in_frame, out_frame)
    if clip is not None:
        return clip, False
    now = utcnow()
    clip = Clip(
        video_id=video.id,
        in_frame=in_frame,
        out_frame=out_frame,
        status="queued",
        queued_at=now,
        last_used_at=now,
    )
    db.session.add(clip)
    try:
        db.session.commit()
        return clip, True
    except IntegrityError:  # another request created it a moment ago
        db.session.rollback()
        return _find_clip(video.id, in_frame, out_frame), False


def _requeue(clip, from_statuses) -> bool:
    """Put `clip` back in the queue if it is in one of `from_statuses`; True if this
    caller did (so exactly one caller enqueues the job)."""
    now = utcnow()
    result = db.session.execute(
        update(Clip)
        .where(Clip.id == clip.id, Clip.status.in_(from_statuses))
        .values(
            status="queued",
            progress=0.0,
            error=None,
            path=None,
            size=None,
            run_token=None,
            queued_at=now,
            last_used_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(clip)
    return result.rowcount == 1


def _mark_evicted_if_missing(clip):
    if clip.status == "done" and not file_present(clip):
        log.warning("clip %s: its file is gone; it will be cut again", clip.id)
        db.session.execute(
            update(Clip)
            .where(Clip.id == clip.id, Clip.status == "done")
            .values(status="evicted", path=None, size=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        db.session.refresh(clip)


def ensure_available(clip) -> bool:
    """Make sure a clip exists or is on its way: re-enqueue it when it was evicted, when
    its cut failed (only if `retry_failed`), or when its job was lost. True if a job was
    enqueued by this call."""
    _mark_evicted_if_missing(clip)
    if clip.status == "evicted" and _requeue(clip, ("evicted",)):
        enqueue(clip)
        return True
    if _is_stale(clip) and _requeue(clip, (clip.status,)):
        log.warning("clip %s: its job was lost; enqueued again", clip.id)
        enqueue(clip)
        return True
    return False


def request_clip(video, user, in_frame, out_frame):
    """The user's ClipRequest for this selection, with a job enqueued if one is needed.

    Returns (clip_request, enqueued)."""
    clip, created = _get_or_create_clip(video, in_frame, out_frame)
    enqueued = created
    if not created:
        if clip.status == "failed":  # a new request is a new try
            enqueued = _requeue(clip, ("failed",))
        else:
            enqueued = ensure_available(clip)
        if not enqueued:
            touch(clip)

    clip_request = _get_or_create_request(clip, user)
    if enqueued:
        enqueue(clip)
    db.session.refresh(clip_request)
    return clip_request, enqueued


def _get_or_create_request(clip, user):
    def find():
        return db.session.execute(
            select(ClipRequest).filter_by(clip_id=clip.id, user_id=user.id)
        ).scalar_one_or_none()

    existing = find()
    if existing is not None:
        existing.created_at = utcnow()  # listed first again
        db.session.commit()
        return existing
    clip_request = ClipRequest(clip_id=clip.id, user_id=user.id, created_at=utcnow())
    db.session.add(clip_request)
    try:
        db.session.commit()
        return clip_request
    except IntegrityError:
        db.session.rollback()
        return find()


def enqueue(clip):
    from app.jobs.clips import cut_clip

    cut_clip(clip.id)


def touch(clip):
    db.session.execute(
        update(Clip)
        .where(Clip.id == clip.id)
        .values(last_used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def recent_requests(video, user, limit=RECENT_LIMIT):
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(
        db.session.execute(
            select(ClipRequest)
            .join(Clip)
            .where(ClipRequest.user_id == user.id, Clip.video_id == video.id)
            .order_by(ClipRequest.created_at.desc(), ClipRequest.id.desc())
            .limit(limit)
        ).scalars()
    )


def pending_count(user) -> int:
    """How many of the user's clips are still waiting or being cut."""
    return int(
        db.session.execute(
            select(func.count(ClipRequest.id))
            .join(Clip)
            .where(ClipRequest.user_id == user.id, Clip.status.in_(("queued", "running")))
        ).scalar_one()
    )


def is_cached_or_pending(video, in_frame, out_frame) -> bool:
    clip = _find_clip(video.id, in_frame, out_frame)
    return clip is not None and clip.status in ("done", "queued", "running")


# ---------------------------------------------------------------- stale jobs


def _stale_cutoffs():
    now = utcnow()
    stale = int(current_app.config["CLIP_STALE_SECONDS"])
    queued = int(current_app.config["CLIP_QUEUED_STALE_SECONDS"])
    return now - timedelta(seconds=stale), now - timedelta(seconds=queued)


def _is_stale(clip) -> bool:
    running_cutoff, queued_cutoff = _stale_cutoffs()
    if clip.status == "running":
        beat = clip.heartbeat_at or clip.started_at
        return beat is None or beat < running_cutoff
    if clip.status == "queued":
        return clip.queued_at is None or clip.queued_at < queued_cutoff
    return False


def recover_stale() -> list[int]:
    """Hand clips whose job died (worker killed mid-cut, queue entry lost) to a new job,
    and remove what dead runs left in the temporary directory. Returns the clip ids."""
    running_cutoff, queued_cutoff = _stale_cutoffs()
    ids = list(
        db.session.execute(
            select(Clip.id).where(
                (
                    (Clip.status == "running")
                    & (
                        func.coalesce(Clip.heartbeat_at, Clip.started_at, Clip.queued_at)
                        < running_cutoff
                    )
                )
                | ((Clip.status == "queued") & (Clip.queued_at < queued_cutoff))
            )
        ).scalars()
    )
    recovered = []
    for clip_id in ids:
        clip = db.session.get(Clip, clip_id)
        if clip is not None and _requeue(clip, (clip.status,)):
            log.warning("clip %s: its job died; enqueued again", clip_id)
            recovered.append(clip_id)
    remove_stale_temp_files()
    for clip_id in recovered:
        enqueue(db.session.get(Clip, clip_id))
    return recovered


def remove_stale_temp_files():
    """Delete temporary files older than the stale limit (their run is dead)."""
    directory = tmp_dir()
    if not os.path.isdir(directory):
        return
    stale = int(current_app.config["CLIP_STALE_SECONDS"])
    limit = time.time() - stale
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        try:
            if os.path.getmtime(path) < limit:
                os.remove(path)
        except OSError:
            pass


def remove_temp_files_of(clip_id):
    directory = tmp_dir()
    if not os.path.isdir(directory):
        return
    for name in os.listdir(directory):
        if name.startswith((f"{clip_id}-", f".{clip_id}-")):  # ours, or the engine's own
            with contextlib.suppress(OSError):
                os.remove(os.path.join(directory, name))


def delete_video_clips(video_id):
    """Remove the clip files of a deleted video (its rows go with the video's)."""
    import shutil

    shutil.rmtree(os.path.join(media_root(), CLIPS_DIR, str(int(video_id))), ignore_errors=True)


# ---------------------------------------------------------------- cache


def cache_bytes() -> int:
    return int(
        db.session.execute(
            select(func.coalesce(func.sum(Clip.size), 0)).where(Clip.status == "done")
        ).scalar_one()
    )


def enforce_cache_limit(keep_id=None) -> list[int]:
    """Evict the least recently used finished clips until the cache fits
    CLIP_CACHE_MAX_BYTES. The clip `keep_id` (just cut) is never evicted, even if it
    alone is larger than the limit. Returns the evicted ids."""
    limit = int(current_app.config["CLIP_CACHE_MAX_BYTES"])
    total = cache_bytes()
    evicted = []
    if total <= limit:
        return evicted
    candidates = db.session.execute(
        select(Clip)
        .where(Clip.status == "done", Clip.id != (keep_id or -1))
        .order_by(Clip.last_used_at.asc(), Clip.id.asc())
    ).scalars()
    for clip in candidates:
        if total <= limit:
            break
        path = abs_path(clip)
        size = clip.size or 0
        result = db.session.execute(
            update(Clip)
            .where(Clip.id == clip.id, Clip.status == "done")
            .values(status="evicted", path=None, size=None, progress=0.0)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if result.rowcount != 1:
            continue
        if path:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
            except OSError:
                log.exception("clip %s: could not remove %s", clip.id, path)
        total -= size
        evicted.append(clip.id)
        log.info("clip cache: evicted clip %s (%s bytes)", clip.id, size)
    db.session.expire_all()
    return evicted


# ---------------------------------------------------------------- answers


def public_status(clip) -> str:
    return "queued" if clip.status == "evicted" else clip.status


def error_message(clip, staff=False):
    if clip.status != "failed":
        return None
    message = _("The clip could not be cut. Please try again, or choose other points.")
    if staff and clip.error:
        return f"{message} ({clip.error})"
    return message


def status_dict(clip_request, url_for, staff=False):
    clip = clip_request.clip
    video = clip.video
    status = public_status(clip)
    done = status == "done"
    rate = frame_rate(video)
    return {
        "id": clip_request.id,
        "video_id": clip.video_id,
        "status": status,
        "progress": 1.0 if done else round(max(0.0, min(1.0, clip.progress or 0.0)), 3),
        "frames": clip.frames,
        "in_frame": clip.in_frame,
        "out_frame": clip.out_frame,
        "tc_in": timecode(video, clip.in_frame),
        "tc_out": timecode(video, clip.out_frame),
        "duration": round(float(clip.frames / rate), 3),
        "duration_tc": duration_text(video, clip.frames),
        "size": clip.size if done else None,
        "filename": download_name(clip) if done else None,
        "download_url": url_for("library.clip_download", request_id=clip_request.id)
        if done
        else None,
        "status_url": url_for("library.clip_status", request_id=clip_request.id),
        "error": error_message(clip, staff=staff),
    }
