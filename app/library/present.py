"""What the pages show of a video: sizes, durations, shot list, technical sheet, downloads."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from fractions import Fraction

from flask import current_app, url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _

SHOT_RE = re.compile(r"^\s*(\d{1,2}):(\d{2}):(\d{2})(?:[:;.](\d{1,2}))?\s*[-–—]?\s*(.*)$")


def human_size(size):
    """12345678901 -> "12.3 GB" ("12,3 Go" in French): decimal units, as disks are sold."""
    if size is None:
        return ""
    units = [_("B"), _("KB"), _("MB"), _("GB"), _("TB")]
    value = float(size)
    unit = 0
    while value >= 1000 and unit < len(units) - 1:
        value /= 1000
        unit += 1
    pattern = "#,##0" if unit == 0 or value >= 100 else "#,##0.0"
    return f"{format_decimal(value, format=pattern)}\u00a0{units[unit]}"


def human_duration(seconds):
    """75.4 -> "1:15"; 3725 -> "1:02:05"."""
    if seconds is None:
        return ""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def iso_duration(seconds):
    if seconds is None:
        return ""
    return f"PT{int(round(seconds))}S"


def display_date(video):
    day = video.recorded_on or (video.published_at.date() if video.published_at else None)
    return format_date(day, "medium") if day else ""


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

    A shot timecode may be a source timecode (from the master's start timecode, e.g.
    10:00:05:00) or a time from the start (00:00:05:00): either seeks to the right place.
    """
    rate = rate_of(video)
    nominal = max(1, round(float(rate)))
    start = _tc_seconds(video.start_timecode, nominal) if video.start_timecode else None
    duration = video.duration or 0
    result = []
    for line in (shot_list or "").splitlines():
        if not line.strip():
            continue
        match = SHOT_RE.match(line)
        if not match:
            result.append(Shot("", line.strip(), None))
            continue
        h, m, s, f, text = match.groups()
        tc = f"{int(h):02d}:{m}:{s}" + (f":{int(f):02d}" if f is not None else "")
        seconds = int(h) * 3600 + int(m) * 60 + int(s) + (int(f or 0) / nominal)
        if start is not None and seconds >= start and (seconds - start) <= max(duration, 0) + 1:
            seconds -= start
        elif duration and seconds > duration + 1:
            seconds = None  # outside the video: shown, not clickable
        result.append(Shot(tc, text.strip(), seconds))
    return result


def _tc_seconds(tc, nominal):
    match = SHOT_RE.match(tc or "")
    if not match:
        return None
    h, m, s, f, _rest = match.groups()
    return int(h) * 3600 + int(m) * 60 + int(s) + int(f or 0) / nominal


# ------------------------------------------------------------------ master


def _info(video):
    from app.media.probe import MediaInfo

    data = video.media_info
    if not data:
        return None
    try:
        return MediaInfo.from_dict(data)
    except Exception:  # an older or partial probe: the sheet shows what the row has
        return None


def master_summary(video):
    """ "ProRes 422 HQ 1920×1080i50", from the probe."""
    info = _info(video)
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
    info = _info(video)
    rows = []
    if info is not None:
        rows.append((_("Container"), info.container_name or info.container))
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
        rows.append((_("Audio"), audio_text(info) or _("None")))
        rows.append((_("Duration"), human_duration(info.duration)))
        rows.append((_("Size"), human_size(video.master_size or info.size)))
        rows.append((_("Start timecode"), info.start_timecode or video.start_timecode or "—"))
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


def audio_text(info):
    parts = []
    for stream in info.audio:
        layout = stream.channel_layout or _("%(n)d channels", n=stream.channels)
        bits = f" {stream.bit_depth}\u00a0bits" if stream.bit_depth else ""
        rate = (
            f" {format_decimal(stream.sample_rate / 1000, format='#,##0.#')}\u00a0kHz"
            if stream.sample_rate
            else ""
        )
        lang = f" [{stream.language}]" if stream.language else ""
        parts.append(f"{_codec_name(stream.codec)} {layout}{bits}{rate}{lang}")
    return " · ".join(parts)


def _codec_name(codec):
    if codec.startswith("pcm_"):
        return "PCM"
    return {"aac": "AAC", "mp2": "MPEG-1 Layer II", "mp3": "MP3", "ac3": "AC-3"}.get(
        codec, codec.upper()
    )


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
        "proxy": _("Web proxy"),
    }
    for rung in current_app.config.get("RENDITIONS", ()):
        labels.setdefault(rung["name"], rung.get("label", rung["name"]))
    return labels


def downloadable_renditions():
    return [r["name"] for r in current_app.config.get("RENDITIONS", ()) if r.get("download")]


def offers(video):
    """What the download panel lists: the original, then each download rendition."""
    from app.library.queries import media_path

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
        if rendition is None or media_path(rendition.path) is None:
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


def download_name(video, name, path):
    """ "2026-03-14_defence-ministers-meet_fhd.mp4": date, slug, version, extension."""
    day = video.recorded_on or (video.published_at.date() if video.published_at else None)
    ext = os.path.splitext(path)[1].lower() or ".bin"
    if name == "original" and video.original_filename:
        ext = os.path.splitext(video.original_filename)[1].lower() or ext
    stem = "_".join(x for x in (day.isoformat() if day else "", video.slug or "video", name) if x)
    return f"{stem}{ext}"
