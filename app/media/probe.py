"""Probe a master with PyAV: what it is, in terms an editor and the portal can use.

`probe(path)` opens the file, reads the container and stream headers, decodes the first
frames of the video stream (scan type and field order are read from the decoded frames,
since container metadata is often missing or wrong) and looks at the keyframe flags of
the first packets (GOP hint).  It returns a `MediaInfo`, a plain dataclass that survives
a round trip through JSON (`to_dict()` / `from_dict()`; see `app.media.info`).  The
file is opened, and its start timecode read, by `app.media.source`; names and labels
come from `app.media.describe`.

A file that is not a decodable video raises `MediaError` (a code and its parameters;
`app.media_messages.describe` says it to the uploader).

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
import os
import re
from fractions import Fraction

import av
import av.logging

from .describe import (
    FIELD_ORDER,
    MATRIX,
    PRIMARIES,
    RANGE,
    TRANSFER,
    container_name,
    friendly_codec,
    pixel_info,
)
from .errors import MediaError
from .info import AudioStreamInfo, MediaInfo
from .source import error_detail, open_input, pick_video_stream, read_start_timecode

# How much of the stream the probe looks at.
_MAX_PACKETS_FOR_FIRST_FRAME = 300  # packets of the video stream before giving up decoding
_FRAMES_FOR_SCAN = 3  # decoded frames inspected for interlacing
_MAX_PACKETS_FOR_GOP = 300  # video packets whose keyframe flags are read

# --------------------------------------------------------------------------- probe


def probe(path: str | os.PathLike) -> MediaInfo:
    """Describe the master at `path`; raise `MediaError` if it is not a decodable video."""
    size = os.path.getsize(path) if os.path.isfile(path) else 0
    with open_input(path) as master:
        container = master.container
        stream = pick_video_stream(container)
        if stream is None:
            raise MediaError("no_video_stream")
        frames, keyflags, first_key = _read_first_frames(container, stream)
        return _build_info(master, stream, size, frames, keyflags, first_key or b"")


def _read_first_frames(container, stream) -> tuple[list, list[bool], bytes | None]:
    """Decode the first frames and collect the keyframe flags of the first packets.

    Also returns the bytes of the first keyframe packet (MPEG-2 GOP header timecode).
    """
    stream.thread_type = "SLICE"
    scan = _FirstFrames()
    try:
        scan.read(container, stream)
    except av.FFmpegError as exc:
        if not scan.frames:
            raise MediaError("undecodable", detail=error_detail(exc)) from exc
    if not scan.frames:
        raise MediaError("undecodable", detail=scan.failure_reason())
    return scan.frames, scan.keyflags, scan.first_key


class _FirstFrames:
    """What `_read_first_frames` gathers from the head of the video stream."""

    def __init__(self) -> None:
        self.frames: list = []  # the first decoded frames (up to _FRAMES_FOR_SCAN)
        self.keyflags: list[bool] = []  # keyframe flag of each non-empty packet
        self.first_key: bytes | None = None  # head of the first keyframe packet
        self.packets_without_frame = 0
        self.last_error: Exception | None = None  # the last decoding error

    def read(self, container, stream) -> None:
        """Demux until enough frames and keyframe flags are read (or decoding gives up)."""
        for packet in container.demux(stream):
            self._note_keyflag(packet)
            if len(self.frames) < _FRAMES_FOR_SCAN:
                if not self._decode(stream, packet):
                    break
            elif len(self.keyflags) >= _MAX_PACKETS_FOR_GOP:
                break
        if len(self.frames) < _FRAMES_FOR_SCAN:
            with contextlib.suppress(av.FFmpegError):
                self.frames.extend(stream.decode(None)[: _FRAMES_FOR_SCAN - len(self.frames)])

    def _note_keyflag(self, packet) -> None:
        if packet.size and len(self.keyflags) < _MAX_PACKETS_FOR_GOP:
            self.keyflags.append(bool(packet.is_keyframe))
            if self.first_key is None and packet.is_keyframe:
                self.first_key = bytes(packet)[:4096]

    def _decode(self, stream, packet) -> bool:
        """Decode `packet`, keeping the frames needed; False when it is time to give up."""
        try:
            decoded = stream.decode(packet)
        except av.FFmpegError as exc:
            self.last_error = exc
            decoded = []
        for frame in decoded:
            if len(self.frames) < _FRAMES_FOR_SCAN:
                self.frames.append(frame)
        if not self.frames:
            self.packets_without_frame += 1
            if self.packets_without_frame > _MAX_PACKETS_FOR_FIRST_FRAME:
                return False
        return True

    def failure_reason(self) -> str:
        """Why no frame came out, for the uploader."""
        if self.last_error is not None:
            return error_detail(self.last_error)
        if not self.keyflags:
            return "it holds no picture data"
        return "no picture could be decoded from its first packets"


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
    return FIELD_ORDER.get(stream.codec_context.field_order)


def _build_info(
    master, stream, size: int, frames: list, keyflags: list[bool], first_key: bytes
) -> MediaInfo:
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
    bit_depth, chroma = pixel_info(pix_fmt)

    codec = cc.name
    profile = cc.profile or stream.profile or None
    codec_long = cc.codec.long_name if cc.codec else None

    gop, gop_length = _gop_hint(keyflags, cc)

    start_time = 0.0
    if first.time is not None:
        start_time = float(first.time)
    elif stream.start_time is not None and stream.time_base:
        start_time = float(stream.start_time * stream.time_base)

    timecode, tc_source = read_start_timecode(master, stream, rate, first_key)

    fmt_name = container.format.name
    info = MediaInfo(
        container=fmt_name,
        container_name=container_name(fmt_name, container.format.long_name),
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
        color_primaries=PRIMARIES.get(first.color_primaries) or PRIMARIES.get(cc.color_primaries),
        color_transfer=TRANSFER.get(first.color_trc) or TRANSFER.get(cc.color_trc),
        color_matrix=MATRIX.get(first.colorspace) or MATRIX.get(cc.colorspace),
        color_range=RANGE.get(first.color_range) or RANGE.get(cc.color_range),
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
    raise MediaError("no_frame_rate")


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
