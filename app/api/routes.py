"""The API's clips (the contract of the site's clip API, app/clips/routes.py), the
OpenAPI document, and the blueprint's token check and JSON errors.

    POST /api/v1/videos/<id>/clips   JSON {"in", "out"} or {"in_frame", "out_frame"},
                                     and "audio": the tracks to carry (all if absent); 202
    GET  /api/v1/clips/<id>          status, as the site's /clips/<id>
    GET  /api/v1/clips/<id>/download the file, logged with in/out
    GET  /api/v1/openapi.json        the OpenAPI 3.1 document (public)
"""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from app import links
from app.api import auth, openapi
from app.api.auth import api_user, json_error
from app.api.blueprint import bp
from app.api.videos import not_found, refusal, visible
from app.captions import present as captions_present
from app.clips import present as clip_present
from app.clips import service
from app.clips.cache import file_of
from app.clips.selection import SelectionError, UnknownRate, parse_clip_request
from app.clips.tasks import cut_clip
from app.extensions import csrf, limiter
from app.http.sendfile import send_media
from app.library import policy
from app.library.download_log import log_callback

csrf.exempt(bp)  # bearer tokens only: no cookie is read, so no cross-site request
bp.before_request(auth.require_token)
bp.register_error_handler(HTTPException, auth.http_error)
limiter.limit(auth.rate_limit, key_func=auth.rate_key)(bp)


def status_body(clip_request, user):
    """The site's status dict, with the API's own status and download URLs."""
    body = clip_present.status_dict(clip_request, staff=policy.is_staff(user))
    body["status_url"] = links.external_url("api.clip_status", request_id=clip_request.id)
    if body["download_url"]:
        body["download_url"] = links.external_url("api.clip_download", request_id=clip_request.id)
        clip = clip_request.clip
        body["captions"] = captions_present.sidecars(
            clip.video, clip.in_frame, clip.out_frame, build=links.external_url
        )
    return body


def _selection(video):
    """(in_frame, out_frame, audio) or an error answer."""
    data = request.get_json(silent=True) if request.is_json else request.form
    if not isinstance(data, dict):
        return None, json_error(400, _("The request could not be understood."))
    try:
        return parse_clip_request(video, data), None
    except UnknownRate as exc:
        return None, json_error(409, str(exc))
    except SelectionError as exc:
        return None, json_error(400, str(exc))


@bp.post("/videos/<id:video_id>/clips")
def create_clip(video_id):
    user = api_user()
    video = visible(video_id)
    if video is None:
        return not_found()
    refused = refusal(user)
    if refused is not None:
        return refused
    if video.status != "ready" or not video.master_path or not video.frame_count:
        return json_error(409, _("This video is still being prepared. Please try again later."))
    points, error = _selection(video)
    if error is not None:
        return error
    limit = service.pending_limit_reached(user, video, *points)
    if limit:
        return json_error(429, clip_present.pending_limit_message(limit))
    clip_request, needs_cut = service.request_clip(video, user, *points)
    if needs_cut:
        cut_clip(clip_request.clip_id)
    body = status_body(clip_request, user)
    response = jsonify(body)
    response.status_code = 202
    response.headers["Location"] = body["status_url"]
    return response


def _own(request_id, user):
    clip_request = service.own_request(request_id, user)
    if clip_request is None:
        return None, json_error(404, _("This clip does not exist."))
    return clip_request, None


@bp.get("/clips/<id:request_id>")
def clip_status(request_id):
    user = api_user()
    clip_request, error = _own(request_id, user)
    if error is not None:
        return error
    if service.ensure_available(clip_request.clip):  # evicted or lost: on its way again
        cut_clip(clip_request.clip_id)
    response = jsonify(status_body(clip_request, user))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/clips/<id:request_id>/download")
def clip_download(request_id):
    user = api_user()
    clip_request, error = _own(request_id, user)
    if error is not None:
        return error
    refused = refusal(user)
    if refused is not None:
        return refused
    clip = clip_request.clip
    path = file_of(clip) if clip.status == "done" else None
    if path is None:
        if service.ensure_available(clip):
            cut_clip(clip.id)
        return json_error(
            409,
            _("This clip is not ready yet."),
            status_url=links.external_url("api.clip_status", request_id=clip_request.id),
        )
    service.touch(clip)
    log = log_callback(
        user_id=user.id,
        video_id=clip.video_id,
        client_address=request.remote_addr,
        **clip_present.log_fields(clip),
    )
    try:
        return send_media(path, clip_present.file_name(clip), log_download=log)
    except FileNotFoundError:
        return json_error(404, _("This clip does not exist."))


@bp.route("/<path:name>", methods=("GET", "HEAD", "POST"))
def unknown(name):
    """Any other address under /api/v1/ is a JSON 404, as the API's own errors."""
    return json_error(404, _("There is nothing at this address of the API."))


@bp.get("/openapi.json")
def openapi_document():
    response = jsonify(openapi.document())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
