"""Probe a master with PyAV: what it is, in terms an editor and the portal can use.

`probe(path)` opens the file, reads the container and stream headers, decodes the first
frames of the video stream (scan type and field order are read from the decoded frames,
since container metadata is often missing or wrong) and looks at the keyframe flags of
the first packets (GOP hint).  It returns a `MediaInfo`, a plain dataclass that survives
a round trip through JSON (`to_dict()` / `from_dict()`).

A file that is not a decodable video raises `MediaError` with a sentence that can be
shown to the uploader.

Frame count
    ``frame_count`` is the container's own count (``nb_frames``: the sample count of a
    MOV/MP4 track) when it is present and agrees with duration x frame rate to within
    one frame or 1 %; otherwise (MXF, MPEG-TS, ...: no count stored) it is computed as
    ``round(duration * frame_rate)``.  ``frame_count_source`` says which
    ("container" or "computed").  ``duration_frames`` is the same number: the exact
    duration, in frames.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import av
import av.logging

from .errors import MediaError

# How much of the stream the probe looks at.
_MAX_PACKETS_FOR_FIRST_FRAME = 300  # packets of the video stream before giving up decoding
_FRAMES_FOR_SCAN = 3  # decoded frames inspected for interlacing
_MAX_PACKETS_FOR_GOP = 300  # video packets whose keyframe flags are read

# AVFieldOrder, AVColorPrimaries, AVColorTransferCharacteristic, AVColorSpace, AVColorRange
_FIELD_ORDER = {1: None, 2: "tff", 3: "bff", 4: "tff", 5: "bff"}
_PRIMARIES = {
    1: "bt709", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "film",
    9: "bt2020", 10: "smpte428", 11: "smpte431", 12: "smpte432", 22: "ebu3213",
}  # fmt: skip
_TRANSFER = {
    1: "bt709", 4: "gamma22", 5: "gamma28", 6: "smpte170m", 7: "smpte240m", 8: "linear",
    9: "log100", 10: "log316", 11: "iec61966-2-4", 12: "bt1361e", 13: "iec61966-2-1",
    14: "bt2020-10", 15: "bt2020-12", 16: "smpte2084", 17: "smpte428", 18: "arib-std-b67",
}  # fmt: skip
_MATRIX = {
    0: "gbr", 1: "bt709", 4: "fcc", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m",
    8: "ycgco", 9: "bt2020nc", 10: "bt2020c", 11: "smpte2085", 12: "chroma-derived-nc",
    13: "chroma-derived-c", 14: "ictcp",
}  # fmt: skip
_RANGE = {1: "tv", 2: "pc"}

_CONTAINER_NAMES = {
    "mov,mp4,m4a,3gp,3g2,mj2": "QuickTime / MOV",
    "mxf": "MXF",
    "mpegts": "MPEG-TS",
    "mpeg": "MPEG-PS",
    "matroska,webm": "Matroska / WebM",
    "avi": "AVI",
    "gxf": "GXF",
    "mpegvideo": "MPEG video (raw)",
    "h264": "H.264 (raw)",
    "hevc": "HEVC (raw)",
}

_CODEC_NAMES = {
    "h264": "H.264",
    "hevc": "HEVC",
    "mpeg2video": "MPEG-2",
    "mpeg1video": "MPEG-1",
    "mpeg4": "MPEG-4 Part 2",
    "prores": "ProRes",
    "dnxhd": "DNxHD",
    "dvvideo": "DV",
    "mjpeg": "Motion JPEG",
    "jpeg2000": "JPEG 2000",
    "av1": "AV1",
    "vp9": "VP9",
    "vp8": "VP8",
    "ffv1": "FFV1",
    "rawvideo": "Uncompressed",
    "v210": "Uncompressed 10-bit 4:2:2",
}

_PRORES_PROFILES = {
    "proxy": "ProRes 422 Proxy",
    "lt": "ProRes 422 LT",
    "standard": "ProRes 422",
    "hq": "ProRes 422 HQ",
    "4444": "ProRes 4444",
    "xq": "ProRes 4444 XQ",
}

# Native channel layouts, to name a custom-ordered layout (as MOV writes them) the way
# ffprobe does when it holds the same set of channels.
_NAMED_LAYOUTS = [
    "mono", "stereo", "2.1", "3.0", "3.0(back)", "4.0", "quad", "quad(side)", "3.1",
    "5.0", "5.0(side)", "4.1", "5.1", "5.1(side)", "6.0", "6.0(front)", "hexagonal",
    "6.1", "6.1(back)", "6.1(front)", "7.0", "7.0(front)", "7.1", "7.1(wide)",
    "7.1(wide-side)", "octagonal", "5.1.2", "5.1.4", "7.1.2", "7.1.4",
]  # fmt: skip


# --------------------------------------------------------------------------- dataclasses


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


# --------------------------------------------------------------------------- summary


def format_rate(rate: Fraction) -> str:
    """25 -> "25", 30000/1001 -> "29.97", 24000/1001 -> "23.976"."""
    if rate.denominator == 1:
        return str(rate.numerator)
    return f"{float(rate):.3f}".rstrip("0").rstrip(".")


def summary(info: MediaInfo) -> str:
    """One line for a download panel, e.g. "ProRes 422 HQ 1920×1080i50".

    Interlaced material shows the field rate after "i" (1080i50 = 25 frames, 50 fields
    per second), progressive the frame rate after "p" (1080p25).
    """
    rate = info.frame_rate
    scan = "i" + format_rate(rate * 2) if info.interlaced else "p" + format_rate(rate)
    return f"{info.video_format} {info.width}\u00d7{info.height}{scan}"


# --------------------------------------------------------------------------- opening


class OpenedMaster:
    """An input container plus what was noted of its audio layouts (see `open_input`)."""

    def __init__(self, container, layouts: dict[int, tuple[str | None, list[str]]]):
        self.container = container
        self.layouts = layouts

    def layout_info(self, stream) -> tuple[str | None, list[str]]:
        """(friendly layout name or None, channel names in stream order or []) of `stream`."""
        return self.layouts.get(stream.index, (None, []))

    def close(self) -> None:
        self.container.close()

    def __enter__(self) -> OpenedMaster:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_input(path: str | os.PathLike) -> OpenedMaster:
    """Open `path` with PyAV, raising `MediaError` if it is not a readable media file.

    Audio channel layouts are normalised right away (see `_sanitize_audio_layouts`):
    always open masters through this function, and use `OpenedMaster.layout_info`
    rather than the streams' `layout` / `channels` attributes for the original layout.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise MediaError("The file could not be found.")
    try:
        container = av.open(path, metadata_errors="replace")
    except av.FFmpegError as exc:
        raise MediaError(f"The file could not be read as a media file: {_reason(exc)}.") from exc
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise MediaError(f"The file could not be read as a media file: {exc}.") from exc
    try:
        layouts = _sanitize_audio_layouts(container)
    except Exception:
        container.close()
        raise
    return OpenedMaster(container, layouts)


