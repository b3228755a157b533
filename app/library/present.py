"""What the pages show of a video: its date, shot list, technical sheet, download offers."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from fractions import Fraction

from flask import current_app, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _

from app import storage
from app.audio import tracks as audio_tracks
from app.formatting import format_date, human_duration, human_size
from app.media import timecode

SHOT_RE = re.compile(r"^\s*(\d{1,2}):(\d{2}):(\d{2})(?:[:;.](\d{1,2}))?\s*[-–—]?\s*(.*)$")


def display_date(video):
    """The day a card and a video page show: recorded, else published."""
    day = video.recorded_on or (video.published_at.date() if video.published_at else None)
    return format_date(day)


def rate_of(video):
    if video.fps_num and video.fps_den:
        return Fraction(video.fps_num, video.fps_den)
    info = video.media_info or {}
    if info.get("frame_rate_num") and info.get("frame_rate_den"):
        return Fraction(info["frame_rate_num"], info["frame_rate_den"])
    return Fraction(25)


@dataclass
class Shot:
    timecode: str
    description: str
    seconds: float | None


def shots(video, shot_list):
    """Lines of a shot list with the player time of each timecode.

    A shot timecode may be a timecode of the master (from its start timecode, e.g.
    10:00:05:00) or a time from the start (00:00:05:00): either seeks to the right place.
    """
    rate = rate_of(video)
    start = video.master_start_timecode
    result = []
    for line in (shot_list or "").splitlines():
        if not line.strip():
            continue
        match = SHOT_RE.match(line)
        if not match:
            result.append(Shot("", line.strip(), None))
            continue
        h, m, s, f, text = match.groups()
        label = f"{int(h):02d}:{m}:{s}" + (f":{int(f):02d}" if f is not None else "")
        result.append(Shot(label, text.strip(), _player_seconds(video, (h, m, s, f), rate, start)))
    return result


def _player_seconds(video, fields, rate, start):
    """Seconds from the master's first frame of a shot's timecode; None if outside it."""
    h, m, s, f = fields
    duration = video.duration or 0
    # The master's counting (drop-frame or not) reads what the shot list says.
    separator = ";" if start and ";" in start else ":"
    tc = f"{int(h):02d}:{m}:{s}{separator}{int(f or 0):02d}"
    if start:
        try:
            seconds = timecode.tc_to_index(tc, start, rate) / rate
        except ValueError:  # before the start, or not a timecode of this master
            seconds = None
        if seconds is not None and seconds <= max(duration, 0) + 1:
            return float(seconds)
    try:
        seconds = float(timecode.tc_to_frames(tc, rate) / rate)
    except ValueError:
        return None
    if duration and seconds > duration + 1:
        return None  # outside the video: shown, not clickable
    return seconds


# ------------------------------------------------------------------ master


def master_summary(video):
    """ "ProRes 422 HQ 1920×1080i50", from the probe."""
    info = video.probe_info()
    if info is not None:
        try:
            return info.summary()
        except Exception:  # noqa: S110 - fall back below
            pass
    if video.width and video.height:
        return f"{video.width}\u00d7{video.height}"
    return ""


def _format_rate(rate):
    if rate.denominator == 1:
        return format_decimal(rate.numerator)
    return format_decimal(round(float(rate), 3), format="#,##0.###")


def tech_sheet(video):
    """Rows (label, value) of the master's technical sheet."""
    info = video.probe_info()
    rows = []
    if info is not None:
        rows.append((_("Container"), container_label(video, info)))
        rows.append((_("Video codec"), info.video_format))
        rows.append((_("Resolution"), f"{info.width}\u00d7{info.height}"))
        rows.append((_("Frame rate"), _("%(rate)s frames/s", rate=_format_rate(info.frame_rate))))
        if info.interlaced:
            order = {"tff": _("top field first"), "bff": _("bottom field first")}.get(
                info.field_order or "", ""
            )
            scan = _("Interlaced") + (f" ({order})" if order else "")
        else:
            scan = _("Progressive")
        rows.append((_("Scan"), scan))
        if info.chroma_subsampling or info.bit_depth:
            bits = _("%(bits)d-bit", bits=info.bit_depth) if info.bit_depth else ""
            rows.append((_("Sampling"), " ".join(x for x in (info.chroma_subsampling, bits) if x)))
        if info.video_bit_rate or info.bit_rate:
            rate = (info.video_bit_rate or info.bit_rate) / 1_000_000
            rows.append((_("Bit rate"), _("%(rate)s Mb/s", rate=format_decimal(round(rate, 1)))))
        rows.extend(audio_rows(video, info))
        rows.append((_("Duration"), human_duration(info.duration)))
        rows.append((_("Size"), human_size(video.master_size or info.size)))
        rows.append((_("Start timecode"), video.master_start_timecode or "—"))
        return rows
    if video.width and video.height:
        rows.append((_("Resolution"), f"{video.width}\u00d7{video.height}"))
    if video.fps_num and video.fps_den:
        rows.append(
            (
                _("Frame rate"),
                _("%(rate)s frames/s", rate=_format_rate(Fraction(video.fps_num, video.fps_den))),
            )
        )
    if video.duration:
        rows.append((_("Duration"), human_duration(video.duration)))
    if video.master_size:
        rows.append((_("Size"), human_size(video.master_size)))
    if video.start_timecode:
        rows.append((_("Start timecode"), video.start_timecode))
    return rows


