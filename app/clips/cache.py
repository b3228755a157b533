"""The clip files: where they are cut and kept, and the cache's size limit.

Clips live under MEDIA_ROOT/clips/<video id>/ (app/storage.py); a cut writes into
MEDIA_ROOT/clips/tmp/ and is renamed into place only when whole. Finished clips add up
to at most CLIP_CACHE_MAX_BYTES: the least recently used are evicted first.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time

from flask import current_app
from sqlalchemy import func, select, update

from app import storage
from app.extensions import db
from app.media import cut
from app.models import Clip

log = logging.getLogger(__name__)


def clip_extension(video) -> str:
    """The clip's container, with its dot: the master's family, as the engine writes it."""
    master = storage.existing_file(video.master_path)
    if master is None:
        return os.path.splitext(video.master_path or "")[1].lower() or ".mov"
    return cut.output_extension(master)


def final_path(clip, ext):
    return storage.clip_path(clip.video_id, clip.in_frame, clip.out_frame, ext, clip.audio)


def work_path(clip_id, token, ext):
    """Where run `token` of clip `clip_id` writes, until the clip is whole."""
    directory = storage.clip_work_dir()
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{int(clip_id)}-{token}{ext}"


def file_of(clip):
    """The clip's file on disk, or None (not cut yet, evicted, or lost)."""
    return storage.existing_file(clip.path)


def remove_stale_temp_files():
    """Delete temporary files older than the stale limit (their run is dead)."""
    directory = storage.clip_work_dir()
    if not directory.is_dir():
        return
    limit = time.time() - int(current_app.config["CLIP_STALE_SECONDS"])
    for path in directory.iterdir():
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()


def remove_temp_files_of(clip_id):
    directory = storage.clip_work_dir()
    if not directory.is_dir():
        return
    for path in directory.iterdir():
        if path.name.startswith((f"{clip_id}-", f".{clip_id}-")):  # ours, or the engine's own
            with contextlib.suppress(OSError):
                path.unlink()


def delete_video_clips(video_id):
    """Remove the clip files of a deleted video (its rows go with the video's)."""
    shutil.rmtree(storage.clips_dir(video_id), ignore_errors=True)


def cache_bytes() -> int:
    return int(
        db.session.execute(
            select(func.coalesce(func.sum(Clip.size), 0)).where(Clip.status == "done")
        ).scalar_one()
    )


def _evict(clip) -> bool:
    """Mark `clip` evicted and remove its file; False if another process changed it first."""
    path = file_of(clip)
    result = db.session.execute(
        update(Clip)
        .where(Clip.id == clip.id, Clip.status == "done")
        .values(status="evicted", path=None, size=None, progress=0.0)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != 1:
        return False
    if path is not None:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            log.exception("clip %s: could not remove %s", clip.id, path)
    return True


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
        size = clip.size or 0
        if _evict(clip):
            total -= size
            evicted.append(clip.id)
            log.info("clip cache: evicted clip %s (%s bytes)", clip.id, size)
    db.session.expire_all()
    return evicted
