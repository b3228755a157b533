"""Absolute links for mails and feeds, built from SITE_URL: never from the request's Host
(a forged Host header must not reach a mail), and the same inside a job, which has none."""

import os

from flask import current_app


def site_url(path):
    return current_app.config["SITE_URL"].rstrip("/") + "/" + path.lstrip("/")


def external_url(endpoint, **values):
    """SITE_URL + the path of `endpoint`, inside or outside a request."""
    adapter = current_app.url_map.bind("localhost")
    return site_url(adapter.build(endpoint, values))


def video_page_url(video):
    """The library's video page, /videos/<id>-<slug>."""
    if "library.video" in current_app.view_functions:
        return external_url("library.video", video_id=video.id, slug=video.slug)
    return site_url(f"/videos/{video.id}-{video.slug}")


def video_poster_url(video):
    """The poster image by absolute URL. The library serves a published video's poster
    to anyone (`library.media_file`), so mail clients can fetch it without a session."""
    if not video.poster_path:
        return None
    filename = os.path.basename(video.poster_path)
    if "library.media_file" in current_app.view_functions:
        return external_url("library.media_file", video_id=video.id, filename=filename)
    return site_url(f"/videos/{video.id}/files/{filename}")
