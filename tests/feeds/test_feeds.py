"""MRSS feeds: parsed with feedparser, every Media RSS field checked, conditional GET."""

import xml.etree.ElementTree as ET

import feedparser
import pytest

from app.extensions import db
from app.feeds import routes

SITE = "http://127.0.0.1:8000"
MEDIA = "{http://search.yahoo.com/mrss/}"


def _feed(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"].startswith("application/rss+xml")
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.bozo_exception
    return response, parsed


@pytest.mark.parametrize(
    ("url", "title", "lang"),
    [
        ("/feeds/videos.rss?lang=en", "Storm in the harbour", "en"),
        ("/feeds/videos.rss?lang=fr", "Tempête sur le port", "fr"),
        ("/feeds/en/videos.rss", "Storm in the harbour", "en"),
        ("/feeds/fr/videos.rss", "Tempête sur le port", "fr"),
    ],
)
def test_feed_per_language_has_every_media_rss_field(client, library_video, url, title, lang):
    video = library_video()
    _response, parsed = _feed(client, url)
    assert parsed.version == "rss20"
    assert parsed.feed.language == lang
    assert parsed.namespaces.get("media") == "http://search.yahoo.com/mrss/"
    assert parsed.feed.link == f"{SITE}/videos"
    (entry,) = parsed.entries
    assert entry.title == title
    assert entry.summary in ("Waves.", "Des vagues.")
    assert entry.link == f"{SITE}/videos/{video.id}-harbour-storm"
    assert entry.id == f"{SITE}/videos/{video.id}"
    assert entry.published_parsed is not None
    assert entry.media_credit[0]["content"] == "Harbour TV & Co <pool>"
    assert entry.media_copyright == "Harbour TV & Co <pool>"
    assert entry.media_license["href"] == f"{SITE}/terms"
    assert entry.media_license["content"] == "News use only; no archive sales."
    assert entry.media_license["type"] == "text/html"
    assert entry.media_keywords == "sea, weather"
    assert entry.media_thumbnail[0]["url"] == f"{SITE}/videos/{video.id}/files/poster.jpg"
    (content,) = entry.media_content
    assert content["url"] == f"{SITE}/videos/{video.id}/files/proxy.mp4"
    assert content["type"] == "video/mp4"
    assert content["medium"] == "video"
    assert (content["width"], content["height"]) == ("384", "216")
    assert content["duration"] == "3"
    assert content["filesize"] == "2000"
    assert "download" not in repr(entry)


def test_escaping_is_right(client, library_video):
    video = library_video(credit='A & B <"quoted">')
    next(t for t in video.texts if t.lang == "en").title = "Fish & <chips>"
    db.session.commit()
    response, parsed = _feed(client, "/feeds/videos.rss?lang=en")
    ET.fromstring(response.data)  # noqa: S314 - our own output: well-formed
    assert parsed.entries[0].title == "Fish & <chips>"
    assert b"Fish &amp; &lt;chips&gt;" in response.data


def test_category_and_search_feeds_use_the_sites_filters(client, library_video):
    library_video(slug="storm-one", tags=("weather",))
    library_video(slug="ministers", tags=("politics",))
    _r, by_path = _feed(client, "/feeds/categories/politics.rss?lang=en")
    assert [e.link.rsplit("-", 1)[-1] for e in by_path.entries] == ["ministers"]
    assert "politics" in by_path.feed.title
    _r, by_query = _feed(client, "/feeds/videos.rss?tag=weather&lang=en")
    assert [e.link.rsplit("/", 1)[-1].split("-", 1)[1] for e in by_query.entries] == ["storm-one"]
    _r, searched = _feed(client, "/feeds/videos.rss?q=storm&tag=politics&lang=en")
    assert len(searched.entries) == 1
    _r, nothing = _feed(client, "/feeds/videos.rss?q=nowhere-to-be-found")
    assert nothing.entries == []
    assert client.get("/feeds/videos.rss?from=soon").status_code == 400
    assert client.get("/feeds/de/videos.rss").status_code == 404


def test_unpublished_videos_are_not_in_feeds(client, library_video):
    library_video(published=False)
    _r, parsed = _feed(client, "/feeds/videos.rss")
    assert parsed.entries == []


def test_a_valid_token_adds_the_download_links(client, library_video, bearer):
    video = library_video()
    _r, public = _feed(client, "/feeds/videos.rss?lang=en")
    _r, parsed = _feed(client, "/feeds/videos.rss?lang=en", **bearer)
    urls = {c["url"]: c for c in parsed.entries[0].media_content}
    original = f"{SITE}/api/v1/videos/{video.id}/download/original"
    fhd = f"{SITE}/api/v1/videos/{video.id}/download/fhd"
    assert set(urls) == {f"{SITE}/videos/{video.id}/files/proxy.mp4", original, fhd}
    assert urls[fhd]["filesize"] == "3000"
    assert urls[original]["filesize"] == str(video.master_size)
    _r, forged = _feed(client, "/feeds/videos.rss?lang=en", Authorization="Bearer rsh_forged")
    assert len(forged.entries[0].media_content) == 1
    assert len(public.entries[0].media_content) == 1


def test_conditional_get_answers_304_without_rendering(client, library_video, monkeypatch):
    video = library_video()
    first = client.get("/feeds/videos.rss?lang=en")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]

    def no_rendering(*args, **kwargs):
        raise AssertionError("a 304 must not render the feed")

    monkeypatch.setattr(routes, "feed_xml", no_rendering)
    again = client.get("/feeds/videos.rss?lang=en", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    since = client.get("/feeds/videos.rss?lang=en", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    monkeypatch.undo()
    other_lang = client.get("/feeds/videos.rss?lang=fr", headers={"If-None-Match": etag})
    assert other_lang.status_code == 200
    next(t for t in video.texts if t.lang == "en").title = "Changed"
    db.session.commit()
    changed = client.get("/feeds/videos.rss?lang=en", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert feedparser.parse(changed.data).entries[0].title == "Changed"


def test_library_pages_advertise_their_feed(client, library_video):
    library_video()
    html = client.get("/videos?q=storm&tag=weather", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    head = html.split("</head>")[0]
    assert 'rel="alternate" type="application/rss+xml"' in head
    href = head.split('type="application/rss+xml"')[1].split('href="')[1].split('"')[0]
    assert href.startswith(f"{SITE}/feeds/")
    path = href.removeprefix(SITE).replace("&amp;", "&")
    _r, parsed = _feed(client, path)
    assert len(parsed.entries) == 1
    assert path.startswith("/feeds/en/videos.rss?") and "q=storm" in path
    home = client.get("/").get_data(as_text=True).split("</head>")[0]
    assert "application/rss+xml" in home
