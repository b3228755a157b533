"""Visitor side of the library: browse, search, video page, media files, full downloads."""

from __future__ import annotations

import os

from flask import (
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.clock import utcnow
from app.extensions import db
from app.library import bp, present
from app.library.downloads import log_callback
from app.library.queries import (
    cache_seconds,
    card_cache_seconds,
    cards,
    filter_choices,
    fragments,
    is_staff,
    list_videos,
    load_videos,
    media_path,
    parse_filters,
    visible_video_or_404,
)
from app.library.sendfile import send_media
from app.security.redirects import safe_next


@bp.record_once
def _template_helpers(state):
    # Globals rather than a context processor: imported macros see them too.
    state.app.jinja_env.globals.update(
        human_size=present.human_size,
        human_duration=present.human_duration,
        iso_duration=present.iso_duration,
        display_date=present.display_date,
    )


# ------------------------------------------------------------------ browse and search


def _listing(template, home=False):
    filters = parse_filters(request.args)
    per_page = current_app.config["VIDEOS_PER_PAGE"]
    lang = _lang()
    status = 400 if filters.errors else 200
    ttl = cache_seconds() if not filters.errors else 0
    key = (lang, per_page, home, tuple(sorted(filters.url_args(page=filters.page).items())))
    body = fragments.get(key, ttl) if ttl > 0 else None
    if body is None:
        tags, locations = filter_choices()
        # With errors: the form again with what was typed, and no results.
        page = None if filters.errors else list_videos(filters, per_page)
        body = Markup(  # noqa: S704 - an autoescaped template
            render_template(
                "library/_library_body.html",
                filters=filters,
                page=page,
                cards=_cards(page.items, lang) if page else [],
                tags=tags,
                locations=locations,
                lang=lang,
                home=home,
            )
        )
        if ttl > 0:
            fragments.put(key, body)
    return render_template(template, filters=filters, body=body, home=home), status


def _cards(ids, lang):
    """The HTML of the cards of `ids`, from the card cache or rendered (and kept)."""
    ttl = card_cache_seconds()
    found = {}
    if ttl > 0:
        for video_id in ids:
            html = cards.get((video_id, lang), ttl)
            if html is not None:
                found[video_id] = html
    missing = [i for i in ids if i not in found]
    if missing:
        card = get_template_attribute("library/_macros.html", "card")
        for video in load_videos(missing):
            found[video.id] = html = card(video, lang)
            if ttl > 0:
                cards.put((video.id, lang), html)
    return [found[i] for i in ids if i in found]


@bp.get("/")
def home():
    return _listing("library/videos.html", home=True)


@bp.get("/videos")
def videos():
    return _listing("library/videos.html")


def _lang():
    from app.i18n import current_language

    return current_language()


# ------------------------------------------------------------------ the video page


@bp.get("/videos/<int:video_id>")
@bp.get("/videos/<int:video_id>-<slug>")
def video(video_id, slug=None):
    item = visible_video_or_404(video_id)
    if slug != item.slug:
        target = url_for("library.video", video_id=item.id, slug=item.slug)
        if request.query_string:
            target += "?" + request.query_string.decode("latin-1")
        return redirect(target, code=301)
    lang = _lang()
    texts = item.text(lang)
    proxy = next((r for r in item.renditions if r.name == "proxy"), None)
    files = {
        "proxy": _file_url(item, proxy.path) if proxy and media_path(proxy.path) else None,
        "poster": _file_url(item, item.poster_path) if media_path(item.poster_path) else None,
        "vtt": _file_url(item, _vtt_path(item)) if media_path(_vtt_path(item)) else None,
    }
    return render_template(
        "library/video.html",
        video=item,
        texts=texts,
        other_texts=[t for t in item.texts if texts is None or t.lang != texts.lang],
        shots=present.shots(item, texts.shot_list if texts else ""),
        tech=present.tech_sheet(item),
        offers=present.offers(item),
        files=files,
        clip_thumbs_vtt=files["vtt"],
        lang=lang,
        can_download=_can_download(),
        terms_accepted=bool(current_user.is_authenticated and current_user.usage_terms_accepted_at),
    )


def _can_download():
    return bool(current_user.is_authenticated and current_user.is_verified)


def _vtt_path(item):
    if not item.thumbs_path:
        return None
    return os.path.splitext(item.thumbs_path)[0] + ".vtt"


def _file_url(item, relative):
    return url_for("library.media_file", video_id=item.id, filename=os.path.basename(relative))


@bp.get("/videos/<int:video_id>/files/<filename>")
def media_file(video_id, filename):
    """The player's files: web proxy, poster, thumbnail sprite and its WebVTT index.

    Only the files of this video the player needs are reachable, and only when the video
    is visible to the visitor (published, or staff): never the master or a rendition.
    """
    item = visible_video_or_404(video_id)
    allowed = [item.poster_path, item.thumbs_path, _vtt_path(item)]
    allowed += [r.path for r in item.renditions if r.name == "proxy"]
    relative = next((p for p in allowed if p and os.path.basename(p) == filename), None)
    path = media_path(relative)
    if path is None:
        abort(404)
    return send_media(path, filename, as_attachment=False, max_age=3600)


# ------------------------------------------------------------------ downloads


@bp.get("/videos/<int:video_id>/download/<name>")
def download(video_id, name):
    item = visible_video_or_404(video_id)
    back = url_for("library.video", video_id=item.id, slug=item.slug)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=back + "#download"))
    if not current_user.is_verified:
        flash(_("Please verify your e-mail address before downloading."), "warning")
        return redirect(back + "#download")
    if not current_user.usage_terms_accepted_at:
        flash(_("Please accept the usage terms before downloading."), "warning")
        return redirect(back + "#download")
    if name == "original":
        relative = item.master_path
    elif name in present.downloadable_renditions():
        rendition = next((r for r in item.renditions if r.name == name), None)
        relative = rendition.path if rendition else None
    else:
        relative = None
    path = media_path(relative)
    if path is None:
        abort(404)
    filename = present.download_name(item, name, path)
    callback = log_callback(
        user_id=current_user.id,
        video_id=item.id,
        rendition="master" if name == "original" else name,
        client_address=request.remote_addr,
    )
    return send_media(path, filename, log_download=callback)


@bp.post("/videos/<int:video_id>/accept-terms")
def accept_terms(video_id):
    item = visible_video_or_404(video_id)
    back = url_for("library.video", video_id=item.id, slug=item.slug)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=back))
    if request.form.get("accept") != "yes":
        flash(_("Tick the box to accept the usage terms."), "error")
        return redirect(back + "#download")
    if not current_user.usage_terms_accepted_at:
        current_user.usage_terms_accepted_at = utcnow()
        db.session.commit()
    flash(_("Thank you. You can now download the files."), "success")
    target = safe_next(request.form.get("next"), "library.home")
    return redirect(target if request.form.get("next") else back + "#download")


# Keeps `is_staff` importable from here for templates and other areas.
__all__ = ["is_staff"]
