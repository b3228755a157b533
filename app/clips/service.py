"""Clip requests: one `Clip` per selection, shared; one `ClipRequest` per user and clip.

One `Clip` row exists per (video, in, out, audio) (a unique constraint; `audio` the
canonical choice of tracks, "" for every one): identical requests,
concurrent or not, share it and its single job. Each user gets one `ClipRequest` per
clip, whose id the API hands out, so ownership is checked against it.

The service never enqueues: it says when a cut is needed (`request_clip`,
`ensure_available`, `recover_stale`) and the caller (a route or a task) enqueues it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.clips import cache
from app.clock import utcnow
from app.extensions import db
from app.library import policy
from app.models import Clip, ClipRequest

log = logging.getLogger(__name__)

RECENT_LIMIT = 10
PENDING = ("queued", "running")


def find_clip(video_id, in_frame, out_frame, audio=""):
    """The clip of that selection and choice of audio tracks, if one was ever asked for."""
    return db.session.execute(
        select(Clip).filter_by(
            video_id=video_id, in_frame=in_frame, out_frame=out_frame, audio=audio or ""
        )
    ).scalar_one_or_none()


def _get_or_create_clip(video, in_frame, out_frame, audio):
    """(clip, created). The unique row makes concurrent identical requests share one."""
    clip = find_clip(video.id, in_frame, out_frame, audio)
    if clip is not None:
        return clip, False
    now = utcnow()
    clip = Clip(
        video_id=video.id,
        in_frame=in_frame,
        out_frame=out_frame,
        audio=audio or "",
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
        return find_clip(video.id, in_frame, out_frame, audio), False


def requeue(clip, from_statuses) -> bool:
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
    if clip.status == "done" and cache.file_of(clip) is None:
        log.warning("clip %s: its file is gone; it will be cut again", clip.id)
        db.session.execute(
            update(Clip)
            .where(Clip.id == clip.id, Clip.status == "done")
            .values(status="evicted", path=None, size=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        db.session.refresh(clip)


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


def ensure_available(clip) -> bool:
    """Put a clip that was evicted, lost its file or lost its job back in the queue.
    True if this call did: the caller enqueues the cut."""
    _mark_evicted_if_missing(clip)
    if clip.status == "evicted" and requeue(clip, ("evicted",)):
        return True
    if _is_stale(clip) and requeue(clip, (clip.status,)):
        log.warning("clip %s: its job was lost; enqueued again", clip.id)
        return True
    return False


def touch(clip):
    db.session.execute(
        update(Clip)
        .where(Clip.id == clip.id)
        .values(last_used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


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


def request_clip(video, user, in_frame, out_frame, audio=""):
    """The user's ClipRequest for this selection (with the audio tracks of the canonical
    choice `audio`, app/audio/tracks.py; "" for all), and whether its clip must be cut.

    Returns (clip_request, needs_cut): with needs_cut, the caller enqueues the cut."""
    clip, needs_cut = _get_or_create_clip(video, in_frame, out_frame, audio)
    if not needs_cut:
        if clip.status == "failed":  # a new request is a new try
            needs_cut = requeue(clip, ("failed",))
        else:
            needs_cut = ensure_available(clip)
        if not needs_cut:
            touch(clip)
    clip_request = _get_or_create_request(clip, user)
    db.session.refresh(clip_request)
    return clip_request, needs_cut


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
            .where(ClipRequest.user_id == user.id, Clip.status.in_(PENDING))
        ).scalar_one()
    )


def is_cached_or_pending(video, in_frame, out_frame, audio="") -> bool:
    clip = find_clip(video.id, in_frame, out_frame, audio)
    return clip is not None and clip.status in ("done", *PENDING)


def pending_limit_reached(user, video, in_frame, out_frame, audio="") -> int | None:
    """CLIP_MAX_PENDING_PER_USER when `user` already waits for that many clips and this
    one would be a new cut (staff are not limited); else None."""
    limit = int(current_app.config["CLIP_MAX_PENDING_PER_USER"])
    if policy.is_staff(user) or is_cached_or_pending(video, in_frame, out_frame, audio):
        return None
    return limit if pending_count(user) >= limit else None


def own_request(request_id, user):
    """The ClipRequest `request_id` if `user` may follow it (theirs, or staff), with a
    video they may still see; else None."""
    clip_request = db.session.get(ClipRequest, request_id)
    if clip_request is None:
        return None
    if clip_request.user_id != user.id and not policy.is_staff(user):
        return None
    return clip_request if policy.can_see(clip_request.clip.video, user) else None


def recover_stale() -> list[int]:
    """Put back in the queue the clips whose job died (worker killed mid-cut, queue entry
    lost), and remove what dead runs left. Returns the clip ids: the caller enqueues them."""
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
        if clip is not None and requeue(clip, (clip.status,)):
            log.warning("clip %s: its job died; enqueued again", clip_id)
            recovered.append(clip_id)
    cache.remove_stale_temp_files()
    return recovered
