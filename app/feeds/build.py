"""An RSS 2.0 + Media RSS document of a list of videos, built with ElementTree.

ElementTree escapes text and attributes itself; every link is absolute, from SITE_URL
(app/links.py). Download links (``media:content`` of the original and the download
renditions, pointing at the API's download route) are added only when asked for: a feed
read without a valid API token is public metadata.
"""

from __future__ import annotations

import mimetypes
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from app import links
from app.api import present as api_present
from app.formatting import collation_key
from app.library import present as library_present

MEDIA = "http://search.yahoo.com/mrss/"
ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("media", MEDIA)
ET.register_namespace("atom", ATOM)


def _m(tag):
    return f"{{{MEDIA}}}{tag}"


@dataclass
class Channel:
    title: str
    description: str
    link: str  # the page this feed mirrors
    self_url: str  # the feed itself
    lang: str
    updated: datetime | None


def _rfc822(moment):
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment, usegmt=True)


def _sub(parent, tag, text=None, **attrs):
    element = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = str(text)
    return element


def _proxy_content(item, video):
    proxy = next((r for r in video.renditions if r.name == api_present.PROXY), None)
    url = api_present.proxy_url(video)
    if proxy is None or url is None:
        return
    _sub(
        item,
        _m("content"),
        url=url,
        type="video/mp4",
        medium="video",
        isDefault="true",
        expression="full",
        width=proxy.width,
        height=proxy.height,
        duration=round(video.duration) if video.duration else None,
        fileSize=proxy.size or None,
    )


def _download_contents(item, video):
    """The original and each download rendition, with their (API) download URLs."""
    duration = round(video.duration) if video.duration else None
    if video.master_path:
        kind = mimetypes.guess_type(video.original_filename or video.master_path)[0]
        _sub(
            item,
            _m("content"),
            url=api_present.download_url(video, "original"),
            type=kind or "application/octet-stream",
            medium="video",
            expression="full",
            width=video.width,
            height=video.height,
            duration=duration,
            fileSize=video.master_size,
        )
    by_name = {r.name: r for r in video.renditions}
    for name in library_present.downloadable_renditions():
        rendition = by_name.get(name)
        if rendition is None:
            continue
        _sub(
            item,
            _m("content"),
            url=api_present.download_url(video, name),
            type="video/mp4",
            medium="video",
            expression="full",
            width=rendition.width,
            height=rendition.height,
            duration=duration,
            fileSize=rendition.size or None,
        )


def _item(channel_el, video, lang, downloads, terms_url):
    text = video.text(lang)
    item = _sub(channel_el, "item")
    title = text.title if text else video.slug
    _sub(item, "title", title)
    page = links.video_page_url(video)
    _sub(item, "link", page)
    _sub(item, "description", text.summary if text else "")
    _sub(item, "guid", links.site_url(f"/videos/{video.id}"), isPermaLink="true")
    _sub(item, "pubDate", _rfc822(video.published_at))
    tags = sorted((t.label(lang) for t in video.tags), key=collation_key)
    for tag in tags:
        _sub(item, "category", tag)
    _sub(item, _m("title"), title)
    if video.credit:
        _sub(item, _m("credit"), video.credit, role="distributor")
        _sub(item, _m("copyright"), video.credit)
    if video.terms(lang):
        _sub(item, _m("license"), video.terms(lang), type="text/html", href=terms_url)
    if tags:
        _sub(item, _m("keywords"), ", ".join(tags))
    poster = links.video_poster_url(video)
    if poster:
        _sub(item, _m("thumbnail"), url=poster)
    _proxy_content(item, video)
    if downloads:
        _download_contents(item, video)
    return item


def feed_xml(channel: Channel, videos, downloads=False) -> bytes:
    rss = ET.Element("rss", {"version": "2.0"})
    channel_el = _sub(rss, "channel")
    _sub(channel_el, "title", channel.title)
    _sub(channel_el, "link", channel.link)
    _sub(channel_el, "description", channel.description)
    _sub(channel_el, "language", channel.lang)
    _sub(
        channel_el, f"{{{ATOM}}}link", href=channel.self_url, rel="self", type="application/rss+xml"
    )
    if channel.updated is not None:
        _sub(channel_el, "lastBuildDate", _rfc822(channel.updated))
    terms_url = links.site_url("/terms")
    for video in videos:
        _item(channel_el, video, channel.lang, downloads, terms_url)
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True)
