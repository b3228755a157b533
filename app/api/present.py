"""What the API says of a video: metadata in every language, renditions, shots, links.

Every link is absolute, built from SITE_URL (app/links.py). Download links point at the
API's own download route, which wants the same bearer token.
"""

from __future__ import annotations

import os

from flask import current_app

from app import links
from app.audio import tracks as audio_tracks
from app.captions import present as captions_present
from app.formatting import collation_key
from app.library import present as library_present
from app.library.listing import Page

PROXY = "proxy"


def _iso(moment):
    return moment.isoformat() + ("" if moment.tzinfo else "Z") if moment else None


def download_url(video, name):
    return links.external_url("api.download", video_id=video.id, name=name)


def proxy_url(video):
    proxy = next((r for r in video.renditions if r.name == PROXY), None)
    if proxy is None:
        return None
    filename = os.path.basename(proxy.path)
    return links.external_url("library.media_file", video_id=video.id, filename=filename)


def texts(video):
    """{lang: {title, summary, story, location, usage_terms}} of every language the video
    has texts in."""
    return {
        t.lang: {
            "title": t.title,
            "summary": t.summary,
            "story": t.story,
            "location": t.location,
            "usage_terms": t.usage_terms,
        }
        for t in sorted(video.texts, key=lambda t: t.lang)
    }


def summary(video, lang):
    text = video.text(lang)
    return {
        "id": video.id,
        "title": text.title if text else "",
        "summary": text.summary if text else "",
        "url": links.video_page_url(video),
        "api_url": links.external_url("api.video", video_id=video.id),
        "poster_url": links.video_poster_url(video),
        "published_at": _iso(video.published_at),
        "recorded_on": video.recorded_on.isoformat() if video.recorded_on else None,
        "location": video.place(lang),
        "duration": video.duration,
        "tags": sorted(t.name for t in video.tags),
        "categories": [
            {"key": t.name, "name": t.label(lang)}
            for t in sorted(video.tags, key=lambda t: collation_key(t.label(lang)))
        ],
    }


def renditions(video):
    """The web proxy and the download renditions, with their sizes."""
    downloadable = set(library_present.downloadable_renditions())
    labels = library_present.rendition_labels()
    order = [r["name"] for r in current_app.config.get("RENDITIONS", ())]
    rows = sorted(
        video.renditions, key=lambda r: order.index(r.name) if r.name in order else len(order)
    )
    return [
        {
            "name": r.name,
            "label": str(labels.get(r.name, r.name)),
            "width": r.width,
            "height": r.height,
            "size": r.size or None,
            "bit_rate": r.bit_rate,
            "mime_type": "video/mp4",
            "downloadable": r.name in downloadable,
            "download_url": download_url(video, r.name) if r.name in downloadable else None,
            "url": proxy_url(video) if r.name == PROXY else None,
        }
        for r in rows
    ]


def downloads(video):
    """What may be downloaded: the original, then each download rendition."""
    result = []
    if video.master_path:
        result.append(
            {
                "name": "original",
                "label": "Original",
                "size": video.master_size,
                "filename": video.original_filename or None,
                "url": download_url(video, "original"),
            }
        )
    downloadable = library_present.downloadable_renditions()
    by_name = {r.name: r for r in video.renditions}
    for name in downloadable:
        rendition = by_name.get(name)
        if rendition is None:
            continue
        result.append(
            {
                "name": name,
                "label": str(library_present.rendition_labels().get(name, name)),
                "size": rendition.size or None,
                "filename": None,
                "url": download_url(video, name),
            }
        )
    return result


def shot_lists(video):
    """{lang: [{timecode, description, seconds}]} from each language's shot list."""
    return {
        t.lang: [
            {"timecode": s.timecode or None, "description": s.description, "seconds": s.seconds}
            for s in library_present.shots(video, t.shot_list)
        ]
        for t in sorted(video.texts, key=lambda t: t.lang)
        if t.shot_list
    }


def detail(video, lang):
    return {
        **summary(video, lang),
        "slug": video.slug,
        "credit": video.credit,
        "usage_terms": video.terms(lang),
        "texts": texts(video),
        "frame_rate": (
            f"{video.fps_num}/{video.fps_den}" if video.fps_num and video.fps_den else None
        ),
        "frame_count": video.frame_count,
        "width": video.width,
        "height": video.height,
        "start_timecode": video.master_start_timecode,
        "master": library_present.master_summary(video) or None,
        "renditions": renditions(video),
        "downloads": downloads(video),
        "shots": shot_lists(video),
        "captions": captions_present.for_api(video),
        "audio_tracks": audio_tracks.for_api(video),
    }


def page_links(endpoint, filters, page: Page, per_page, lang):
    def url(number):
        args = filters.url_args(page=number)
        return links.external_url(endpoint, **args, per_page=per_page, lang=lang)

    return {
        "self": url(page.page),
        "next": url(page.page + 1) if page.has_next else None,
        "prev": url(page.page - 1) if page.has_prev else None,
    }
