"""Staff statistics of the download log: per video, per user, totals, CSV export.

On the admin blueprint (behind its staff guard) and marked ``staff_required`` as well.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from app.admin.blueprint import bp
from app.clock import utcnow
from app.extensions import db
from app.http.converters import date_arg
from app.i18n import current_language
from app.models import Download, User, Video, VideoText
from app.security.decorators import staff_required

PAGE_ROWS = 200


def bounds(day_from, day_to):
    """(start, end) datetimes of a period of days, both included; None = open.

    The end is the midnight after `day_to`; there is none after the last day a date
    can hold, so the period is then open-ended.
    """
    start = datetime.combine(day_from, time.min) if day_from else None
    end = None
    if day_to and day_to < date.max:
        end = datetime.combine(day_to + timedelta(days=1), time.min)
    return start, end


def _period_form(args):
    """(start, end, raw, errors) of the page's period form: errors are shown, not raised."""
    raw = {k: (args.get(k) or "").strip()[:20] for k in ("from", "to")}
    errors = {}
    days = {}
    for key in ("from", "to"):
        if raw[key]:
            try:
                days[key] = date.fromisoformat(raw[key])
            except ValueError:
                errors[key] = _("Enter a date as YYYY-MM-DD, for example 2026-03-14.")
    if days.get("from") and days.get("to") and days["from"] > days["to"]:
        errors["to"] = _("The end date is before the start date.")
    if errors:
        return None, None, raw, errors
    start, end = bounds(days.get("from"), days.get("to"))
    return start, end, raw, errors


def _where(start, end):
    conditions = []
    if start:
        conditions.append(Download.created_at >= start)
    if end:
        conditions.append(Download.created_at < end)
    return conditions


def per_video(start=None, end=None, limit=None):
    """[(Video or None if deleted, row)] with downloads, users, bytes, last_at; busiest first."""
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


def per_user(start=None, end=None, limit=None):
    """Rows (id, email, full_name, organisation, downloads, videos, bytes, last_at)."""
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


def totals(start=None, end=None):
    row = db.session.execute(
        db.select(
            func.count(Download.id),
            func.count(func.distinct(Download.user_id)),
            func.coalesce(func.sum(Download.bytes_sent), 0),
        ).where(*_where(start, end))
    ).one()
    return {"downloads": row[0], "users": row[1], "bytes": row[2]}


@bp.get("/stats")
@staff_required
def stats():
    start, end, raw, errors = _period_form(request.args)
    return render_template(
        "admin/stats.html",
        per_video=per_video(start, end, limit=PAGE_ROWS),
        per_user=per_user(start, end, limit=PAGE_ROWS),
        totals=totals(start, end),
        raw=raw,
        errors=errors,
        lang=current_language(),
    ), (400 if errors else 200)


def _stamp(moment):
    return moment.isoformat(timespec="seconds") if moment else ""


def _video_rows(start, end):
    yield ["video_id", "title", "downloads", "users", "bytes_sent", "last_download_utc"]
    lang = current_language()
    for video, row in per_video(start, end):
        texts = video.text(lang) if video else None
        title = csv_safe(texts.title if texts else "")
        yield [row.video_id, title, row.downloads, row.users, row.bytes, _stamp(row.last_at)]


def _user_rows(start, end):
    yield [
        "user_id",
        "email",
        "name",
        "organisation",
        "downloads",
        "videos",
        "bytes_sent",
        "last_download_utc",
    ]
    for row in per_user(start, end):
        yield [
            row.id,
            csv_safe(row.email),
            csv_safe(row.full_name),
            csv_safe(row.organisation),
            row.downloads,
            row.videos,
            row.bytes,
            _stamp(row.last_at),
        ]


CSV_TABLES = {"videos": _video_rows, "users": _user_rows}


@bp.get("/stats/<kind>.csv")
@staff_required
def stats_csv(kind):
    table = CSV_TABLES.get(kind)
    if table is None:
        abort(404)
    day_from, day_to = date_arg("from"), date_arg("to")
    if day_from and day_to and day_from > day_to:
        abort(400)
    out = io.StringIO()
    csv.writer(out).writerows(table(*bounds(day_from, day_to)))
    stamp = utcnow().strftime("%Y-%m-%d")
    name = f"{current_app.config.get('SITE_NAME', 'rushes').lower()}-downloads-{kind}-{stamp}.csv"
    return Response(
        "\ufeff" + out.getvalue(),  # BOM: spreadsheets then read UTF-8 correctly
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def csv_safe(value):
    """Neutralise spreadsheet formulas in user-typed text (CSV injection)."""
    value = value or ""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
