"""A still of one exact master frame, at full resolution: PNG (lossless) or JPEG.

``grab_still(master, frame_index, dest)`` decodes the master itself (never the proxy):

* **Only from the keyframe before the frame.** The demuxer is sought by timestamp with
  the backward flag to the pts of the wanted frame; the first video packet must be a
  keyframe whose pts is at or before it (else the seek point moves back and it tries
  again: with B-frames a keyframe's dts can precede a frame its pts follows). Frames are
  then decoded forward and named by their pts with the cut's frame clock
  (`app.media.cut.master.Master`: index = round((pts - first pts) / ticks per frame)),
  so a still and a clip agree on what "frame 1234" is.
* **The right colours.** YUV becomes RGB with the stream's own matrix (BT.709, BT.601,
  BT.2020) and range; an untagged stream gets BT.709 when it is HD (taller than 576
  lines), BT.601 when it is SD.
* **Whole frames.** An interlaced frame is deinterlaced with ``bwdif`` (libavfilter,
  through PyAV's filter graph, one frame per frame, parity from the decoder's flags),
  fed with its previous and next frames as a player would; the report says so.
* **Square pixels.** An anamorphic frame is widened by its sample aspect ratio (720x576
  SAR 64:45 becomes 1024x576).
* **Atomic.** Written to a temporary file beside `dest`, then renamed into place.

PNG is 8 bits per channel (16 for masters deeper than 8 bits). JPEG is 4:4:4, JFIF
(BT.601, full range), with FFmpeg's mjpeg encoder at qscale 1: quantiser tables of 2..10,
the fineness of libjpeg's quality 95 (PyAV has no libjpeg quality scale of its own).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import av

from .cut.master import Master, chain, threaded
from .errors import MediaError

FORMATS = ("png", "jpeg")
#: libswscale settings of the conversion (also what the tests ask Debian's ffmpeg for).
SCALE_FLAGS = "bicubic+accurate_rnd+full_chroma_int"
DEINTERLACER = "bwdif"
DEINTERLACE_ARGS = "mode=send_frame:parity=auto:deint=all"
JPEG_QSCALE = 1
_LAMBDA = 118  # FF_QP2LAMBDA

# AVColorSpace -> the scale filter's matrix name
_MATRICES = {1: "bt709", 4: "fcc", 5: "bt601", 6: "bt601", 7: "smpte240m", 9: "bt2020"}
_SEEK_TRIES = 8
_FIELD_ORDERS = {2: "tt", 3: "bb", 4: "tb", 5: "bt"}  # AVFieldOrder -> name
PNG_OPTIONS = {"compression_level": "3"}  # 0.3 s for a 1080p frame; the default takes 0.8


@dataclass
class StillReport:
    path: str
    fmt: str  # "png" or "jpeg"
    frame_index: int  # the frame of the master the still shows
    width: int  # of the still (square pixels)
    height: int
    source_width: int  # of the coded frame
    source_height: int
    sample_aspect_ratio: str  # of the master, "64:45"
    colour_matrix: str  # "bt709", "bt601", "bt2020" ...
    colour_matrix_from: str  # "stream" (tagged) or "height" (untagged: HD 709, SD 601)
    colour_range: str  # "tv" (limited) or "pc" (full)
    interlaced: bool
    deinterlacer: str | None  # "bwdif" when the frame was interlaced
    field_order: str | None  # the decoder's field order ("tt", "bb", ...) when interlaced
    keyframe_index: int  # where decoding started
    decoded_frames: int  # frames decoded to reach the still (and its neighbours)
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)


def grab_still(
    master_path: str | os.PathLike,
    frame_index: int,
    dest_path: str | os.PathLike,
    fmt: str = "png",
    *,
    seek: bool = True,
) -> StillReport:
    """Write frame `frame_index` (0 = the master's first frame) of `master_path` to
    `dest_path` as a PNG or a JPEG; see the module doc. ``seek=False`` decodes from the
    start of the file instead (the baseline of benchmarks/bench_still.py).

    Raises MediaError: "frame_not_found" beyond the last frame, "seek_failed",
    "undecodable", and the codes of `app.media.source.open_input`.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown still format {fmt!r}; known: {', '.join(FORMATS)}")
    frame_index = int(frame_index)
    if frame_index < 0:
        raise MediaError("frame_not_found", frame=frame_index)
    started = time.monotonic()
    master = Master(os.fspath(master_path))
    sar = _sample_aspect(master)
    master.container.close()  # the clock is read; each pass below has its own demuxer
    try:
        window = _decode_window(master, frame_index, seek)
    finally:
        master.close()
    frame = window.frames[1]
    matrix, matrix_from = _matrix_of(frame)
    colour_range = "pc" if frame.color_range == 2 or frame.format.name.startswith("yuvj") else "tv"
    width = max(1, round(frame.width * sar))
    height = frame.height
    interlaced = any(f is not None and f.interlaced_frame for f in window.frames[1:2])
    picture = _convert(window.frames, width, height, matrix, colour_range, interlaced)
    _write(picture, dest_path, fmt)
    order = _field_order(master) if interlaced else None
    return StillReport(
        path=os.fspath(dest_path),
        fmt=fmt,
        frame_index=frame_index,
        width=width,
        height=height,
        source_width=frame.width,
        source_height=frame.height,
        sample_aspect_ratio=f"{sar.numerator}:{sar.denominator}",
        colour_matrix=matrix,
        colour_matrix_from=matrix_from,
        colour_range=colour_range,
        interlaced=interlaced,
        deinterlacer=DEINTERLACER if interlaced else None,
        field_order=order or None,
        keyframe_index=window.keyframe_index,
        decoded_frames=window.decoded,
        seconds=round(time.monotonic() - started, 4),
    )


# --------------------------------------------------------------------------- decoding


@dataclass
class _Window:
    frames: list  # [previous or None, the frame, next or None]
    keyframe_index: int
    decoded: int


def _open_at_keyframe(master: Master, target_pts: int):
    """(container, stream, packets) with the first packet a keyframe whose pts is at or
    before `target_pts`, as near to it as the seek index allows."""
    margin = 0
    for _attempt in range(_SEEK_TRIES):
        container = master.open()
        stream = next(s for s in container.streams if s.index == master.vindex)
        threaded(stream)
        seek_to = int(target_pts - margin)
        try:
            container.seek(max(seek_to, 0), stream=stream, backward=True)
            packets = container.demux(stream)
            first = _first_keyframe(packets)
        except av.FFmpegError as exc:
            master.release(container)
            raise MediaError("read_failed", detail=str(exc)) from exc
        if first is not None and first.pts <= target_pts:
            return container, stream, chain(first, packets)
        master.release(container)
        if seek_to <= master.p0:
            break
        margin = max(margin * 4, int(master.step * 4), 1)
    raise MediaError("seek_failed")


def _first_keyframe(packets):
    for packet in packets:
        if packet.size and packet.pts is not None and packet.is_keyframe:
            return packet
    return None


def _open_at_start(master: Master):
    container = master.open()
    stream = next(s for s in container.streams if s.index == master.vindex)
    threaded(stream)
    return container, stream, container.demux(stream)


def _decode_window(master: Master, index: int, seek: bool) -> _Window:
    """Frame `index`, with its neighbours when it is interlaced (the deinterlacer's
    temporal context): [previous or None, frame, next or None]."""
    # The previous frame only matters to the deinterlacer: fetched when the stream says
    # it is interlaced (an unflagged interlaced frame is deinterlaced from itself and
    # its next frame, as at the start of a file).
    flagged = _field_order(master) is not None
    start = max(index - 1, 0) if flagged else index
    if seek:
        container, stream, packets = _open_at_keyframe(master, master.pts_of(start))
    else:
        container, stream, packets = _open_at_start(master)
    found = {}
    first_index = None
    decoded = 0
    try:
        for frame in _frames(stream, packets):
            decoded += 1
            at = master.index_of(frame.pts)
            if first_index is None:
                first_index = at
            if index - 1 <= at <= index + 1:
                found[at] = frame
            if at > index + 1 or index + 1 in found:
                break
            if at == index and not frame.interlaced_frame:
                break  # progressive: no neighbour needed
    finally:
        master.release(container)
    if index not in found:
        raise MediaError("frame_not_found", frame=index)
    return _Window(
        [found.get(index - 1), found[index], found.get(index + 1)], first_index or 0, decoded
    )


def _frames(stream, packets):
    try:
        for packet in packets:
            try:
                for frame in stream.decode(packet):
                    if frame.pts is not None:
                        yield frame
            except av.InvalidDataError:
                continue  # a damaged packet: skip it, as players do
    except av.FFmpegError as exc:
        raise MediaError("undecodable", detail=str(exc)) from exc


# --------------------------------------------------------------------------- picture


def _matrix_of(frame) -> tuple[str, str]:
    tagged = _MATRICES.get(int(frame.colorspace or 2))
    if tagged:
        return tagged, "stream"
    return ("bt709" if frame.height > 576 else "bt601"), "height"


def _field_order(master: Master) -> str | None:
    """The stream's interlaced field order ("tt", "bb", "tb", "bt"), else None."""
    value = master.field_order
    if isinstance(value, str):
        return value if value in _FIELD_ORDERS.values() else None
    return _FIELD_ORDERS.get(int(value or 0))


def _sample_aspect(master: Master) -> Fraction:
    sar = master.vctx.sample_aspect_ratio or master.vs.sample_aspect_ratio
    if not sar or sar <= 0:
        return Fraction(1)
    return Fraction(sar)


def _convert(frames, width, height, matrix, colour_range, interlaced):
    """The frame in RGB (rgb24, or rgb48be for deeper masters), square pixels,
    deinterlaced when it is interlaced (its neighbours go through the filter too)."""
    frame = frames[1]
    deep = max(c.bits for c in frame.format.components) > 8
    graph = av.filter.Graph()
    src = graph.add_buffer(
        width=frame.width,
        height=frame.height,
        format=frame.format,
        time_base=frame.time_base or Fraction(1, 25),
    )
    chain = [src]
    if interlaced:
        chain.append(graph.add(DEINTERLACER, DEINTERLACE_ARGS))
    scale = (
        f"{width}:{height}:flags={SCALE_FLAGS}:in_color_matrix={matrix}"
        f":in_range={colour_range}:out_range=pc"
    )
    chain.append(graph.add("scale", scale))
    chain.append(graph.add("setsar", "1"))
    chain.append(graph.add("format", "rgb48be" if deep else "rgb24"))
    chain.append(graph.add("buffersink"))
    graph.link_nodes(*chain)
    graph.configure()
    pushed = [f for f in frames if f is not None] if interlaced else [frame]
    for item in pushed:
        src.push(item)
    src.push(None)
    wanted = pushed.index(frame)  # one picture out per picture in (bwdif halves the tb)
    for position in range(wanted + 1):
        try:
            out = chain[-1].pull()
        except (av.error.BlockingIOError, av.error.EOFError) as exc:
            raise MediaError("undecodable", detail="no picture came out") from exc
        if position == wanted:
            return out
    raise MediaError("undecodable", detail="no picture came out")


def _encode(picture, fmt: str) -> bytes:
    if fmt == "png":
        codec = av.CodecContext.create("png", "w")
        codec.pix_fmt = picture.format.name
        codec.options = dict(PNG_OPTIONS)
    else:
        picture = picture.reformat(
            format="yuvj444p", dst_colorspace=av.video.reformatter.Colorspace.ITU601
        )
        codec = av.CodecContext.create("mjpeg", "w")
        codec.pix_fmt = "yuvj444p"
        codec.qscale = True
        codec.global_quality = JPEG_QSCALE * _LAMBDA
        codec.options = {"qmin": str(JPEG_QSCALE), "qmax": str(JPEG_QSCALE)}  # else 2
    codec.width, codec.height = picture.width, picture.height
    codec.time_base = Fraction(1, 25)
    picture.pts = 0
    data = b"".join(bytes(p) for p in codec.encode(picture))
    data += b"".join(bytes(p) for p in codec.encode(None))
    if not data:
        raise MediaError("undecodable", detail="the still could not be encoded")
    return data


def _write(picture, dest_path, fmt: str) -> None:
    data = _encode(picture, fmt)
    dest = Path(dest_path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=dest.suffix, dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
