"""The clip API: ask for a clip of a video, follow its cut, download it.

    POST /videos/<id>/clips       form or JSON (in/out or in_frame/out_frame; audio: the
                                  tracks to carry, all when absent); 202 {"id", ...}
    GET  /clips/<id>              JSON status (owner or staff; others 404)
    GET  /clips/<id>/download     the file, like full downloads, logged with in/out

The id is the user's ClipRequest id. Asking for and downloading a clip follow the same
rule as full downloads (app/library/policy.py), staff included.
"""

from __future__ import annotations

from flask import abort, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.clips import present, service
from app.clips.blueprint import bp
from app.clips.cache import file_of
from app.clips.selection import SelectionError, UnknownRate, parse_clip_request
from app.clips.tasks import cut_clip
from app.http.sendfile import send_media
from app.library import policy
from app.library.download_log import log_callback


def _json_error(status, message, **extra):
    response = jsonify({"error": str(message), "status": status, **extra})
    response.status_code = status
    return response


def _refusal():
    """The JSON answer for a visitor who may not have clips (yet), else None."""
    reason = policy.download_refusal()
    if reason == policy.LOGIN:
        return _json_error(
            401,
            _("Please log in to download clips."),
            login_url=url_for("auth.login", next=request.referrer or request.path),
        )
    if reason == policy.VERIFY:
        return _json_error(403, _("Please verify your e-mail address to download clips."))
    if reason == policy.TERMS:
        return _json_error(
            403, _("Please accept the usage terms before downloading."), code="usage_terms"
        )
    return None


def _payload():
    if request.is_json:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else None
    return request.form


@bp.app_template_global("clip_state_label")
def clip_state_label(state):
    return present.state_label(state)


@bp.post("/videos/<id:video_id>/clips")
def create(video_id):
    if not current_user.is_authenticated:
        return _refusal()
    video = policy.visible_video(video_id)
    if video is None:
        return _json_error(404, _("This video does not exist or is not available."))
    refused = _refusal()
    if refused:
        return refused
    if video.status != "ready" or not video.master_path or not video.frame_count:
        return _json_error(409, _("This video is still being prepared. Please try again later."))
    data = _payload()
    if data is None:
        return _json_error(400, _("The request could not be understood."))
    try:
        in_frame, out_frame, audio = parse_clip_request(video, data)
    except UnknownRate as exc:
        return _json_error(409, str(exc))
    except SelectionError as exc:
        return _json_error(400, str(exc))
    limit = service.pending_limit_reached(current_user, video, in_frame, out_frame, audio)
    if limit:
        return _json_error(429, present.pending_limit_message(limit))
    clip_request, needs_cut = service.request_clip(video, current_user, in_frame, out_frame, audio)
    if needs_cut:
        cut_clip(clip_request.clip_id)
    body = present.status_dict(clip_request, staff=policy.is_staff())
    response = jsonify(body)
    response.status_code = 202
    response.headers["Location"] = body["status_url"]
    return response


@bp.get("/clips/<id:request_id>")
def status(request_id):
    if not current_user.is_authenticated:
        return _refusal()
    clip_request = service.own_request(request_id, current_user)
    if clip_request is None:
        return _json_error(404, _("This clip does not exist."))
    if service.ensure_available(clip_request.clip):  # evicted or lost: on its way again
        cut_clip(clip_request.clip_id)
    response = jsonify(present.status_dict(clip_request, staff=policy.is_staff()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/clips/<id:request_id>/download")
def download(request_id):
    if not current_user.is_authenticated:
        return _refusal()
    clip_request = service.own_request(request_id, current_user)
    if clip_request is None:
        return _json_error(404, _("This clip does not exist."))
    refused = _refusal()
    if refused:
        return refused
    clip = clip_request.clip
    path = file_of(clip) if clip.status == "done" else None
    if path is None:
        if service.ensure_available(clip):
            cut_clip(clip.id)
        return _json_error(
            409,
            _("This clip is not ready yet."),
            status_url=url_for("clips.status", request_id=clip_request.id),
        )
    if request.method == "GET":
        service.touch(clip)
    log = log_callback(
        user_id=current_user.id,
        video_id=clip.video_id,
        client_address=request.remote_addr,
        **present.log_fields(clip),
    )
    try:
        return send_media(path, present.file_name(clip), log_download=log)
    except FileNotFoundError:
        abort(404)
