"""The account's download history: the last downloads on the account page, all of them
on /account/downloads."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from app.account.blueprint import bp
from app.extensions import db
from app.http.converters import int_arg
from app.library import policy
from app.library.present import downloadable_renditions, last_frame_timecode, rendition_labels
from app.models import ClipRequest, Download, Video, VideoText

PER_PAGE = 50
RECENT = 10


def _history_query(user_id):
    # Several log rows for one file (a resumed or segmented download) show as one line
    # per (video, version, day); each clip (its in and out) is a version of its own.
    day = func.date(Download.created_at)
    return (
        db.select(
            Download.video_id,
            Download.rendition,
            Download.clip_id,
            Download.in_frame,
            Download.out_frame,
            day.label("day"),
            func.max(Download.created_at).label("last_at"),
            func.sum(Download.bytes_sent).label("bytes"),
            func.count().label("requests"),
        )
        .where(Download.user_id == user_id)
        .group_by(
            Download.video_id,
            Download.rendition,
            Download.clip_id,
            Download.in_frame,
            Download.out_frame,
            day,
        )
        .order_by(func.max(Download.created_at).desc())
    )


def download_history(user, limit=RECENT, offset=0):
    """Rows for the account page: video (or None if deleted), version, when, bytes, a
    clip's in and out (master timecodes, the out as its last frame), and the link to
    download it again (None when that is no longer possible)."""
    rows = db.session.execute(_history_query(user.id).limit(limit).offset(offset)).all()
    ids = {r.video_id for r in rows if r.video_id}
    videos = {}
    if ids:
        videos = {
            v.id: v
            for v in db.session.execute(
                db.select(Video)
                .where(Video.id.in_(ids))
                .options(selectinload(Video.texts).load_only(VideoText.lang, VideoText.title))
            ).scalars()
        }
    clip_ids = {r.clip_id for r in rows if r.clip_id}
    requests = {}
    if clip_ids:
        requests = dict(
            db.session.execute(
                db.select(ClipRequest.clip_id, ClipRequest.id).where(
                    ClipRequest.user_id == user.id, ClipRequest.clip_id.in_(clip_ids)
                )
            ).all()
        )
    result = []
    for r in rows:
        video = videos.get(r.video_id)
        visible = policy.can_see(video)
        clip = r.rendition == "clip"
        result.append(
            {
                "video": video,
                "visible": visible,
                "rendition": r.rendition,
                "at": r.last_at,
                "bytes": r.bytes or 0,
                "requests": r.requests,
                "tc_in": _timecode(video, r.in_frame) if clip else None,
                "tc_out": last_frame_timecode(video, r.out_frame) or None if clip else None,
                "again": _again_url(video, r, requests) if visible else None,
            }
        )
    return result


def _timecode(video, frame):
    clock = video.clock() if video is not None and frame is not None else None
    return clock.timecode(frame) if clock is not None else None


def _again_url(video, row, requests):
    """Where the same file can be downloaded again: the full download's URL, or the
    user's clip request's (if it still exists)."""
    if row.rendition == "clip":
        request_id = requests.get(row.clip_id)
        return url_for("clips.download", request_id=request_id) if request_id else None
    name = "original" if row.rendition == "master" else row.rendition
    if name != "original" and name not in downloadable_renditions():
        return None
    return url_for("library.download", video_id=video.id, name=name)


def rendition_label(name):
    if name == "master":
        return _("Original")
    if name == "clip":
        return _("Clip")
    return rendition_labels().get(name, name)


@bp.record_once
def _template_helpers(state):
    state.app.jinja_env.globals.update(
        account_download_history=download_history,
        account_rendition_label=rendition_label,
    )


@bp.get("/downloads")
@login_required
def downloads():
    page = int_arg("page", 1, 1, 1_000_000)
    total = db.session.execute(
        db.select(func.count()).select_from(_history_query(current_user.id).subquery())
    ).scalar_one()
    rows = download_history(current_user, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    return render_template("account/downloads.html", rows=rows, page=page, pages=pages, total=total)
