"""Poster, thumbnail sprite + WebVTT and renditions, checked with Debian's ffmpeg/ffprobe."""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.media.derivatives import make_poster, make_thumbnail_strip
from app.media.errors import MediaError
from app.media.probe import probe
from app.media.renditions import RenditionSpec, downmix_pan, make_renditions, plan_ladder
from tests.mediagen import FFMPEG, FFPROBE, VIDEO_KINDS, ffprobe_json, master, media_dir  # noqa: F401

pytestmark = pytest.mark.media

# Light settings so that the suite stays quick; the shape is the app's ladder.
FAST = {"preset": "ultrafast", "audio_bitrate": 64_000}
LADDER = [
    RenditionSpec(name="proxy", max_height=540, crf=30, keyframe_interval=1.0, always=True, **FAST),
    RenditionSpec(name="1080p", label="Full HD", max_height=1080, crf=30, **FAST),
    RenditionSpec(name="720p", label="HD", max_height=720, crf=30, **FAST),
]


def _decode_errors(path: Path) -> str:
    proc = subprocess.run(
        [FFMPEG, "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0
    return proc.stdout + proc.stderr


def _top_level_atoms(path: Path) -> list[str]:
    atoms = []
    with open(path, "rb") as fh:
        while True:
            header = fh.read(8)
            if len(header) < 8:
                return atoms
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", fh.read(8))[0] - 8
            atoms.append(kind.decode("latin-1"))
            fh.seek(size - 8, 1)


def _keyframe_times(path: Path) -> list[float]:
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries",
         "packet=pts_time,flags", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    times = []
    for line in out.splitlines():
        pts, _, flags = line.partition(",")
        if "K" in flags:
            times.append(float(pts))
    return sorted(times)


def _picture_size(path: Path) -> tuple[int, int]:
    stream = ffprobe_json(path)["streams"][0]
    return stream["width"], stream["height"]


# --------------------------------------------------------------------------- poster


@pytest.mark.parametrize(
    ("kind", "size"),
    [("prores", (384, 216)), ("h264_interlaced", (1280, 720)), ("mpeg2_mxf", (720, 576))],
)
def test_poster(master, tmp_path, kind, size):  # noqa: F811
    dest = tmp_path / "poster.jpg"
    assert make_poster(master(kind), dest) == size
    data = dest.read_bytes()
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    assert _picture_size(dest) == size
    assert ffprobe_json(dest)["streams"][0]["codec_name"] == "mjpeg"
    assert _decode_errors(dest) == ""
    assert [p.name for p in tmp_path.iterdir()] == ["poster.jpg"]  # no temp file left


def test_poster_at_and_anamorphic(tmp_path):
    # 720x576 with a 16:9 SAR (64:45): posters show square pixels, 1024x576
    src = tmp_path / "anamorphic.mp4"
    subprocess.run(
        [FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
         "testsrc2=size=720x576:rate=25:duration=2,setsar=64/45", "-c:v", "libx264",
         "-preset", "ultrafast", str(src)],
        check=True, timeout=60,
    )  # fmt: skip
    assert make_poster(src, tmp_path / "p.jpg", at=5.0) == (1024, 576)  # clamped to the end
    assert _picture_size(tmp_path / "p.jpg") == (1024, 576)


def test_poster_refuses_non_video(master, tmp_path):  # noqa: F811
    with pytest.raises(MediaError, match="could not be read as a media file"):
        make_poster(master("not_video"), tmp_path / "p.jpg")
    assert not (tmp_path / "p.jpg").exists()


# --------------------------------------------------------------------------- strip + VTT

_CUE = re.compile(
    r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})\n"
    r"(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)$"
)


def _seconds(h, m, s, ms) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


