"""Caption files of a video, as visible as the video itself (captions are its text).

GET /videos/<id>/captions/<lang>.vtt    WebVTT: the player's <track>; ?download=1 as a file
GET /videos/<id>/captions/<lang>.srt    SRT, as a file
...?in_frame=&out_frame=                a clip's sidecar: frames of the master, out
                                        exclusive (the clip API's range); cues cut to
                                        it and moved so that its first frame is 0
"""

from __future__ import annotations

from flask import abort, current_app, request
from flask_babel import gettext as _

from app.captions import present, service
from app.captions.blueprint import bp
from app.errors import render_error
from app.http.converters import int_arg
from app.library import policy

MIME = {"vtt": "text/vtt; charset=utf-8", "srt": "application/x-subrip; charset=utf-8"}


def _range(video):
    """(in_frame, out_frame) of the request, or None for the whole file."""
    total = int(video.frame_count or 0)
    first = int_arg("in_frame", None, 0, max(total - 1, 0))
    end = int_arg("out_frame", None, 1, max(total, 1))
    if first is None and end is None:
        return None
    if first is None or end is None or end <= first or not video.frame_rate:
        abort(400)
    return first, end


@bp.app_template_global("caption_tracks")
def caption_tracks(video):
    return present.tracks(video)


@bp.get("/videos/<id:video_id>/captions/<lang>.<any(vtt, srt):ext>")
def caption_file(video_id, lang, ext):
    video = policy.visible_video_or_404(video_id)
    caption = service.caption_of(video, lang)
    if caption is None:
        return render_error(404, _("This video has no captions in this language."))
    span = _range(video)
    cues = service.cues_of(caption) if span is None else service.clip_cues(caption, *span)
    body = service.as_vtt(cues) if ext == "vtt" else service.as_srt(cues)
    response = current_app.response_class(body, content_type=MIME[ext])
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(present.etag(caption, span, ext))
    from_download = ext == "srt" or int_arg("download", 0, 0, 1)
    if from_download:
        response.headers.set(
            "Content-Disposition", "attachment", filename=present.file_name(caption, span, ext)
        )
    return response.make_conditional(request)
