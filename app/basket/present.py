"""What the basket page shows of each item, and the progress of a basket's clips."""

from __future__ import annotations

import os
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _

from app.audio import tracks as audio_tracks
from app.basket import files, sizes
from app.formatting import human_duration
from app.i18n import current_language
from app.library import policy


@dataclass
class Row:
    item: object
    available: bool
    title: str
    kind: str
    poster: str | None
    tc_in: str
    tc_out: str
    duration: str
    size: int
    video_url: str


def _duration(item):
    video = item.video
    rate = video.frame_rate
    if item.kind in ("still", "script") and item.in_frame is None:
        return ""
    if not rate:
        return human_duration(video.duration) if video.duration else ""
    seconds = float(files.frames_of(item) / rate)
    clock = video.clock()
    return f"{human_duration(seconds)} ({clock.duration(files.frames_of(item))})"


def _poster(video):
    if not video.poster_path:
        return None
    return url_for(
        "library.media_file", video_id=video.id, filename=os.path.basename(video.poster_path)
    )


def _kind(item):
    label = files.kind_label(item)
    if item.kind == "still":
        return f"{label} ({item.still_format.upper()})"
    if item.kind == "script":
        return f"{label} ({item.lang.upper()})"
    if item.kind == "clip" and item.audio:
        return f"{label} ({', '.join(audio_tracks.choice_names(item.video, item.audio))})"
    return label


def rows(items, user):
    lang = current_language()
    result = []
    for item in items:
        video = item.video
        texts = video.text(lang)
        tc_in, tc_out = files.timecodes(item)
        result.append(
            Row(
                item=item,
                available=policy.can_see(video, user),
                title=texts.title if texts and texts.title else _("Untitled video"),
                kind=_kind(item),
                poster=_poster(video),
                tc_in=tc_in,
                tc_out=tc_out,
                duration=_duration(item),
                size=sizes.estimate(item),
                video_url=url_for("library.video", video_id=video.id, slug=video.slug),
            )
        )
    return result


def progress(items) -> dict:
    """One progress for the whole basket: the clips' cuts, every other file counts as
    ready (stills are made, scripts written, while the ZIP is built)."""
    clips = [i for i in items if i.kind == "clip"]
    states = [files.clip_progress(i) for i in clips]
    done = sum(1 for status, _p in states if status == "done")
    failed = sum(1 for status, _p in states if status == "failed")
    share = (sum(p for _s, p in states) + (len(items) - len(clips))) / len(items) if items else 1
    return {
        "items": len(items),
        "clips": len(clips),
        "clips_done": done,
        "clips_failed": failed,
        "progress": round(share, 3),
        "ready": bool(items) and done == len(clips),
        "missing": any(status == "missing" for status, _p in states),
    }


def shot_ranges(video, shots):
    """(in_frame, out_frame) of each shot of the shot list, None for a line without a
    timecode: a shot runs to the next timecoded one, the last to the end of the video."""
    rate = video.frame_rate
    total = int(video.frame_count or 0)
    starts = [
        round(s.seconds * rate) if rate and s.seconds is not None and total else None for s in shots
    ]
    result = []
    for index, start in enumerate(starts):
        following = [f for f in starts[index + 1 :] if f is not None and start is not None]
        end = min([f for f in following if f > start] or [total]) if start is not None else None
        valid = start is not None and 0 <= start < end <= total
        result.append((start, end) if valid else None)
    return result
