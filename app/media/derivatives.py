"""Stills made from a master with PyAV: a poster JPEG and a thumbnail sprite + WebVTT.

Both seek to the wanted instants (decoding at most a GOP per still), deinterlace
interlaced material (``bwdif``), show square pixels (anamorphic sources are widened) and
write atomically (temporary file in the destination directory, then ``os.replace``).

Renditions (H.264/AAC MP4 ladders) live in `app.media.renditions`.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from .errors import MediaError
from .info import MediaInfo
from .probe import probe
from .renditions import publish_mode
from .source import open_input, pick_video_stream

POSTER_MAX_WIDTH = 1280
TILE_WIDTH = 160
SPRITE_COLUMNS = 10
MAX_TILES = 300
JPEG_QUALITY = 3  # mjpeg qscale: 2 (best) .. 31


@dataclass
class StripResult:
    sprite: str  # path of the JPEG sprite sheet
    vtt: str  # path of the WebVTT file
    interval: float  # seconds between tiles
    tiles: int
    tile_width: int
    tile_height: int
    columns: int
    rows: int


# --------------------------------------------------------------------------- helpers


def _display_size(info: MediaInfo, max_width: int) -> tuple[int, int]:
    """Square-pixel size of the picture, no wider than `max_width`, even numbers."""
    display_w = info.display_width
    width = min(max_width, display_w)
    height = info.height * width / display_w
    return _even(width), _even(height)


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def _atomic_target(dest: str | os.PathLike) -> tuple[Path, Path]:
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=dest.suffix, dir=dest.parent)
    os.close(fd)
    publish_mode(tmp)
    return dest, Path(tmp)


def _frames_at(master: str | os.PathLike, times: list[float], info: MediaInfo):
    """Yield (time, [frame, next frame]) for each wanted time, in order.

    Seeks backwards to the keyframe before each instant and decodes forward.  The next
    frame comes along so that the deinterlacer has a neighbour.
    """
    with open_input(master) as opened:
        container = opened.container
        stream = pick_video_stream(container)
        if stream is None:
            raise MediaError("no_video_stream")
        stream.thread_type = "AUTO"
        time_base = stream.time_base or Fraction(1, 90000)
        half_frame = 0.5 / float(info.frame_rate)
        decoder = None
        position = None  # media time of the last decoded frame
        for wanted in times:
            target = info.start_time + wanted
            need_seek = decoder is None or position is None or target < position
            if not need_seek and target - position > 4.0:
                need_seek = True  # faster to jump than to decode through
            if need_seek:
                offset = int(math.floor(target / time_base))
                with contextlib.suppress(av.FFmpegError):
                    container.seek(max(offset, 0), stream=stream, backward=True)
                decoder = _decode(container, stream)
            chosen = []
            for frame in decoder:
                frame_time = frame.time if frame.time is not None else target
                position = frame_time
                if chosen:
                    chosen.append(frame)
                    break
                if frame_time + half_frame >= target:
                    chosen.append(frame)
            if not chosen:  # past the end: fall back to the last picture we can get
                break
            yield wanted, chosen


def _decode(container, stream):
    try:
        for packet in container.demux(stream):
            try:
                yield from stream.decode(packet)
            except av.InvalidDataError:
                continue  # a damaged packet: skip it, as players do
        # (demux ends with empty packets, which flush the decoder)
    except av.FFmpegError as exc:
        raise MediaError("undecodable", detail=str(exc)) from exc


def _picture_graph(frame, info: MediaInfo, width: int, height: int, tiles: str | None = None):
    graph = av.filter.Graph()
    src = graph.add_buffer(
        width=frame.width,
        height=frame.height,
        format=frame.format,
        time_base=frame.time_base or Fraction(1, 25),
    )
    chain = [src]
    if info.interlaced:
        chain.append(graph.add("bwdif", "mode=send_frame:parity=auto:deint=all"))
    chain.append(graph.add("scale", f"{width}:{height}:flags=bicubic"))
    chain.append(graph.add("setsar", "1"))
    if tiles:
        chain.append(graph.add("tile", tiles))
    chain.append(graph.add("format", "yuvj420p"))
    chain.append(graph.add("buffersink"))
    graph.link_nodes(*chain)
    graph.configure()
    return graph, src, chain[-1]


def _render(frames, info: MediaInfo, width: int, height: int):
    """The first of `frames`, deinterlaced if need be and scaled to width x height."""
    graph, src, sink = _picture_graph(frames[0], info, width, height)
    for frame in frames:
        src.push(frame)
    src.push(None)
    out = None
    with contextlib.suppress(av.error.BlockingIOError, av.error.EOFError):
        out = sink.pull()
    if out is None:
        raise MediaError("undecodable", detail="no picture came out")
    return out


def _save_jpeg(frame, dest: str | os.PathLike) -> None:
    dest, tmp = _atomic_target(dest)
    try:
        frame.save(str(tmp), flags="+qscale", global_quality=JPEG_QUALITY * 118)
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


# --------------------------------------------------------------------------- poster


def make_poster(
    master: str | os.PathLike,
    dest_jpg: str | os.PathLike,
    at: float | None = None,
    *,
    info: MediaInfo | None = None,
    max_width: int = POSTER_MAX_WIDTH,
) -> tuple[int, int]:
    """Write a JPEG poster of `master` to `dest_jpg`; return its (width, height).

    `at` is in seconds from the start of the master; by default 10 % in, but no later
    than 10 s and no earlier than 1 s (or the middle, for clips shorter than 2 s).
    Square pixels, at most `max_width` wide, deinterlaced if the master is interlaced.
    """
    info = info or probe(master)
    duration = max(info.duration, 0.0)
    if at is None:
        at = min(max(duration * 0.1, 1.0), 10.0)
        if duration < 2.0:
            at = duration / 2
    last = max(duration - 1.0 / float(info.frame_rate), 0.0)
    at = min(max(float(at), 0.0), last)
    width, height = _display_size(info, max_width)
    grabbed = next(_frames_at(master, [at], info), None)
    if grabbed is None:
        grabbed = next(_frames_at(master, [0.0], info), None)
    if grabbed is None:
        raise MediaError("undecodable", detail="no picture for a poster")
    _save_jpeg(_render(grabbed[1], info, width, height), dest_jpg)
    return width, height


# --------------------------------------------------------------------------- sprite + VTT


def _vtt_time(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def choose_interval(duration: float, wanted: float | None = None, max_tiles: int = MAX_TILES):
    """Seconds between tiles: `wanted` (default: 2 s up to 2 min, then 5 s, 10 s ...)
    made longer if the sprite would hold more than `max_tiles` tiles."""
    if wanted is None:
        wanted = 2.0 if duration <= 120 else 5.0 if duration <= 600 else 10.0
    wanted = max(float(wanted), 0.04)
    if duration / wanted > max_tiles:
        wanted = math.ceil(duration / max_tiles)
    return wanted


def make_thumbnail_strip(
    master: str | os.PathLike,
    dest_jpg: str | os.PathLike,
    dest_vtt: str | os.PathLike,
    interval: float | None = None,
    *,
    info: MediaInfo | None = None,
    tile_width: int = TILE_WIDTH,
    columns: int = SPRITE_COLUMNS,
    max_tiles: int = MAX_TILES,
) -> StripResult:
    """Write a sprite sheet (one tile every `interval` seconds) and its WebVTT map.

    Tiles are `tile_width` wide (160 x 90 for 16:9), `columns` to a row.  Each VTT cue
    covers [i * interval, (i + 1) * interval) (the last ends at the duration) and points
    at ``<sprite file name>#xywh=x,y,w,h``: the name is relative, so the app serves the
    two files from one directory URL.
    """
    info = info or probe(master)
    duration = info.duration
    if duration <= 0:
        duration = info.frame_count / float(info.frame_rate) if info.frame_count else 0.0
    if duration <= 0:
        raise MediaError("no_duration")
    interval = choose_interval(duration, interval, max_tiles)
    count = max(1, math.ceil(duration / interval - 1e-9))
    tile_w, tile_h = _display_size(info, tile_width)
    cols = min(columns, count)
    rows = math.ceil(count / cols)
    frame_period = 1.0 / float(info.frame_rate)
    times = [min(i * interval, max(duration - frame_period, 0.0)) for i in range(count)]

    tiles = []
    previous = None
    for _wanted, frames in _frames_at(master, times, info):
        tile = _render(frames, info, tile_w, tile_h)
        tiles.append(tile)
        previous = tile
    if not tiles:
        raise MediaError("undecodable", detail="no picture for thumbnails")
    while len(tiles) < count:  # the last instants could not be reached: repeat
        tiles.append(previous)

    graph = av.filter.Graph()
    first = tiles[0]
    src = graph.add_buffer(
        width=tile_w, height=tile_h, format=first.format, time_base=Fraction(1, 25)
    )
    tile_filter = graph.add("tile", f"layout={cols}x{rows}:nb_frames={count}:padding=0:margin=0")
    sink = graph.add("buffersink")
    graph.link_nodes(src, tile_filter, sink)
    graph.configure()
    for index, tile in enumerate(tiles):
        tile.pts = index
        tile.time_base = Fraction(1, 25)
        src.push(tile)
    src.push(None)
    sheet = sink.pull()
    _save_jpeg(sheet, dest_jpg)

    name = Path(dest_jpg).name
    lines = ["WEBVTT", ""]
    for i in range(count):
        start = i * interval
        end = min((i + 1) * interval, duration)
        x = (i % cols) * tile_w
        y = (i // cols) * tile_h
        lines += [
            f"{_vtt_time(start)} --> {_vtt_time(end)}",
            f"{name}#xywh={x},{y},{tile_w},{tile_h}",
            "",
        ]
    vtt_dest, vtt_tmp = _atomic_target(dest_vtt)
    try:
        vtt_tmp.write_text("\n".join(lines), encoding="utf-8")
        os.replace(vtt_tmp, vtt_dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            vtt_tmp.unlink()
    return StripResult(
        sprite=str(dest_jpg),
        vtt=str(dest_vtt),
        interval=interval,
        tiles=count,
        tile_width=tile_w,
        tile_height=tile_h,
        columns=cols,
        rows=rows,
    )
