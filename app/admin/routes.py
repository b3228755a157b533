"""Staff-only pages: the list of videos, upload, edit/publish/delete (the guard: blueprint.py)."""

import os

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import pgettext

from app import storage
from app.admin import service
from app.admin.blueprint import bp
from app.admin.forms import CaptionForm, VideoForm, best_title, fill_form, save_form
from app.alerts import tasks as alert_tasks
from app.audio import tracks as audio_tracks
from app.extensions import db
from app.formatting import SIZE_UNITS, human_size
from app.forms import Form
from app.http.converters import id_list_arg
from app.i18n import current_language
from app.ingest import service as ingest_service
from app.ingest import tasks
from app.media_messages import describe
from app.models import Video


def video_or_404(video_id):
    video = db.session.get(Video, video_id)
    if video is None:
        abort(404)
    return video


def status_label(video):
    labels = {
        "uploading": pgettext("video status", "Uploading"),
        "queued": pgettext("video status", "Queued"),
        "processing": pgettext("video status", "Processing"),
        "ready": pgettext("video status", "Ready"),
        "failed": pgettext("video status", "Failed"),
    }
    return labels.get(video.status, video.status)


def video_status(video):
    """What the list shows about a video, as JSON for the poll."""
    return {
        "id": video.id,
        "status": video.status,
        "status_label": status_label(video),
        "progress": round((video.progress or 0) * 100),
        "error": _error_text(video),
        "published": bool(video.published),
        "can_retry": service.can_retry(video),
        "poster": url_for("admin.poster", video_id=video.id, v=int(video.updated_at.timestamp()))
        if video.poster_path
        else None,
        "title": _title_in_ui_language(video) or video.original_filename or _("Untitled"),
    }


def _error_text(video):
    """Why the ingest failed, in the reader's language (the English for older rows)."""
    if video.error_code:
        return describe(video.error_code, video.error_params)
    return video.error or ""


def _title_in_ui_language(video):
    text = video.text(current_language())
    return text.title if text is not None and text.title else best_title(video)


def _all_videos():
    return (
        db.session.execute(db.select(Video).order_by(Video.created_at.desc(), Video.id.desc()))
        .scalars()
        .all()
    )


@bp.get("/")
def index():
    return redirect(url_for("admin.videos"))


@bp.get("/videos")
def videos():
    videos = _all_videos()
    return render_template(
        "admin/videos.html",
        videos=videos,
        statuses={v.id: video_status(v) for v in videos},
        action_form=Form(),
    )


@bp.get("/videos/status.json")
def videos_status():
    ids = id_list_arg("ids", limit=500)
    query = db.select(Video)
    if ids:
        query = query.where(Video.id.in_(ids))
    videos = db.session.execute(query).scalars().all()
    return jsonify(videos=[video_status(v) for v in videos])


@bp.get("/upload")
def upload():
    return render_template(
        "admin/upload.html",
        max_size=human_size(current_app.config["MAX_UPLOAD_BYTES"]),
        chunk_size=current_app.config["UPLOAD_CHUNK_BYTES"],
        units=",".join(str(u) for u in SIZE_UNITS),
    )


@bp.get("/videos/<id:video_id>/poster.jpg")
def poster(video_id):
    video = video_or_404(video_id)
    path = storage.absolute(video.poster_path) if video.poster_path else None
    if path is None or not path.exists():
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=0)


@bp.route("/videos/<id:video_id>", methods=["GET", "POST"])
def edit(video_id):
    video = video_or_404(video_id)
    form = VideoForm()
    if video.fps_num and video.fps_den:
        form.fps = video.fps_num / video.fps_den
    form.clock, form.frame_count = video.clock(), video.frame_count or 0
    if request.method == "GET":
        fill_form(form, video)
    elif form.validate_on_submit():
        save_form(form, video)
        db.session.commit()
        flash(_("The video's description has been saved."), "success")
        if request.form.get("and_publish"):
            problem = service.publish_problem(video)
            if problem:
                flash(problem, "error")
            else:
                if service.publish(video):
                    alert_tasks.video_published(video.id)
                flash(_("The video is published."), "success")
        return redirect(url_for("admin.edit", video_id=video.id))
    else:
        flash(_("Please correct the fields marked below."), "error")
    status = 200 if request.method == "GET" or not form.errors else 400
    return render_template(
        "admin/edit.html",
        can_retry=service.can_retry(video),
        video=video,
        form=form,
        status=video_status(video),
        action_form=Form(),
        caption_form=CaptionForm(formdata=None),
        audio_tracks=audio_tracks.shown(video),
        audio_labels=audio_tracks.labels_of(video),
        media=_media_summary(video),
        player=_player(video),
    ), status


def _player(video):
    """What the edit page's player needs: the web proxy and the master's clock."""
    proxy = next((r for r in video.renditions if r.name == "proxy"), None)
    if proxy is None or storage.existing_file(proxy.path) is None or not video.frame_rate:
        return None
    return {
        "src": url_for(
            "library.media_file", video_id=video.id, filename=os.path.basename(proxy.path)
        ),
        "fps_num": video.fps_num,
        "fps_den": video.fps_den,
        "start": video.master_start_timecode or "00:00:00:00",
        "frames": video.frame_count or 0,
    }


def _media_summary(video):
    """ "H.264 High 1280×720p25 · QuickTime / MOV · 2 audio streams" for the edit page."""
    info = video.probe_info()
    if info is not None:
        return f"{info.summary()} · {info.container_name}"
    if video.media_info and video.width and video.height:
        return f"{video.width}×{video.height}"
    return ""


def _check_action_form():
    form = Form()
    if not form.validate_on_submit():
        abort(400)


def _back(video):
    target = request.form.get("back")
    if target == "edit":
        return redirect(url_for("admin.edit", video_id=video.id))
    return redirect(url_for("admin.videos"))


@bp.post("/videos/<id:video_id>/publish")
def publish(video_id):
    _check_action_form()
    video = video_or_404(video_id)
    problem = service.publish_problem(video)
    if problem:
        flash(problem, "error")
        return _back(video)
    if service.publish(video):
        alert_tasks.video_published(video.id)
    flash(_("The video is published."), "success")
    return _back(video)


@bp.post("/videos/<id:video_id>/unpublish")
def unpublish(video_id):
    _check_action_form()
    video = video_or_404(video_id)
    video.published = False
    db.session.commit()
    flash(_("The video is no longer published."), "success")
    return _back(video)


@bp.post("/videos/<id:video_id>/retry")
def retry(video_id):
    _check_action_form()
    video = video_or_404(video_id)
    if not service.can_retry(video):
        flash(_("Only a failed or stalled processing can be retried."), "error")
        return _back(video)
    tasks.ingest_video(video.id, ingest_service.prepare_retry(video))
    flash(_("The processing has been started again."), "success")
    return _back(video)


@bp.route("/videos/<id:video_id>/delete", methods=["GET", "POST"])
def delete(video_id):
    video = video_or_404(video_id)
    form = Form()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        title = best_title(video) or video.original_filename
        service.delete_video(video)
        flash(_("“%(title)s” has been deleted, with all its files.", title=title), "success")
        return redirect(url_for("admin.videos"))
    return render_template("admin/delete.html", video=video, form=form, title=best_title(video))


@bp.app_template_filter("admin_size")
def _size_filter(n):
    return human_size(n) if n else ""


@bp.app_template_filter("admin_duration")
def _duration_filter(seconds):
    if not seconds:
        return ""
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
