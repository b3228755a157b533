"""Staff attach caption files to a video, per language, from its edit page.

    POST /admin/videos/<id>/captions                 a WebVTT or SRT file (form: lang,
                                                     file, allow_overlap)
    POST /admin/videos/<id>/captions/<lang>/delete

A file that cannot be taken changes nothing; every problem found is shown with its line.
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.admin.blueprint import bp
from app.admin.forms import CaptionForm
from app.admin.routes import video_or_404
from app.captions import service
from app.captions.cues import CaptionProblems
from app.forms import Form
from app.http.guard import accepts_files
from app.i18n import LANGUAGE_NAMES


def _edit_page(video, problems=False):
    """Back to the edit page: at its top when something went wrong (where the messages
    are), else at the captions panel (where the list shows the change)."""
    url = url_for("admin.edit", video_id=video.id)
    return redirect(url if problems else url + "#captions")


@bp.post("/videos/<id:video_id>/captions")
@accepts_files
def attach_captions(video_id):
    video = video_or_404(video_id)
    form = CaptionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return _edit_page(video, problems=True)
    upload = form.file.data
    data = upload.stream.read(service.MAX_BYTES + 1)
    try:
        caption = service.attach(
            video, form.lang.data, data, upload.filename or "", form.allow_overlap.data
        )
    except CaptionProblems as problems:
        flash(_("The captions were not attached:"), "error")
        for line, message in problems.problems:
            text = _("Line %(line)d: %(problem)s", line=line, problem=message) if line else message
            flash(str(text), "error")
        return _edit_page(video, problems=True)
    language = LANGUAGE_NAMES.get(caption.lang, caption.lang)
    message = ngettext(
        "Captions (%(language)s) attached: %(num)d cue.",
        "Captions (%(language)s) attached: %(num)d cues.",
        caption.cue_count,
        language=language,
    )
    flash(message, "success")
    return _edit_page(video)


@bp.post("/videos/<id:video_id>/captions/<lang>/delete")
def delete_captions(video_id, lang):
    video = video_or_404(video_id)
    if not Form().validate_on_submit():
        abort(400)
    if service.remove(video, lang):
        flash(_("The captions were removed."), "success")
    return _edit_page(video)
