"""Captions of a video: attach (checked, normalised, made searchable), remove, read, cut.

A caption is kept as WebVTT timed from the master's first frame; the search copy of its
words lives in the video's texts of the same language (VideoText.captions).
"""

from __future__ import annotations

import unicodedata

from app.captions import cues as cue_file
from app.captions.cues import MAX_BYTES, CaptionProblems, Cue
from app.clock import utcnow
from app.extensions import db
from app.models import Caption, VideoText


def _start_ms(video) -> int:
    clock = video.clock()
    return round(clock.start * 1000 / clock.rate) if clock is not None else 0


def _duration_ms(video) -> int:
    rate = video.frame_rate
    if rate and video.frame_count:
        return round(video.frame_count * 1000 / rate)
    return round((video.duration or 0) * 1000)


def caption_of(video, lang) -> Caption | None:
    return next((c for c in video.captions if c.lang == lang), None)


def _search_text(video, lang, words):
    texts = next((t for t in video.texts if t.lang == lang), None)
    if texts is None:
        if not words:
            return
        texts = VideoText(lang=lang)
        video.texts.append(texts)
    texts.captions = words


def attach(video, lang, data: bytes, filename="", allow_overlap=False) -> Caption:
    """Take a WebVTT or SRT file as the video's captions in `lang` (replacing any).
    CaptionProblems (nothing changed) when it cannot be read or does not fit the video."""
    parsed = cue_file.parse(data)
    moved = cue_file.to_master_timeline(parsed, _start_ms(video))
    checked = cue_file.check(moved, _duration_ms(video), allow_overlap)
    caption = caption_of(video, lang)
    if caption is None:
        caption = Caption(lang=lang)
        video.captions.append(caption)
    caption.vtt = cue_file.to_vtt(checked)
    caption.cue_count = len(checked)
    caption.original_filename = (filename or "")[:300]
    caption.uploaded_at = utcnow()
    _search_text(video, lang, " ".join(c.plain for c in checked))
    db.session.commit()
    return caption


def remove(video, lang) -> bool:
    caption = caption_of(video, lang)
    if caption is None:
        return False
    video.captions.remove(caption)
    _search_text(video, lang, "")
    db.session.commit()
    return True


def cues_of(caption) -> list[Cue]:
    return cue_file.read_vtt(caption.vtt)


def frame_ms(video, frame: int) -> int:
    return round(frame * 1000 / video.frame_rate)


def clip_cues(caption, in_frame: int, out_frame: int) -> list[Cue]:
    """The sidecar of a clip [in_frame, out_frame): cues cut to it, its first frame at 0."""
    video = caption.video
    return cue_file.cut(cues_of(caption), frame_ms(video, in_frame), frame_ms(video, out_frame))


def as_vtt(cues) -> str:
    return cue_file.to_vtt(cues)


def as_srt(cues) -> str:
    return cue_file.to_srt(cues)


def first_hit(video, words, lang) -> tuple[Cue, Caption] | None:
    """The first cue (in the reader's language first) holding every word of a search,
    accents and case aside: where a search hit in the captions links to."""
    wanted = [_folded(w) for w in words if w]
    if not wanted:
        return None
    ordered = sorted(video.captions, key=lambda c: c.lang != lang)
    for caption in ordered:
        for cue in cues_of(caption):
            text = _folded(cue.plain)
            if all(w in text for w in wanted):
                return cue, caption
    return None


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


__all__ = [
    "MAX_BYTES",
    "CaptionProblems",
    "attach",
    "caption_of",
    "clip_cues",
    "first_hit",
    "remove",
]
