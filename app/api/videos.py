"""The API's videos: search, metadata, renditions, shot list, downloads.

GET /api/v1/videos                      search (the site's syntax and filters), paged
GET /api/v1/videos/<id>                 metadata in every language
GET /api/v1/videos/<id>/renditions      renditions with their sizes
GET /api/v1/videos/<id>/shots           the shot list of each language
GET /api/v1/videos/<id>/downloads       download links
GET /api/v1/videos/<id>/download/<name> the file (rights as on the site; logged)
"""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from app import storage
from app.api import conditional, present
from app.api.auth import api_user, json_error
from app.api.blueprint import bp
from app.extensions import db
from app.http.converters import int_arg
from app.http.sendfile import send_media
from app.i18n import current_language
from app.library import policy
from app.library import present as library_present
from app.library.download_log import log_callback
from app.library.listing import list_videos, parse_filters
from app.library.names import download_name
from app.models import Video

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 24


def lang_arg():
    lang = (request.args.get("lang") or "").strip()
    return lang if lang in ("fr", "en") else current_language()


def visible(video_id):
    """The video if the token's user may see it (app/library/policy.can_see), else None."""
    video = db.session.get(Video, video_id)
    return video if policy.can_see(video, api_user()) else None


def not_found():
    return json_error(404, _("This video does not exist or is not available."))


def refusal(user):
    """The JSON answer for a user who may not download (yet), else None."""
    reason = policy.download_refusal(user)
    if reason == policy.VERIFY:
        return json_error(403, _("Please verify your e-mail address before downloading."))
    if reason == policy.TERMS:
        return json_error(
            403,
            _("Please accept the usage terms (on any video page of the site) before downloading."),
            code="usage_terms",
        )
    if reason is not None:
        return json_error(401, _("Please log in to download clips."))
    return None


@bp.get("/videos")
def search():
    filters = parse_filters(request.args)
    if filters.errors:
        return json_error(400, _("Some search filters are not valid."), fields=filters.errors)
    per_page = int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    lang = lang_arg()
    page = list_videos(filters, per_page)
    etag = conditional.listing_etag("api", filters.url_args(), page, lang, per_page)
    last_modified = conditional.newest_update(page.items)
    fresh = conditional.not_modified(etag, last_modified)
    if fresh is not None:
        return fresh
    # Cards carry only titles: the rows of the page are loaded whole for the summaries.
    videos = db.session.execute(db.select(Video).where(Video.id.in_(page.items))).scalars()
    by_id = {v.id: v for v in videos}
    body = {
        "items": [present.summary(by_id[i], lang) for i in page.items if i in by_id],
        "page": page.page,
        "per_page": per_page,
        "total": page.total,
        "pages": page.pages,
        "links": present.page_links("api.search", filters, page, per_page, lang),
    }
    return conditional.stamp(jsonify(body), etag, last_modified)


@bp.get("/videos/<id:video_id>")
def video(video_id):
    item = visible(video_id)
    if item is None:
        return not_found()
    return jsonify(present.detail(item, lang_arg()))


@bp.get("/videos/<id:video_id>/renditions")
def renditions(video_id):
    item = visible(video_id)
    if item is None:
        return not_found()
    return jsonify({"video_id": item.id, "renditions": present.renditions(item)})


@bp.get("/videos/<id:video_id>/shots")
def shots(video_id):
    item = visible(video_id)
    if item is None:
        return not_found()
    return jsonify(
        {
            "video_id": item.id,
            "start_timecode": item.master_start_timecode,
            "shots": present.shot_lists(item),
        }
    )


@bp.get("/videos/<id:video_id>/downloads")
def downloads(video_id):
    item = visible(video_id)
    if item is None:
        return not_found()
    user = api_user()
    return jsonify(
        {
            "video_id": item.id,
            "allowed": policy.download_refusal(user) is None,
            "downloads": present.downloads(item),
        }
    )


def _file_of(item, name):
    """(stored relative path, name for the log), or None for an unknown name."""
    if name == "original":
        return item.master_path, "master"
    if name in library_present.downloadable_renditions():
        rendition = next((r for r in item.renditions if r.name == name), None)
        return (rendition.path if rendition else None), name
    return None


@bp.get("/videos/<id:video_id>/download/<name>")
def download(video_id, name):
    item = visible(video_id)
    if item is None:
        return not_found()
    user = api_user()
    refused = refusal(user)
    if refused is not None:
        return refused
    found = _file_of(item, name)
    path = storage.existing_file(found[0]) if found else None
    if path is None:
        return json_error(404, _("This file does not exist."))
    callback = log_callback(
        user_id=user.id,
        video_id=item.id,
        rendition=found[1],
        client_address=request.remote_addr,
    )
    filename = download_name(item, kind=name, ext=path.suffix)
    return send_media(path, filename, log_download=callback)
