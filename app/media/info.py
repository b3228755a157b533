"""What a probe found about a master (`MediaInfo`), as plain JSON-friendly dataclasses.

`app.media.probe.probe` fills it; the portal stores `MediaInfo.to_dict()` on the video
(``video.media_info``) and reads it back with `MediaInfo.from_dict`.  Its
``start_timecode`` is the one the editor, the shot list, the file names and the cut use.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .describe import format_rate


@dataclass
class AudioStreamInfo:
    index: int  # stream index in the container
    codec: str  # e.g. "aac", "pcm_s24le"
    codec_long_name: str | None = None
    profile: str | None = None  # e.g. "LC"
    sample_rate: int = 0
    channels: int = 0
    channel_layout: str | None = None  # "stereo", "7.1", ...; None when unspecified
    channel_names: list[str] = field(default_factory=list)  # ["FL", "FR", ...] if known
    language: str | None = None  # ISO 639 tag from the container, "und" dropped
    bit_rate: int | None = None  # bits/s
    bit_depth: int | None = None  # for PCM and other sample-exact codecs

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AudioStreamInfo:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class MediaInfo:
    """What `probe()` found.  All fields are JSON types (see `to_dict`)."""

    # container
    container: str  # libavformat name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "mxf"
    container_name: str  # friendly, e.g. "QuickTime / MOV", "MXF"
    size: int  # bytes
    duration: float  # seconds (video stream duration, else container duration)
    bit_rate: int | None  # overall, bits/s
    # video
    frame_rate_num: int
    frame_rate_den: int
    frame_count: int
    frame_count_source: str  # "container" or "computed" (see module doc)
    width: int
    height: int
    sample_aspect_ratio: str  # "1:1", "64:45"
    display_aspect_ratio: str  # "16:9", "4:3"
    scan_type: str  # "progressive" or "interlaced"
    field_order: str | None  # "tff", "bff" (interlaced only), else None
    video_codec: str  # libavcodec name, e.g. "prores", "h264"
    video_codec_long_name: str | None
    video_profile: str | None  # libavcodec profile name, e.g. "HQ", "High"
    video_format: str  # friendly codec + profile, e.g. "ProRes 422 HQ", "H.264 High"
    pixel_format: str | None  # e.g. "yuv422p10le"
    bit_depth: int | None
    chroma_subsampling: str | None  # "4:2:0", "4:2:2", "4:4:4"
    color_primaries: str | None
    color_transfer: str | None
    color_matrix: str | None
    color_range: str | None  # "tv" or "pc"
    video_bit_rate: int | None  # bits/s
    gop: str  # "intra-only" or "long-GOP"
    gop_length: int | None  # frames between the first two keyframes (long-GOP only)
    video_stream_index: int = 0
    start_time: float = 0.0  # seconds, first video timestamp
    audio: list[AudioStreamInfo] = field(default_factory=list)
    start_timecode: str | None = None  # "10:00:00:00", "01:00:00;00" (drop frame)
    timecode_source: str | None = None  # "container", "video stream", "data stream"

    # -- derived -------------------------------------------------------------------------
    @property
    def frame_rate(self) -> Fraction:
        return Fraction(self.frame_rate_num, self.frame_rate_den)

    @property
    def duration_frames(self) -> int:
        """The exact duration, in frames (same as `frame_count`)."""
        return self.frame_count

    @property
    def interlaced(self) -> bool:
        return self.scan_type == "interlaced"

    @property
    def display_width(self) -> int:
        """Width in square pixels (anamorphic sources widened), even."""
        num, den = (int(x) for x in self.sample_aspect_ratio.split(":"))
        if num <= 0 or den <= 0:
            return self.width
        return max(2, round(self.width * num / den / 2) * 2)

    @property
    def has_audio(self) -> bool:
        return bool(self.audio)

    def summary(self) -> str:
        return summary(self)

    # -- JSON ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """All fields, plus the derived ``duration_frames``, ``frame_rate`` ("30000/1001")
        and ``summary`` for readers of the JSON (ignored again by `from_dict`)."""
        data = dataclasses.asdict(self)
        data["duration_frames"] = self.duration_frames
        data["frame_rate"] = f"{self.frame_rate_num}/{self.frame_rate_den}"
        data["summary"] = self.summary()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MediaInfo:
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        kwargs["audio"] = [AudioStreamInfo.from_dict(a) for a in data.get("audio") or []]
        return cls(**kwargs)


def summary(info: MediaInfo) -> str:
    """One line for a download panel, e.g. "ProRes 422 HQ 1920×1080i50".

    Interlaced material shows the field rate after "i" (1080i50 = 25 frames, 50 fields
    per second), progressive the frame rate after "p" (1080p25).
    """
    rate = info.frame_rate
    scan = "i" + format_rate(rate * 2) if info.interlaced else "p" + format_rate(rate)
    return f"{info.video_format} {info.width}\u00d7{info.height}{scan}"
