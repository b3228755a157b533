"""Shared generator of small, real test masters (tests only).

Masters are produced with Debian's ``/usr/bin/ffmpeg`` (the application itself never
shells out to ffmpeg; tests may).  Every master is short (2-5 s, 1-2 s for 1080i) and
small (except where the format demands a broadcast raster) so that the whole media
suite stays quick on two cores.  Pictures are ``testsrc2`` (moving, colourful, with a
frame counter) plus mild temporal noise, so that PSNR comparisons are meaningful;
audio is a multi-tone sine with a different frequency on every channel.

Usage::

    from tests.mediagen import make_master          # or: from mediagen import ...

    path = make_master("h264_closed", some_dir)     # generated once, then cached

or, inside pytest, the session-scoped fixtures (import them into a test module or a
``conftest.py``)::

    from tests.mediagen import media_dir, master    # noqa: F401

    def test_x(master):
        path = master("prores")

``make_master`` caches per directory (a file that already exists is reused, written
atomically so an interrupted run never leaves a half file behind).  Set
``RUSHES_MEDIA_CACHE=/some/dir`` to keep masters across pytest sessions.

Kinds (see ``KINDS`` for the machine-readable description):

================  =================================================================
kind              description
================  =================================================================
h264_closed       H.264 High 4:2:0 8-bit, 384x216p25, 3 s (75 frames), closed GOP of
                  25 (IDR every 25), 3 B-frames (b-pyramid), MP4, AAC-LC stereo
                  48 kHz, timecode 10:00:00:00.
h264_open         H.264 High, 384x216p25, 3 s, x264 ``open-gop=1`` keyint 25 (the
                  GOP-starting I frames after the first are non-IDR recovery points
                  with leading B frames), MOV, PCM s16le stereo, timecode 01:00:00:00.
h264_interlaced   H.264 High, 1920x1080i25 top field first (MBAFF, ilme/ildct),
                  1.6 s (40 frames), closed GOP 12, 2 B-frames, MP4, AAC stereo,
                  timecode 10:00:00:00.
h264_2997df       H.264 High, 384x216 at 30000/1001 fps, 3 s (90 frames), closed
                  GOP 30, B-frames, MOV, AAC stereo, drop-frame timecode 10:00:00;00.
h264_vfr          Phone-like variable frame rate: H.264 High, 320x180, 150 frames at
                  30 fps with a deterministic jitter of up to +-4 ms on every frame
                  (none dropped; 1/90000 clock, ``-fps_mode passthrough``), closed
                  GOP 30, 2 B-frames, MP4, AAC stereo, no timecode.
hevc              HEVC Main (x265), 384x216p25, 3 s, closed GOP 25 (IDR), B-frames,
                  MP4 (hvc1), AAC stereo, timecode 10:00:00:00.
mpeg2_mxf         MPEG-2 Main@Main 4:2:0, 720x576p25, 3 s, long GOP 12 (M=3, closed
                  GOPs), 15 Mb/s, MXF OP1a, PCM s24le 4 channels 48 kHz, timecode
                  10:00:00:00.
mpeg2_xdcam       XDCAM HD422-like: MPEG-2 4:2:2 Profile @ High Level, 1920x1080i25 top
                  field first, 2 s (50 frames), long GOP 12 with 2 B-frames (M=3),
                  *open* GOPs (leading B pictures), 50 Mb/s CBR, MXF OP1a, 4 mono
                  PCM s24le tracks 48 kHz, timecode 10:00:00:00.
mpeg2_ts          MPEG-2 4:2:0, 720x576p25, 3 s, long GOP 12 (M=3, open GOPs as
                  ffmpeg writes them by default), MPEG-TS, MP2 stereo 48 kHz,
                  timecode 10:00:00:00 in the GOP headers.
prores            ProRes 422 HQ (prores_ks profile 3), 384x216p25, 2 s (50 frames),
                  intra-only, MOV, PCM s24le 8 channels 48 kHz, timecode 10:00:00:00.
dnxhr             DNxHR SQ (dnxhd encoder, profile dnxhr_sq), 384x216p25, 2 s,
                  intra-only, MOV, PCM s16le stereo, timecode 10:00:00:00.
two_stereo        H.264 High, 384x216p25, 2 s, closed GOP 25, MOV, *two* PCM s24le stereo
                  streams 48 kHz (international sound 440/660 Hz, a French voice-over
                  880/1100 Hz, tagged ``fra``), timecode 10:00:00:00.
natural_*         ``natural_h264_closed``, ``natural_h264_vfr``, ``natural_mpeg2_xdcam``:
                  the same masters made of natural pictures, a camera pan across a
                  photograph (Debian's ``mate-backgrounds``) with a light grain.
not_video         A text file named ``.mp4``: not a media file at all.
truncated         The first 40 % of an ``h264_closed`` MP4 (``moov`` at the end is
                  missing): unreadable.
================  =================================================================
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

FFMPEG = "/usr/bin/ffmpeg"
FFPROBE = "/usr/bin/ffprobe"

_NOISE = "noise=alls=6:allf=t"
_LOCK = threading.RLock()


def _video(size: str, rate: str, seconds: float, extra_filter: str = "") -> list[str]:
    vf = f"testsrc2=size={size}:rate={rate}:duration={seconds},{_NOISE}"
    if extra_filter:
        vf += "," + extra_filter
    return ["-f", "lavfi", "-i", vf]


#: A photograph (Debian's mate-backgrounds, 2560x1920) for masters of natural pictures.
PHOTO = "/usr/share/backgrounds/mate/nature/Wood.jpg"


def _natural(size: str, rate: str, seconds: float, extra_filter: str = "") -> list[str]:
    """Natural pictures: a camera pan across a photograph, with a sensor's light grain
    (what an encoder meets in real footage, unlike a test pattern's flat colours)."""
    w, h = (int(v) for v in size.split("x"))
    big_w, big_h = w * 3 // 2, h * 3 // 2
    vf = (
        f"movie={PHOTO},loop=loop=-1:size=1,setpts=N/({rate}*TB),fps={rate},"
        f"scale={big_w}:{big_h},crop={w}:{h}:x='mod(n*{max(1, w // 160)}\\,{big_w - w})'"
        f":y='mod(n*{max(1, h // 240)}\\,{big_h - h})',noise=alls=3:allf=t,"
        f"trim=duration={seconds},format=yuv420p"
    )
    if extra_filter:
        vf += "," + extra_filter
    return ["-f", "lavfi", "-i", vf]


def natural_available() -> bool:
    return os.path.exists(PHOTO)


def _mono_tracks(count: int, seconds: float, rate: int = 48000) -> list[str]:
    """``count`` mono audio inputs (inputs 1..count), each its own tone."""
    freqs = [440, 660, 880, 1100, 1320, 1540, 1760, 1980]
    inputs: list[str] = []
    for i in range(count):
        inputs += [
            "-f",
            "lavfi",
            "-i",
            f"aevalsrc=0.25*sin(2*PI*{freqs[i % 8]}*t):s={rate}:d={seconds}",
        ]
    return inputs


def _audio(channels: int, seconds: float, rate: int = 48000) -> list[str]:
    freqs = [440, 660, 880, 1100, 1320, 1540, 1760, 1980]
    exprs = "|".join(f"0.25*sin(2*PI*{freqs[i % 8]}*t)" for i in range(channels))
    return ["-f", "lavfi", "-i", f"aevalsrc={exprs}:s={rate}:d={seconds}"]


_X264_CLOSED = "keyint=25:min-keyint=25:scenecut=0:bframes=3:b-pyramid=normal"

#: kind -> (file name, ffmpeg arguments after the inputs, inputs, description)
KINDS: dict[str, dict] = {
    "h264_closed": {
        "file": "h264_closed.mp4",
        "inputs": _video("384x216", "25", 3) + _audio(2, 3),
        "args": [
            "-c:v",
            "libx264",
            "-profile:v",
            "high",
            "-pix_fmt",
            "yuv420p",
            "-preset",
            "fast",
            "-crf",
            "18",
            "-x264-params",
            _X264_CLOSED,
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-timecode",
            "10:00:00:00",
        ],
        "codec": "h264",
        "gop": "closed 25",
        "fps": "25",
        "audio": "aac 2ch",
        "timecode": "10:00:00:00",
        "intra": False,
    },
    "h264_open": {
        "file": "h264_open.mov",
        "inputs": _video("384x216", "25", 3) + _audio(2, 3),
        "args": [
            "-c:v",
            "libx264",
            "-profile:v",
            "high",
            "-pix_fmt",
            "yuv420p",
            "-preset",
            "fast",
            "-crf",
            "18",
            "-x264-params",
            "keyint=25:min-keyint=25:scenecut=0:bframes=3:open-gop=1",
            "-c:a",
            "pcm_s16le",
            "-timecode",
            "01:00:00:00",
        ],
        "codec": "h264",
        "gop": "open 25",
        "fps": "25",
        "audio": "pcm_s16le 2ch",
        "timecode": "01:00:00:00",
        "intra": False,
    },
    "h264_interlaced": {
        "file": "h264_interlaced.mp4",
        "inputs": _video("1920x1080", "25", 1.6, "setfield=tff") + _audio(2, 1.6),
        "args": [
            "-c:v",
            "libx264",
            "-profile:v",
            "high",
            "-pix_fmt",
            "yuv420p",
            "-preset",
            "veryfast",
            "-crf",
            "20",
            "-flags",
            "+ildct+ilme",
            "-x264-params",
            "keyint=12:min-keyint=12:scenecut=0:bframes=2:tff=1",
            "-field_order",
            "tt",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-timecode",
            "10:00:00:00",
        ],
        "codec": "h264",
        "gop": "closed 12",
        "fps": "25i tff",
        "audio": "aac 2ch",
        "timecode": "10:00:00:00",
        "intra": False,
    },
    "h264_2997df": {
        "file": "h264_2997df.mov",
        "inputs": _video("384x216", "30000/1001", 3) + _audio(2, 3),
        "args": [
            "-c:v",
            "libx264",
            "-profile:v",
            "high",
            "-pix_fmt",
            "yuv420p",
            "-preset",
            "fast",
            "-crf",
            "18",
            "-x264-params",
            "keyint=30:min-keyint=30:scenecut=0:bframes=3",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-timecode",
            "10:00:00;00",
        ],
        "codec": "h264",
        "gop": "closed 30",
        "fps": "30000/1001 DF",
        "audio": "aac 2ch",
        "timecode": "10:00:00;00",
        "intra": False,
    },
    "h264_vfr": {
        "file": "h264_vfr.mp4",
        "inputs": _video("320x180", "30", 5) + _audio(2, 5),
        "args": [
            "-vf",
            "settb=1/90000,setpts='(N/30+0.004*sin(N*1.7))/TB'",
            "-fps_mode",
            "passthrough",
            "-enc_time_base",
            "1/90000",
            "-video_track_timescale",
            "90000",
            "-c:v",
            "libx264",
            "-profile:v",
            "high",
            "-pix_fmt",
            "yuv420p",
            "-preset",
            "fast",
            "-crf",
            "18",
            "-x264-params",
            "keyint=30:min-keyint=30:scenecut=0:bframes=2",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
        ],  # fmt: skip
        "codec": "h264",
        "gop": "closed 30",
        "fps": "30 VFR (+-4 ms jitter)",
        "audio": "aac 2ch",
        "timecode": None,
        "intra": False,
    },
    "hevc": {
        "file": "hevc.mp4",
        "inputs": _video("384x216", "25", 3) + _audio(2, 3),
        "args": [
            "-c:v",
            "libx265",
            "-pix_fmt",
            "yuv420p",
            "-preset",
            "fast",
            "-crf",
            "18",
            "-x265-params",
            "keyint=25:min-keyint=25:scenecut=0:bframes=3:open-gop=0:log-level=error",
            "-tag:v",
            "hvc1",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-timecode",
            "10:00:00:00",
        ],
        "codec": "hevc",
        "gop": "closed 25",
        "fps": "25",
        "audio": "aac 2ch",
        "timecode": "10:00:00:00",
        "intra": False,
    },
    "mpeg2_mxf": {
        "file": "mpeg2.mxf",
        "inputs": _video("720x576", "25", 3) + _audio(4, 3),
        "args": [
            "-c:v",
            "mpeg2video",
            "-pix_fmt",
            "yuv420p",
            "-g",
            "12",
            "-bf",
            "2",
            "-flags",
            "+cgop",
            "-sc_threshold",
            "1000000000",
            "-b:v",
            "15M",
            "-maxrate",
            "15M",
            "-minrate",
            "15M",
            "-bufsize",
            "1835008",
            "-rc_init_occupancy",
            "1835008",
            "-c:a",
            "pcm_s24le",
            "-timecode",
            "10:00:00:00",
        ],
        "codec": "mpeg2video",
        "gop": "closed 12 (M=3)",
        "fps": "25",
        "audio": "pcm_s24le 4ch",
        "timecode": "10:00:00:00",
        "intra": False,
    },
    "mpeg2_xdcam": {
        "file": "mpeg2_xdcam.mxf",
        "inputs": _video("1920x1080", "25", 2, "setfield=tff") + _mono_tracks(4, 2),
        "maps": ["-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:a", "-map", "4:a"],
        "args": [
            "-c:v",
            "mpeg2video",
            "-profile:v",
            "0",
            "-level:v",
            "2",
            "-pix_fmt",
            "yuv422p",
            "-flags",
            "+ilme+ildct",
            "-top",
            "1",
            "-g",
            "12",
            "-bf",
            "2",
            "-sc_threshold",
            "1000000000",
            "-b:v",
            "50M",
            "-maxrate",
            "50M",
            "-minrate",
            "50M",
            "-bufsize",
            "17825792",
            "-rc_init_occupancy",
            "17825792",
            "-c:a",
            "pcm_s24le",
            "-timecode",
            "10:00:00:00",
            "-f",
            "mxf",
        ],  # fmt: skip
        "codec": "mpeg2video",
        "gop": "open 12 (M=3)",
        "fps": "25i tff",
        "audio": "pcm_s24le 4 x mono",
        "timecode": "10:00:00:00",
        "intra": False,
    },
    "mpeg2_ts": {
        "file": "mpeg2.ts",
        "inputs": _video("720x576", "25", 3) + _audio(2, 3),
        "args": [
            "-c:v",
            "mpeg2video",
            "-pix_fmt",
            "yuv420p",
            "-g",
            "12",
            "-bf",
            "2",
            "-b:v",
            "8M",
            "-maxrate",
            "10M",
            "-bufsize",
            "1835008",
            "-c:a",
            "mp2",
            "-b:a",
            "192k",
            "-timecode",
            "10:00:00:00",
        ],
        "codec": "mpeg2video",
        "gop": "open 12 (M=3)",
        "fps": "25",
        "audio": "mp2 2ch",
        "timecode": "10:00:00:00",
        "intra": False,
    },
    "prores": {
        "file": "prores.mov",
        "inputs": _video("384x216", "25", 2) + _audio(8, 2),
        "args": [
            "-c:v",
            "prores_ks",
            "-profile:v",
            "3",
            "-pix_fmt",
            "yuv422p10le",
            "-c:a",
            "pcm_s24le",
            "-timecode",
            "10:00:00:00",
        ],
        "codec": "prores",
        "gop": "intra",
        "fps": "25",
        "audio": "pcm_s24le 8ch",
        "timecode": "10:00:00:00",
        "intra": True,
    },
    "dnxhr": {
        "file": "dnxhr.mov",
        "inputs": _video("384x216", "25", 2) + _audio(2, 2),
        "args": [
            "-c:v",
            "dnxhd",
            "-profile:v",
            "dnxhr_sq",
            "-pix_fmt",
            "yuv422p",
            "-c:a",
            "pcm_s16le",
            "-timecode",
            "10:00:00:00",
        ],
        "codec": "dnxhd",
        "gop": "intra",
        "fps": "25",
        "audio": "pcm_s16le 2ch",
        "timecode": "10:00:00:00",
        "intra": True,
    },
    "two_stereo": {
        "file": "two_stereo.mov",
        "inputs": _video("384x216", "25", 2)
        + ["-f", "lavfi", "-i", "aevalsrc=0.25*sin(2*PI*440*t)|0.25*sin(2*PI*660*t):s=48000:d=2"]
        + ["-f", "lavfi", "-i", "aevalsrc=0.25*sin(2*PI*880*t)|0.25*sin(2*PI*1100*t):s=48000:d=2"],
        "maps": ["-map", "0:v", "-map", "1:a", "-map", "2:a"],
        "args": [
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-preset",
            "fast",
            "-crf",
            "18",
            "-x264-params",
            _X264_CLOSED,
            "-c:a",
            "pcm_s24le",
            "-metadata:s:a:1",
            "language=fra",
            "-timecode",
            "10:00:00:00",
        ],
        "codec": "h264",
        "gop": "closed 25",
        "fps": "25",
        "audio": "2 x pcm_s24le 2ch",
        "timecode": "10:00:00:00",
        "intra": False,
    },
    "not_video": {"file": "not_video.mp4", "codec": None, "intra": None},
    "truncated": {"file": "truncated.mp4", "codec": None, "intra": None},
}

# The masters the clip-fidelity checks run on, again with natural pictures.
for _kind, _size, _rate, _seconds, _extra in (
    ("h264_closed", "384x216", "25", 3, ""),
    ("h264_vfr", "320x180", "30", 5, ""),
    ("mpeg2_xdcam", "1920x1080", "25", 2, "setfield=tff"),
):
    _spec = dict(KINDS[_kind])
    _spec["file"] = "natural_" + _spec["file"]
    _spec["inputs"] = _natural(_size, _rate, _seconds, _extra) + _spec["inputs"][4:]
    _spec["natural"] = True
    KINDS["natural_" + _kind] = _spec

#: Kinds that are real, decodable video masters (the natural ones serve the cut checks).
VIDEO_KINDS = [k for k, v in KINDS.items() if v.get("codec") and not v.get("natural")]


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")


def _generate(kind: str, dest: Path) -> None:
    spec = KINDS[kind]
    tmp = dest.with_name(f".{dest.stem}.{os.getpid()}.partial{dest.suffix}")
    try:
        if kind == "not_video":
            tmp.write_text("This is not a video, just some text pretending to be one.\n" * 50)
        elif kind == "truncated":
            src = make_master("h264_closed", dest.parent)
            data = src.read_bytes()
            tmp.write_bytes(data[: int(len(data) * 0.4)])
        else:
            cmd = [FFMPEG, "-nostdin", "-v", "error", "-y", *spec["inputs"]]
            maps = spec.get("maps", ["-map", "0:v", "-map", "1:a"])
            cmd += [*maps, "-shortest", *spec["args"], str(tmp)]
            _run(cmd)
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()


def make_master(kind: str, directory: str | os.PathLike) -> Path:
    """Return the path of master ``kind`` inside ``directory``, generating it if absent."""
    if kind not in KINDS:
        raise KeyError(f"unknown master kind {kind!r}; known: {', '.join(KINDS)}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    dest = directory / KINDS[kind]["file"]
    with _LOCK:
        if not dest.exists():
            _generate(kind, dest)
    return dest


def ffprobe_json(path: str | os.PathLike, *extra: str) -> dict:
    """Run ffprobe with JSON output (streams + format, plus ``extra`` options)."""
    import json

    cmd = [FFPROBE, "-v", "error", "-of", "json", "-show_streams", "-show_format"]
    cmd += [*extra, str(path)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(out.stdout)


def ffmpeg_available() -> bool:
    return shutil.which(FFMPEG) is not None or os.path.exists(FFMPEG)


try:  # pytest fixtures, usable when pytest is importing this module
    import pytest

    @pytest.fixture(scope="session")
    def media_dir(tmp_path_factory) -> Path:
        """Directory holding this session's generated masters."""
        cache = os.environ.get("RUSHES_MEDIA_CACHE")
        if cache:
            Path(cache).mkdir(parents=True, exist_ok=True)
            return Path(cache)
        return tmp_path_factory.mktemp("masters")

    @pytest.fixture(scope="session")
    def master(media_dir):
        """Factory fixture: ``master(kind) -> Path``, generated once per session."""
        if not ffmpeg_available():
            pytest.skip("Debian ffmpeg (/usr/bin/ffmpeg) is needed to generate test masters")

        def _get(kind: str) -> Path:
            return make_master(kind, media_dir)

        return _get

except ImportError:  # pragma: no cover - plain use outside pytest
    pass


if __name__ == "__main__":  # generate everything into a directory, for a look
    import sys
    import time

    out = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="masters-"))
    for k in KINDS:
        t = time.monotonic()
        p = make_master(k, out)
        print(f"{k:16s} {time.monotonic() - t:6.2f}s {p.stat().st_size:>10d} {p}")