@pytest.mark.parametrize(("kind", "interval"), [("h264_closed", 0.5), ("mpeg2_ts", 1.0)])
def test_thumbnail_strip(master, tmp_path, kind, interval):  # noqa: F811
    path = master(kind)
    info = probe(path)
    sprite, vtt = tmp_path / "sprite.jpg", tmp_path / "thumbs.vtt"
    result = make_thumbnail_strip(path, sprite, vtt, interval=interval)
    width, height = _picture_size(sprite)
    assert (width, height) == (result.columns * 160, result.rows * result.tile_height)
    assert _decode_errors(sprite) == ""
    text = vtt.read_text()
    assert text.startswith("WEBVTT\n\n")
    cues = [block for block in text.split("\n\n")[1:] if block.strip()]
    assert len(cues) == result.tiles == -(-info.duration // interval)
    previous_end = 0.0
    seen = set()
    for block in cues:
        match = _CUE.match(block.strip())
        assert match, block
        start = _seconds(*match.group(1, 2, 3, 4))
        end = _seconds(*match.group(5, 6, 7, 8))
        assert start == pytest.approx(previous_end) and end > start
        previous_end = end
        assert match.group(9) == "sprite.jpg"  # relative to the VTT's directory
        x, y, w, h = (int(v) for v in match.group(10, 11, 12, 13))
        assert (w, h) == (160, result.tile_height)
        assert x >= 0 and x + w <= width and y >= 0 and y + h <= height
        seen.add((x, y))
    assert previous_end == pytest.approx(info.duration, abs=0.001)
    assert len(seen) == len(cues)


# --------------------------------------------------------------------------- renditions


def _check_rendition(path: Path, size: tuple[int, int], audio: bool) -> dict:
    assert _decode_errors(path) == ""
    data = ffprobe_json(path)
    video = [s for s in data["streams"] if s["codec_type"] == "video"]
    sound = [s for s in data["streams"] if s["codec_type"] == "audio"]
    assert len(video) == 1 and video[0]["codec_name"] == "h264"
    assert (video[0]["width"], video[0]["height"]) == size
    assert video[0]["pix_fmt"] == "yuv420p"
    if audio:
        assert len(sound) == 1 and sound[0]["codec_name"] == "aac"
        assert sound[0]["channels"] == 2 and sound[0]["sample_rate"] == "48000"
    else:
        assert sound == []
    atoms = _top_level_atoms(path)
    assert "moov" in atoms and "mdat" in atoms
    assert atoms.index("moov") < atoms.index("mdat")  # faststart
    return data


def test_ladder_from_1080i(master, tmp_path):  # noqa: F811
    path = master("h264_interlaced")
    info = probe(path)
    seen = []
    report = make_renditions(path, LADDER, progress=seen.append, dest_dir=tmp_path)
    # 720p is smaller than the 1080-line master; a 1080p rendition would be its own size
    assert [r.name for r in report] == ["proxy", "720p"]
    assert [s.name for s in report.skipped] == ["1080p"]
    assert "upscale" not in report.skipped[0].reason and "1080" in report.skipped[0].reason
    sizes = {"proxy": (960, 540), "720p": (1280, 720)}
    for rendition in report:
        data = _check_rendition(Path(rendition.path), sizes[rendition.name], audio=True)
        assert (rendition.width, rendition.height) == sizes[rendition.name]
        assert rendition.size == Path(rendition.path).stat().st_size
        assert rendition.bit_rate > 0
        video = data["streams"][0]
        assert int(video["nb_frames"]) == info.frame_count  # deinterlaced frame to frame
        assert video["field_order"] == "progressive"
        assert abs(float(data["format"]["duration"]) - info.duration) < 0.05
    keys = _keyframe_times(tmp_path / "proxy.mp4")
    assert keys == pytest.approx([0.0, 1.0])  # 1.6 s: one keyframe a second
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["720p.mp4", "proxy.mp4"]


def test_no_rendition_of_the_masters_own_size(tmp_path):
    """Issue 11 item 7: a 720p master gets no "HD 720p" (larger than the original)."""
    src = tmp_path / "720p.mp4"
    subprocess.run(
        [FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
         "testsrc2=size=1280x720:rate=25:duration=0.4", "-c:v", "libx264",
         "-preset", "ultrafast", str(src)],
        check=True, timeout=60,
    )  # fmt: skip
    out = tmp_path / "out"
    report = make_renditions(src, LADDER, dest_dir=out)
    assert [r.name for r in report] == ["proxy"]
    assert [s.name for s in report.skipped] == ["1080p", "720p"]
    assert "upscale" in report.skipped[0].reason  # 1080p
    assert "upscale" not in report.skipped[1].reason and "720" in report.skipped[1].reason
    assert (report[0].width, report[0].height) == (960, 540)
    assert sorted(p.name for p in out.iterdir()) == ["proxy.mp4"]


# (the 1080-line masters are not small: their 1080p rung is no upscale)
@pytest.mark.parametrize(
    "kind", [k for k in VIDEO_KINDS if k not in ("h264_interlaced", "mpeg2_xdcam")]
)
def test_renditions_every_kind_never_upscaled(master, tmp_path, kind):  # noqa: F811
    path = master(kind)
    info = probe(path)
    report = make_renditions(path, [s.to_dict() for s in LADDER], dest_dir=tmp_path, info=info)
    # small masters: the download rungs would be upscales; the proxy is capped at source
    assert [s.name for s in report.skipped] == ["1080p", "720p"]
    assert all("upscale" in s.reason for s in report.skipped)
    assert [r.name for r in report] == ["proxy"]
    proxy = report[0]
    assert proxy.height == min(540, info.height)
    data = _check_rendition(Path(proxy.path), (proxy.width, proxy.height), audio=True)
    assert abs(float(data["format"]["duration"]) - info.duration) < 0.1
    keys = _keyframe_times(Path(proxy.path))
    gop = round(info.frame_rate)  # keyframe every second: 25 or 30 (29.97) frames
    expected = [float(i * gop / info.frame_rate) for i in range(-(-info.frame_count // gop))]
    assert keys == pytest.approx(expected, abs=0.002)


def test_renditions_no_audio_bff(tmp_path):
    src = tmp_path / "bff.ts"
    subprocess.run(
        [FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
         "testsrc2=size=720x576:rate=25:duration=1,setfield=bff", "-c:v", "mpeg2video",
         "-flags", "+ilme+ildct", "-top", "0", "-b:v", "4M", str(src)],
        check=True, timeout=60,
    )  # fmt: skip
    out = tmp_path / "out"
    report = make_renditions(src, LADDER[:1], dest_dir=out)
    proxy = report[0]
    assert not proxy.has_audio and (proxy.width, proxy.height) == (676, 540)
    _check_rendition(Path(proxy.path), (676, 540), audio=False)


def test_plan():
    specs = [
        {"name": "proxy", "max_height": 540, "always": True, "unknown_key": 1},
        {"name": "1080p", "max_height": 1080},
    ]

    class Info:  # the few MediaInfo fields plan_ladder reads
        height = 480
        display_width = 640

    chosen, skipped = plan_ladder(Info(), specs)
    assert [(s.name, w, h) for s, w, h in chosen] == [("proxy", 640, 480)]
    assert skipped[0].name == "1080p" and "480" in skipped[0].reason


@pytest.mark.parametrize(
    ("height", "width", "made"),
    [
        (1080, 1920, [("proxy", 960, 540), ("720p", 1280, 720)]),  # no 1080p of a 1080 master
        (720, 1280, [("proxy", 960, 540)]),  # no 720p of a 720 master
        (721, 1282, [("proxy", 960, 540), ("720p", 1280, 720)]),  # strictly smaller: made
        (540, 960, [("proxy", 960, 540)]),  # the proxy (always) is made at the source size
    ],
)
def test_plan_only_renditions_smaller_than_the_master(height, width, made):
    info = SimpleNamespace(height=height, display_width=width)  # what plan_ladder reads
    chosen, skipped = plan_ladder(info, LADDER)
    assert [(s.name, w, h) for s, w, h in chosen] == made
    assert {s.name for s in skipped} == {s.name for s in LADDER} - {m[0] for m in made}


def test_downmix():
    assert downmix_pan(1, ["FC"]) == "stereo|c0=c0|c1=c0"
    assert downmix_pan(4, []) == "stereo|c0=c0|c1=c1"  # discrete tracks: first pair
    assert downmix_pan(2, ["FL", "FR"]) == "stereo|c0=c0|c1=c1"
    assert downmix_pan(6, ["FL", "FR", "FC", "LFE", "SL", "SR"]) == (
        "stereo|c0<c0+0.707*c2+0.707*c4|c1<c1+0.707*c2+0.707*c5"
    )


def test_renditions_failure_leaves_nothing(master, tmp_path):  # noqa: F811
    bad = [RenditionSpec(name="proxy", max_height=540, always=True, preset="no-such-preset")]
    with pytest.raises(MediaError, match="renditions could not be made"):
        make_renditions(master("h264_closed"), bad, dest_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []
