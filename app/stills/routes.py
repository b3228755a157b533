"""The still of a frame of a video's master, as a file download.

    GET /videos/<id>/stills/<frame>.png     lossless, full resolution, square pixels
    GET /videos/<id>/stills/<frame>.jpg     JPEG 4:4:4, quality ~95

`frame` is the master's frame index (0 = its first frame; the player's current frame).
The video must be visible (`policy.visible_video_or_404`); the file follows the download
rule of full downloads and clips (`policy.download_refusal`): a visitor who is not
logged in is sent to the log-in page (401 in JSON for API clients), an unverified one or
one who has not accepted the terms gets 403. A frame outside the master is 404. Every
file answer is logged as a download (rendition "still", in_frame = the frame). Making a
still costs the server a fraction of a second: a user may have STILL_LIMIT_PER_USER
made (60 a minute by default; cached stills are free), then 429.
"""

from __future__ import annotations

import logging

from flask import abort, current_app, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.errors import render_error, wants_json
from app.extensions import limiter
from app.http.sendfile import send_media
from app.library import policy
from app.library.download_log import log_callback
from app.media.errors import MediaError
from app.media_messages import describe
from app.stills import present, service
from app.stills.blueprint import bp

log = logging.getLogger(__name__)

DEFAULT_LIMIT = "60 per minute"


def _made_limit():
    """How many stills one user may have made (cache misses) per period:
    STILL_LIMIT_PER_USER, else 60 a minute. Cached stills do not count."""
    return current_app.config.get("STILL_LIMIT_PER_USER") or DEFAULT_LIMIT


def _limit_key():
    if current_user.is_authenticated:
        return f"still-user-{current_user.id}"
    return f"still-addr-{request.remote_addr}"


def _was_made(_response):
    return "still_made" in g and bool(g.still_made)


def _is_cached():
    """A still already made is a plain file answer: the limit does not apply to it."""
    args = request.view_args or {}
    try:
        return service.cached_path(args["video_id"], args["frame"], args["ext"]).is_file()
    except (KeyError, ValueError):
        return False


def _refusal(video):
    """The answer for a visitor who may not download stills (yet), else None."""
    reason = policy.download_refusal()
    back = url_for("library.video", video_id=video.id, slug=video.slug) + "#download"
    if reason == policy.LOGIN:
        if wants_json():
            response = jsonify(
                {
                    "error": _("Please log in to download stills."),
                    "status": 401,
                    "login_url": url_for("auth.login", next=back),
                }
            )
            response.status_code = 401
            return response
        return redirect(url_for("auth.login", next=back))
    if reason == policy.VERIFY:
        return render_error(403, _("Please verify your e-mail address to download stills."))
    if reason == policy.TERMS:
        return render_error(403, _("Please accept the usage terms before downloading."))
    return None


@bp.get("/videos/<id:video_id>/stills/<int:frame>.<any(png, jpg):ext>")
@limiter.limit(_made_limit, key_func=_limit_key, deduct_when=_was_made, exempt_when=_is_cached)
def still(video_id, frame, ext):
    video = policy.visible_video_or_404(video_id)
    refused = _refusal(video)
    if refused is not None:
        return refused
    if not service.frame_in_range(video, frame):
        return render_error(404, _("This frame is not part of the video."))
    try:
        path, g.still_made = service.still_file(video, frame, ext)
    except service.NoMaster:
        abort(404)
    except MediaError as exc:
        log.warning("still of video %s frame %s: %s", video.id, frame, exc)
        return render_error(500, describe(exc.code, exc.params))
    callback = log_callback(
        user_id=current_user.id,
        video_id=video.id,
        rendition="still",
        client_address=request.remote_addr,
        in_frame=frame,
        out_frame=frame + 1,
    )
    return send_media(
        path,
        present.file_name(video, frame, ext),
        log_download=callback,
        mimetype=service.MIMETYPES[ext],
    )


@bp.app_template_global("still_buttons")
def still_buttons(video):
    return present.buttons_state(video)
