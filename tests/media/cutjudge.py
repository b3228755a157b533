"""Judges of a clip's timestamps and container layout, by Debian's FFmpeg (tests only).

Shared by the smart-cut matrix (tests/media/test_smartcut.py) and the fidelity tests
(tests/media/test_cut_fidelity.py).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.mediagen import FFMPEG, FFPROBE

#: ffmpeg warnings about the *input's* description, not its timestamps or pictures:
#: MXF mono PCM tracks carry no channel layout (the master says the same).
_BENIGN = ("Guessed Channel Layout",)
#: An MPEG-TS holding a single video picture: FFmpeg's demuxer (its MPEG-video parser)
#: gives that lone packet no dts and warns that the stream has no timestamp at its
#: start -- for ``ffmpeg -i master.ts -frames:v 1 -c:v mpeg2video one.ts`` just as for
#: a one-frame clip; nothing to order, so nothing to judge.
_ONE_PICTURE_TS = ("start time for stream 0 is not set", "no TS found at start of file")


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)


def video_packet_times(path: Path) -> list[tuple[int | None, int | None]]:
    """(pts, dts) of the first video stream's packets, in file order, by ffprobe."""
    out = _run(
        [FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries"]
        + ["packet=pts,dts", "-of", "csv=p=0", str(path)]
    )
    assert out.returncode == 0, out.stderr
    times = []
    for line in out.stdout.split():
        pts, dts = (line.split(",") + ["", ""])[:2]
        times.append((int(pts) if pts.lstrip("-").isdigit() else None,
                      int(dts) if dts.lstrip("-").isdigit() else None))  # fmt: skip
    return times


def timestamp_problems(path: Path) -> list[str]:
    """What is wrong with the clip's timestamps: video dts not strictly increasing (by
    ffprobe), or any warning of ``ffmpeg -v warning -i clip -f null -``."""
    problems = []
    times = video_packet_times(path)
    benign = _BENIGN
    if len(times) == 1 and Path(path).suffix == ".ts":
        times, benign = [], _BENIGN + _ONE_PICTURE_TS
    dts = [d for _p, d in times]
    if None in dts:
        problems.append(f"video packets without dts: {dts.count(None)}")
    known = [d for d in dts if d is not None]
    bad = [(a, b) for a, b in zip(known, known[1:], strict=False) if b <= a]
    if bad:
        problems.append(f"video dts not strictly increasing: {bad[:5]}")
    out = _run([FFMPEG, "-nostdin", "-v", "warning", "-i", str(path), "-f", "null", "-"])
    lines = [ln for ln in out.stderr.splitlines() if ln and not any(b in ln for b in benign)]
    if lines:
        problems.append("ffmpeg -v warning: " + " | ".join(lines[:5]))
    return problems


def top_level_boxes(path: Path) -> list[str]:
    """The types of an ISO BMFF / QuickTime file's top-level boxes, in file order."""
    types = []
    with open(path, "rb") as f:
        size_total = f.seek(0, 2)
        pos = 0
        while pos + 8 <= size_total:
            f.seek(pos)
            head = f.read(16)
            size = int.from_bytes(head[:4], "big")
            types.append(head[4:8].decode("latin-1"))
            if size == 1:  # 64-bit size follows the type
                size = int.from_bytes(head[8:16], "big")
            elif size == 0:  # to the end of the file
                break
            if size < 8:
                raise ValueError(f"bad box size {size} at {pos}")
            pos += size
    return types


def _boxes(data: bytes, start: int, end: int):
    """(type, payload start, box end) of the boxes in ``data[start:end]``."""
    pos = start
    while pos + 8 <= end:
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8].decode("latin-1")
        head = 8
        if size == 1:
            size, head = int.from_bytes(data[pos + 8 : pos + 16], "big"), 16
        elif size == 0:
            size = end - pos
        yield kind, pos + head, pos + size
        pos += size


def _child(data: bytes, start: int, end: int, kind: str):
    return next(((a, b) for k, a, b in _boxes(data, start, end) if k == kind), None)


def mov_tracks(path: Path) -> tuple[int, list[dict]]:
    """(movie timescale, per track: handler, media timescale, edit list entries as
    (segment duration in the movie timescale, media time in the media timescale))."""
    data = Path(path).read_bytes()
    moov = _child(data, 0, len(data), "moov")
    assert moov, "no moov box"
    mvhd = _child(data, *moov, "mvhd")
    off = mvhd[0] + (20 if data[mvhd[0]] == 1 else 12)
    movie_scale = int.from_bytes(data[off : off + 4], "big")
    tracks = []
    for kind, a, b in _boxes(data, *moov):
        if kind != "trak":
            continue
        mdia = _child(data, a, b, "mdia")
        hdlr = _child(data, *mdia, "hdlr")
        mdhd = _child(data, *mdia, "mdhd")
        off = mdhd[0] + (20 if data[mdhd[0]] == 1 else 12)
        entries = []
        edts = _child(data, a, b, "edts")
        elst = _child(data, *edts, "elst") if edts else None
        if elst:
            p = elst[0]
            version, count = data[p], int.from_bytes(data[p + 4 : p + 8], "big")
            width = 8 if version == 1 else 4
            p += 8
            for _ in range(count):
                seg = int.from_bytes(data[p : p + width], "big")
                media = int.from_bytes(data[p + width : p + 2 * width], "big", signed=True)
                entries.append((seg, media))
                p += 2 * width + 4
        tracks.append(
            {
                "handler": data[hdlr[0] + 8 : hdlr[0] + 12].decode("latin-1"),
                "timescale": int.from_bytes(data[off : off + 4], "big"),
                "edits": entries,
            }
        )
    return movie_scale, tracks
