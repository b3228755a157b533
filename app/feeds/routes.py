"""MRSS feeds of the library: the whole library, a category, any search, per language.

    GET /feeds/videos.rss?lang=fr|en&q=…&tag=…&location=…&from=…&to=…&sort=…
    GET /feeds/<lang>/videos.rss?…                the same, language in the path
    GET /feeds/categories/<name>.rss?lang=…       a category (a tag), same as ?tag=<name>
    GET /feeds/<lang>/categories/<name>.rss

The query string is the one of /videos (app/library/listing.parse_filters), so a saved
search is a feed. Public metadata; with ``Authorization: Bearer <API token>`` the items
also list the downloadable files. Conditional GET: ETag and Last-Modified from the
matched set's fingerprint (app/api/conditional.py), 304 before any rendering.
"""

from __future__ import annotations

from flask import abort, current_app, make_response, request
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app import links
from app.api import conditional
from app.api.auth import request_token
from app.extensions import db
from app.feeds.blueprint import bp
from app.feeds.build import Channel, feed_xml
from app.i18n import current_language
from app.library.listing import category_name, list_videos, parse_filters
from app.models import Video

LANGS = ("fr", "en")
RSS = "application/rss+xml; charset=utf-8"


def _lang(path_lang):
    if path_lang is not None:
        if path_lang not in LANGS:
            abort(404)
        return path_lang
    asked = (request.args.get("lang") or "").strip()
    return asked if asked in LANGS else current_language()


def _args(tag):
    args = MultiDict(request.args)
    if tag is not None:
        args["tag"] = tag
    return args


def _channel(filters, lang, updated):
    page_args = filters.url_args(page=1)
    with force_locale(lang):
        site = current_app.config.get("SITE_NAME", "Rushes")
        if filters.q or filters.location or filters.date_from or filters.date_to:
            title = _("%(site)s: search results", site=site)
        elif filters.tag:
            category = category_name(filters.tag, lang)
            title = _("%(site)s: %(category)s", site=site, category=category)
        else:
            title = _("%(site)s: latest videos", site=site)
        description = _("The newest videos of %(site)s that match this selection.", site=site)
    return Channel(
        title=title,
        description=description,
        link=links.external_url("library.videos", **page_args),
        self_url=links.site_url(request.full_path if request.query_string else request.path),
        lang=lang,
        updated=updated,
    )


@bp.get("/videos.rss")
@bp.get("/<lang>/videos.rss")
@bp.get("/categories/<name>.rss")
@bp.get("/<lang>/categories/<name>.rss")
def videos(lang=None, name=None):
    """`lang` in the path, else ?lang=, else the visitor's; `name`: a category (tag)."""
    lang = _lang(lang)
    filters = parse_filters(_args(name))
    if filters.errors:
        abort(400)
    filters.page = 1
    size = int(current_app.config.get("FEED_ITEMS", 50))
    page = list_videos(filters, size, by_publication=True)
    downloads = request_token() is not None
    etag = conditional.listing_etag("feed", filters.url_args(), page, lang, downloads)
    updated = conditional.newest_update(page.items)
    fresh = conditional.not_modified(etag, updated)
    if fresh is not None:
        return fresh
    rows = db.session.execute(db.select(Video).where(Video.id.in_(page.items))).scalars()
    by_id = {v.id: v for v in rows}
    videos_in_order = [by_id[i] for i in page.items if i in by_id]
    body = feed_xml(_channel(filters, lang, updated), videos_in_order, downloads=downloads)
    response = make_response(body)
    response.headers["Content-Type"] = RSS
    return conditional.stamp(response, etag, updated)


@bp.app_template_global("feed_alternate")
def feed_alternate():
    """(title, absolute URL) of the feed that mirrors the library page being shown."""
    filters = parse_filters(request.args)
    lang = current_language()
    args = {k: v for k, v in filters.url_args(page=1).items() if k != "page"}
    url = links.external_url("feeds.videos", lang=lang, **args)  # /feeds/<lang>/videos.rss?…
    title = _("Search results (RSS)") if filters.active else _("Latest videos (RSS)")
    return title, url
