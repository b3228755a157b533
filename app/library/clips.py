"""Clip API (issue 5): request a clip of a video, follow its job, download it.

    POST /videos/<id>/clips       form or JSON; 202 {"id", "status_url", ...}
    GET  /clips/<id>              JSON status (owner or staff; others 404)
    GET  /clips/<id>/download     the file, like full downloads, logged with in/out

The id is the user's ClipRequest id (see app/library/clip_service.py).
"""

from __future__ import annotations

from flask import abort, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user

from app.clock import utcnow
from app.extensions import db
from app.library import bp
from app.library import clip_service as service
from app.models import ClipRequest, Download, Video


def _json_error(status, message, **extra):
    response = jsonify({"error": str(message), "status": status, **extra})
    response.status_code = status
    return response


def _auth_problem():
    """401/403 JSON answers for visitors who may not ask for clips, else None."""
    if not current_user.is_authenticated:
        return _json_error(
            401,
            _("Please log in to download clips."),
            login_url=url_for("auth.login", next=request.referrer or request.path),
        )
    if not current_user.is_verified:
        return _json_error(403, _("Please verify your e-mail address to download clips."))
    return None


def _terms_problem():
    if current_user.usage_terms_accepted_at is None and not current_user.is_staff:
        return _json_error(
            403,
            _("Please accept the usage terms before downloading."),
            code="usage_terms",
        )
    return None


def _visible_video(video_id):
    video = db.session.get(Video, video_id)
    if video is None:
        return None
    if not video.published and not current_user.is_staff:
        return None
    return video


def _own_request(request_id):
    clip_request = db.session.get(ClipRequest, request_id)
    if clip_request is None:
        return None
    if clip_request.user_id != current_user.id and not current_user.is_staff:
        return None
    video = clip_request.clip.video
    if video is None or (not video.published and not current_user.is_staff):
        return None
    return clip_request


def _payload():
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return None
        return data
    return request.form


@bp.post("/videos/<int:video_id>/clips")
def clip_create(video_id):
    problem = _auth_problem()
    if problem:
        return problem
    video = _visible_video(video_id)
    if video is None:
        return _json_error(404, _("This video does not exist or is not available."))
    problem = _terms_problem()
    if problem:
        return problem
    if video.status != "ready" or not video.master_path or not video.frame_count:
        return _json_error(409, _("This video is still being prepared. Please try again later."))
    data = _payload()
    if data is None:
        return _json_error(400, _("The request could not be understood."))
    try:
        in_frame, out_frame = service.parse_selection(video, data)
    except service.SelectionError as exc:
        return _json_error(400, str(exc))
    limit = int(current_app.config["CLIP_MAX_PENDING_PER_USER"])
    if (
        not current_user.is_staff
        and not service.is_cached_or_pending(video, in_frame, out_frame)
        and service.pending_count(current_user) >= limit
    ):
        return _json_error(
            429,
            _(
                "You already have %(num)d clips being cut. Please wait until they are ready.",
                num=limit,
            ),
        )
    clip_request, _enqueued = service.request_clip(video, current_user, in_frame, out_frame)
    body = service.status_dict(clip_request, url_for, staff=current_user.is_staff)
    response = jsonify(body)
    response.status_code = 202
    response.headers["Location"] = body["status_url"]
    return response


@bp.get("/clips/<int:request_id>")
def clip_status(request_id):
    problem = _auth_problem()
    if problem:
        return problem
    clip_request = _own_request(request_id)
    if clip_request is None:
        return _json_error(404, _("This clip does not exist."))
    service.ensure_available(clip_request.clip)  # evicted or lost: on its way again
    response = jsonify(service.status_dict(clip_request, url_for, staff=current_user.is_staff))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/clips/<int:request_id>/download")
def clip_download(request_id):
    problem = _auth_problem()
    if problem:
        return problem
    clip_request = _own_request(request_id)
    if clip_request is None:
        return _json_error(404, _("This clip does not exist."))
    problem = _terms_problem()
    if problem:
        return problem
    clip = clip_request.clip
    if clip.status != "done" or not service.file_present(clip):
        service.ensure_available(clip)
        return _json_error(
            409,
            _("This clip is not ready yet."),
            status_url=url_for("library.clip_status", request_id=clip_request.id),
        )
    from app.library.sendfile import send_media

    if request.method == "GET":
        service.touch(clip)
    log_row = {
        "user_id": current_user.id,
        "video_id": clip.video_id,
        "clip_id": clip.id,
        "in_frame": clip.in_frame,
        "out_frame": clip.out_frame,
        "client_address": (request.remote_addr or "")[:64],
    }

    def log_download(bytes_sent, status, range_header):
        db.session.add(
            Download(
                rendition="clip",
                bytes_sent=bytes_sent,
                range_header=(range_header or None) and range_header[:200],
                created_at=utcnow(),
                **log_row,
            )
        )
        db.session.commit()

    try:
        return send_media(
            service.abs_path(clip), service.download_name(clip), log_download=log_download
        )
    except FileNotFoundError:
        abort(404)


@bp.app_template_global()
def clip_editor_state(video):
    """What templates/library/_clip_editor.html needs: the video's timing for the
    browser's timecode maths and the user's recent clips of this video."""
    recent = []
    if current_user.is_authenticated:
        staff = current_user.is_staff
        recent = [
            service.status_dict(r, url_for, staff=staff)
            for r in service.recent_requests(video, current_user)
        ]
    rate_ok = bool(video.fps_num and video.fps_den and video.frame_count)
    return {
        "ready": rate_ok and video.status == "ready",
        "fps_num": video.fps_num or 25,
        "fps_den": video.fps_den or 1,
        "frame_count": video.frame_count or 0,
        "start_tc": video.start_timecode or "00:00:00:00",
        "drop_frame": bool(video.start_timecode and ";" in video.start_timecode),
        "create_url": url_for("library.clip_create", video_id=video.id),
        "terms_accepted": bool(
            current_user.is_authenticated
            and (current_user.usage_terms_accepted_at or current_user.is_staff)
        ),
        "recent": recent,
    }


@bp.app_template_global()
def clip_state_label(status):
    return {
        "queued": pgettext("clip status", "Queued"),
        "running": pgettext("clip status", "Cutting…"),
        "done": pgettext("clip status", "Ready"),
        "failed": pgettext("clip status", "Failed"),
    }.get(status, status)


@bp.app_template_global()
def clip_size_text(size):
    from flask_babel import format_decimal

    if size is None:
        return ""
    if size < 1024 * 1024:
        return _("{n} KB").format(n=format_decimal(round(size / 1024, 1)))
    return _("{n} MB").format(n=format_decimal(round(size / (1024 * 1024), 1)))
