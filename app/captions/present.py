"""What pages say of captions: the player's tracks, download links, a clip's sidecars,
the cue a search hit links to, and the files' names."""

from __future__ import annotations

import hashlib

from flask import get_template_attribute, url_for
from markupsafe import Markup

from app import links
from app.captions import service
from app.extensions import db
from app.i18n import LANGUAGE_NAMES
from app.library.names import download_name
from app.models import Caption, Video


def etag(caption, span, ext) -> str:
    seed = f"{caption.id}:{caption.uploaded_at.isoformat()}:{span}:{ext}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def file_name(caption, span, ext) -> str:
    """Named as the video's downloads are, with the language: …_captions-fr.vtt, or the
    clip's range for a sidecar."""
    video = caption.video
    if span is None:
        return download_name(video, kind=f"captions-{caption.lang}", ext=ext)
    clock = video.clock()
    name = download_name(
        video,
        kind="clip",
        ext=ext,
        in_tc=clock.timecode(span[0]),
        out_tc=clock.timecode(span[1] - 1),
    )
    stem, dot, ext = name.rpartition(".")
    return f"{stem}_captions-{caption.lang}.{ext}"


def _urls(caption, span=None, build=url_for):
    """The caption's two files (a clip's sidecars with `span`); `build` makes the URLs
    (links.external_url for the API: absolute, from SITE_URL)."""
    args = {"video_id": caption.video_id, "lang": caption.lang}
    if span is not None:
        args.update(in_frame=span[0], out_frame=span[1])
    return {
        "lang": caption.lang,
        "label": LANGUAGE_NAMES.get(caption.lang, caption.lang),
        "vtt_url": build("captions.caption_file", ext="vtt", download=1, **args),
        "srt_url": build("captions.caption_file", ext="srt", **args),
    }


def for_api(video) -> list[dict]:
    """The video's captions as the API lists them: absolute links, cue counts."""
    return [{**_urls(c, build=links.external_url), "cues": c.cue_count} for c in video.captions]


def tracks(video) -> list[dict]:
    """The player's <track> of each language, and the two downloads of each."""
    result = []
    for caption in video.captions:
        entry = _urls(caption)
        entry["track_url"] = url_for(
            "captions.caption_file", video_id=video.id, lang=caption.lang, ext="vtt"
        )
        entry["cues"] = caption.cue_count
        result.append(entry)
    return result


def sidecars(video, in_frame, out_frame, build=url_for) -> list[dict]:
    """The caption files of a clip of `video`, one per language."""
    return [_urls(c, (in_frame, out_frame), build) for c in video.captions]


def hit(video, words, lang) -> dict | None:
    """Where a search's words are said in the captions: the cue's text, its master
    timecode, and the video page with the cue selected in the clip editor."""
    if not video.captions or not video.frame_rate:
        return None
    found = service.first_hit(video, words, lang)
    if found is None:
        return None
    cue, caption = found
    clock = video.clock()
    rate = video.frame_rate
    first = min(int(cue.start * rate / 1000), max(int(video.frame_count or 1) - 1, 0))
    end = max(first + 1, min(int(-(-cue.end * rate // 1000)), int(video.frame_count or 0)))
    return {
        "text": cue.plain,
        "lang": caption.lang,
        "timecode": clock.timecode(first),
        "url": url_for(
            "library.video",
            video_id=video.id,
            slug=video.slug,
            **{"in": clock.timecode(first), "out": clock.timecode(end)},
        )
        + "#clip-editor",
    }


def with_hits(cards, ids, words, lang):
    """The cards of a search's results, each of a video whose captions say the words
    ending with where they say it (the card itself is cached for every query)."""
    if not words or not ids:
        return cards
    captioned = set(
        db.session.execute(
            db.select(Caption.video_id).where(Caption.video_id.in_(ids)).distinct()
        ).scalars()
    )
    if not captioned:
        return cards
    line = get_template_attribute("captions/_hit.html", "hit_line")
    result = []
    for video_id, card in zip(ids, cards, strict=False):
        found = hit(db.session.get(Video, video_id), words, lang) if video_id in captioned else None
        if found and card.endswith("</li>"):
            card = Markup(card[: -len("</li>")]) + line(found) + Markup("</li>")  # noqa: S704
        result.append(card)
    return result