# The ISO base media family: one libav demuxer ("mov,mp4,m4a,3gp,3g2,mj2") reads them all,
# so the file's own extension tells which one the master is.
_ISO_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"
_ISO_NAMES = {
    ".mp4": "MP4",
    ".m4v": "MP4",
    ".mov": "QuickTime / MOV",
    ".qt": "QuickTime / MOV",
    ".3gp": "3GP",
    ".3g2": "3G2",
    ".mj2": "Motion JPEG 2000",
}


def container_label(video, info):
    """The container as people name it: "MP4" for an .mp4, "QuickTime / MOV" for a .mov
    (libav reports both as one format), else the probe's name."""
    if info.container == _ISO_FAMILY:
        for name in (video.master_path, video.original_filename):
            ext = os.path.splitext(name or "")[1].lower()
            if ext in _ISO_NAMES:
                return _ISO_NAMES[ext]
    return info.container_name or info.container


def also_available_in(code):
    """ "Also available in English:", wholly in the interface language ("Également
    disponible en anglais :"): one sentence per language, so that each is translated
    with its own grammar."""
    sentences = {"fr": _("Also available in French:"), "en": _("Also available in English:")}
    return sentences.get(code) or _("Also available in %(language)s:", language=code)


def last_frame_timecode(video, out_frame, fallback=""):
    """Master timecode of the last frame of a selection whose out is exclusive
    (`out_frame` - 1): what people see as an out point."""
    clock = video.clock() if video is not None and out_frame else None
    if clock is None:
        return fallback
    return clock.timecode(out_frame - 1)


def clip_last_timecode(video, status):
    """The out point of a clip's status (app.clips.present.status_dict) as shown."""
    return last_frame_timecode(video, status.get("out_frame"), status.get("tc_out", ""))


def audio_rows(video, info):
    """The technical sheet's audio rows: each stream with its format, and each of its
    channel pairs when they are tracks of their own, with what staff call them."""
    if not info.audio:
        return [(_("Audio"), _("None"))]
    shown = audio_tracks.shown(video)
    rows = []
    for number, stream in enumerate(info.audio, start=1):
        of_stream = [t for t in shown if t.number == number]
        value = audio_tracks.stream_text(stream)
        whole = next((t for t in of_stream if t.whole), None)
        if whole is not None and whole.label:
            value += f" — {whole.label}"
        rows.append((_("Audio %(n)d", n=number), value))
        for track in of_stream:
            if not track.whole:
                rows.append((track.name, " — ".join(x for x in (track.detail, track.label) if x)))
    return rows


# ------------------------------------------------------------------ downloads


@dataclass
class Offer:
    name: str  # "original" or a rendition name
    label: str
    detail: str
    size: int | None
    url: str


def rendition_labels():
    labels = {
        "fhd": _("Full HD 1080p"),
        "hd": _("HD 720p"),
        "sd": _("SD 576i25 (interlaced)"),
        "proxy": _("Web proxy"),
    }
    for rung in current_app.config.get("RENDITIONS", ()):
        labels.setdefault(rung["name"], rung.get("label", rung["name"]))
    return labels


def downloadable_renditions():
    return [r["name"] for r in current_app.config.get("RENDITIONS", ()) if r.get("download")]


def offers(video):
    """What the download panel lists: the original, then each download rendition."""
    result = []
    if video.master_path:
        result.append(
            Offer(
                "original",
                _("Original"),
                master_summary(video),
                video.master_size,
                url_for("library.download", video_id=video.id, name="original"),
            )
        )
    labels = rendition_labels()
    wanted = downloadable_renditions()
    by_name = {r.name: r for r in video.renditions}
    for name in wanted:
        rendition = by_name.get(name)
        if rendition is None or storage.existing_file(rendition.path) is None:
            continue
        detail = "H.264/AAC MP4"
        if rendition.width and rendition.height:
            detail += f" {rendition.width}\u00d7{rendition.height}"
        result.append(
            Offer(
                name,
                labels.get(name, name),
                detail,
                rendition.size or None,
                url_for("library.download", video_id=video.id, name=name),
            )
        )
    return result
