"""The download log: writing it, the user's history, and the staff statistics (with CSV)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from app.clock import utcnow
from app.extensions import db
from app.library import bp
from app.models import Download, User, Video, VideoText


def log_callback(*, user_id, video_id, rendition, client_address, clip_id=None):
    """A `send_media(log_download=...)` callback that writes one Download row.

    It runs when the server closes the response (possibly after the request context is
    gone), in an app context of its own: everything it needs is captured here.
    """

    def write(bytes_sent, status, range_header):
        db.session.add(
            Download(
                user_id=user_id,
                video_id=video_id,
                rendition=rendition,
                clip_id=clip_id,
                range_header=(range_header or None) and range_header[:200],
                bytes_sent=bytes_sent,
                client_address=(client_address or "")[:64] or None,
                created_at=utcnow(),
            )
        )
        db.session.commit()

    return write


# ------------------------------------------------------------------ the user's history

HISTORY_PER_PAGE = 50


def _history_query(user_id):
    # Several log rows for one file (a resumed or segmented download) show as one line
    # per (video, version, day).
    day = func.date(Download.created_at)
    return (
        db.select(
            Download.video_id,
            Download.rendition,
            day.label("day"),
            func.max(Download.created_at).label("last_at"),
            func.sum(Download.bytes_sent).label("bytes"),
            func.count().label("requests"),
        )
        .where(Download.user_id == user_id)
        .group_by(Download.video_id, Download.rendition, day)
        .order_by(func.max(Download.created_at).desc())
    )


def download_history(user, limit=10, offset=0):
    """Rows for the account page: video (or None if deleted), version, when, bytes."""
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
    return [
        {
            "video": videos.get(r.video_id),
            "rendition": r.rendition,
            "at": r.last_at,
            "bytes": r.bytes or 0,
            "requests": r.requests,
        }
        for r in rows
    ]


def rendition_label(name):
    from app.library.present import rendition_labels

    if name == "master":
        return _("Original")
    if name == "clip":
        return _("Clip")
    return rendition_labels().get(name, name)


@bp.record_once
def _template_helpers(state):
    state.app.jinja_env.globals.update(
        library_download_history=download_history,
        library_rendition_label=rendition_label,
    )


@bp.get("/account/downloads")
@login_required
def account_downloads():
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    total = db.session.execute(
        db.select(func.count()).select_from(_history_query(current_user.id).subquery())
    ).scalar_one()
    rows = download_history(
        current_user, limit=HISTORY_PER_PAGE, offset=(page - 1) * HISTORY_PER_PAGE
    )
    pages = max(1, -(-total // HISTORY_PER_PAGE))
    return render_template(
        "library/account_downloads.html", rows=rows, page=page, pages=pages, total=total
    )


# ------------------------------------------------------------------ staff statistics


def _staff_or_404():
    if not (current_user.is_authenticated and current_user.is_staff):
        abort(404)


def _period(args):
    """(start, end, raw, errors) of the statistics period (dates, end included)."""
    raw = {k: (args.get(k) or "").strip()[:20] for k in ("from", "to")}
    errors = {}
    start = end = None
    for key in ("from", "to"):
        if raw[key]:
            try:
                value = date.fromisoformat(raw[key])
            except ValueError:
                errors[key] = _("Enter a date as YYYY-MM-DD, for example 2026-03-14.")
                continue
            if key == "from":
                start = datetime.combine(value, datetime.min.time())
            else:
                end = datetime.combine(value + timedelta(days=1), datetime.min.time())
    if start and end and start >= end:
        errors["to"] = _("The end date is before the start date.")
    return start, end, raw, errors


def _where(start, end):
    conditions = []
    if start:
        conditions.append(Download.created_at >= start)
    if end:
        conditions.append(Download.created_at < end)
    return conditions


def stats_per_video(start=None, end=None, limit=None):
    stmt = (
        db.select(
            Download.video_id,
            func.count().label("downloads"),
            func.count(func.distinct(Download.user_id)).label("users"),
            func.coalesce(func.sum(Download.bytes_sent), 0).label("bytes"),
            func.max(Download.created_at).label("last_at"),
        )
        .where(Download.video_id.is_not(None), *_where(start, end))
        .group_by(Download.video_id)
        .order_by(func.count().desc(), Download.video_id)
    )
    if limit:
        stmt = stmt.limit(limit)
    rows = db.session.execute(stmt).all()
    ids = [r.video_id for r in rows]
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
    return [(videos.get(r.video_id), r) for r in rows]


def stats_per_user(start=None, end=None, limit=None):
    stmt = (
        db.select(
            User.id,
            User.email,
            User.full_name,
            User.organisation,
            func.count(Download.id).label("downloads"),
            func.count(func.distinct(Download.video_id)).label("videos"),
            func.coalesce(func.sum(Download.bytes_sent), 0).label("bytes"),
            func.max(Download.created_at).label("last_at"),
        )
        .join(Download, Download.user_id == User.id)
        .where(*_where(start, end))
        .group_by(User.id, User.email, User.full_name, User.organisation)
        .order_by(func.count(Download.id).desc(), User.id)
    )
    if limit:
        stmt = stmt.limit(limit)
    return db.session.execute(stmt).all()


def _totals(start, end):
    row = db.session.execute(
        db.select(
            func.count(Download.id),
            func.count(func.distinct(Download.user_id)),
            func.coalesce(func.sum(Download.bytes_sent), 0),
        ).where(*_where(start, end))
    ).one()
    return {"downloads": row[0], "users": row[1], "bytes": row[2]}


@bp.get("/admin/stats")
def stats():
    _staff_or_404()
    start, end, raw, errors = _period(request.args)
    if errors:
        start = end = None
    return render_template(
        "library/stats.html",
        per_video=stats_per_video(start, end, limit=200),
        per_user=stats_per_user(start, end, limit=200),
        totals=_totals(start, end),
        raw=raw,
        errors=errors,
        lang=_lang(),
    ), (400 if errors else 200)


@bp.get("/admin/stats/<kind>.csv")
def stats_csv(kind):
    _staff_or_404()
    if kind not in ("videos", "users"):
        abort(404)
    start, end, _raw, errors = _period(request.args)
    if errors:
        abort(400)
    out = io.StringIO()
    writer = csv.writer(out)
    if kind == "videos":
        writer.writerow(
            ["video_id", "title", "downloads", "users", "bytes_sent", "last_download_utc"]
        )
        for video, row in stats_per_video(start, end):
            texts = video.text(_lang()) if video else None
            writer.writerow(
                [
                    row.video_id,
                    _csv_safe(texts.title if texts else ""),
                    row.downloads,
                    row.users,
                    row.bytes,
                    row.last_at.isoformat(timespec="seconds") if row.last_at else "",
                ]
            )
    else:
        writer.writerow(
            [
                "user_id",
                "email",
                "name",
                "organisation",
                "downloads",
                "videos",
                "bytes_sent",
                "last_download_utc",
            ]
        )
        for row in stats_per_user(start, end):
            writer.writerow(
                [
                    row.id,
                    _csv_safe(row.email),
                    _csv_safe(row.full_name),
                    _csv_safe(row.organisation),
                    row.downloads,
                    row.videos,
                    row.bytes,
                    row.last_at.isoformat(timespec="seconds") if row.last_at else "",
                ]
            )
    stamp = utcnow().strftime("%Y-%m-%d")
    name = f"{current_app.config.get('SITE_NAME', 'rushes').lower()}-downloads-{kind}-{stamp}.csv"
    return Response(
        "\ufeff" + out.getvalue(),  # BOM: spreadsheets then read UTF-8 correctly
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _csv_safe(value):
    """Neutralise spreadsheet formulas in user-typed text (CSV injection)."""
    value = value or ""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _lang():
    from app.i18n import current_language

    return current_language()