def _reason(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", str(text)).strip()
    text = re.sub(r":\s*'[^']*'$", "", text)  # drop the path PyAV appends
    return text.rstrip(".") or exc.__class__.__name__


def _sanitize_audio_layouts(container) -> dict[int, tuple[str | None, list[str]]]:
    """Work around a PyAV 18 double free with custom-ordered channel layouts.

    `AudioCodecContext.layout` (and `.channels`, which goes through it) returns a
    shallow copy of the context's AVChannelLayout whose destructor frees the channel map
    the context still points to.  MOV files with a ``chan`` atom (multichannel PCM) get
    such custom layouts, and touching them crashes the process later.  So, once per
    stream and before anything else reads it, take the layout, note its name and
    channels, then give the context a plain layout with the same channel count (the
    standard one when the channels are a standard set, else "N channels"), so that the
    copy's destructor frees the map exactly once.
    """
    infos: dict[int, tuple[str | None, list[str]]] = {}
    for stream in container.streams.audio:
        cc = stream.codec_context
        layout = cc.layout
        try:
            count = layout.nb_channels
            described = layout.name
            names = [ch.name for ch in layout.channels]
            replacement, pretty = _plain_layout(count, described, names)
            cc.layout = replacement
        finally:
            del layout
        known = [] if all(n in ("NONE", "") or n.startswith("USR") for n in names) else names
        infos[stream.index] = (pretty, known)
    return infos


def _plain_layout(count: int, described: str, names: list[str]) -> tuple[str, str | None]:
    """(layout string safe to give a context, friendly name or None if unspecified)."""
    if count <= 0:
        return "mono", None
    try:
        native = av.AudioLayout(described)
        native_names = [ch.name for ch in native.channels]
        if (
            "(" not in described
            and "channels" not in described
            and native.nb_channels == count
            and native_names == names
        ):
            return described, described
    except (ValueError, av.FFmpegError):
        pass
    name_set = set(names)
    if len(name_set) == count and "NONE" not in name_set:
        for candidate in _NAMED_LAYOUTS:
            try:
                lay = av.AudioLayout(candidate)
            except ValueError:
                continue
            if lay.nb_channels == count and {ch.name for ch in lay.channels} == name_set:
                return f"{count} channels", candidate
        return f"{count} channels", "+".join(names)
    return f"{count} channels", None


def pick_video_stream(container):
    """The first real video stream (cover art / attached pictures are skipped)."""
    for stream in container.streams.video:
        disposition = getattr(stream, "disposition", 0)
        if int(disposition) & 0x0400:  # AV_DISPOSITION_ATTACHED_PIC
            continue
        return stream
    return None


# --------------------------------------------------------------------------- probe


def probe(path: str | os.PathLike) -> MediaInfo:
    """Describe the master at `path`; raise `MediaError` if it is not a decodable video."""
    size = os.path.getsize(path) if os.path.isfile(path) else 0
    with open_input(path) as master:
        container = master.container
        stream = pick_video_stream(container)
        if stream is None:
            raise MediaError("The file contains no video stream.")
        frames, keyflags, first_packet = _read_first_frames(container, stream)
        info = _build_info(master, stream, size, frames, keyflags)
        if (
            info.start_timecode is None
            and first_packet
            and stream.codec_context.name
            in (
                "mpeg1video",
                "mpeg2video",
            )
        ):
            info.start_timecode = _mpeg2_gop_timecode(first_packet, info.frame_rate)
            info.timecode_source = "GOP header" if info.start_timecode else None
        return info


def _read_first_frames(container, stream) -> tuple[list, list[bool], bytes | None]:
    """Decode the first frames and collect the keyframe flags of the first packets.

    Also returns the bytes of the first keyframe packet (MPEG-2 GOP header timecode).
    """
    stream.thread_type = "SLICE"
    first_key: bytes | None = None
    frames: list = []
    keyflags: list[bool] = []
    packets_without_frame = 0
    last_error: Exception | None = None
    try:
        for packet in container.demux(stream):
            if packet.size and len(keyflags) < _MAX_PACKETS_FOR_GOP:
                keyflags.append(bool(packet.is_keyframe))
                if first_key is None and packet.is_keyframe:
                    first_key = bytes(packet)[:4096]
            if len(frames) < _FRAMES_FOR_SCAN:
                try:
                    decoded = stream.decode(packet)
                except av.FFmpegError as exc:
                    last_error = exc
                    decoded = []
                for frame in decoded:
                    if len(frames) < _FRAMES_FOR_SCAN:
                        frames.append(frame)
                if not frames:
                    packets_without_frame += 1
                    if packets_without_frame > _MAX_PACKETS_FOR_FIRST_FRAME:
                        break
            elif len(keyflags) >= _MAX_PACKETS_FOR_GOP:
                break
        if len(frames) < _FRAMES_FOR_SCAN:
            with contextlib.suppress(av.FFmpegError):
                frames.extend(stream.decode(None)[: _FRAMES_FOR_SCAN - len(frames)])
    except av.FFmpegError as exc:
        if not frames:
            raise MediaError(f"The video stream could not be decoded: {_reason(exc)}.") from exc
    if not frames:
        if last_error is not None:
            reason = _reason(last_error)
        elif not keyflags:
            reason = "it holds no picture data"
        else:
            reason = "no picture could be decoded from its first packets"
        raise MediaError(f"The video stream could not be decoded: {reason}.")
    return frames, keyflags, first_key


def _field_order_of(frame, stream) -> str | None:
    """Top or bottom field first, as the decoder flagged `frame` (AV_FRAME_FLAG_TOP_FIELD_FIRST).

    PyAV 18 exposes `interlaced_frame` but not the top-field-first flag, so the frame is
    passed through libavfilter's ``showinfo``, whose log line says ``i:T`` / ``i:B``.
    Falls back to the codec's field order if that fails.
    """
    try:
        graph = av.filter.Graph()
        src = graph.add_buffer(
            width=frame.width,
            height=frame.height,
            format=frame.format,
            time_base=frame.time_base or stream.time_base or Fraction(1, 25),
        )
        info = graph.add("showinfo")
        sink = graph.add("buffersink")
        src.link_to(info)
        info.link_to(sink)
        graph.configure()
        previous = av.logging.get_level()
        av.logging.set_level(av.logging.INFO)
        try:
            with av.logging.Capture() as logs:
                src.push(frame)
                sink.pull()
        finally:
            av.logging.set_level(previous)
        for _level, name, message in logs:
            if name == "showinfo":
                match = re.search(r"\bi:([TBP])\b", message)
                if match:
                    return {"T": "tff", "B": "bff"}.get(match.group(1))
    except (av.FFmpegError, ValueError, TypeError):
        pass
    return _FIELD_ORDER.get(stream.codec_context.field_order)


def _build_info(master, stream, size: int, frames: list, keyflags: list[bool]) -> MediaInfo:
    container = master.container
    cc = stream.codec_context
    rate = _frame_rate(stream, cc)
    duration = _duration(container, stream)
    frame_count, count_source = _frame_count(stream, duration, rate)
    if duration <= 0 and frame_count:
        duration = float(frame_count / rate)

    first = frames[0]
    width = first.width or cc.width
    height = first.height or cc.height
    sar = cc.sample_aspect_ratio or stream.sample_aspect_ratio
    if not sar or sar <= 0:
        sar = Fraction(1, 1)
    dar = Fraction(width, height) * sar if height else Fraction(0)

    interlaced = any(f.interlaced_frame for f in frames)
    field_order = None
    if interlaced:
        first_interlaced = next(f for f in frames if f.interlaced_frame)
        field_order = _field_order_of(first_interlaced, stream) or "tff"

    pix_fmt = first.format.name if first.format else cc.pix_fmt
    bit_depth, chroma = _pixel_info(pix_fmt)

    codec = cc.name
    profile = cc.profile or stream.profile or None
    codec_long = cc.codec.long_name if cc.codec else None

    gop, gop_length = _gop_hint(keyflags, cc)

    start_time = 0.0
    if first.time is not None:
        start_time = float(first.time)
    elif stream.start_time is not None and stream.time_base:
        start_time = float(stream.start_time * stream.time_base)

    timecode, tc_source = _start_timecode(container, stream, rate)

    fmt_name = container.format.name
    info = MediaInfo(
        container=fmt_name,
        container_name=_CONTAINER_NAMES.get(fmt_name, container.format.long_name or fmt_name),
        size=size,
        duration=round(duration, 6),
        bit_rate=container.bit_rate or None,
        frame_rate_num=rate.numerator,
        frame_rate_den=rate.denominator,
        frame_count=frame_count,
        frame_count_source=count_source,
        width=width,
        height=height,
        sample_aspect_ratio=f"{sar.numerator}:{sar.denominator}",
        display_aspect_ratio=f"{dar.numerator}:{dar.denominator}" if dar else "0:1",
        scan_type="interlaced" if interlaced else "progressive",
        field_order=field_order,
        video_codec=codec,
        video_codec_long_name=codec_long,
        video_profile=profile,
        video_format=friendly_codec(codec, profile),
        pixel_format=pix_fmt,
        bit_depth=bit_depth,
        chroma_subsampling=chroma,
        color_primaries=_PRIMARIES.get(first.color_primaries) or _PRIMARIES.get(cc.color_primaries),
        color_transfer=_TRANSFER.get(first.color_trc) or _TRANSFER.get(cc.color_trc),
        color_matrix=_MATRIX.get(first.colorspace) or _MATRIX.get(cc.colorspace),
        color_range=_RANGE.get(first.color_range) or _RANGE.get(cc.color_range),
        video_bit_rate=cc.bit_rate or _stream_bit_rate(stream) or None,
        gop=gop,
        gop_length=gop_length,
        video_stream_index=stream.index,
        start_time=round(start_time, 6),
        audio=[_audio_info(master, s) for s in container.streams.audio],
        start_timecode=timecode,
        timecode_source=tc_source,
    )
    return info


def _frame_rate(stream, cc) -> Fraction:
    for candidate in (stream.average_rate, stream.guessed_rate, stream.base_rate, cc.framerate):
        if candidate and 0 < candidate <= 1000:
            return Fraction(candidate).limit_denominator(1001000)
    raise MediaError("The video stream has no usable frame rate.")


def _duration(container, stream) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return 0.0


def _frame_count(stream, duration: float, rate: Fraction) -> tuple[int, str]:
    computed = round(duration * rate) if duration > 0 else 0
    stored = stream.frames or 0
    if stored > 0 and (computed == 0 or abs(stored - computed) <= max(1, computed // 100)):
        return stored, "container"
    return computed, "computed"


def _stream_bit_rate(stream) -> int | None:
    value = stream.metadata.get("BPS") or stream.metadata.get("variant_bitrate")
    with contextlib.suppress(TypeError, ValueError):
        return int(value) if value else None
    return None


def _pixel_info(pix_fmt: str | None) -> tuple[int | None, str | None]:
    if not pix_fmt:
        return None, None
    try:
        fmt = av.VideoFormat(pix_fmt)
        depth = fmt.components[0].bits if fmt.components else None
    except (ValueError, av.FFmpegError):
        return None, None
    match = re.search(r"(4[24][024])", pix_fmt)
    if match:
        digits = match.group(1)
        chroma = f"{digits[0]}:{digits[1]}:{digits[2]}"
    elif pix_fmt.startswith(("gbr", "rgb", "bgr")):
        chroma = "4:4:4"
    else:
        chroma = None
    return depth, chroma


def friendly_codec(codec: str, profile: str | None) -> str:
    """ "prores"+"HQ" -> "ProRes 422 HQ", "h264"+"High" -> "H.264 High", "dnxhd" -> "DNxHD"."""
    prof = (profile or "").strip()
    if codec == "prores":
        return _PRORES_PROFILES.get(prof.lower(), f"ProRes {prof}".strip())
    if codec == "dnxhd":
        upper = prof.upper()
        if upper.startswith("DNXHR"):
            return "DNxHR" + prof[5:]
        return "DNxHD"
    base = _CODEC_NAMES.get(codec, codec.upper())
    if prof and prof.lower() not in ("unknown",):
        return f"{base} {prof}"
    return base


def _gop_hint(keyflags: list[bool], cc) -> tuple[str, int | None]:
    codec = cc.codec
    intra_codec = False
    with contextlib.suppress(AttributeError):
        intra_codec = bool(codec.properties & 1)  # AV_CODEC_PROP_INTRA_ONLY
    if intra_codec or (len(keyflags) > 1 and all(keyflags)):
        return "intra-only", 1
    keys = [i for i, k in enumerate(keyflags) if k]
    gaps = sorted(b - a for a, b in zip(keys, keys[1:], strict=False))
    if gaps:
        # In decode order the first GOP of a B-frame stream looks shorter than the
        # others (no leading B-frames): take the median distance.
        return "long-GOP", gaps[len(gaps) // 2]
    return "long-GOP", None


def _audio_info(master, stream) -> AudioStreamInfo:
    cc = stream.codec_context
    layout_name, names = master.layout_info(stream)
    language = stream.language or stream.metadata.get("language")
    if language in ("und", ""):
        language = None
    fmt_bits = None
    if cc.name.startswith("pcm_"):
        match = re.search(r"(\d+)", cc.name)
        fmt_bits = int(match.group(1)) if match else None
    return AudioStreamInfo(
        index=stream.index,
        codec=cc.name,
        codec_long_name=cc.codec.long_name if cc.codec else None,
        profile=cc.profile or None,
        sample_rate=cc.sample_rate or 0,
        channels=cc.channels,
        channel_layout=layout_name,
        channel_names=names,
        language=language,
        bit_rate=cc.bit_rate or _stream_bit_rate(stream) or None,
        bit_depth=fmt_bits,
    )


# --------------------------------------------------------------------------- timecode


_TC_RE = re.compile(r"^\s*(\d{1,2})[:;.](\d{2})[:;.](\d{2})([:;.,])(\d{2,3})\s*$")


def _start_timecode(container, stream, rate: Fraction) -> tuple[str | None, str | None]:
    """The start timecode and where it was found.

    MXF carries it on the container (material package), MOV on the video stream and on
    its ``tmcd`` data track, MPEG-2 elementary streams in the GOP header (which the
    demuxer reports on the video stream).
    """
    candidates = [
        ("container", container.metadata.get("timecode")),
        ("video stream", stream.metadata.get("timecode")),
    ]
    for other in container.streams:
        if other.index != stream.index:
            candidates.append(("data stream", other.metadata.get("timecode")))
    for source, value in candidates:
        if value and _TC_RE.match(value):
            return _normalise_timecode(value.strip(), rate), source
    # MPEG-2 video: the first GOP header's timecode is exported as codec context data in
    # some demuxers only; nothing else to read here.
    return None, None


def _mpeg2_gop_timecode(data: bytes, rate: Fraction) -> str | None:
    """The time code of the first MPEG-1/2 GOP header (start code 0x000001B8) in `data`."""
    at = data.find(b"\x00\x00\x01\xb8")
    if at < 0 or len(data) < at + 8:
        return None
    bits = int.from_bytes(data[at + 4 : at + 8], "big")
    drop = (bits >> 31) & 1
    hours = (bits >> 26) & 0x1F
    minutes = (bits >> 20) & 0x3F
    seconds = (bits >> 13) & 0x3F
    pictures = (bits >> 7) & 0x3F
    if minutes > 59 or seconds > 59 or pictures >= max(1, round(float(rate))):
        return None
    sep = ";" if drop else ":"
    value = f"{hours:02d}:{minutes:02d}:{seconds:02d}{sep}{pictures:02d}"
    return _normalise_timecode(value, rate)


def _normalise_timecode(value: str, rate: Fraction) -> str:
    """Validate and re-format through `app.media.timecode` (SMPTE, rational rates).

    If the string is not a valid SMPTE timecode at this rate (or the module is missing)
    the container's string is kept as it is.
    """
    try:
        from .timecode import frames_to_tc, tc_to_frames
    except ImportError:  # pragma: no cover - shipped together
        return value
    drop = ";" in value
    try:
        return frames_to_tc(tc_to_frames(value, rate), rate, drop=drop)
    except ValueError:
        return value
