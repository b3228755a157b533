"""A video's script: the print-friendly page and the plain-text file.

    GET /videos/<id>/script            HTML, print CSS (?lang=fr|en, ?in=&out= for a clip)
    GET /videos/<id>/script.txt        the same as a UTF-8 text file (attachment)

The script is public metadata, like the video page: only the visibility rule applies
(`policy.visible_video_or_404`). It is not written to the download log: the log records
the files that leave under the download rule (master, renditions, clips, stills), and a
script carries nothing the video page does not show to anyone.
"""

from __future__ import annotations

import io

from flask import abort, render_template, request, send_file, url_for
from flask_babel import force_locale

from app.errors import render_error
from app.i18n import current_language, supported
from app.library import policy
from app.scripts import service
from app.scripts.blueprint import bp


def _lang():
    lang = request.args.get("lang", "").strip() or current_language()
    if lang not in supported():
        abort(404)
    return lang


def _script(video, lang):
    """(script, None) or (None, an error answer) for the ?in=&out= of the request."""
    try:
        in_frame, out_frame = service.read_range(video, request.args)
    except service.SelectionError as exc:
        return None, render_error(400, str(exc))
    with force_locale(lang):
        return service.build_script(video, lang, in_frame, out_frame), None


def _link_args(script, **extra):
    args = dict(extra)
    if script.is_clip:
        args.update({"in": script.in_frame, "out": script.out_frame})
    return args


@bp.get("/videos/<id:video_id>/script")
def page(video_id):
    video = policy.visible_video_or_404(video_id)
    lang = _lang()
    script, error = _script(video, lang)
    if error is not None:
        return error
    others = [
        other
        for other in supported()
        if other != lang and any(t.lang == other and t.title for t in video.texts)
    ]
    with force_locale(lang):
        return render_template(
            "scripts/script.html",
            video=video,
            script=script,
            script_lang=lang,
            other_langs=[
                (
                    other,
                    url_for("scripts.page", video_id=video.id, **_link_args(script, lang=other)),
                )
                for other in others
            ],
            text_url=url_for("scripts.text", video_id=video.id, **_link_args(script, lang=lang)),
        )


@bp.get("/videos/<id:video_id>/script.txt")
def text(video_id):
    video = policy.visible_video_or_404(video_id)
    lang = _lang()
    script, error = _script(video, lang)
    if error is not None:
        return error
    with force_locale(lang):
        body = service.as_text(script).encode("utf-8")
    response = send_file(
        io.BytesIO(body),
        mimetype="text/plain; charset=utf-8",
        as_attachment=True,
        download_name=service.file_name(video, script),
    )
    response.headers["Content-Language"] = lang
    return response
