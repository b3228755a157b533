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

from app import storage
from app.captions.present import with_hits as caption_hits
from app.clips.present import editor_state
from app.extensions import db
from app.http.sendfile import send_media
from app.i18n import current_language
from app.library import facets, page_cache, policy, present
from app.library.blueprint import bp
from app.library.download_log import log_callback
from app.library.listing import filter_choices, list_videos, load_videos, parse_filters
from app.library.names import download_name
from app.library.search import terms
from app.security.redirects import safe_next


@bp.record_once
def _template_helpers(state):
    # Globals rather than a context processor: imported macros see them too.
    state.app.jinja_env.globals.update(
        display_date=present.display_date,
        also_available_in=present.also_available_in,
        clip_last_timecode=present.clip_last_timecode,
    )


# ------------------------------------------------------------------ browse and search


def _listing(template, home=False):
    filters = parse_filters(request.args)
    per_page = current_app.config["VIDEOS_PER_PAGE"]
    lang = current_language()
    status = 400 if filters.errors else 200
    key = None
    body = None
    if not filters.errors:  # a request with a bad filter is never cached
        key = page_cache.listing_key(
            lang, per_page, home, sorted(filters.url_args(page=filters.page).items())
        )
        body = page_cache.get_listing(key)
    if body is None:
        tags, locations = filter_choices(current_language())
        # With errors: the form again with what was typed, and no results.
        page = None if filters.errors else list_videos(filters, per_page)
        counts = facets.counts(filters, lang) if page else ({}, {})
        body = Markup(  # noqa: S704 - an autoescaped template
            render_template(
                "library/_library_body.html",
                filters=filters,
                page=page,
                cards=_result_cards(page.items, filters, lang) if page else [],
                tags=tags,
                locations=locations,
                tag_counts=counts[0],
                place_counts=counts[1],
                lang=lang,
                home=home,
            )
        )
        if key is not None:
            page_cache.put_listing(key, body)
    return render_template(template, filters=filters, body=body, home=home), status


def _result_cards(ids, filters, lang):
    """The cards of a page of results; a search's also say where captions hold its words."""
    cards = _cards(ids, lang)
    return caption_hits(cards, ids, terms(filters.q), lang) if filters.q else cards


def _cards(ids, lang):
    """The HTML of the cards of `ids`, from the card cache or rendered (and kept)."""
    found = page_cache.get_cards(ids, lang)
    missing = [i for i in ids if i not in found]
    if missing:
        card = get_template_attribute("library/_macros.html", "card")
        rendered = {video.id: card(video, lang) for video in load_videos(missing)}
        page_cache.put_cards(rendered, lang)
        found.update(rendered)
    return [found[i] for i in ids if i in found]


@bp.get("/")
def home():
    return _listing("library/videos.html", home=True)


@bp.get("/videos")
def videos():
    return _listing("library/videos.html")


# ------------------------------------------------------------------ the video page


@bp.get("/videos/<id:video_id>")
@bp.get("/videos/<id:video_id>-<slug>")
def video(video_id, slug=None):
    item = policy.visible_video_or_404(video_id)
    if slug != item.slug:
        target = url_for("library.video", video_id=item.id, slug=item.slug)
        if request.query_string:
            target += "?" + request.query_string.decode("latin-1")
        return redirect(target, code=301)
    lang = current_language()
    texts = item.text(lang)
    proxy = next((r for r in item.renditions if r.name == "proxy"), None)
    files = {
        "proxy": _file_url(item, proxy.path if proxy else None),
        "poster": _file_url(item, item.poster_path),
        "vtt": _file_url(item, _vtt_path(item)),
    }
    refusal = policy.download_refusal()
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
        clip_editor=editor_state(item, current_user),
        lang=lang,
        # The panel offers the files once logged in and verified; the terms are asked
        # for in the panel itself.
        can_download=refusal in (None, policy.TERMS),
        terms_accepted=refusal is None,
    )


def _vtt_path(item):
    if not item.thumbs_path:
        return None
    return os.path.splitext(item.thumbs_path)[0] + ".vtt"


def _file_url(item, relative):
    """The player's URL of one of the video's files, None when the file is not there."""
    if storage.existing_file(relative) is None:
        return None
    return url_for("library.media_file", video_id=item.id, filename=os.path.basename(relative))


@bp.get("/videos/<id:video_id>/files/<filename>")
def media_file(video_id, filename):
    """The player's files: web proxy, poster, thumbnail sprite and its WebVTT index.

    Only the files of this video the player needs are reachable, and only when the video
    is visible to the visitor (published, or staff): never the master or a rendition.
    """
    item = policy.visible_video_or_404(video_id)
    allowed = [item.poster_path, item.thumbs_path, _vtt_path(item)]
    allowed += [r.path for r in item.renditions if r.name == "proxy"]
    relative = next((p for p in allowed if p and os.path.basename(p) == filename), None)
    path = storage.existing_file(relative)
    if path is None:
        abort(404)
    return send_media(path, filename, as_attachment=False, max_age=3600)


# ------------------------------------------------------------------ downloads

REFUSALS = {
    policy.VERIFY: lambda: _("Please verify your e-mail address before downloading."),
    policy.TERMS: lambda: _("Please accept the usage terms before downloading."),
}


def _download_file(item, name):
    """(stored relative path, rendition name for the log) of a download offer, or 404."""
    if name == "original":
        return item.master_path, "master"
    if name in present.downloadable_renditions():
        rendition = next((r for r in item.renditions if r.name == name), None)
        return (rendition.path if rendition else None), name
    abort(404)


@bp.get("/videos/<id:video_id>/download/<name>")
def download(video_id, name):
    item = policy.visible_video_or_404(video_id)
    back = url_for("library.video", video_id=item.id, slug=item.slug)
    refusal = policy.download_refusal()
    if refusal == policy.LOGIN:
        return redirect(url_for("auth.login", next=back + "#download"))
    if refusal is not None:
        flash(REFUSALS[refusal](), "warning")
        return redirect(back + "#download")
    relative, logged_as = _download_file(item, name)
    path = storage.existing_file(relative)
    if path is None:
        abort(404)
    filename = download_name(item, kind=name, ext=path.suffix)
    callback = log_callback(
        user_id=current_user.id,
        video_id=item.id,
        rendition=logged_as,
        client_address=request.remote_addr,
    )
    return send_media(path, filename, log_download=callback)


@bp.post("/videos/<id:video_id>/accept-terms")
def accept_terms(video_id):
    item = policy.visible_video_or_404(video_id)
    back = url_for("library.video", video_id=item.id, slug=item.slug)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=back))
    if request.form.get("accept") != "yes":
        flash(_("Tick the box to accept the usage terms."), "error")
        return redirect(back + "#download")
    if not policy.has_accepted_terms(current_user):
        policy.accept_terms(current_user)
        db.session.commit()
    flash(_("Thank you. You can now download the files."), "success")
    target = safe_next(request.form.get("next"), "library.home")
    return redirect(target if request.form.get("next") else back + "#download")
