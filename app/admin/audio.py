"""Staff name the audio tracks of a video, in each language, from its edit page.

    POST /admin/videos/<id>/audio     form: label-<track key>-<lang> for each track

An empty field removes that label; a track the master does not have is ignored.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from app.admin.blueprint import bp
from app.admin.routes import video_or_404
from app.audio import service
from app.audio.tracks import available
from app.forms import Form
from app.i18n import supported


def field_name(key, lang):
    return f"label-{key}-{lang}"


@bp.app_template_global("audio_label_field")
def audio_label_field(key, lang):
    return field_name(key, lang)


@bp.post("/videos/<id:video_id>/audio")
def label_audio(video_id):
    video = video_or_404(video_id)
    if not Form().validate_on_submit():
        abort(400)
    labels = {}
    for track in available(video):
        for lang in supported():
            name = field_name(track.key, lang)
            if name in request.form:
                labels[(track.key, lang)] = request.form.get(name, "")
    service.save_labels(video, labels)
    flash(_("The names of the audio tracks were saved."), "success")
    return redirect(url_for("admin.edit", video_id=video.id) + "#audio")
