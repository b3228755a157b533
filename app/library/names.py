"""File names of downloads: the original, a rendition or a clip of a video.

    2026-03-14_defence-ministers-meet_fhd.mp4                (a rendition)
    2026-03-14_defence-ministers-meet_original.mxf           (the master)
    2026-03-14_defence-ministers-meet_10-00-01-05_10-00-03-00.mov   (a clip, in/out)
    2026-03-14_defence-ministers-meet_10-00-01-05_10-00-03-00_audio-1c1-2+2.mov
                     (a clip with only some audio tracks: their keys, "1:1-2" and "2")

The date is the day the pictures were recorded; failing that, the day the video was
published; failing that, the day its row was created. Newsrooms file by the day of the
event, and a name must not change with the day it is downloaded.
"""

from __future__ import annotations

import os
import re

# Letters of any script stay (the name is sent RFC 6266-encoded); anything that could
# separate, quote or hide a part becomes a hyphen ("_" separates the parts).
_UNSAFE = re.compile(r"[^\w-]+|_")
_EXT = re.compile(r"^[a-z0-9]{1,8}$")


def name_date(video):
    """The day a download's name carries (see the module doc), or None."""
    if video.recorded_on:
        return video.recorded_on
    for moment in (video.published_at, video.created_at):
        if moment:
            return moment.date()
    return None


def _tc_part(timecode):
    return re.sub(r"[:;.]", "-", timecode or "")


def _extension(video, kind, ext):
    ext = (ext or "").lower().lstrip(".")
    if kind == "original" and video.original_filename:
        # The master is stored as master.<ext>: the name it was uploaded under says more.
        uploaded = os.path.splitext(video.original_filename)[1].lower().lstrip(".")
        if _EXT.match(uploaded):
            ext = uploaded
    return "." + (ext if _EXT.match(ext) else "bin")


def download_name(video, *, kind, ext, in_tc=None, out_tc=None, audio=""):
    """The file name of a download of `video`.

    kind: "original", a rendition name ("fhd", "hd", ...) or "clip" (then `in_tc` and
    `out_tc`, the master's timecodes of the first and last frame, name the range, and
    `audio`, a canonical choice of tracks, the tracks when not all of them).
    ext: the file's extension, with or without its dot.
    """
    day = name_date(video)
    slug = _UNSAFE.sub("-", video.slug or "").strip("-") or "video"
    if kind == "clip":
        what = [_tc_part(in_tc), _tc_part(out_tc)]
        if audio:
            tracks = audio.replace(":", "c").replace(",", "+")
            what.append("audio-" + re.sub(r"[^0-9c+-]+", "-", tracks))
    else:
        what = [_UNSAFE.sub("-", kind).strip("-")]
    parts = [day.isoformat() if day else "", slug, *what]
    return "_".join(p for p in parts if p) + _extension(video, kind, ext)
