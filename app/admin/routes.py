"""Staff-only pages: the list of videos, upload, edit/publish/delete."""

from datetime import timedelta

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user
from flask_wtf import FlaskForm

from app import storage
from app.admin import bp
from app.admin.forms import VideoForm, best_title, fill_form, save_form
from app.clock import utcnow
from app.extensions import csrf, db


@bp.before_request
def staff_only():
    # Not 403: the admin area is not advertised to people who may not use it. The
    # CSRF check runs after this one (the blueprint is exempt from the global check),
    # so that a stranger's POST gets the same 404 as a GET.
    if not (current_user.is_authenticated and current_user.is_staff):
        abort(404)
    if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
        csrf.protect()


def _video_or_404(video_id):
    from app.models import Video

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


STALLED_AFTER = timedelta(minutes=30)


def can_retry(video):
    """Failed, or queued/processing without any progress for STALLED_AFTER (a worker
    that died mid-way never reports back)."""
    if video.status == "failed":
        return True
    return video.status in ("queued", "processing") and (
        video.updated_at is None or utcnow() - video.updated_at > STALLED_AFTER
    )


def video_status(video):
    """What the list shows about a video, as JSON for the poll."""
    from app.admin.uploads import translate_reason

    return {
        "id": video.id,
        "status": video.status,
        "status_label": status_label(video),
        "progress": round((video.progress or 0) * 100),
        "error": translate_reason(video.error) if video.error else "",
        "published": bool(video.published),
        "can_retry": can_retry(video),
        "poster": url_for("admin.poster", video_id=video.id, v=int(video.updated_at.timestamp()))
        if video.poster_path
        else None,
        "title": _title_in_ui_language(video) or video.original_filename or _("Untitled"),
    }


def _title_in_ui_language(video):
    from flask_babel import get_locale

    text = video.text(str(get_locale() or "fr"))
    return text.title if text is not None and text.title else best_title(video)


def _all_videos():
    from app.models import Video

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
        action_form=FlaskForm(),
    )


@bp.get("/videos/status.json")
def videos_status():
    from app.models import Video

    ids = [int(i) for i in request.args.get("ids", "").split(",") if i.strip().isdigit()]
    query = db.select(Video)
    if ids:
        query = query.where(Video.id.in_(ids[:500]))
    videos = db.session.execute(query).scalars().all()
    return jsonify(videos=[video_status(v) for v in videos])


@bp.get("/upload")
def upload():
    from app.admin.uploads import UNITS, human_size

    return render_template(
        "admin/upload.html",
        max_size=human_size(_config("MAX_UPLOAD_BYTES")),
        chunk_size=_config("UPLOAD_CHUNK_BYTES"),
        units=",".join(str(u) for u in UNITS),
    )


def _config(name):
    from flask import current_app

    return current_app.config[name]


@bp.get("/videos/<int:video_id>/poster.jpg")
def poster(video_id):
    video = _video_or_404(video_id)
    path = storage.absolute(video.poster_path) if video.poster_path else None
    if path is None or not path.exists():
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=0)


@bp.route("/videos/<int:video_id>", methods=["GET", "POST"])
def edit(video_id):
    video = _video_or_404(video_id)
    form = VideoForm()
    if video.fps_num and video.fps_den:
        form.fps = video.fps_num / video.fps_den
    if request.method == "GET":
        fill_form(form, video)
    elif form.validate_on_submit():
        save_form(form, video)
        db.session.commit()
        flash(_("The video's description has been saved."), "success")
        return redirect(url_for("admin.edit", video_id=video.id))
    else:
        flash(_("Please correct the fields marked below."), "error")
    status = 200 if request.method == "GET" or not form.errors else 400
    return render_template(
        "admin/edit.html",
        can_retry=can_retry(video),
        video=video,
        form=form,
        status=video_status(video),
        action_form=FlaskForm(),
        media=_media_summary(video),
    ), status


def _media_summary(video):
    """ "H.264 High 1280×720p25 · QuickTime / MOV · 2 audio streams" for the edit page."""
    if not video.media_info:
        return ""
    try:
        from app.media.probe import MediaInfo

        info = MediaInfo.from_dict(video.media_info)
        return f"{info.summary()} · {info.container_name}"
    except Exception:  # an older or partial technical sheet: show what we can
        if video.width and video.height:
            return f"{video.width}×{video.height}"
        return ""


def _check_action_form():
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)


def _back(video):
    target = request.form.get("back")
    if target == "edit":
        return redirect(url_for("admin.edit", video_id=video.id))
    return redirect(url_for("admin.videos"))


def publish_problem(video):
    if video.status != "ready":
        return _("This video cannot be published yet: its processing is not finished.")
    if not any(t.title.strip() for t in video.texts):
        return _("This video cannot be published without a title in at least one language.")
    return None


@bp.post("/videos/<int:video_id>/publish")
def publish(video_id):
    _check_action_form()
    video = _video_or_404(video_id)
    problem = publish_problem(video)
    if problem:
        flash(problem, "error")
        return _back(video)
    video.published = True
    video.published_at = video.published_at or utcnow()
    db.session.commit()
    flash(_("The video is published."), "success")
    return _back(video)


@bp.post("/videos/<int:video_id>/unpublish")
def unpublish(video_id):
    _check_action_form()
    video = _video_or_404(video_id)
    video.published = False
    db.session.commit()
    flash(_("The video is no longer published."), "success")
    return _back(video)


@bp.post("/videos/<int:video_id>/retry")
def retry(video_id):
    from app.jobs.ingest import retry_ingest

    _check_action_form()
    video = _video_or_404(video_id)
    if not can_retry(video):
        flash(_("Only a failed or stalled processing can be retried."), "error")
        return _back(video)
    retry_ingest(video)
    flash(_("The processing has been started again."), "success")
    return _back(video)


@bp.route("/videos/<int:video_id>/delete", methods=["GET", "POST"])
def delete(video_id):
    video = _video_or_404(video_id)
    form = FlaskForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        title = best_title(video) or video.original_filename
        delete_video(video)
        flash(_("“%(title)s” has been deleted, with all its files.", title=title), "success")
        return redirect(url_for("admin.videos"))
    return render_template("admin/delete.html", video=video, form=form, title=best_title(video))


def delete_video(video):
    """Remove a video's rows and files (master, derivatives, clips)."""
    from app.models import Clip, ClipRequest, Download

    video_id = video.id
    clip_ids = db.select(Clip.id).where(Clip.video_id == video_id)
    db.session.execute(db.delete(ClipRequest).where(ClipRequest.clip_id.in_(clip_ids)))
    db.session.execute(
        db.update(Download).where(Download.video_id == video_id).values(video_id=None)
    )
    db.session.execute(db.delete(Clip).where(Clip.video_id == video_id))
    db.session.delete(video)
    db.session.commit()
    storage.delete_video_files(video_id)
    from app.library.clip_service import delete_video_clips

    delete_video_clips(video_id)
    from app.admin.uploads import Upload

    for upload in list(Upload.all()):
        if upload.meta.get("video_id") == video_id:
            upload.delete()


@bp.app_template_filter("admin_size")
def _size_filter(n):
    from app.admin.uploads import human_size

    return human_size(n) if n else ""


@bp.app_template_filter("admin_duration")
def _duration_filter(seconds):
    if not seconds:
        return ""
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
